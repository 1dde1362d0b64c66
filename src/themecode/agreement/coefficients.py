"""Agreement between coders: percent agreement, Cohen's kappa, Fleiss' kappa, Gwet's AC1,
Krippendorff's alpha (nominal) and positive/negative specific agreement, with bootstrap 95%
intervals (formulas in `themecode.agreement.binary`).

The core is pure: each coder is described by the set of units they have coded and, for each unit,
the frozenset of codes they applied. A unit counts only when every compared coder has coded it, so
text nobody looked at can never inflate agreement. Each code is treated as a binary decision
(present / absent) on every compared unit.

Overall figures come in two flavours, both reported:

* **pooled**: every (unit, code) decision is one item, and percent agreement, kappa and alpha are
  computed over all of them at once. Codes that no compared coder applied on any compared unit are
  left out of the pool, because their all-"absent" decisions would inflate agreement.
* **mean per-code kappa** (and alpha): the unweighted mean over codes whose statistic is defined;
  a code whose kappa is undefined (expected agreement of 1) is left out and counted.

Building the input from a project database lives in `themecode.agreement.data`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace

import numpy as np

from themecode.agreement.binary import (
    MAX_CODERS_FOR_PATTERNS,
    bootstrap_intervals,
    one_hot,
    pattern_stats,
    patterns,
    resample_one,
    resample_units,
)
from themecode.agreement.result import (
    AgreementError,
    AgreementResult,
    CodeAgreement,
    CoderCodings,
    Disagreement,
    Statistic,
    UnitId,
)

__all__ = [
    "AgreementError",
    "AgreementResult",
    "CodeAgreement",
    "CoderCodings",
    "Disagreement",
    "Statistic",
    "UnitId",
    "cohen_kappa_binary",
    "compute_agreement",
    "krippendorff_alpha_nominal",
]

# --------------------------------------------------------------------------- core statistics


def cohen_kappa_binary(a: Sequence[bool] | np.ndarray, b: Sequence[bool] | np.ndarray) -> Statistic:
    """Cohen's kappa for two coders' present/absent decisions on the same units.

    kappa = (po - pe) / (1 - pe), with pe from each coder's own rate of "present". When pe is 1
    (both coders used one value only, e.g. a code no-one used) kappa is undefined: None + reason.
    """
    x = np.asarray(a, dtype=bool)
    y = np.asarray(b, dtype=bool)
    if x.shape != y.shape:
        raise AgreementError(f"kappa needs decisions on the same units ({x.shape} vs {y.shape})")
    n = x.size
    if n == 0:
        return Statistic(None, "no units compared")
    pa = x.mean()
    pb = y.mean()
    po = float(np.mean(x == y))
    pe = float(pa * pb + (1 - pa) * (1 - pb))
    if pe >= 1.0 - 1e-12:
        used = "on every unit" if pa == 1 else "on no unit"
        return Statistic(
            None,
            f"expected agreement is 1 (both coders applied the code {used}); kappa is undefined",
        )
    return Statistic((po - pe) / (1 - pe))


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]] | np.ndarray) -> Statistic:
    """Krippendorff's alpha for nominal values, via the coincidence matrix.

    `data` is coders × units; None (or NaN) marks a missing value. Units with fewer than two
    values are not pairable and are dropped, as the coefficient prescribes. Returns None + reason
    when fewer than two pairable values exist or only one value occurs (no expected disagreement).
    """
    rows = [list(r) for r in data]
    if not rows:
        return Statistic(None, "no coders")
    n_units = len(rows[0])
    if any(len(r) != n_units for r in rows):
        raise AgreementError("every coder needs a value (or None) for every unit")
    values: dict[Hashable, int] = {}
    idx = np.full((len(rows), n_units), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            idx[i, j] = values.setdefault(v, len(values))
    return _alpha_from_index(idx, len(values))


def _alpha_from_index(idx: np.ndarray, n_values: int) -> Statistic:
    """Alpha from a coders × units matrix of value indices (-1 = missing)."""
    if n_values == 0:
        return Statistic(None, "no values recorded")
    # n_uc: how many coders gave value c on unit u (one pass per value; nominal codes have few)
    counts = np.stack([(idx == v).sum(axis=0) for v in range(n_values)], axis=1)
    counts = counts.astype(np.float64)
    m = counts.sum(axis=1)
    pairable = m >= 2
    if not pairable.any():
        return Statistic(None, "no unit was coded by two or more coders")
    nu = counts[pairable]
    w = 1.0 / (m[pairable] - 1.0)
    # o_ck = sum_u (n_uc * n_uk - [c == k] n_uc) / (m_u - 1)
    coincidence = (nu * w[:, None]).T @ nu - np.diag((nu * w[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    observed = coincidence.sum() - np.trace(coincidence)
    expected = (n_c.sum() ** 2 - (n_c**2).sum()) / (n - 1.0)
    if expected <= 0:
        return Statistic(
            None, "only one value occurs among the pairable units; alpha is undefined"
        )
    return Statistic(float(1.0 - observed / expected))


_UNDEFINED = {
    "fleiss_kappa": "expected agreement is 1 (one value only); Fleiss' kappa is undefined",
    "ac1": "no units compared",
    "positive_agreement": "no coder applied the code",
    "negative_agreement": "every coder applied the code on every unit",
}


def _extra_stats(matrix: np.ndarray) -> dict[str, Statistic]:
    """Fleiss' kappa, AC1 and specific agreement of a coders × items decision matrix."""
    r, n = matrix.shape
    if n == 0:
        return {k: Statistic(None, "no units compared") for k in _UNDEFINED}
    values = pattern_stats(np.bincount(patterns(matrix), minlength=2**r), r)
    out = {}
    for k, reason in _UNDEFINED.items():
        v = float(values[k])
        out[k] = Statistic(None, reason) if np.isnan(v) else Statistic(v)
    return out


