"""Forced-entry binary logistic regression of a code's (or theme's) presence on case
characteristics, chi-square tests with Cramér's V, and multiple-testing adjustment (statsmodels).

Forced entry: every chosen characteristic enters at once, as dummies against its first level in
natural order (the reference); cases with an unknown value of any of them are left out of the
regression and counted. Odds ratios come with Wald 95% intervals and p-values. A model that
cannot be estimated (no variation, perfect separation, a singular design) is reported as such,
never silently dropped. p-values are adjusted across each family of tests in a table (Holm's
step-down, or Benjamini-Hochberg's false discovery rate).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

ADJUSTMENTS = {"holm": "Holm", "bh": "Benjamini–Hochberg"}


def adjust(pvalues: Sequence[float | None], method: str = "holm") -> list[float | None]:
    """Adjusted p-values (None stays None): Holm or Benjamini-Hochberg across the family."""
    from statsmodels.stats.multitest import multipletests

    present = [i for i, p in enumerate(pvalues) if p is not None and not math.isnan(p)]
    out: list[float | None] = [None] * len(pvalues)
    if not present:
        return out
    adj = multipletests([pvalues[i] for i in present], method="holm" if method == "holm" else "fdr_bh")[1]
    for i, p in zip(present, adj, strict=True):
        out[i] = float(p)
    return out


@dataclass
class ChiSquare:
    """Pearson chi-square test of presence x levels (known levels only), with Cramér's V."""

    characteristic: str
    n: int
    chi2: float | None
    dof: int | None
    p: float | None
    cramers_v: float | None
    note: str = ""
    p_adjusted: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return asdict(self)


def chi_square(characteristic: str, present: Sequence[int], totals: Sequence[int]) -> ChiSquare:
    """The test over levels with cases (no continuity correction); a note when expected counts
    are small or there is nothing to test."""
    from scipy.stats import chi2_contingency

    rows = [[k, n - k] for k, n in zip(present, totals, strict=True) if n > 0]
    n = sum(totals)
    if len(rows) < 2 or all(r[0] == 0 for r in rows) or all(r[1] == 0 for r in rows):
        return ChiSquare(characteristic, n, None, None, None, None, "no test: no variation")
    chi2, p, dof, expected = chi2_contingency(rows, correction=False)
    small = float((expected < 5).mean())
    note = "expected counts below 5 in over 20% of cells: read with care" if small > 0.2 else ""
    return ChiSquare(characteristic, n, float(chi2), int(dof), float(p), math.sqrt(chi2 / n), note)


@dataclass
class Coefficient:
    """One dummy of the regression: a level against its characteristic's reference level."""

    characteristic: str
    level: str
    reference: str
    odds_ratio: float | None
    low: float | None
    high: float | None
    p: float | None
    p_adjusted: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return asdict(self)


@dataclass
class Regression:
    """The fitted model, or why there is none."""

    n_cases: int
    n_left_out: int
    n_present: int
    coefficients: list[Coefficient] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"n_cases": self.n_cases, "n_left_out_unknown": self.n_left_out,
                "n_present": self.n_present, "note": self.note,
                "coefficients": [c.to_dict() for c in self.coefficients]}


def logistic(
    y: Sequence[bool], columns: dict[str, Sequence[str]], levels: dict[str, list[str]],
    unknown: str = "unknown",
) -> Regression:
    """Forced-entry logistic regression of `y` on every column of `columns` (values per case)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    n_all = len(y)
    keep = [i for i in range(n_all) if all(columns[c][i] != unknown for c in columns)]
    yy = np.array([bool(y[i]) for i in keep], dtype=float)
    reg = Regression(len(keep), n_all - len(keep), int(yy.sum()))
    if len(keep) == 0 or yy.min(initial=1) == yy.max(initial=0):
        reg.note = "not estimable: the code is present in all or none of the cases with every value known"
        return reg
    design = [np.ones(len(keep))]
    names: list[tuple[str, str, str]] = []
    for col, vals in columns.items():
        used = [lv for lv in levels[col] if lv != unknown and any(vals[i] == lv for i in keep)]
        for lv in used[1:]:
            design.append(np.array([vals[i] == lv for i in keep], dtype=float))
            names.append((col, lv, used[0]))
    x = np.column_stack(design)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        reg.note = "not estimable: the characteristics are collinear in these cases"
        return reg
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(yy, x).fit(disp=0, maxiter=200)
        except (PerfectSeparationError, np.linalg.LinAlgError) as exc:
            reg.note = f"not estimable: {exc}"
            return reg
    trouble = [str(w.message) for w in caught
               if "separation" in str(w.message).lower() or "converge" in str(w.message).lower()]
    ci = np.asarray(fit.conf_int(0.05))
    bad = not np.all(np.isfinite(fit.bse)) or trouble
    for j, (col, lv, ref) in enumerate(names, start=1):
        # |log odds| of 20 or a limit beyond exp(50) means the level is (quasi-)separated
        ok = bool(np.isfinite(fit.bse[j])) and abs(fit.params[j]) < 20 and np.all(np.abs(ci[j]) < 50)
        reg.coefficients.append(Coefficient(
            col, lv, ref,
            float(np.exp(fit.params[j])) if ok else None,
            float(np.exp(ci[j, 0])) if ok else None,
            float(np.exp(ci[j, 1])) if ok else None,
            float(fit.pvalues[j]) if ok else None,
        ))
    if bad:
        reg.note = ("quasi-separation: some levels have the code in all or none of their cases, "
                    "so their odds ratios are not estimable (shown as –)")
    return reg
