"""The report's statistics sections: code prevalence with finite-population-corrected intervals,
code prevalence by case characteristics (chi-square with Cramér's V, p-values adjusted across each
table), the themes' characteristics tables with the forced-entry logistic regression, agreement
with AC1, Fleiss' kappa, specific agreement and bootstrap intervals, and the methods paragraph.

Every section says whose codings it counts (`themecode.sample.levels.coder_scope`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from themecode.errors import ThemecodeError
from themecode.report.html import esc as escape
from themecode.report.html import p_value, pct, table
from themecode.sample.estimates import METHOD, format_share, prevalence
from themecode.sample.levels import (
    UNKNOWN,
    case_codes,
    case_metadata,
    coder_scope,
    consensus_coders,
    known_coders,
    natural_order,
    value_text,
)
from themecode.sample.regression import ADJUSTMENTS, adjust, chi_square
from themecode.store import Store

PREVALENCE_COLUMNS = (("rosh", "Risk of serious harm (RoSH)"), ("case_type", "Case type"),
                      ("pdu", "Probation delivery unit"))
REPORT_BOOTSTRAP = 500


def code_prevalence_table(store: Store, column: str, *, coder: str | None = None,
                          adjustment: str = "holm",
                          coded: dict[str, set[str]] | None = None) -> dict[str, Any] | None:
    """Code x value counts over the coded sampled cases, with a chi-square test per code (known
    values only), Cramér's V, and p-values adjusted across the codes of the table."""
    meta = case_metadata(store.conn)
    if not any(column in m for m in meta.values()):
        return None
    coded = case_codes(store.conn, coder) if coded is None else coded
    if not coded:
        return None
    value = {c: value_text(meta.get(c, {}).get(column)) for c in coded}
    values = natural_order(value.values())
    n_by = Counter(value.values())
    known = [v for v in values if v != UNKNOWN]
    codes = [r[0] for r in store.conn.execute(
        "SELECT id FROM codes WHERE kind = 'code' AND retired = 0 ORDER BY sort_order, id")]
    rows = []
    for code in codes:
        counts = Counter(value[c] for c, cs in coded.items() if code in cs)
        if not counts:
            continue
        test = chi_square(column, [counts[v] for v in known], [n_by[v] for v in known])
        rows.append({"code": code, "counts": {v: counts[v] for v in values}, "test": test})
    for r, p in zip(rows, adjust([r["test"].p for r in rows], adjustment), strict=True):
        r["test"].p_adjusted = p
    return {"column": column, "values": values, "n": dict(n_by), "n_cases": len(coded),
            "rows": rows, "adjustment": ADJUSTMENTS[adjustment]}


def section_prevalence(store: Store, coder: str | None,
                       coded: dict[str, set[str]] | None = None) -> str:
    """Code prevalence overall (FPC intervals), then by RoSH, case type and PDU at code level."""
    esc = escape
    label = dict(store.conn.execute("SELECT id, label FROM codes"))
    scope = coder_scope(store.conn, coder)
    coded = case_codes(store.conn, coder) if coded is None else coded
    overall = prevalence(store.conn, coder=coder, coded=coded)
    out = [f"<p class='muted'>Whose codings: {esc(scope)}. Share of the {overall.n_coded} coded "
           f"sampled cases (of {overall.n_population} in the corpus) carrying each code; 95% "
           f"intervals: {esc(METHOD)}.</p>"]
    rows = [[esc(label.get(i, i)), esc(format_share(overall.overall[i]))] for i in overall.items
            if overall.overall[i].k]
    out.append(table(["code", "% of coded cases (95% interval), n of N"], rows))
    out.append("<p class='muted'>By case characteristic: Pearson chi-square test of independence "
               "(code present/absent × value, unknown values left out of the test, no continuity "
               "correction) with Cramér's V as the effect size; p-values Holm-adjusted across the "
               "codes of each table. <span class='sig'>Bold red</span>: adjusted p below 0.05.</p>")
    for column, title in PREVALENCE_COLUMNS:
        tab = code_prevalence_table(store, column, coder=coder, coded=coded)
        if tab is None:
            continue
        header = ["code", *[f"{v} (N {tab['n'].get(v, 0)})" for v in tab["values"]],
                  "χ² (df)", "p", "p (Holm)", "Cramér's V"]
        body = []
        for r in tab["rows"]:
            t = r["test"]
            sig = t.p_adjusted is not None and t.p_adjusted < 0.05
            adj = p_value(t.p_adjusted)
            body.append([esc(label.get(r["code"], r["code"])),
                         *[f"{r['counts'][v]} ({pct(r['counts'][v], tab['n'].get(v, 0))})" for v in tab["values"]],
                         "–" if t.chi2 is None else f"{t.chi2:.2f} ({t.dof})", p_value(t.p),
                         f"<span class='sig'>{adj}</span>" if sig else adj,
                         "–" if t.cramers_v is None else f"{t.cramers_v:.2f}"
                         + ("*" if t.note.startswith("expected") else "")])
        out.append(f"<h3>{esc(title)}</h3>" + table(header, body))
        if any(r["test"].note.startswith("expected") for r in tab["rows"]):
            out.append("<p class='muted'>* expected counts below 5 in over 20% of cells: read the "
                       "test with care.</p>")
    return "".join(out)