def _decisions_stats(code: str, coders: Sequence[str], matrix: np.ndarray) -> CodeAgreement:
    """Counts and statistics for a coders × items boolean decision matrix."""
    n = matrix.shape[1]
    present = {c: int(matrix[i].sum()) for i, c in enumerate(coders)}
    all_present = int(matrix.all(axis=0).sum()) if n else 0
    none_present = int((~matrix).all(axis=0).sum()) if n else 0
    pct = (
        Statistic((all_present + none_present) / n) if n else Statistic(None, "no units compared")
    )
    if len(coders) == 2:
        kappa = cohen_kappa_binary(matrix[0], matrix[1])
    else:
        kappa = Statistic(None, f"Cohen's kappa needs exactly two coders ({len(coders)} given)")
    if n == 0:
        alpha = Statistic(None, "no units compared")
    else:
        alpha = _alpha_from_index(matrix.astype(np.int64), 2)
    if len(coders) > MAX_CODERS_FOR_PATTERNS:
        return CodeAgreement(code, n, present, all_present, none_present, pct, kappa, alpha)
    return CodeAgreement(code, n, present, all_present, none_present, pct, kappa, alpha,
                         **_extra_stats(matrix))


def _mean(stats: Iterable[Statistic], what: str) -> tuple[Statistic, int]:
    """Unweighted mean of the defined values, and how many there were."""
    vals = [s.value for s in stats if s.value is not None]
    if not vals:
        return Statistic(None, f"no code has a defined {what}"), 0
    return Statistic(float(np.mean(vals))), len(vals)


