"""Code saturation statistics over the coding-order incidence of codes per unit (case or commentary).

Pure functions, no database and no UI: the input is a list of units in coding (sample draw) order,
each with the set of codes applied to it. Each statistic is a small function so it can be tested
against a hand-worked example; `analyse` gathers them into one `SaturationResult` with a verdict.
Method notes, formulas and references are in docs/saturation.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np

from themecode.errors import ThemecodeError

CAVEAT = (
    "These figures describe code saturation relative to this codebook, these coders and this "
    "sample; they say nothing about meaning saturation (whether each code is understood in depth)."
)


class Unit(NamedTuple):
    """One coded unit (a case or a commentary) and the distinct codes applied to it."""

    unit_id: str
    codes: frozenset[str]


@dataclass(frozen=True)
class CodeMeta:
    """What the codebook says about a code: its theme, and whether it arrived mid-stream.

    `added_at_position` is the 1-based unit position at which the code was created (None when it
    existed before coding began); `back_coded` says the earlier units were re-read for it.
    """

    theme: str | None = None
    added_at_position: int | None = None
    back_coded: bool = False


@dataclass(frozen=True)
class SaturationConfig:
    """Parameters of the stopping rules and summaries; the defaults follow the cited papers."""

    unit: Literal["case", "commentary"] = "case"
    guest_base: int = 4
    guest_run: int = 2
    guest_threshold: float = 0.05
    francis_initial: int = 10
    francis_run: int = 3
    block_size: int = 10
    alpha: float = 0.05
    max_new_per_unit: float = 0.01
    max_run_bound: float = 0.05

    def __post_init__(self) -> None:
        """Reject parameters that would make a rule meaningless, naming the bad value."""
        hint = (
            "check the saturation options (themecode saturation --base/--run/--threshold/"
            "--initial/--stop); docs/saturation.md explains each"
        )

        def bad(message: str) -> ThemecodeError:
            return ThemecodeError(f"Saturation setting {message}.", hint=hint)

        for name in ("guest_base", "guest_run", "francis_run", "block_size"):
            if getattr(self, name) < 1:
                raise bad(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.francis_initial < 0:
            raise bad(f"francis_initial must be 0 or more, not {self.francis_initial}")
        if not 0 <= self.guest_threshold < 1:
            raise bad(f"guest_threshold is a proportion in [0, 1), not {self.guest_threshold}")
        for name in ("max_new_per_unit", "max_run_bound", "alpha"):
            if not 0 < getattr(self, name) < 1:
                raise bad(f"{name} must lie strictly between 0 and 1, not {getattr(self, name)}")
        if self.unit not in ("case", "commentary"):
            raise bad(f"unit must be 'case' or 'commentary', not {self.unit!r}")

    @property
    def confirm_run(self) -> int:
        """Units without a new code needed before the run-length bound falls to `max_run_bound`."""
        return math.ceil(math.log(self.alpha) / math.log(1 - self.max_run_bound) - 1e-9)


# --------------------------------------------------------------------------- incidence and curves


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


# --------------------------------------------------------------------------- stopping rules


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


# --------------------------------------------------------------------------- richness estimates


@dataclass(frozen=True)
class Chao2Result:
    """Chao2 incidence-based estimate of the total number of codes, with Chao's 95% interval.

    `form` is "classic" (Q2 > 0), "bias-corrected" (Q2 = 0, Q1 > 1) or "none-unseen" (f0 = 0).
    """

    s_obs: int
    q1: int
    q2: int
    n_units: int
    estimate: float
    f0: float
    variance: float
    ci_low: float
    ci_high: float
    form: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return asdict(self)


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
    return Chao2Result(s_obs, q1, q2, t, est, f0, var, low, high, form)


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


# --------------------------------------------------------------------------- analysis and verdict


@dataclass
class SaturationResult:
    """Every saturation figure for one level (code or theme) of one coder (or the pool)."""

    level: str
    config: SaturationConfig
    unit_ids: list[str]
    codes: list[str]
    incidence_counts: list[int]
    first_seen_at: list[int]
    new_per_unit: list[int]
    discovery: list[int]
    expected: list[float]
    new_per_block: list[int]
    since_last_new: int
    run_bound: float | None
    guest: GuestResult
    guest_grid: list[GuestResult]
    francis: FrancisResult
    chao2: Chao2Result
    expected_new_next: float | None
    coverage: float | None
    prevalence_floor: float | None
    provisional: list[str]
    checks: dict[str, bool]
    status: str
    suggested_extension: int | None
    verdict: str
    caveat: str = field(default=CAVEAT)

    @property
    def n_units(self) -> int:
        """T, the number of units coded."""
        return len(self.unit_ids)

    def guard_rails(self) -> list[str]:
        """The sentences to print with the figures: scope, prevalence floor, provisional codes."""
        unit = self.config.unit
        noun = "code" if self.level == "code" else "theme"
        lines = [self.caveat]
        p = self.prevalence_floor
        if p is not None:
            lines.append(
                f"Prevalence floor: with {self.n_units} {_plural(unit, self.n_units)}, a {noun} present in "
                f"{p:.1%} of {_plural(unit, 2)} is missed with probability {self.config.alpha:.0%} "
                f"((1 - p)^n); rarer {noun}s can be missing without any sign in these figures."
            )
        if self.provisional:
            shown = ", ".join(self.provisional[:8]) + (" ..." if len(self.provisional) > 8 else "")
            lines.append(
                f"Provisional: {len(self.provisional)} {noun}(s) added mid-stream without back-coding the "
                f"earlier {_plural(unit, 2)} ({shown}); their counts and first sightings are too low."
            )
        return lines

    def summary_rows(self) -> list[tuple[str, str]]:
        """(figure, value) rows for a two-column table in the CLI, the TUI or a report."""
        unit, t = self.config.unit, self.n_units
        noun = "codes" if self.level == "code" else "themes"
        ch, g, fr = self.chao2, self.guest, self.francis
        window = min(t, 2 * self.config.block_size)
        pct = lambda x: "–" if x is None else f"{x:.1%}"  # noqa: E731
        rows = [
            (f"{_plural(unit, 2).capitalize()} coded", str(t)),
            (f"{noun.capitalize()} seen", str(len(self.codes))),
            (f"New {noun}, last {window} {_plural(unit, window)}", str(sum(self.new_per_unit[-window:])) if t else "–"),
            (f"{_plural(unit, 2).capitalize()} since the last new {noun[:-1]} (m)", str(self.since_last_new)),
            (f"New-{noun[:-1]} rate, {1 - self.config.alpha:.0%} upper bound", f"{pct(self.run_bound)} per {unit}"),
            (
                f"Guest {g.label} ≤{g.threshold:.0%}",
                f"at {unit} {g.stop_at} ({g.consumed_label})" if g.reached else "not reached",
            ),
            (f"Francis {fr.label}", f"at {unit} {fr.stop_at}" if fr.stop_at else "not reached"),
            (
                "Chao2 estimate",
                f"{ch.estimate:.1f} (95% CI {ch.ci_low:.1f}–{ch.ci_high:.1f}; Q1 {ch.q1}, Q2 {ch.q2})",
            ),
            (f"Unseen {noun} (f0)", f"{ch.f0:.1f}"),
            (f"Expected new {noun} in the next {unit} (Q1/T)", "–" if self.expected_new_next is None else f"{self.expected_new_next:.3f}"),
            ("Sample coverage", "–" if self.coverage is None else f"{self.coverage:.2%}"),
            ("Prevalence floor", f"{pct(self.prevalence_floor)} (missed with probability {self.config.alpha:.0%})"),
            (f"Provisional {noun}", ", ".join(self.provisional) or "none"),
            ("Checks", "  ".join(f"{k} {'✓' if v else '✗'}" for k, v in self.checks.items())),
        ]
        return rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict with every figure; keys are documented in docs/saturation.md."""
        return {
            "level": self.level,
            "unit": self.config.unit,
            "config": asdict(self.config),
            "n_units": self.n_units,
            "n_codes_observed": len(self.codes),
            "verdict": self.verdict,
            "status": self.status,
            "saturation_checks": self.checks,
            "confirm_run": self.config.confirm_run,
            "caveat": self.caveat,
            "guard_rails": self.guard_rails(),
            "unit_ids": self.unit_ids,
            "codes": {
                c: {"units": y, "first_seen_at": f, "provisional": c in self.provisional}
                for c, y, f in zip(self.codes, self.incidence_counts, self.first_seen_at, strict=True)
            },
            "new_per_unit": self.new_per_unit,
            "discovery_curve": self.discovery,
            "expected_curve": self.expected,
            "block_size": self.config.block_size,
            "new_per_block": self.new_per_block,
            "units_since_last_new": self.since_last_new,
            "run_length_bound": self.run_bound,
            "guest": self.guest.to_dict(),
            "guest_grid": [g.to_dict(ratios=False) for g in self.guest_grid],
            "francis": self.francis.to_dict(),
            "chao2": self.chao2.to_dict(),
            "expected_new_next_unit": self.expected_new_next,
            "sample_coverage": self.coverage,
            "prevalence_floor": {
                "alpha": self.config.alpha,
                "n_units": self.n_units,
                "prevalence": self.prevalence_floor,
            },
            "provisional_codes": self.provisional,
            "suggested_extension": self.suggested_extension,
        }


