"""The lead's report: one self-contained HTML file (inline CSS and SVG, no network) on a project.

Sections: sample and progress; saturation verdict and curves; code frequencies by theme;
theme prevalence by case metadata (RoSH, case type, PDU) with chi-square tests; code
co-occurrence; inter-coder agreement; suggester quality. Figures are computed from human codings
of the sampled cases, pooling coders (a case carries a theme when any coder applied one of its
codes). Plots are matplotlib SVG drawn with the Agg canvas, imported only when a report is made.
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from themecode.codebook import merge_map
from themecode.controls import visible
from themecode.errors import ThemecodeError
from themecode.outputs import check_target, project_files, write_output
from themecode.report.plots import clean_svg, frequency_plot, heatmap_plot
from themecode.store import Code, Store, now

PREVALENCE_COLUMNS = (("rosh", "Risk of serious harm (RoSH)"), ("case_type", "Case type"),
                      ("pdu", "Probation delivery unit"))
MAX_HEATMAP_CODES = 24


def _esc(text: str, quote: bool = True) -> str:
    """HTML-escaped text with hidden control characters shown visibly (`controls.visible`)."""
    return html.escape(visible(text), quote)


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


def gather(store: Store) -> ProjectFacts:
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
        "ON d.id = c.document_id WHERE c.deleted = 0"
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


def prevalence_table(facts: ProjectFacts, column: str) -> dict[str, Any] | None:
    """Theme × metadata value counts over coded sampled cases, with a chi-square test per theme."""
    from scipy.stats import chi2_contingency

    cases = [c for c in facts.case_codes if facts.case_meta.get(c, {}).get(column) not in (None, "")]
    if not cases:
        return None
    values = sorted({str(facts.case_meta[c][column]) for c in cases})
    n_by_value = Counter(str(facts.case_meta[c][column]) for c in cases)
    theme_of = {c.id: c.parent for c in facts.codes}
    rows = []
    for theme in facts.themes:
        with_theme = Counter(
            str(facts.case_meta[c][column]) for c in cases
            if any(theme_of.get(code) == theme.id for code in facts.case_codes[c])
        )
        counts = [[with_theme[v], n_by_value[v] - with_theme[v]] for v in values]
        test: dict[str, Any] = {"chi2": None, "dof": None, "p": None, "note": ""}
        usable = [row for row in counts if sum(row) > 0]
        if len(usable) < 2 or all(r[0] == 0 for r in usable) or all(r[1] == 0 for r in usable):
            test["note"] = "no test: no variation"
        else:
            chi2, p, dof, expected = chi2_contingency(usable, correction=False)
            small = sum(1 for row in expected for e in row if e < 5) / expected.size
            test = {"chi2": float(chi2), "dof": int(dof), "p": float(p),
                    "small_expected_share": float(small),
                    "note": "expected counts below 5 in over 20% of cells: read the test with care"
                    if small > 0.2 else ""}
        rows.append({"theme": theme.label, "counts": {v: with_theme[v] for v in values}, **test})
    return {"column": column, "values": values, "n": {v: n_by_value[v] for v in values},
            "n_cases": len(cases), "rows": rows}


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


def suggester_quality(store: Store) -> dict[str, Any] | None:
    """Stored evaluation metrics of the latest model and suggestion outcomes, if there are any."""
    out: dict[str, Any] = {}
    row = store.conn.execute(
        "SELECT id, created_at, kind, n_documents, n_codings, metrics FROM models "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is not None:
        metrics = json.loads(row[5] or "{}")
        if metrics:
            out["model"] = {"id": row[0], "created_at": row[1], "kind": row[2],
                            "n_documents": row[3], "n_codings": row[4], "metrics": metrics}
    outcomes = dict(store.conn.execute(
        "SELECT outcome, count(*) FROM suggestion_log GROUP BY outcome").fetchall())
    decided = sum(v for k, v in outcomes.items() if k != "shown")
    if decided:
        out["outcomes"] = outcomes
        out["acceptance"] = outcomes.get("accepted", 0) / decided
    return out or None


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


def _table(header: list[str], rows: list[list[Any]], *, left: int = 1) -> str:
    """An HTML table; the first `left` columns are left-aligned (labels), the rest numbers."""
    esc = _esc

    def cls(i: int) -> str:
        return " class='l'" if i < left else ""

    head = "".join(f"<th{cls(i)}>{esc(str(h))}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "–"


def _p(p: float | None) -> str:
    if p is None:
        return "–"
    return "&lt;0.001" if p < 0.001 else f"{p:.3f}"


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


def _section_saturation(store: Store) -> str:
    from themecode.saturation.data import analyse_project
    from themecode.saturation.plot import plot_curves

    esc = _esc
    levels = analyse_project(store)
    out = []
    for level in ("code", "theme"):
        res = levels.get(level)
        if res is None:
            continue
        cls = "sat" if res.status == "saturated" else "not"
        out.append(f"<h3>{level.capitalize()} level</h3><div class='verdict {cls}'>"
                   f"<b>{esc(res.status.replace('_', ' '))}</b>: {esc(res.verdict)}</div>")
        if res.n_units:
            out.append(f"<div class='plot'>{clean_svg(plot_curves(res, 'svg').decode('utf-8'))}</div>")
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
    groups: list[tuple[str, list[Code]]] = [
        (t.label, [c for c in facts.codes if c.parent == t.id]) for t in facts.themes
    ]
    loose = [c for c in facts.codes if c.parent not in theme_ids]
    if loose:
        groups.append(("Codes without a theme", loose))
    for label, members in groups:
        if not members:
            continue
        t_cases = sum(1 for codes in facts.case_codes.values()
                      if any(c.id in codes for c in members))
        rows.append([f"<b>{esc(label)}</b>", f"<b>{t_cases}</b>", f"<b>{_pct(t_cases, n)}</b>", ""])
        for c in members:
            rows.append([f"&nbsp;&nbsp;{esc(c.label)}", str(case_freq[c.id]),
                         _pct(case_freq[c.id], n), str(doc_freq[c.id])])
            plot_rows.append((label, c.label, case_freq[c.id]))
    table = _table(["theme / code", "cases", f"% of {n} coded cases", "commentaries"], rows)
    return table + f"<div class='plot'>{frequency_plot(plot_rows, n)}</div>"


def _section_prevalence(facts: ProjectFacts) -> str:
    esc = _esc
    out = ["<p class='muted'>Cases carrying each theme, by case metadata, over the coded sampled "
           "cases; Pearson chi-square test of independence (theme present/absent × value), no "
           "continuity correction. <span class='sig'>Bold red</span> p-values are below 0.05 "
           "(no correction for multiple tests).</p>"]
    any_table = False
    for column, title in PREVALENCE_COLUMNS:
        tab = prevalence_table(facts, column)
        if tab is None:
            continue
        any_table = True
        themes = tab["rows"]
        header = [title, "cases", *[r["theme"] for r in themes]]
        rows = []
        for v in tab["values"]:
            n = tab["n"][v]
            rows.append([esc(v), str(n), *[f"{r['counts'][v]} ({_pct(r['counts'][v], n)})"
                                           for r in themes]])
        rows.append(["<b>χ² (df)</b>", "", *[
            "–" if r["chi2"] is None else f"{r['chi2']:.2f} ({r['dof']})" for r in themes]])
        p_cells = []
        for r in themes:
            sig = r["p"] is not None and r["p"] < 0.05
            cell = f"<span class='sig'>{_p(r['p'])}</span>" if sig else _p(r["p"])
            p_cells.append(cell + ("*" if r["note"].startswith("expected") else ""))
        rows.append(["<b>p</b>", str(tab["n_cases"]), *p_cells])
        notes = sorted({r["note"] for r in themes if r["note"]})
        foot = ("<p class='muted'>* " + esc("; ".join(n for n in notes if n.startswith("expected")))
                + "</p>") if any(n.startswith("expected") for n in notes) else ""
        out.append(f"<h3>{esc(title)}</h3>" + _table(header, rows) + foot)
    if not any_table:
        out.append("<p class='muted'>The cases have no RoSH, case type or PDU metadata, or none "
                   "is coded yet.</p>")
    return "".join(out)


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


def _section_agreement(store: Store, coders: list[str] | None) -> str:
    from themecode.agreement.coefficients import table_rows
    from themecode.agreement.data import agreement_from_store

    esc = _esc
    who = coders or sorted(store.coders())
    if len(who) < 2:
        return ("<p class='muted'>Agreement needs at least two coders who coded the same "
                f"commentaries; this project has {len(who)}.</p>")
    parts = []
    for unit in ("commentary", "case"):
        try:
            res = agreement_from_store(store, who, unit)
        except ThemecodeError as exc:
            parts.append(f"<p class='muted'>{esc(str(exc))}</p>")
            continue
        if not res.n_units:
            parts.append(f"<p class='muted'>No {unit} has been coded by all of "
                         f"{esc(', '.join(who))}.</p>")
            continue
        label = {c.id: c.label for c in store.codes(include_retired=True)}
        rows = [[esc(label.get(r["code"], r["code"])), r["units"], esc(r["present"]),
                 r["agreement"], r["kappa"], r["alpha"]] for r in table_rows(res)]
        parts.append(f"<h3>By {unit}: {res.n_units} units coded by {esc(', '.join(who))}</h3>"
                     + _table(["code", "units", "applied", "agreement", "Cohen's κ",
                               "Krippendorff's α"], rows, left=1))
        parts.append(f"<p class='muted'>{len(res.disagreements)} disagreements to review "
                     "(`themecode agreement --json` lists them).</p>")
    return "".join(parts)


def oof_quality(oof: dict[str, Any], level: str = "document") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-code and micro precision/recall/F1 from out-of-fold confusion counts at one level."""
    rows = []
    tot = Counter()
    for code, levels in sorted(oof.items()):
        c = levels.get(level) if isinstance(levels, dict) else None
        if not isinstance(c, dict):
            continue
        tp, fp, fn = int(c.get("tp", 0)), int(c.get("fp", 0)), int(c.get("fn", 0))
        tot.update({"tp": tp, "fp": fp, "fn": fn})
        rows.append({"code": code, "tp": tp, "fp": fp, "fn": fn, **_prf(tp, fp, fn)})
    return rows, {"tp": tot["tp"], "fp": tot["fp"], "fn": tot["fn"],
                  **_prf(tot["tp"], tot["fp"], tot["fn"])}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"precision": p, "recall": r, "f1": f}


