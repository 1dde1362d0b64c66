"""themecode's saturation rule: its settings, its four checks and the verdict line.

The published stopping rules (Guest et al., Francis et al.) fire long before rare codes are found,
so the verdict "saturated" also needs Chao2 f0 < 1, Q1/T at most `max_new_per_unit` and a run long
enough that the run-length bound is at most `max_run_bound`; docs/saturation.md shows the
simulation behind each condition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from themecode.errors import ThemecodeError
from themecode.saturation.curves import units_since_last_new
from themecode.saturation.estimators import Chao2Result, units_to_unseen_below
from themecode.saturation.rules import FrancisResult, GuestResult, run_length_bound


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
    drawn: int | None = None,
) -> tuple[str, str, int | None]:
    """Return (status, one-line verdict, suggested extension) from the computed figures.

    While the drawn sample (`drawn` units) still has uncoded units the advice is to code them:
    an extension is suggested only once the drawn sample is done.
    """
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
        f"Chao2 estimates {_fmt(ch.f0)} unseen {noun} (95% CI {ch.ci_low - ch.s_obs}–"
        f"{ch.ci_high - ch.s_obs}) and {ch.q1 / t:.3f} new per {unit}"
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
    left = 0 if drawn is None else max(drawn - t, 0)
    if left:
        ext = 0
        advice = f"keep coding: {left} drawn {_plural(unit, left)} left"
    elif ext > 0:
        advice = f"extend the sample with `themecode sample {target} --extend {ext}`"
    else:
        advice = f"every {unit} in the population is already coded"
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