def section_tables(store: Store, coder: str | None,
                   coded: dict[str, set[str]] | None = None) -> str:
    """For each codebook theme: N, n, % by the bulletin's characteristics and the regression."""
    from themecode.sample.tables import characteristics_table, display_cells

    esc = escape
    themes = [r[0] for r in store.conn.execute(
        "SELECT id FROM codes WHERE kind = 'theme' AND retired = 0 ORDER BY sort_order, id")]
    coded = case_codes(store.conn, coder) if coded is None else coded
    out = ["<p class='muted'>As in the bulletin's Annex B, for each theme (a case carries it when "
           "any of its codes was applied): coded sampled cases (N), those carrying the theme (n) "
           "and % with its finite-population-corrected 95% interval, per level; odds ratios from "
           "a forced-entry logistic regression on all characteristics together (cases with an "
           "unknown value left out), with Wald 95% intervals and Holm-adjusted p-values. "
           "`themecode tables` prints the same for any code or theme.</p>"]
    for theme in themes:
        try:
            tab = characteristics_table(store.conn, theme=theme, coder=coder, coded=coded)
        except ThemecodeError as exc:
            out.append(f"<p class='muted'>{esc(str(exc))}</p>")
            continue
        if not tab.by or not tab.n_coded:
            out.append("<p class='muted'>No coded cases with the bulletin's characteristics yet.</p>")
            break
        rows = []
        for r in tab.flat_rows():
            sig = r["p_adjusted"] is not None and r["p_adjusted"] < 0.05
            adj = p_value(r["p_adjusted"])
            rows.append([esc(r["characteristic"]), esc(r["level"]), str(r["N"]), str(r["n"]),
                         *display_cells(r), p_value(r["p"]),
                         f"<span class='sig'>{adj}</span>" if sig else adj])
        reg = tab.regression
        note = "" if reg is None else (f"Regression on {reg.n_cases} cases ({reg.n_left_out} left out "
                                       f"for an unknown value). {reg.note}")
        out.append(f"<h3>{esc(tab.label)}: {tab.overall.k} of {tab.n_coded} coded cases</h3>"
                   + table(["characteristic", "level", "N", "n", "%", "95% interval",
                            "odds ratio (95% CI)", "p", "p (Holm)"], rows, left=2)
                   + f"<p class='muted'>{esc(note)}</p>")
    return "".join(out)