def _section_suggester(store: Store) -> str:
    esc = _esc
    q = suggester_quality(store)
    if q is None:
        return ("<p class='muted'>Not evaluated yet: no stored model evaluation and no "
                "accepted or rejected suggestions.</p>")
    out = []
    if "model" in q:
        m = q["model"]
        out.append(f"<p>Model {m['id']} ({esc(m['kind'])}, fitted {esc(m['created_at'][:16])} on "
                   f"{m['n_documents']} commentaries, {m['n_codings']} codings).</p>")
        oof = m["metrics"].get("oof") if isinstance(m["metrics"], dict) else None
        if isinstance(oof, dict) and oof:
            rows, micro = oof_quality(oof, "document")
            label = {c.id: c.label for c in store.codes(include_retired=True)}
            order = {c.id: i for i, c in enumerate(store.codes(include_retired=True))}
            rows.sort(key=lambda r: (order.get(r["code"], len(order)), r["code"]))
            cells = [[esc(label.get(r["code"], r["code"])), str(r["tp"]), str(r["fp"]),
                      str(r["fn"]), _fmt(r["precision"]), _fmt(r["recall"]), _fmt(r["f1"])]
                     for r in rows]
            cells.append(["<b>all codes (micro)</b>", str(micro["tp"]), str(micro["fp"]),
                          str(micro["fn"]), _fmt(micro["precision"]), _fmt(micro["recall"]),
                          f"<b>{_fmt(micro['f1'])}</b>"])
            out.append("<p class='muted'>Out-of-fold predictions per commentary (grouped by "
                       "case, so a case is never in both training and test folds), from the "
                       "model's own cross-validation when it was fitted.</p>"
                       + _table(["code", "TP", "FP", "FN", "precision", "recall", "F1"], cells))
        else:
            flat = [[esc(str(k)), esc(_fmt(v))] for k, v in _flatten(m["metrics"]).items()]
            out.append(_table(["metric", "value"], flat[:40]))
    if "outcomes" in q:
        o = q["outcomes"]
        out.append(f"<p>Suggestions decided by coders: {q['acceptance']:.0%} accepted "
                   f"({', '.join(f'{k}: {v}' for k, v in sorted(o.items()))}).</p>")
    return "".join(out)