def _fmt(x: float) -> str:
    """Short human number: one decimal below 10, whole numbers above."""
    return f"{x:.1f}" if abs(x) < 10 else f"{x:.0f}"


def _plural(unit: str, n: int) -> str:
    """'case'/'cases', 'commentary'/'commentaries'."""
    if n == 1:
        return unit
    return "commentaries" if unit == "commentary" else unit + "s"


def saturation_checks(
    guest_reached: bool, francis_reached: bool, chao: Chao2Result, since_last_new: int, config: SaturationConfig
) -> dict[str, bool]:
    """The four conditions of themecode's saturation rule, each True when met.

    * "rules": Guest's and Francis's stopping rules have both fired;
    * "unseen": Chao2 expects fewer than one unseen code (f0 < 1);
    * "rate": Q1/T, the new codes expected in the next unit, is at most `max_new_per_unit`;
    * "run": the (1 - alpha) run-length bound on the per-unit new-code rate is at most
      `max_run_bound` (59 units without a new code at the defaults).
    The stopping rules alone fire long before rare codes are found; the simulation in
    docs/saturation.md shows what each added condition buys.
    """
    t = chao.n_units
    bound = run_length_bound(since_last_new, config.alpha)
    return {
        "rules": guest_reached and francis_reached,
        "unseen": t > 0 and chao.f0 < 1,
        "rate": t > 0 and chao.q1 / t <= config.max_new_per_unit,
        "run": bound is not None and bound <= config.max_run_bound + 1e-12,
    }


