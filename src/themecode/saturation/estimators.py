"""Species-richness estimates for codes: Chao2 with Chao's 95% interval, sample coverage, Q1/T.

Pure functions over incidence counts (units carrying each code); see docs/saturation.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

# A limit within this of a whole number is that number: rounding S_obs + 0.000004 up to a whole
# extra code would report a possible unseen code the interval gives no room for.
_WHOLE = 1e-3


@dataclass(frozen=True)
class Chao2Result:
    """Chao2 incidence-based estimate of the total number of codes, with Chao's 95% interval.

    `ci_low_lognormal` and `ci_high_lognormal` are Chao's limits as computed; `ci_low` and
    `ci_high` are the interval reported, in whole codes: the number of codes is a whole number,
    so the limits are rounded outward (floor of the lower, ceiling of the upper). Without the
    rounding the lower limit lies above S_obs whenever Q1 > 0 and so misses the truth every time
    the sample has in fact found every code (see docs/saturation.md, "The 95% interval").
    `form` is "classic" (Q2 > 0), "bias-corrected" (Q2 = 0, Q1 > 1) or "none-unseen" (f0 = 0):
    the form behind `estimate`, `f0` and the interval, which the verdict uses. Both forms are
    also kept: `f0_classic` (Q1²/(2Q2)·A, None when Q2 = 0) and `f0_bias_corrected`
    (Q1(Q1-1)/(2(Q2+1))·A, always defined), so a reader can see how much the choice matters.
    """

    s_obs: int
    q1: int
    q2: int
    n_units: int
    estimate: float
    f0: float
    variance: float
    ci_low_lognormal: float
    ci_high_lognormal: float
    form: str
    f0_classic: float | None = None
    f0_bias_corrected: float = 0.0

    @property
    def ci_low(self) -> int:
        """Lower 95% limit in whole codes (Chao's limit rounded down); never below S_obs."""
        return max(self.s_obs, math.floor(self.ci_low_lognormal + _WHOLE))

    @property
    def ci_high(self) -> int:
        """Upper 95% limit in whole codes (Chao's limit rounded up)."""
        return math.ceil(self.ci_high_lognormal - _WHOLE)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, with the whole-code interval `ci_low`, `ci_high`."""
        return {**asdict(self), "ci_low": self.ci_low, "ci_high": self.ci_high}


def chao2(y: Sequence[int] | np.ndarray, n_units: int, z: float = 1.959963984540054) -> Chao2Result:
    """Chao2 (Chao 1987) with the variance and log-normal interval of Chao (1987) / SpadeR.

    When the estimated number of unseen codes f0 is 0 the log-normal interval is undefined, so the
    upper limit of Chao's SpadeR for that case is used, (S_obs + z·sd)/(1 - P) with
    P = sum_k exp(-y_k) / S_obs, and the lower limit is S_obs (the estimate itself).
    """
    y_arr = np.asarray(y, dtype=np.int64)
    y_arr = y_arr[y_arr > 0]
    s_obs = int(y_arr.size)
    q1 = int((y_arr == 1).sum())
    q2 = int((y_arr == 2).sum())
    t = int(n_units)
    a = (t - 1) / t if t > 0 else 0.0
    if q1 > 0 and q2 > 0:
        r = q1 / q2
        f0 = a * q1 * q1 / (2 * q2)
        var = q2 * (a / 2 * r**2 + a**2 * r**3 + a**2 / 4 * r**4)
        form = "classic"
    elif q1 > 1 and q2 == 0:
        f0 = a * q1 * (q1 - 1) / 2
        est = s_obs + f0
        var = a * q1 * (q1 - 1) / 2 + a**2 * q1 * (2 * q1 - 1) ** 2 / 4 - a**2 * q1**4 / 4 / est
        form = "bias-corrected"
    else:
        f0, form = 0.0, "none-unseen"
        var = 0.0
    est = s_obs + f0
    if f0 > 0:
        var = max(var, 0.0)
        c = math.exp(z * math.sqrt(math.log(1 + var / f0**2)))
        low, high = s_obs + f0 / c, s_obs + f0 * c
    elif s_obs > 0 and t > 0:
        i = y_arr.astype(float)
        var = max(float((np.exp(-i) - np.exp(-2 * i)).sum() - (i * np.exp(-i)).sum() ** 2 / t), 0.0)
        p = float(np.exp(-i).sum() / s_obs)
        # SpadeR's lower limit max(S_obs, (S_obs - z*sd)/(1-P)) can exceed the estimate (S_obs)
        # when P is large (few units, many rare codes); an interval must contain its estimate.
        low = float(s_obs)
        high = max((s_obs + z * math.sqrt(var)) / (1 - p), float(s_obs))
    else:
        low = high = float(s_obs)
    f0_classic = a * q1 * q1 / (2 * q2) if q2 > 0 else None
    f0_bc = a * q1 * (q1 - 1) / (2 * (q2 + 1))
    return Chao2Result(s_obs, q1, q2, t, est, f0, var, low, high, form, f0_classic, f0_bc)


def sample_coverage(y: Sequence[int] | np.ndarray, n_units: int) -> float | None:
    """Incidence-based sample coverage (Chao & Jost 2012): 1 - (Q1/U)·A.

    U is the total number of incidences and A = T·f0 / (T·f0 + Q1) with f0 the Chao2 unseen
    count, which equals (T-1)Q1 / ((T-1)Q1 + 2Q2) when Q2 > 0 (as in iNEXT). None with no data.
    """
    y_arr = np.asarray(y, dtype=np.int64)
    y_arr = y_arr[y_arr > 0]
    u = int(y_arr.sum())
    if u == 0 or n_units <= 0:
        return None
    q1 = int((y_arr == 1).sum())
    if q1 == 0:
        return 1.0
    f0 = chao2(y_arr, n_units).f0
    a = n_units * f0 / (n_units * f0 + q1)
    return 1.0 - q1 / u * a


def expected_new_next(q1: int, n_units: int) -> float | None:
    """Q1/T: the Good–Turing style estimate of new codes expected in the next unit coded."""
    return None if n_units <= 0 else q1 / n_units


def one_step_new(chao: Chao2Result) -> float | None:
    """Chao et al.'s (2014) expected new codes in the next unit: f0·Q1/(T·f0 + Q1).

    The one-step form of the extrapolation `units_to_unseen_below` uses for `--extend`; it is
    never above Q1/T (equal when f0 is infinite), so Q1/T is the more cautious "rate" figure.
    None with no units; 0 when nothing is estimated unseen.
    """
    if chao.n_units <= 0:
        return None
    if chao.f0 <= 0 or chao.q1 == 0:
        return 0.0
    return chao.f0 * chao.q1 / (chao.n_units * chao.f0 + chao.q1)


def units_to_unseen_below(chao: Chao2Result, target: float = 1.0) -> int | None:
    """Further units needed before fewer than `target` codes are expected to remain unseen.

    Uses Chao et al.'s (2014) incidence extrapolation: after m more units the expected unseen
    count is f0·(1 - Q1/(T·f0 + Q1))^m. 0 when already below target, None when not estimable.
    """
    if chao.f0 < target:
        return 0
    x = chao.q1 / (chao.n_units * chao.f0 + chao.q1)
    if not 0 < x < 1:
        return None
    return math.ceil(math.log(target / chao.f0) / math.log(1 - x))