def _flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = d
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return "–" if math.isnan(v) else f"{v:.3f}"
    return str(v)


def render_report(store: Store, *, coders: list[str] | None = None) -> str:
    """The whole report as one HTML string."""
    esc = _esc
    facts = gather(store)
    sections = [
        ("sample", "Sample and progress", _section_sample(facts)),
        ("saturation", "Saturation", _section_saturation(store)),
        ("frequencies", "Code frequencies by theme", _section_frequencies(facts)),
        ("prevalence", "Theme prevalence by case characteristics", _section_prevalence(facts)),
        ("cooccurrence", "Code co-occurrence", _section_cooccurrence(facts)),
        ("agreement", "Agreement between coders", _section_agreement(store, coders)),
        ("suggester", "Suggester quality", _section_suggester(store)),
    ]
    nav = "".join(f"<a href='#{sid}'>{esc(title)}</a>" for sid, title, _ in sections)
    body = "".join(f"<section id='{sid}'><h2>{esc(title)}</h2>{content}</section>"
                   for sid, title, content in sections)
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>themecode report - {esc(store.path.name)}</title><style>{_CSS}</style></head>"
        f"<body><header><h1>Thematic coding report</h1><p>{esc(store.path.name)} · generated "
        f"{esc(now()[:16].replace('T', ' '))} UTC · figures from human codings of the sampled "
        f"cases</p></header><main><nav>{nav}</nav>{body}</main></body></html>\n"
    )


def write_report(store: Store, out: str | Path, *, actor: str,
                 coders: list[str] | None = None) -> Path:
    """Write the HTML report to `out` and log a `report` event."""
    out = Path(out)
    check_target(out, project_files(store.path))
    page = render_report(store, coders=coders)

    def log_report() -> None:
        with store.write():
            store.log_event(actor, "report", str(out), {"path": str(out), "bytes": len(page)})

    return write_output(out, page, protect=project_files(store.path), before_publish=log_report)