def is_saturated(
    guest_reached: bool, francis_reached: bool, chao: Chao2Result, since_last_new: int, config: SaturationConfig
) -> bool:
    """themecode's saturation rule: every condition of `saturation_checks` holds."""
    return all(saturation_checks(guest_reached, francis_reached, chao, since_last_new, config).values())


def _verdict(
    res_new: np.ndarray,
    g: GuestResult,
    fr: FrancisResult,
    ch: Chao2Result,
    config: SaturationConfig,
    n_codes: int,
    population: int | None,
    project: str | None,
    level: str,
) -> tuple[str, str, int | None]:
    """Return (status, one-line verdict, suggested extension) from the computed figures."""
    t = len(res_new)
    unit = config.unit
    noun = "codes" if level == "code" else "themes"
    if t == 0:
        return "no_data", f"No {_plural(unit, 2)} coded yet: code some before judging saturation.", None
    if n_codes == 0:
        return "no_data", f"No {noun} applied in {t} {_plural(unit, t)} yet: nothing to judge.", None
    m = units_since_last_new(res_new)
    checks = saturation_checks(g.reached, fr.stop_at is not None, ch, m, config)
    chao_txt = (
        f"Chao2 estimates {_fmt(ch.f0)} unseen {noun} (95% CI {_fmt(ch.ci_low - ch.s_obs)}–"
        f"{_fmt(ch.ci_high - ch.s_obs)}) and {ch.q1 / t:.3f} new per {unit}"
    )
    if all(checks.values()):
        bound = run_length_bound(m, config.alpha) or 0.0
        text = (
            f"Saturated by Guest {g.label} (≤{g.threshold:.0%}) at {unit} {g.stop_at} and Francis "
            f"{fr.label} at {unit} {fr.stop_at}, confirmed by {m} {_plural(unit, m)} without a new "
            f"{noun[:-1]} (new-{noun[:-1]} rate below {bound:.1%} per {unit}, {1 - config.alpha:.0%} "
            f"bound); {chao_txt}."
        )
        return "saturated", text, None
    remaining = None if population is None else max(population - t, 0)
    block = config.block_size
    ext = max(units_to_unseen_below(ch) or 0, config.confirm_run - m, 2 * block)
    ext = min(ext, max(t, 2 * block))  # at most double the sample per round: estimates move
    ext = -(-ext // block) * block
    if remaining is not None:
        ext = min(ext, remaining)
    target = project or "PROJECT.db"
    advice = (
        f"extend the sample with `themecode sample {target} --extend {ext}`"
        if ext > 0
        else f"every {unit} in the population is already coded"
    )
    if checks["rules"]:
        reasons = [chao_txt]
        if not checks["rate"]:
            reasons.append(f"the limit is {config.max_new_per_unit:.3f} new per {unit}")
        if not checks["run"]:
            reasons.append(
                f"only {m} {_plural(unit, m)} since the last new {noun[:-1]} ({config.confirm_run} needed)"
            )
        text = (
            f"Stopping rules met (Guest {g.label} at {unit} {g.stop_at}, Francis {fr.label} at "
            f"{unit} {fr.stop_at}) but not confirmed: {'; '.join(reasons)}; {advice}."
        )
        return "rules_met_unconfirmed", text, ext or None
    window = min(t, 2 * block)
    recent = int(res_new[-window:].sum())
    text = (
        f"Not yet saturated: {recent} new {noun if recent != 1 else noun[:-1]} in the last {window} "
        f"{_plural(unit, window)}; {chao_txt}; {advice}."
    )
    return "not_saturated", text, ext or None


def provisional_codes(codes: Sequence[str], code_meta: Mapping[str, CodeMeta] | None) -> list[str]:
    """Codes created after coding began (position > 1) whose earlier units were not back-coded."""
    if not code_meta:
        return []
    out = []
    for c in codes:
        meta = code_meta.get(c)
        if meta and meta.added_at_position is not None and meta.added_at_position > 1 and not meta.back_coded:
            out.append(c)
    return out


def analyse(
    units: Sequence[Unit],
    config: SaturationConfig | None = None,
    *,
    code_meta: Mapping[str, CodeMeta] | None = None,
    population: int | None = None,
    project: str | None = None,
    level: str = "code",
) -> SaturationResult:
    """Compute every saturation figure for units given in coding order.

    `population` (units available to sample) caps the suggested extension; `project` is the
    database path quoted in the suggested command; `level` is "code" or "theme" (wording only).
    """
    config = config or SaturationConfig()
    matrix, codes = incidence(units)
    t = matrix.shape[0]
    y = matrix.sum(axis=0).astype(np.int64)
    new = new_per_unit(matrix)
    first = first_seen(matrix)
    m = units_since_last_new(new)
    g = guest(new, config.guest_base, config.guest_run, config.guest_threshold)
    fr = francis(new, config.francis_initial, config.francis_run)
    ch = chao2(y, t)
    status, verdict, ext = _verdict(new, g, fr, ch, config, len(codes), population, project, level)
    return SaturationResult(
        level=level,
        config=config,
        unit_ids=[u.unit_id for u in units],
        codes=codes,
        incidence_counts=y.tolist(),
        first_seen_at=(first + 1).tolist(),
        new_per_unit=new.tolist(),
        discovery=discovery_curve(new).tolist(),
        expected=np.round(expected_curve(y, t), 6).tolist(),
        new_per_block=new_per_block(new, config.block_size),
        since_last_new=m,
        run_bound=run_length_bound(m, config.alpha),
        guest=g,
        guest_grid=guest_grid(new),
        francis=fr,
        chao2=ch,
        expected_new_next=expected_new_next(ch.q1, t),
        coverage=sample_coverage(y, t),
        prevalence_floor=prevalence_floor(t, config.alpha),
        provisional=provisional_codes(codes, code_meta),
        checks=saturation_checks(g.reached, fr.stop_at is not None, ch, m, config),
        status=status,
        suggested_extension=ext,
        verdict=verdict,
    )


def theme_units(
    units: Sequence[Unit], code_meta: Mapping[str, CodeMeta] | None
) -> tuple[list[Unit], dict[str, CodeMeta]]:
    """Map each unit's codes to their themes (a code without a theme stands for itself).

    A theme is provisional only when every one of its codes is: it arrived at the earliest
    position among them and was not back-coded; otherwise the theme existed from the start.
    """
    meta = code_meta or {}

    def theme_of(code: str) -> str:
        m = meta.get(code)
        return m.theme if m is not None and m.theme else code

    mapped: dict[frozenset[str], frozenset[str]] = {}
    out = []
    for u in units:
        themes = mapped.get(u.codes)
        if themes is None:
            themes = mapped[u.codes] = frozenset(theme_of(c) for c in u.codes)
        out.append(Unit._make((u.unit_id, themes)))
    members: dict[str, list[str]] = {}
    for code in {c for u in units for c in u.codes} | set(meta):
        members.setdefault(theme_of(code), []).append(code)
    prov = set(provisional_codes(sorted({c for cs in members.values() for c in cs}), meta))
    theme_meta: dict[str, CodeMeta] = {}
    for theme, cs in members.items():
        if cs and all(c in prov for c in cs):
            pos = min(meta[c].added_at_position or 0 for c in cs)
            theme_meta[theme] = CodeMeta(theme=None, added_at_position=pos, back_coded=False)
        else:
            theme_meta[theme] = CodeMeta(theme=None)
    return out, theme_meta


def analyse_levels(
    units: Sequence[Unit],
    config: SaturationConfig | None = None,
    *,
    code_meta: Mapping[str, CodeMeta] | None = None,
    population: int | None = None,
    project: str | None = None,
) -> dict[str, SaturationResult]:
    """Analyse at code level and at theme level; returns {"code": ..., "theme": ...}."""
    themed, theme_meta = theme_units(units, code_meta)
    kw: dict[str, Any] = {"population": population, "project": project}
    return {
        "code": analyse(units, config, code_meta=code_meta, level="code", **kw),
        "theme": analyse(themed, config, code_meta=theme_meta, level="theme", **kw),
    }