def compute_agreement(
    codings: Sequence[CoderCodings],
    codes: Iterable[str] | None = None,
    *,
    unit_type: str = "unit",
    alpha_units: str = "common",
    bootstrap: int = 0,
    seed: int = 0,
) -> AgreementResult:
    """Agreement between the given coders on the units all of them have coded.

    `codes` fixes which codes are reported (e.g. the whole codebook, so unused codes show up with
    kappa None); by default the codes any coder applied on a compared unit. Units are compared in
    sorted order when sortable, so results and disagreement lists are stable.

    `alpha_units="pairable"` computes Krippendorff's alpha (per code, pooled and mean) over every
    unit at least two coders have coded, a coder who has not coded a unit counting as a missing
    value (the coefficient's own way with missing data); with the default "common", alpha uses
    the same units as the other statistics. With two coders both are the same.

    `bootstrap` > 0 adds percentile 95% intervals from that many resamples of the compared units
    (seeded by `seed`) for kappa, Fleiss' kappa, AC1, alpha and specific agreement, per code and
    pooled (the pooled resample keeps each unit's codes together). With pairable alpha the
    alpha interval is left out (it would be on other units than the point estimate).
    """
    if alpha_units not in ("common", "pairable"):
        raise AgreementError(
            f"unknown alpha_units {alpha_units!r}", hint="use 'common' or 'pairable'"
        )
    if len(codings) < 2:
        raise AgreementError(
            f"agreement needs at least two coders, got {len(codings)}",
            hint="pass two or more coder names, e.g. --coders alice,bob",
        )
    names = tuple(c.coder for c in codings)
    if len(set(names)) != len(names):
        raise AgreementError(f"a coder is listed twice: {', '.join(names)}")
    common = frozenset.intersection(*(frozenset(c.coded_units) for c in codings))
    units = tuple(_sorted_units(common))
    unit_pos = {u: i for i, u in enumerate(units)}
    coded_by: dict[UnitId, int] = {}
    for c in codings:
        for u in c.coded_units:
            coded_by[u] = coded_by.get(u, 0) + 1
    pairable = (
        tuple(_sorted_units(u for u, k in coded_by.items() if k >= 2))
        if alpha_units == "pairable"
        else units
    )
    if codes is None:
        used: set[str] = set()
        for c in codings:
            for u in pairable:
                if u in c.coded_units:
                    used |= c.applied(u)
        code_list = sorted(used)
    else:
        code_list = list(dict.fromkeys(codes))
    code_pos = {k: i for i, k in enumerate(code_list)}
    # cube[coder, code, unit] = applied?
    cube = np.zeros((len(codings), len(code_list), len(units)), dtype=bool)
    for ci, c in enumerate(codings):
        for u, applied in c.codes.items():
            j = unit_pos.get(u)
            if j is None:
                continue
            for k in applied:
                kp = code_pos.get(k)
                if kp is not None:
                    cube[ci, kp, j] = True

    per_code = tuple(_decisions_stats(k, names, cube[:, i, :]) for i, k in enumerate(code_list))
    used_mask = cube.any(axis=(0, 2))
    pooled_codes = tuple(k for k, m in zip(code_list, used_mask, strict=True) if m)
    pooled_matrix = cube[:, used_mask, :].reshape(len(codings), -1)
    pooled = _decisions_stats("(pooled)", names, pooled_matrix)
    if len(codings) == 2:
        mean_kappa, n_kappa = _mean((c.kappa for c in per_code), "Cohen's kappa")
    else:
        mean_kappa = Statistic(None, f"Cohen's kappa needs exactly two coders ({len(names)} given)")
        n_kappa = 0
    if alpha_units == "pairable":
        per_code, pooled = _pairable_alpha(codings, code_list, pairable, per_code, pooled)
    mean_alpha, n_alpha = _mean((c.alpha for c in per_code), "Krippendorff's alpha")
    if bootstrap > 0 and units and len(codings) <= MAX_CODERS_FOR_PATTERNS:
        per_code, pooled = _with_intervals(cube, used_mask, per_code, pooled, bootstrap, seed,
                                           drop_alpha=alpha_units == "pairable")

    disagreements: list[Disagreement] = []
    mixed = cube.any(axis=0) & ~cube.all(axis=0)  # code × unit
    for j, kp in zip(*np.nonzero(mixed.T), strict=True):  # row-major: by unit, then code
        col = cube[:, kp, j]
        disagreements.append(
            Disagreement(
                units[j],
                code_list[kp],
                tuple(n for n, a in zip(names, col, strict=True) if a),
                tuple(n for n, a in zip(names, col, strict=True) if not a),
            )
        )
    return AgreementResult(
        coders=names,
        unit_type=unit_type,
        units=units,
        units_coded={c.coder: len(c.coded_units) for c in codings},
        per_code=per_code,
        pooled=pooled,
        pooled_codes=pooled_codes,
        mean_kappa=mean_kappa,
        n_codes_in_mean_kappa=n_kappa,
        mean_alpha=mean_alpha,
        n_codes_in_mean_alpha=n_alpha,
        disagreements=tuple(disagreements),
        alpha_units=alpha_units,
        n_alpha_units=len(pairable),
        bootstrap=bootstrap if units else 0,
    )


