"""The report's statistics sections: code prevalence with finite-population-corrected intervals,
code prevalence by case characteristics (codes grouped by theme, an N row and an "unknown" value,
chi-square with Cramér's V, p-values Holm-adjusted across each table beside the raw p; a wide
table split into parts), the themes' characteristics tables with the forced-entry logistic
regression, and the methods paragraph. Agreement is `report.agreement`.

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
    code_themes,
    coder_scope,
    natural_order,
    value_text,
)
from themecode.sample.regression import ADJUSTMENTS, adjust, chi_square
from themecode.store import Store

PREVALENCE_COLUMNS = (("rosh", "Risk of serious harm (RoSH)"), ("case_type", "Case type"),
                      ("pdu", "Probation delivery unit"))


MAX_VALUE_COLUMNS = 6  # value columns per printed table: a wider one is split into parts


def code_prevalence_table(store: Store, column: str, *, coder: str | None = None,
                          adjustment: str = "holm",
                          coded: dict[str, set[str]] | None = None) -> dict[str, Any] | None:
    """Code x value counts over the coded sampled cases ("unknown" where a case lacks the value,
    values in their natural order), every current code grouped by its theme in codebook order,
    with a chi-square test per code (known values only), Cramér's V, and p-values adjusted
    across the codes of the table. None when no case has the column or none is coded."""
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
    theme_of = code_themes(store.conn)
    theme_rank = {t.id: i for i, t in enumerate(store.codes(kind="theme"))}
    codes = sorted(store.codes(kind="code"),
                   key=lambda c: theme_rank.get(theme_of.get(c.id) or "", len(theme_rank)))
    rows = []
    for code in codes:
        counts = Counter(value[c] for c, cs in coded.items() if code.id in cs)
        test = chi_square(column, [counts[v] for v in known], [n_by[v] for v in known])
        rows.append({"code": code.id, "label": code.label, "theme": theme_of.get(code.id),
                     "counts": {v: counts[v] for v in values}, "test": test})
    for r, p in zip(rows, adjust([r["test"].p for r in rows], adjustment), strict=True):
        r["test"].p_adjusted = p
    return {"column": column, "values": values, "n": dict(n_by), "n_cases": len(coded),
            "rows": rows, "adjustment": ADJUSTMENTS[adjustment]}


def _value_parts(values: list[str]) -> list[list[str]]:
    """The value columns split into balanced parts of at most `MAX_VALUE_COLUMNS` (one part
    when they fit), so a 26-PDU table prints on an A4 page."""
    if len(values) <= MAX_VALUE_COLUMNS + 1:
        return [values]
    n_parts = -(-len(values) // MAX_VALUE_COLUMNS)
    base, extra = divmod(len(values), n_parts)
    parts, start = [], 0
    for i in range(n_parts):
        size = base + (i < extra)
        parts.append(values[start:start + size])
        start += size
    return parts


def _captioned(html: str, caption: str) -> str:
    """A table with a caption inside it, so the caption prints on the page its table starts on."""
    return html.replace("<table>", f"<table class='part'><caption>{caption}</caption>", 1)


def _prevalence_tables(tab: dict[str, Any], title: str, label_of_theme: dict[str, str]) -> str:
    """One characteristic's table(s): an N row, rows grouped by theme, n (%) per value, then
    the test columns; split into parts (test columns in a last part of their own) when wide."""
    esc = escape
    values = tab["values"]
    parts = _value_parts(values)
    tests = ["χ² (df)", "Cramér's V", "p", "p (Holm)"]

    def group_rows(cells: Any, width: int) -> list[list[Any]]:
        rows: list[list[Any]] = []
        group: object = object()
        for r in tab["rows"]:
            if r["theme"] != group:
                group = r["theme"]
                rows.append([esc(label_of_theme.get(group or "", "Codes without a theme")),
                             *[""] * width])
            rows.append([f"&nbsp;&nbsp;{esc(r['label'])}", *cells(r)])
        return rows

    def counts(part: list[str]) -> Any:
        return lambda r: [f"{r['counts'][v]} ({pct(r['counts'][v], tab['n'].get(v, 0))})"
                          for v in part]

    def test_cells(r: dict[str, Any]) -> list[str]:
        t = r["test"]
        adj = p_value(t.p_adjusted)
        star = "*" if t.note.startswith("expected") else ""
        sig = t.p_adjusted is not None and t.p_adjusted < 0.05
        return ["–" if t.chi2 is None else f"{t.chi2:.2f} ({t.dof})",
                "–" if t.cramers_v is None else f"{t.cramers_v:.2f}", p_value(t.p),
                (f"<span class='sig'>{adj}</span>" if sig else adj) + star]

    n_row = [f"{tab['n'].get(v, 0):,}" for v in values]
    out = [f"<h3>{esc(title)}</h3>"]
    if len(parts) == 1:
        rows = [["N (coded cases)", *n_row, "", "", "", f"{tab['n_cases']:,}"],
                *group_rows(lambda r: [*counts(values)(r), *test_cells(r)], len(values) + 4)]
        out.append(f"<div class='scroll'>{table(['code', *values, *tests], rows, group_rows=True)}"
                   "</div>")
    else:
        out.append(f"<p class='muted'>{len(values)} values: so that it prints on A4, the table "
                   f"is split into {len(parts)} parts of at most {MAX_VALUE_COLUMNS} value "
                   f"columns and a last part, {len(parts) + 1}, with the tests.</p>")
        start = 0
        for i, part in enumerate(parts, start=1):
            rows = [["N (coded cases)", *n_row[start:start + len(part)]],
                    *group_rows(counts(part), len(part))]
            start += len(part)
            out.append(_captioned(table(["code", *part], rows, group_rows=True),
                                  f"{esc(title)}, part {i} of {len(parts) + 1}: "
                                  f"{esc(part[0])} to {esc(part[-1])}"))
        rows = [["N (coded cases)", "", "", "", f"{tab['n_cases']:,}"],
                *group_rows(test_cells, 4)]
        out.append(_captioned(table(["code", *tests], rows, group_rows=True),
                              f"{esc(title)}, part {len(parts) + 1} of {len(parts) + 1}: tests"))
    if any(r["test"].note.startswith("expected") for r in tab["rows"]):
        out.append("<p class='muted'>* expected counts below 5 in over 20% of cells: read the "
                   "test with care.</p>")
    return "".join(out)


def section_prevalence(store: Store, coder: str | None,
                       coded: dict[str, set[str]] | None = None) -> str:
    """Code prevalence overall (FPC intervals), then by RoSH, case type and PDU at code level:
    N row, unknown value, natural order, codes grouped by theme, chi-square with Cramér's V and
    Holm-adjusted p beside the raw p."""
    esc = escape
    label = dict(store.conn.execute("SELECT id, label FROM codes"))
    coded = case_codes(store.conn, coder) if coded is None else coded
    overall = prevalence(store.conn, coder=coder, coded=coded)
    out = [f"<p class='muted'>Share of the {overall.n_coded} coded "
           f"sampled cases (of {overall.n_population} in the corpus) carrying each code; 95% "
           f"intervals: {esc(METHOD)}.</p>"]
    rows = [[esc(label.get(i, i)), esc(format_share(overall.overall[i]))] for i in overall.items
            if overall.overall[i].k]
    out.append(table(["code", "% of coded cases (95% interval), n of N"], rows))
    out.append("<p class='muted'>By case characteristic, at <b>code</b> level (theme level reads "
               "near 100% everywhere): the first row is N, the coded cases with each value; "
               "“unknown” counts cases without the value, which the test leaves out. "
               "Pearson chi-square test of independence (code present/absent × value, no "
               "continuity correction) with Cramér's V as the effect size; p-values "
               "Holm-adjusted across the codes of each table, the raw p beside. "
               "<span class='sig'>Bold red</span>: adjusted p below 0.05.</p>")
    label_of_theme = {t.id: t.label for t in store.codes(kind="theme")}
    any_table = False
    for column, title in PREVALENCE_COLUMNS:
        tab = code_prevalence_table(store, column, coder=coder, coded=coded)
        if tab is None:
            continue
        any_table = True
        out.append(_prevalence_tables(tab, title, label_of_theme))
    if not any_table:
        out.append("<p class='muted'>The cases have no RoSH, case type or PDU metadata, or none "
                   "is coded yet.</p>")
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
        rows, advice = [], []
        for s in analyse_subgroups(store, column, config, coder=coder):
            r = s.levels["code"]
            ch = r.chao2
            rows.append([esc(s.value), str(s.n_units), esc(r.status.replace("_", " ")),
                         f"case {r.saturated_at}" if r.saturated_at else "not reached",
                         f"{ch.f0:.1f} ({ch.ci_low - ch.s_obs}–{ch.ci_high - ch.s_obs})",
                         " ".join(f"{k} {'✓' if v else '✗'}" for k, v in r.checks.items()),
                         esc(_sentence(s.note(config)))])
            if r.advice:
                advice.append(f"<li><b>{esc(column)} = {esc(s.value)}</b>: {esc(_sentence(r.advice))}</li>")
        out.append(f"<h3>{esc(title)}</h3><div class='scroll'>" + table(
            [column, "cases coded", "status", "saturation point (themecode's rule)",
             "Chao2 unseen (interval)", "checks", "note"], rows, left=1).replace(
                 "<table>", "<table class='wrap'>", 1) + "</div>")
        if advice:
            out.append("<p>Next steps, stratum by stratum:</p><ul>" + "".join(advice) + "</ul>")
    return "".join(out)


def _sentence(text: str) -> str:
    """`text` as a sentence: initial capital and a full stop ('' stays '')."""
    text = text.strip()
    if not text:
        return ""
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def section_methods(store: Store, coder: str | None, coders: list[str] | None) -> str:
    """The methods paragraph (`themecode methods`) with its references."""
    from themecode.report.methods import methods

    esc = escape
    m = methods(store, coder=coder, coders=coders)
    return ("".join(f"<p>{esc(p)}</p>" for p in m.paragraphs) + "<h3>References</h3><ul>"
            + "".join(f"<li>{esc(r)}</li>" for r in m.references) + "</ul>")
