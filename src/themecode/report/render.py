"""The lead's report: one self-contained HTML file (inline CSS and SVG, no network) on a project.

Sections: sample and progress; saturation verdict and curves, and by subgroup; code frequencies
by theme; code prevalence with intervals and by case characteristic (`report.statistics`); the
themes' characteristics tables; code co-occurrence; agreement between coders (`report.agreement`);
suggester quality; the audit; methods. Figures are computed from human codings of the sampled
cases, pooling coders unless `coder` names one (each section says whose codings it counts). Plots
are matplotlib SVG drawn with the Agg canvas, imported only when a report is made.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from themecode.codebook import merge_map
from themecode.report.agreement import section_agreement
from themecode.report.html import esc as _esc
from themecode.report.html import pct as _pct
from themecode.report.html import table as _table
from themecode.report.layout import (
    CSS as LAYOUT_CSS,
)
from themecode.report.layout import (
    contents_and_body,
    plain_saturation,
)
from themecode.report.plots import clean_svg, frequency_plot, heatmap_plot
from themecode.report.suggester import (  # noqa: F401 - re-exported: the report's API
    oof_quality,
    section_suggester,
    suggester_quality,
)
from themecode.review.themes import review_status
from themecode.store import Code, Store, now
from themecode.store.outputs import check_target, project_files, write_output

MAX_HEATMAP_CODES = 24


@dataclass
class ProjectFacts:
    """The counts every section draws on: sampled cases, their codes and themes, by coder."""

    codes: list[Code]
    themes: list[Code]
    n_cases: int
    n_documents: int
    sample_cases: list[str]
    sample_documents: int
    case_meta: dict[str, dict[str, Any]]
    case_codes: dict[str, set[str]] = field(default_factory=dict)  # coded sampled cases only
    doc_codes: dict[str, set[str]] = field(default_factory=dict)
    coders: dict[str, dict[str, int]] = field(default_factory=dict)

    def theme_of(self, code_id: str) -> str | None:
        """The theme id of a code."""
        for c in self.codes:
            if c.id == code_id:
                return c.parent
        return None


def gather(store: Store, coder: str | None = None) -> ProjectFacts:
    """Read what the report needs in a handful of queries."""
    conn = store.conn
    codes = store.codes(kind="code")
    themes = store.codes(kind="theme")
    n_cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    n_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    sample = [r.case_id for r in store.sample()]
    sampled = set(sample)
    sample_docs = conn.execute(
        "SELECT count(*) FROM documents WHERE case_id IN (SELECT case_id FROM samples)"
    ).fetchone()[0]
    case_meta = {r[0]: json.loads(r[1] or "{}") for r in conn.execute("SELECT id, metadata FROM cases")}
    merged = merge_map(store)
    facts = ProjectFacts(codes, themes, n_cases, n_docs, sample, sample_docs, case_meta)
    for doc_id, case_id, code_id in conn.execute(
        "SELECT c.document_id, d.case_id, c.code_id FROM codings c JOIN documents d "
        "ON d.id = c.document_id WHERE c.deleted = 0" + (" AND c.coder = ?" if coder else ""),
        (coder,) if coder else (),
    ):
        if sampled and case_id not in sampled:
            continue
        code_id = merged.get(code_id, code_id)
        facts.case_codes.setdefault(case_id, set()).add(code_id)
        facts.doc_codes.setdefault(doc_id, set()).add(code_id)
    for coder, n in conn.execute(
        "SELECT coder, count(*) FROM codings WHERE deleted = 0 GROUP BY coder ORDER BY coder"
    ):
        facts.coders[coder] = {"codings": n, "documents_done": 0, "cases_done": 0}
    for coder, unit_type, n in conn.execute(
        "SELECT coder, unit_type, count(*) FROM progress WHERE status = 'done' "
        "GROUP BY coder, unit_type"
    ):
        facts.coders.setdefault(coder, {"codings": 0, "documents_done": 0, "cases_done": 0})
        facts.coders[coder][f"{unit_type}s_done"] = n
    return facts


# --------------------------------------------------------------------------- statistics


def cooccurrence(facts: ProjectFacts) -> tuple[list[str], list[list[int]], list[tuple[str, str, int, float]]]:
    """(codes by frequency, case co-occurrence matrix, top pairs with Jaccard index)."""
    freq = Counter(code for codes in facts.case_codes.values() for code in codes)
    top = [c for c, _ in freq.most_common(MAX_HEATMAP_CODES)]
    idx = {c: i for i, c in enumerate(top)}
    matrix = [[0] * len(top) for _ in top]
    pairs: Counter[tuple[str, str]] = Counter()
    for codes in facts.case_codes.values():
        present = sorted(c for c in codes if c in idx)
        for c in present:
            matrix[idx[c]][idx[c]] += 1
        for a, b in combinations(present, 2):
            matrix[idx[a]][idx[b]] += 1
            matrix[idx[b]][idx[a]] += 1
            pairs[(a, b)] += 1
    ranked = [(a, b, n, n / (freq[a] + freq[b] - n)) for (a, b), n in pairs.items()]
    ranked.sort(key=lambda r: (-r[3], -r[2], r[0], r[1]))
    return top, matrix, ranked[:15]


# --------------------------------------------------------------------------- HTML


_CSS = """
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--accent:#0b5394;--bg:#f6f8fa}
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);
margin:0;background:#fff}
header{background:#12325a;color:#fff;padding:1.6rem 2rem}header h1{margin:0;font-size:1.7rem}
header p{margin:.3rem 0 0;color:#c9d7ea}
main{max-width:68rem;margin:0 auto;padding:1rem 2rem 3rem}
nav{font-size:.9rem;margin:1rem 0;color:var(--muted)}nav a{color:var(--accent);margin-right:.9rem}
section{margin-top:2.2rem}h2{border-bottom:2px solid var(--line);padding-bottom:.3rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{background:var(--bg);border:1px solid var(--line);
border-radius:8px;padding:.7rem 1rem;min-width:9rem}.card b{display:block;font-size:1.5rem}
.card span{color:var(--muted);font-size:.85rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}
th,td{border-bottom:1px solid var(--line);padding:.3rem .6rem;text-align:right}
td{white-space:nowrap}td.l{white-space:normal}
th.l,td.l{text-align:left}th{background:var(--bg)}
.bar{background:#e7edf5;border-radius:4px;height:.7rem;width:12rem;display:inline-block}
.bar i{display:block;height:100%;background:var(--accent);border-radius:4px}
.verdict{padding:.8rem 1rem;border-left:5px solid var(--accent);background:#eef4fb}
.verdict.sat{border-color:#1a7f37;background:#eefaf1}.verdict.not{border-color:#bf8700;
background:#fff8e5}
.muted{color:var(--muted)}.sig{font-weight:600;color:#8a2c0d}.plot svg{max-width:100%;height:auto}
"""

def _section_sample(facts: ProjectFacts) -> str:
    esc = _esc
    coded = len(facts.case_codes)
    n_sample = len(facts.sample_cases)
    cards = [
        (f"{facts.n_cases:,}", "cases in the corpus"),
        (f"{facts.n_documents:,}", "commentaries"),
        (f"{n_sample:,}", f"cases sampled ({_pct(n_sample, facts.n_cases)})"),
        (f"{coded:,}", f"sampled cases coded ({_pct(coded, n_sample)})"),
        (f"{sum(1 for _ in facts.doc_codes):,}", "commentaries with codes"),
    ]
    out = ["<div class='cards'>"]
    out += [f"<div class='card'><b>{v}</b><span>{esc(label)}</span></div>" for v, label in cards]
    out.append("</div>")
    if facts.coders:
        rows = []
        for coder, c in facts.coders.items():
            done = c.get("cases_done", 0)
            width = min(100, 100 * done / n_sample) if n_sample else 0
            rows.append([esc(coder), f"{c.get('codings', 0):,}", f"{c.get('documents_done', 0):,}",
                         f"{done:,} / {n_sample:,}",
                         f"<span class='bar'><i style='width:{width:.0f}%'></i></span>"])
        out.append(_table(["coder", "codings", "commentaries done", "cases done", "progress"], rows))
    else:
        out.append("<p class='muted'>Nobody has coded yet.</p>")
    return "".join(out)


def _section_saturation(store: Store, coder: str | None = None) -> str:
    from themecode.saturation.data import analyse_project
    from themecode.saturation.plot import plot_curves

    esc = _esc
    levels = analyse_project(store, coder=coder)
    out = []
    for level in ("code", "theme"):
        res = levels.get(level)
        if res is None:
            continue
        cls = "sat" if res.status == "saturated" else "not"
        out.append(f"<h3>{level.capitalize()} level</h3>"
                   f"<p class='plain'>{esc(plain_saturation(res))}</p>"
                   f"<div class='verdict {cls}'>"
                   f"<b>{esc(res.status.replace('_', ' '))}</b>: {esc(res.verdict)}</div>")
        if level == "theme" and any(c.parent is None for c in store.codes(kind="code")):
            out.append("<p class='muted'>Codes without a theme are not themes, so these "
                       "theme-level figures leave them out; give them a theme to count them "
                       "under it.</p>")
        if res.n_units:
            title = f"Saturation curve, {level} level"
            out.append(f"<div class='plot'>"
                       f"{clean_svg(plot_curves(res, 'svg').decode('utf-8'), title)}</div>")
            out.append(_table(["figure", "value"], [[esc(k), esc(v)] for k, v in res.summary_rows()], left=2))
        if level == "code":
            if res.n_units:
                header, rows = res.sensitivity_table()
                out.append("<p>Guest et al. sensitivity grid: where the rule fires for each base, run "
                           "and threshold.</p>")
                out.append(_table(header, [[esc(c) for c in row] for row in rows], left=len(header)))
            out.append("<ul class='muted'>" + "".join(f"<li>{esc(line)}</li>" for line in res.guard_rails())
                       + "</ul>")
    return "".join(out)


def _section_frequencies(facts: ProjectFacts) -> str:
    esc = _esc
    n = len(facts.case_codes)
    if not n:
        return "<p class='muted'>No coded cases yet.</p>"
    case_freq = Counter(code for codes in facts.case_codes.values() for code in codes)
    doc_freq = Counter(code for codes in facts.doc_codes.values() for code in codes)
    rows, plot_rows = [], []
    theme_ids = {t.id for t in facts.themes}
    groups: list[tuple[str, str, list[Code]]] = [  # themes as developed, with review state
        (t.label, review_status(t), [c for c in facts.codes if c.parent == t.id])
        for t in facts.themes
    ]
    loose = [c for c in facts.codes if c.parent not in theme_ids]
    if loose:
        groups.append(("Codes without a theme", "", loose))
    for label, note, members in groups:
        if not members:
            continue
        if label == "Codes without a theme" and loose is members:
            # not a theme: no theme count for them
            rows.append([f"<i>{esc(label)}</i> <span class='muted'>(not a theme, so not counted "
                         "as one)</span>", "", "", ""])
        else:
            t_cases = sum(1 for codes in facts.case_codes.values()
                          if any(c.id in codes for c in members))
            rows.append([f"<b>{esc(label)}</b> <span class='muted'>{esc(note)}</span>",
                         f"<b>{t_cases}</b>", f"<b>{_pct(t_cases, n)}</b>", ""])
        for c in members:
            rows.append([f"&nbsp;&nbsp;{esc(c.label)}", str(case_freq[c.id]),
                         _pct(case_freq[c.id], n), str(doc_freq[c.id])])
            plot_rows.append((label, c.label, case_freq[c.id]))
    table = _table(["theme / code", "cases", f"% of {n} coded cases", "commentaries"], rows)
    return table + f"<div class='plot'>{frequency_plot(plot_rows, n)}</div>"


def _section_cooccurrence(facts: ProjectFacts) -> str:
    esc = _esc
    labels, matrix, pairs = cooccurrence(facts)
    if len(labels) < 2:
        return "<p class='muted'>Too few codes applied to show co-occurrence.</p>"
    label = {c.id: c.label for c in facts.codes}
    rows = [[esc(label.get(a, a)), esc(label.get(b, b)), str(n), f"{j:.2f}"] for a, b, n, j in pairs]
    return (f"<div class='plot'>{heatmap_plot([label.get(c, c) for c in labels], matrix)}</div>"
            "<h3>Pairs most often found together</h3>"
            + _table(["code", "code", "cases with both", "Jaccard"], rows, left=2))


def _section_audit(store: Store) -> str:
    """What the audit of the unsampled commentaries found (issue 19), apart from the sample."""
    from themecode.audit.decisions import methods_text, summary

    esc = _esc
    s = summary(store)
    out = [f"<p>{esc(s.statement)}</p>"]
    if s.new_codes:
        out.append(_table(["new code", "commentaries", "cases"],
                          [[esc(n.label), n.commentaries, n.cases] for n in s.new_codes]))
    if s.reviewed:
        out.append(f"<p class='muted'>For the methods: {esc(methods_text(s))}</p>")
    return "".join(out)


def render_report(store: Store, *, coders: list[str] | None = None,
                  coder: str | None = None) -> str:
    """The whole report as one HTML string; `coder` limits every figure but agreement to one
    coder's (or the consensus coder's) codings, `coders` picks who is compared for agreement.
    The statistics sections of issue 15 live in `report.statistics`."""
    from themecode.report import statistics as st
    from themecode.sample.levels import coder_scope

    esc = _esc
    facts = gather(store, coder)
    coded = st.case_codes(store.conn, coder)  # read once for the statistics sections
    sections = [
        ("sample", "Sample and progress", _section_sample(facts)),
        ("saturation", "Saturation", _section_saturation(store, coder)),
        ("saturation-by", "Saturation by RoSH and case type", st.section_saturation_by(store, coder)),
        ("frequencies", "Code frequencies by theme", _section_frequencies(facts)),
        ("prevalence", "Code prevalence by case characteristics",
         st.section_prevalence(store, coder, coded)),
        ("tables", "Themes by case characteristics", st.section_tables(store, coder, coded)),
        ("cooccurrence", "Code co-occurrence", _section_cooccurrence(facts)),
        ("agreement", "Agreement between coders", section_agreement(store, coders)),
        ("suggester", "Suggester quality", section_suggester(store, _table)),
        ("audit", "Audit of the unsampled commentaries", _section_audit(store)),
        ("methods", "Methods", st.section_methods(store, coder, coders)),
    ]
    scope = coder_scope(store.conn, coder)
    whose = None
    if coder is not None:  # the pooled sections count one coder's codings instead
        one = scope[0].upper() + scope[1:]
        whose = {"saturation": f"{one}, in sample draw order.",
                 "frequencies": f"{one} (human codings of sampled cases).",
                 "prevalence": f"{one}; a sampled case counts as coded when {coder} marked it "
                               "done (or, with no done-marks, carries one of their codings).",
                 "cooccurrence": f"{one} (human codings of sampled cases)."}
    nav, body = contents_and_body(sections, whose)
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>themecode report - {esc(store.path.name)}</title><style>{_CSS}{LAYOUT_CSS}</style></head>"
        f"<body><header><h1>Thematic coding report</h1><p>{esc(store.path.name)} · generated "
        f"{esc(now()[:16].replace('T', ' '))} UTC · figures from human codings of the sampled "
        f"cases: {esc(scope)}, unless a section says otherwise</p></header><main>"
        f"<nav class='toc' aria-label='Contents'>{nav}</nav>{body}</main></body>"
        "</html>\n"
    )


def write_report(store: Store, out: str | Path, *, actor: str,
                 coders: list[str] | None = None, coder: str | None = None) -> Path:
    """Write the HTML report to `out` and log a `report` event."""
    out = Path(out)
    check_target(out, project_files(store.path))
    page = render_report(store, coders=coders, coder=coder)

    def log_report() -> None:
        with store.write():
            store.log_event(actor, "report", str(out), {"path": str(out), "bytes": len(page)})

    return write_output(out, page, protect=project_files(store.path), before_publish=log_report)
