"""Code prevalence by case characteristic for the lead's report: counts of coded sampled cases
carrying each code per metadata value (in natural order, with an "unknown" value), with a
chi-square test per code over the known values."""

from __future__ import annotations

from collections import Counter
from typing import Any

from themecode.sample.levels import UNKNOWN, natural_order, value_text


def independence_test(counts: list[list[int]]) -> dict[str, Any]:
    """Pearson chi-square test (no continuity correction) of [present, absent] rows, one per
    value; rows with no cases are left out, and no test is made without variation."""
    from scipy.stats import chi2_contingency

    usable = [row for row in counts if sum(row) > 0]
    if len(usable) < 2 or all(r[0] == 0 for r in usable) or all(r[1] == 0 for r in usable):
        return {"chi2": None, "dof": None, "p": None, "note": "no test: no variation"}
    chi2, p, dof, expected = chi2_contingency(usable, correction=False)
    small = sum(1 for row in expected for e in row if e < 5) / expected.size
    return {"chi2": float(chi2), "dof": int(dof), "p": float(p),
            "small_expected_share": float(small),
            "note": "expected counts below 5 in over 20% of cells: read the test with care"
            if small > 0.2 else ""}


def code_prevalence_table(facts: Any, column: str) -> dict[str, Any] | None:
    """Code × metadata value counts over coded sampled cases ("unknown" where a case lacks the
    value), with a chi-square test per code over the known values; None when no coded case
    has the column. `facts` is the report's `ProjectFacts`."""
    cases = list(facts.case_codes)
    value_of = {c: value_text(facts.case_meta.get(c, {}).get(column))
                for c in cases}
    if all(v == UNKNOWN for v in value_of.values()):
        return None
    values = natural_order(list(set(value_of.values())))
    n_by_value = Counter(value_of.values())
    theme_rank = {t.id: i for i, t in enumerate(facts.themes)}
    codes = sorted(facts.codes, key=lambda c: theme_rank.get(c.parent or "", len(theme_rank)))
    rows = []
    for code in codes:
        with_code = Counter(value_of[c] for c in cases if code.id in facts.case_codes[c])
        known = [[with_code[v], n_by_value[v] - with_code[v]] for v in values if v != UNKNOWN]
        test = independence_test(known)
        rows.append({"code": code.id, "label": code.label, "theme": code.parent,
                     "counts": {v: with_code[v] for v in values}, **test})
    return {"column": column, "values": values, "n": {v: n_by_value[v] for v in values},
            "n_cases": len(cases), "rows": rows}
