"""Stopping rules and run-length figures: Guest, Namey & Chen (2020), Francis et al. (2010),
the run-length bound on the new-code rate, and the prevalence floor a sample can see.

Pure functions over the number of new codes per unit in coding order; see docs/saturation.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


def run_length_bound(m: int, alpha: float = 0.05) -> float | None:
    """Upper (1 - alpha) bound on the per-unit chance of a new code after m units with none.

    Solves (1 - p)^m = alpha: the "rule of three" generalised. None when m = 0 (no run yet).
    """
    return None if m <= 0 else 1.0 - alpha ** (1.0 / m)


def prevalence_floor(n_units: int, alpha: float = 0.05) -> float | None:
    """Prevalence p at which a code is missed by n units with probability alpha: 1 - alpha^(1/n)."""
    return None if n_units <= 0 else 1.0 - alpha ** (1.0 / n_units)


def miss_probability(prevalence: float, n_units: int) -> float:
    """Chance that n independent units all miss a code present in `prevalence` of units: (1-p)^n."""
    return (1.0 - prevalence) ** n_units


@dataclass(frozen=True)
class GuestResult:
    """Guest, Namey & Chen (2020) saturation assessment for one (base, run, threshold)."""

    base: int
    run: int
    threshold: float
    base_codes: int
    ratios: list[float]
    reached: bool
    stop_at: int | None
    run_start: int | None

    @property
    def label(self) -> str:
        """The rule's name in the paper's style, base+run, e.g. "4+2"."""
        return f"{self.base}+{self.run}"

    @property
    def consumed_label(self) -> str | None:
        """Base plus units coded after it up to the end of the qualifying run, e.g. "4+6"."""
        return None if self.stop_at is None else f"{self.base}+{self.stop_at - self.base}"

    def to_dict(self, *, ratios: bool = True) -> dict[str, Any]:
        """JSON-safe form, with the labels; `ratios=False` leaves out the per-run ratios."""
        d: dict[str, Any] = {
            "base": self.base,
            "run": self.run,
            "threshold": self.threshold,
            "base_codes": self.base_codes,
            "reached": self.reached,
            "stop_at": self.stop_at,
            "run_start": self.run_start,
            "label": self.label,
            "consumed_label": self.consumed_label,
        }
        if ratios:
            d["ratios"] = list(self.ratios)
        return d


def guest(new: np.ndarray, base: int, run: int, threshold: float, *, step: int = 1) -> GuestResult:
    """Guest et al. (2020): ratio of codes new in a run to distinct codes in the base.

    The base is the first `base` units; runs of `run` units start right after it and slide `step`
    units at a time (1 = the rolling window the paper recommends; step = run gives its
    non-overlapping illustration). A code is new in a run when it was not seen before the run
    (neither in the base nor in earlier units). Saturation is the first run whose ratio is at
    most `threshold` (0 means no new codes at all); `stop_at` is the unit count at its end.
    """
    n_units = len(new)
    base_codes = int(new[:base].sum()) if n_units >= base else 0
    if n_units < base + run or base_codes == 0:
        return GuestResult(base, run, threshold, base_codes, [], False, None, None)
    window = np.convolve(new, np.ones(run, dtype=np.int64), mode="valid")  # window[s] = new[s:s+run]
    starts = np.arange(base, n_units - run + 1, step)
    ratios = window[starts] / base_codes
    hit = np.flatnonzero(window[starts] <= threshold * base_codes + 1e-9)
    if hit.size == 0:
        return GuestResult(base, run, threshold, base_codes, ratios.tolist(), False, None, None)
    s = int(starts[hit[0]])
    return GuestResult(base, run, threshold, base_codes, ratios.tolist(), True, s + run, s + 1)


def guest_grid(
    new: np.ndarray,
    bases: Sequence[int] = (4, 5, 6),
    runs: Sequence[int] = (2, 3),
    thresholds: Sequence[float] = (0.0, 0.05),
) -> list[GuestResult]:
    """The sensitivity grid: Guest's rule for every combination of base, run and threshold."""
    return [guest(new, b, r, th) for b in bases for r in runs for th in thresholds]


@dataclass(frozen=True)
class FrancisResult:
    """Francis et al. (2010): stop after an initial sample then `run` units with no new code."""

    initial: int
    run: int
    stop_at: int | None

    @property
    def label(self) -> str:
        """The rule's name, initial+run, e.g. "10+3"."""
        return f"{self.initial}+{self.run}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, with the label."""
        return {**asdict(self), "label": self.label, "reached": self.stop_at is not None}


def francis(new: np.ndarray, initial: int, run: int) -> FrancisResult:
    """First unit count e > initial + run - 1 at which the last `run` units (all after the
    initial sample) brought no new code; None if that never happens."""
    streak = 0
    for pos in range(initial, len(new)):
        streak = streak + 1 if new[pos] == 0 else 0
        if streak >= run:
            return FrancisResult(initial, run, pos + 1)
    return FrancisResult(initial, run, None)