def _with_intervals(
    cube: np.ndarray, used: np.ndarray, per_code: tuple[CodeAgreement, ...], pooled: CodeAgreement,
    draws: int, seed: int, *, drop_alpha: bool,
) -> tuple[tuple[CodeAgreement, ...], CodeAgreement]:
    """Attach bootstrap intervals to every code and to the pooled figure."""
    r, _k, n = cube.shape
    rng = np.random.default_rng(seed)
    pats = np.stack([patterns(cube[:, i, :]) for i in range(cube.shape[1])]) if cube.shape[1] else (
        np.zeros((0, n), dtype=np.int64))

    def clean(iv: dict[str, tuple[float, float] | None]) -> dict[str, tuple[float, float] | None]:
        if r != 2:
            iv.pop("kappa", None)
        if drop_alpha:
            iv["alpha"] = None
        return iv

    new = tuple(replace(c, intervals=clean(bootstrap_intervals(resample_one(pats[i], r, draws, rng), r)))
                for i, c in enumerate(per_code))
    per_unit = np.zeros((n, 2**r), dtype=np.int32)
    for i in np.flatnonzero(used):
        per_unit += one_hot(pats[i], r)
    idx = rng.integers(0, n, size=(draws, n))
    return new, replace(pooled, intervals=clean(bootstrap_intervals(resample_units(per_unit, idx), r)))


def _pairable_alpha(
    codings: Sequence[CoderCodings],
    code_list: Sequence[str],
    units: Sequence[UnitId],
    per_code: tuple[CodeAgreement, ...],
    pooled: CodeAgreement,
) -> tuple[tuple[CodeAgreement, ...], CodeAgreement]:
    """Replace the alphas by ones over `units`, with -1 (missing) where a coder has not coded."""
    unit_pos = {u: i for i, u in enumerate(units)}
    code_pos = {k: i for i, k in enumerate(code_list)}
    cube = np.full((len(codings), len(code_list), len(units)), -1, dtype=np.int64)
    for ci, c in enumerate(codings):
        for u in c.coded_units:
            j = unit_pos.get(u)
            if j is None:
                continue
            cube[ci, :, j] = 0
            for k in c.applied(u):
                kp = code_pos.get(k)
                if kp is not None:
                    cube[ci, kp, j] = 1
    new = tuple(
        replace(entry, alpha=_alpha_from_index(cube[:, i, :], 2) if len(units) else entry.alpha)
        for i, entry in enumerate(per_code)
    )
    used = (cube == 1).any(axis=(0, 2))
    flat = cube[:, used, :].reshape(len(codings), -1)
    pooled_alpha = (
        _alpha_from_index(flat, 2) if flat.size else Statistic(None, "no units compared")
    )
    return new, replace(pooled, alpha=pooled_alpha)


def _sorted_units(units: Iterable[UnitId]) -> list[UnitId]:
    """Units in natural order when comparable, else by their string form."""
    items = list(units)
    try:
        return sorted(items)  # type: ignore[type-var]
    except TypeError:
        return sorted(items, key=repr)
