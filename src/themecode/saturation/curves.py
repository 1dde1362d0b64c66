"""Incidence of codes per unit and the discovery curves: observed, per block, and order-free.

Pure functions over units given in coding (sample draw) order; see docs/saturation.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np


class Unit(NamedTuple):
    """One coded unit (a case or a commentary) and the distinct codes applied to it."""

    unit_id: str
    codes: frozenset[str]


def incidence(units: Sequence[Unit]) -> tuple[np.ndarray, list[str]]:
    """Return the T x K boolean incidence matrix (units in order, codes sorted) and the code list."""
    codes = sorted({c for u in units for c in u.codes})
    index = {c: i for i, c in enumerate(codes)}
    per_set: dict[frozenset[str], list[int]] = {}
    cols: list[int] = []
    lengths: list[int] = []
    for u in units:
        idx = per_set.get(u.codes)
        if idx is None:
            idx = per_set[u.codes] = [index[c] for c in u.codes]
        cols.extend(idx)
        lengths.append(len(idx))
    matrix = np.zeros((len(units), len(codes)), dtype=bool)
    if cols:
        rows = np.repeat(np.arange(len(units)), lengths)
        matrix[rows, np.asarray(cols)] = True
    return matrix, codes


def first_seen(matrix: np.ndarray) -> np.ndarray:
    """0-based unit position at which each code (column) first occurs; every column must occur."""
    return np.argmax(matrix, axis=0) if matrix.size else np.zeros(matrix.shape[1], dtype=int)


def new_per_unit(matrix: np.ndarray) -> np.ndarray:
    """Number of codes seen for the first time at each unit, in coding order."""
    n_units = matrix.shape[0]
    return np.bincount(first_seen(matrix), minlength=n_units)[:n_units] if matrix.shape[1] else np.zeros(n_units, dtype=int)


def discovery_curve(new: np.ndarray) -> np.ndarray:
    """Cumulative distinct codes after each unit: the observed discovery (accumulation) curve."""
    return np.cumsum(new)


def new_per_block(new: np.ndarray, block_size: int) -> list[int]:
    """New codes per consecutive block of `block_size` units (the last block may be shorter)."""
    return [int(new[i : i + block_size].sum()) for i in range(0, len(new), block_size)]


def expected_curve(y: Sequence[int] | np.ndarray, n_units: int) -> np.ndarray:
    """Order-free expected discovery curve E[S(t)] = sum_k [1 - C(T-y_k, t)/C(T, t)] for t = 1..T.

    This is the incidence rarefaction curve: the mean number of distinct codes over all orders in
    which the T units could have been coded. Binomial ratios use log-gamma so large T is stable.
    """
    from scipy.special import gammaln  # imported here: scipy.special costs ~0.3 s to import

    total = int(n_units)
    if total == 0:
        return np.zeros(0)
    y_arr = np.asarray(y, dtype=np.int64)
    values, counts = np.unique(y_arr[y_arr > 0], return_counts=True)
    t = np.arange(1, total + 1, dtype=np.float64)
    result = np.zeros(total)
    log_ct = gammaln(total + 1) - gammaln(total - t + 1)  # log C(T,t) + log t!
    for yk, ck in zip(values, counts, strict=True):
        rest = total - int(yk)
        ratio = np.zeros(total)
        ok = t <= rest
        ratio[ok] = np.exp(gammaln(rest + 1) - gammaln(rest - t[ok] + 1) - log_ct[ok])
        result += ck * (1.0 - ratio)
    return result


def units_since_last_new(new: np.ndarray) -> int:
    """m: units coded since the last one that brought a new code (all units if none ever did)."""
    nonzero = np.flatnonzero(new)
    return len(new) if nonzero.size == 0 else int(len(new) - 1 - nonzero[-1])
