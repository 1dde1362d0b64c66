"""themecode's saturation rule: its settings, its four checks and the verdict line.

The published stopping rules (Guest et al., Francis et al.) fire long before rare codes are found,
so the verdict "saturated" also needs Chao2 f0 < 1, Q1/T at most `max_new_per_unit` and a run long
enough that the run-length bound is at most `max_run_bound`; docs/saturation.md shows the
simulation behind each condition.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from themecode.errors import ThemecodeError
from themecode.saturation.curves import units_since_last_new
from themecode.saturation.estimators import Chao2Result, units_to_unseen_below
from themecode.saturation.rules import (
    FrancisResult,
    GuestResult,
    francis,
    guest,
    run_length_bound,
)


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



@dataclass(frozen=True)
class StratumScope:
    """Where one stratum of `saturation --by COLUMN` sits in the project, so that its advice is
    something the tool can carry out: `sample --extend` draws from all unsampled cases (in
    proportion to the strata only when the sample was stratified by this column)."""

    column: str
    value: str
    unsampled: int  # cases of this stratum not yet in the sample
    pool: int  # all cases not yet in the sample
    units_per_case: float = 1.0  # commentaries per unsampled case of the stratum (1 for cases)
    # For a sample stratified by `column`: how many of this stratum's cases an extension of n
    # brings (the sampler's own allocation); None when extensions draw at random.
    stratified_gets: Callable[[int], int] | None = field(default=None, compare=False, repr=False)


def cases_for(units: int, per_case: float) -> int:
    """Cases `sample --extend` must draw for about `units` commentaries at `per_case` each."""
    return max(1, math.ceil(units / max(per_case, 1e-9)))


def stratum_advice(wanted_units: int, scope: StratumScope, unit: str, target: str
                   ) -> tuple[str, int]:
    """(advice, whole-sample extension) for a stratum that needs `wanted_units` more units.

    The tool does not extend one stratum alone (a sample drawn unevenly across strata would bias
    the prevalence figures), so the advice names the whole-sample extension expected to bring the
    cases the stratum needs: about needed / share, where share is the stratum's part of the
    unsampled cases (the sampler's exact allocation when the sample is stratified by the column).
    """
    who = f"{scope.column} = {scope.value}"
    cases = cases_for(wanted_units, scope.units_per_case)
    need = (f"about {cases} more {who} {_plural('case', cases)}" if unit == "case" else
            f"about {wanted_units} more {who} {_plural(unit, wanted_units)} "
            f"(about {cases} {_plural('case', cases)})")
    if scope.pool == 0 or scope.unsampled == 0:
        return f"this stratum would need {need}, but every {who} case is already in the sample", 0
    share = scope.unsampled / scope.pool
    take = min(cases, scope.unsampled)
    whole = scope.pool if take < cases else min(scope.pool, math.ceil(cases / share))
    if scope.stratified_gets is not None:
        whole = min(whole, scope.pool)
        while whole > 1 and scope.stratified_gets(whole - 1) >= take:
            whole -= 1
        while whole < scope.pool and scope.stratified_gets(whole) < take:
            whole += 1
        how = (f"the sample is stratified by {scope.column}, so `themecode sample {target} "
               f"--extend {whole}` adds {scope.stratified_gets(whole)} of them")
    else:
        how = (f"`sample --extend` draws from all {scope.pool:,} unsampled cases, of which "
               f"{scope.unsampled:,} ({share:.0%}) are {who}, so `themecode sample {target} "
               f"--extend {whole}` adds about {round(whole * share)} of them")
    lead = (f"this stratum needs {need}" if take == cases else
            f"this stratum would need {need}, but only {scope.unsampled} are left to sample")
    return f"{lead}; {how}", whole


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


def saturation_point(matrix: np.ndarray, config: SaturationConfig) -> int | None:
    """The saturation point under themecode's rule: the first unit count t at which all four
    `saturation_checks` hold for the first t units (None if they never do).

    `matrix` is the T x K incidence in coding order. Vectorised over t: Q1, Q2 and the run
    length of every prefix come from cumulative counts, with the same formulas as `chao2` and
    `saturation_checks` (a test checks the two agree on random data).
    """
    t_all = matrix.shape[0]
    if t_all == 0 or matrix.shape[1] == 0:
        return None
    seen = matrix.any(axis=0)
    first = np.argmax(matrix, axis=0)[seen]
    new = np.bincount(first, minlength=t_all)
    g = guest(new, config.guest_base, config.guest_run, config.guest_threshold)
    fr = francis(new, config.francis_initial, config.francis_run)
    if not g.reached or fr.stop_at is None or g.stop_at is None:
        return None
    start = max(g.stop_at, fr.stop_at)
    counts = np.cumsum(matrix[:, seen], axis=0, dtype=np.int32)[start - 1:]
    t = np.arange(start, t_all + 1, dtype=np.float64)
    q1 = (counts == 1).sum(axis=1).astype(np.float64)
    q2 = (counts == 2).sum(axis=1).astype(np.float64)
    a = (t - 1) / t
    f0 = np.where(
        (q1 > 0) & (q2 > 0), a * q1 * q1 / (2 * np.maximum(q2, 1)),
        np.where((q1 > 1) & (q2 == 0), a * q1 * (q1 - 1) / 2, 0.0),
    )
    last_new = np.maximum.accumulate(np.where(new > 0, np.arange(1, t_all + 1), 0))[start - 1:]
    m = t - last_new
    with np.errstate(divide="ignore"):
        bound = np.where(m > 0, 1.0 - config.alpha ** (1.0 / np.maximum(m, 1)), 1.0)
    ok = (f0 < 1) & (q1 / t <= config.max_new_per_unit) & (m > 0) & (bound <= config.max_run_bound + 1e-12)
    hit = np.flatnonzero(ok)
    return None if hit.size == 0 else int(start + hit[0])


def is_saturated(
    guest_reached: bool, francis_reached: bool, chao: Chao2Result, since_last_new: int, config: SaturationConfig
) -> bool:
    """themecode's saturation rule: every condition of `saturation_checks` holds."""
    return all(saturation_checks(guest_reached, francis_reached, chao, since_last_new, config).values())


INTERVAL_LABEL = "Chao's (1987) log-normal 95% interval, widened to whole codes"
COVERAGE_CAVEAT = (
    "measured coverage in simulation: 71–73% when the verdict first says saturated, 77–92% at "
    "fixed sample sizes of 60–437 cases (docs/saturation.md)"
)


def scope_phrase(level: str) -> str:
    """How the word saturation is qualified every time it is printed."""
    return ("code saturation, relative to this codebook" if level == "code"
            else "theme saturation, relative to this codebook's themes")


def after_rules_text(
    g: GuestResult, fr: FrancisResult, res_new: np.ndarray, unit: str, noun: str
) -> str:
    """The published rules as context: where each fired and how many codes appeared after it."""
    parts = []
    for name, at in ((f"Guest {g.label} (≤{g.threshold:.0%})", g.stop_at if g.reached else None),
                     (f"Francis {fr.label}", fr.stop_at)):
        if at is None:
            parts.append(f"{name} has not fired")
            continue
        later = int(res_new[at:].sum())
        parts.append(f"{name} fired at {unit} {at}, after which {later} further "
                     f"{noun if later != 1 else noun[:-1]} appeared")
    return "; ".join(parts)


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
    point: int | None = None,
    drawn: int | None = None,
    stratum: StratumScope | None = None,
    per_case: float | None = None,
) -> tuple[str, str, int | None, str]:
    """Return (status, one-line verdict, suggested extension, advice) from the computed figures.

    The line leads with the saturation point under themecode's rule (`point`, the first unit at
    which all four checks held), qualifies the word every time, and gives the published rules'
    stop points as context with the codes that appeared after them. While the drawn sample
    (`drawn` units) still has uncoded units the advice is to code them: an extension is suggested
    only once the drawn sample is done. For a stratum (`stratum`; `population` and `drawn` then
    count its units) the advice is the whole-sample extension expected to bring the cases the
    stratum needs (`stratum_advice`), and that extension is the one returned.
    """
    t = len(res_new)
    unit = config.unit
    noun = "codes" if level == "code" else "themes"
    scope = scope_phrase(level)
    if t == 0:
        return ("no_data", f"No {_plural(unit, 2)} coded yet: code some before judging {scope}.",
                None, "")
    if n_codes == 0:
        return ("no_data", f"No {noun} applied in {t} {_plural(unit, t)} yet: nothing to judge.",
                None, "")
    m = units_since_last_new(res_new)
    checks = saturation_checks(g.reached, fr.stop_at is not None, ch, m, config)
    context = after_rules_text(g, fr, res_new, unit, noun)
    chao_txt = (
        f"Chao2 ({ch.form} form) estimates {_fmt(ch.f0)} unseen {noun} ({INTERVAL_LABEL}: "
        f"{ch.ci_low - ch.s_obs}–{ch.ci_high - ch.s_obs}; {COVERAGE_CAVEAT}) and Q1/T = "
        f"{ch.q1 / t:.3f} new {noun} per {unit}"
    )
    if all(checks.values()):
        bound = run_length_bound(m, config.alpha) or 0.0
        text = (
            f"{scope[0].upper()}{scope[1:]}, reached at {unit} {point} of {t} under themecode's "
            f"rule (the first {unit} at which all four checks held), confirmed by {m} "
            f"{_plural(unit, m)} since without a new {noun[:-1]} (new-{noun[:-1]} rate below "
            f"{bound:.1%} per {unit}, {1 - config.alpha:.0%} bound). Published rules for context: "
            f"{context}. {chao_txt}."
        )
        return "saturated", text, None, ""
    remaining = None if population is None else max(population - t, 0)
    block = config.block_size
    wanted = max(units_to_unseen_below(ch) or 0, config.confirm_run - m, 2 * block)
    ext = min(wanted, max(t, 2 * block))  # at most double the sample per round: estimates move
    cap = "at most doubling the sample per round" if ext < wanted else ""
    ext = -(-ext // block) * block
    uncapped = ext  # a stratum's advice says itself how much of it is left to sample
    if remaining is not None and ext > remaining:
        ext, cap = remaining, f"only {remaining} {_plural(unit, remaining)} left to sample"
    target = project or "PROJECT.db"
    left = 0 if drawn is None else max(drawn - t, 0)
    if left:
        ext = 0
        advice = (f"keep coding: {left} drawn {_plural(unit, left)} left"
                  + (f" in this stratum ({stratum.column} = {stratum.value})" if stratum else ""))
    elif stratum is not None:
        advice, ext = stratum_advice(uncapped, stratum, unit, target)
        if uncapped < wanted:
            advice += f" (the estimate asks for {wanted}; at most doubling the stratum per round)"
    elif ext > 0 and unit == "commentary" and per_case:
        # `sample --extend` draws cases: the commentaries wanted, at the corpus's mean per case
        ext = cases_for(ext, per_case)
        advice = (f"extend the sample with `themecode sample {target} --extend {ext}` (cases; "
                  f"about {round(ext * per_case)} commentaries at {per_case:.1f} per case"
                  + (f"; the estimate asks for {wanted} commentaries; {cap}" if cap else "")
                  + ")")
    elif ext > 0:
        advice = (f"extend the sample with `themecode sample {target} --extend {ext}`"
                  + (f" (the estimate asks for {wanted}; {cap})" if cap else ""))
    else:
        advice = f"every {unit} in the population is already coded"
    earlier = (f"themecode's rule held at {unit} {point}, but {int(res_new[point:].sum())} new "
               f"{noun} appeared after it; " if point is not None else "")
    if checks["rules"]:
        reasons = [chao_txt]
        if not checks["rate"]:
            reasons.append(f"the limit is {config.max_new_per_unit:.3f} new per {unit}")
        if not checks["run"]:
            reasons.append(
                f"only {m} {_plural(unit, m)} since the last new {noun[:-1]} ({config.confirm_run} needed)"
            )
        text = (
            f"No {scope}, yet: the published stopping rules fired ({context}) but themecode's "
            f"checks do not all hold: {earlier}{'; '.join(reasons)}; {advice}."
        )
        return "rules_met_unconfirmed", text, ext or None, advice
    window = min(t, 2 * block)
    recent = int(res_new[-window:].sum())
    fired = g.reached or fr.stop_at is not None
    text = (
        f"No {scope}, yet: {recent} new {noun if recent != 1 else noun[:-1]} in the last {window} "
        f"{_plural(unit, window)}; {earlier}{context + '; ' if fired else ''}{chao_txt}; {advice}."
    )
    return "not_saturated", text, ext or None, advice