def section_saturation_by(store: Store, coder: str | None) -> str:
    """Code saturation within each RoSH level and case type (`saturation --by`), small strata
    flagged."""
    from themecode.saturation.analysis import SaturationConfig
    from themecode.saturation.subgroups import analyse_subgroups

    esc = escape
    config = SaturationConfig()
    meta = case_metadata(store.conn)
    out = [f"<p class='muted'>Whose codings: {esc(coder_scope(store.conn, coder))}. Each stratum keeps "
           "the coding order; a stratum with fewer cases than the run check needs "
           f"({config.confirm_run}) cannot be judged saturated. `themecode saturation --by COLUMN` "
           "gives this for any column.</p>"]
    for column, title in PREVALENCE_COLUMNS[:2]:
        if not any(column in m for m in meta.values()):
            continue
        rows = []
        for s in analyse_subgroups(store, column, config, coder=coder):
            r = s.levels["code"]
            ch = r.chao2
            rows.append([esc(s.value), str(s.n_units), esc(r.status.replace("_", " ")),
                         f"case {r.saturated_at}" if r.saturated_at else "not reached",
                         f"{ch.f0:.1f} ({ch.ci_low - ch.s_obs}–{ch.ci_high - ch.s_obs})",
                         " ".join(f"{k} {'✓' if v else '✗'}" for k, v in r.checks.items()),
                         esc(s.note(config))])
        out.append(f"<h3>{esc(title)}</h3><div class='scroll'>" + table(
            [column, "cases coded", "status", "saturation point (themecode's rule)",
             "Chao2 unseen (interval)", "checks", "note"], rows, left=1) + "</div>")
    return "".join(out)


def section_agreement(store: Store, coders: list[str] | None) -> str:
    """Agreement per code and pooled, by commentary and by case, with bootstrap intervals."""
    from themecode.agreement.data import agreement_from_store
    from themecode.agreement.table import COLUMN_TITLES, TABLE_COLUMNS, left_out_line, table_rows

    esc = escape
    consensus = consensus_coders(store.conn)
    who = coders or [c for c in known_coders(store.conn) if c not in consensus]
    if len(who) < 2:
        return ("<p class='muted'>Agreement needs at least two coders who coded the same "
                f"commentaries; this project has {len(who)}.</p>")
    parts = [f"<p class='muted'>Coders compared: {esc(', '.join(who))} (consensus coders left out). "
             f"In brackets: percentile bootstrap 95% intervals over units ({REPORT_BOOTSTRAP} "
             "resamples). Gwet's AC1 and specific agreement stay informative for rare codes, "
             "where kappa can be near 0 despite high agreement.</p>"]
    label = {c.id: c.label for c in store.codes(include_retired=True)}
    for unit in ("commentary", "case"):
        try:
            res = agreement_from_store(store, who, unit, bootstrap=REPORT_BOOTSTRAP)
        except ThemecodeError as exc:
            parts.append(f"<p class='muted'>{esc(str(exc))}</p>")
            continue
        if not res.n_units:
            parts.append(f"<p class='muted'>No {unit} has been coded by all of {esc(', '.join(who))}.</p>")
            continue
        cols = [c for c in TABLE_COLUMNS if c not in ("all", "none") and (c != "kappa" or len(who) == 2)]
        rows = [[esc(label.get(r["code"], r["code"])) if i == 0 else esc(r[c])
                 for i, c in enumerate(cols)] for r in table_rows(res)]
        parts.append(f"<h3>By {unit}: {res.n_units} units coded by all of {esc(', '.join(who))}</h3>"
                     + table([COLUMN_TITLES[c] for c in cols], rows))
        note = left_out_line(res)
        if note:
            parts.append(f"<p class='muted'>{esc(note)}</p>")
        parts.append(f"<p class='muted'>{len(res.disagreements)} disagreements to review "
                     "(`themecode agreement --json` lists them).</p>")
    return "".join(parts)


def section_methods(store: Store, coder: str | None, coders: list[str] | None) -> str:
    """The methods paragraph (`themecode methods`) with its references."""
    from themecode.report.methods import methods

    esc = escape
    m = methods(store, coder=coder, coders=coders)
    return ("".join(f"<p>{esc(p)}</p>" for p in m.paragraphs) + "<h3>References</h3><ul>"
            + "".join(f"<li>{esc(r)}</li>" for r in m.references) + "</ul>")
