"""Code saturation statistics over the coding-order incidence of codes per unit (case or commentary).

Pure functions, no database and no UI: the input is a list of units in coding (sample draw) order,
each with the set of codes applied to it. Each statistic is a small function in one of three
modules, re-exported here: `saturation.curves` (incidence and discovery curves),
`saturation.rules` (Guest, Francis, run-length bound, prevalence floor) and
`saturation.estimators` (Chao2, coverage, Q1/T); the verdict rule and its settings are in
`saturation.verdict`. `analyse` gathers them into one `SaturationResult` with a verdict. Method
notes, formulas and references are in docs/saturation.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from themecode.saturation.curves import (
    Unit,
    discovery_curve,
    expected_curve,
    first_seen,
    incidence,
    new_per_block,
    new_per_unit,
    units_since_last_new,
)
from themecode.saturation.estimators import (
    Chao2Result,
    chao2,
    expected_new_next,
    one_step_new,
    sample_coverage,
    units_to_unseen_below,
)
from themecode.saturation.rules import (
    FrancisResult,
    GuestResult,
    francis,
    guest,
    guest_grid,
    miss_probability,
    prevalence_floor,
    run_length_bound,
)
from themecode.saturation.verdict import (
    COVERAGE_CAVEAT,
    INTERVAL_LABEL,
    SaturationConfig,
    StratumScope,
    _plural,
    _verdict,
    is_saturated,
    saturation_checks,
    saturation_point,
    scope_phrase,
)

__all__ = [
    "CAVEAT",
    "Chao2Result",
    "CodeMeta",
    "FrancisResult",
    "GuestResult",
    "SaturationConfig",
    "SaturationResult",
    "Unit",
    "analyse",
    "analyse_levels",
    "chao2",
    "discovery_curve",
    "expected_curve",
    "expected_new_next",
    "first_seen",
    "francis",
    "guest",
    "guest_grid",
    "incidence",
    "is_saturated",
    "miss_probability",
    "new_per_block",
    "new_per_unit",
    "prevalence_floor",
    "provisional_codes",
    "run_length_bound",
    "sample_coverage",
    "saturation_checks",
    "saturation_point",
    "theme_units",
    "units_since_last_new",
    "units_to_unseen_below",
]

CAVEAT = (
    "These figures describe code saturation relative to this codebook, these coders and this "
    "sample; they say nothing about meaning saturation (whether each code is understood in depth)."
)


@dataclass(frozen=True)
class CodeMeta:
    """What the codebook says about a code: its theme, and whether it arrived mid-stream.

    `added_at_position` is the 1-based unit position at which the code was created (None when it
    existed before coding began); `back_coded` says the earlier units were re-read for it;
    `origin` is "deductive" (in the codebook from the start) or "inductive" (added while coding).
    """

    theme: str | None = None
    added_at_position: int | None = None
    back_coded: bool = False
    origin: str = "deductive"


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
    saturated_at: int | None
    status: str
    suggested_extension: int | None
    verdict: str
    caveat: str = field(default=CAVEAT)
    never_applied: list[str] = field(default_factory=list)
    one_step_new: float | None = None
    left_out: list[str] = field(default_factory=list)
    advice: str = ""  # what to do next, as the verdict ends with it ('' when saturated)

    @property
    def n_units(self) -> int:
        """T, the number of units coded."""
        return len(self.unit_ids)

    def guard_rails(self) -> list[str]:
        """The sentences to print with the figures: scope, prevalence floor, provisional codes."""
        unit = self.config.unit
        noun = "code" if self.level == "code" else "theme"
        lines = [self.caveat]
        g = self.guest
        if g.reached and g.threshold > 0 and g.threshold * g.base_codes < 1:
            lines.append(
                f"Guest threshold: with {g.base_codes} {noun}s in the base (fewer than "
                f"{math.ceil(1 / g.threshold)}), \"≤ {g.threshold:.0%} new\" allows less than one new "
                f"{noun}, so it means 0 new {noun}s: the threshold adds nothing to θ = 0."
            )
        if self.never_applied:
            lines.append(
                f"Never applied: {len(self.never_applied)} {noun}(s) of the codebook were never applied "
                f"in these {_plural(unit, 2)} ({', '.join(self.never_applied[:8])}"
                f"{' ...' if len(self.never_applied) > 8 else ''}); they are observed, not estimated, "
                f"and are not part of Chao2's unseen count."
            )
        if self.left_out:
            lines.append(
                f"Theme level counts only the codebook's themes: {len(self.left_out)} code(s) "
                f"without a theme are left out ({', '.join(self.left_out[:8])}"
                f"{' ...' if len(self.left_out) > 8 else ''})."
            )
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

    def sensitivity_table(self) -> tuple[list[str], list[list[str]]]:
        """Guest's rule over its sensitivity grid: (header, rows), one row per base+run and one
        column per threshold; a cell says where the rule fired, e.g. "case 8 (4+4)"."""
        unit = self.config.unit
        thresholds = sorted({g.threshold for g in self.guest_grid})
        pairs = list(dict.fromkeys((g.base, g.run) for g in self.guest_grid))
        cell = {(g.base, g.run, g.threshold): g for g in self.guest_grid}
        header = ["base+run", *[f"θ {'=' if th == 0 else '≤'} {th:.0%}" for th in thresholds]]
        rows = []
        for b, r in pairs:
            row = [f"{b}+{r}"]
            for th in thresholds:
                g = cell.get((b, r, th))
                row.append("–" if g is None else f"{unit} {g.stop_at} ({g.consumed_label})" if g.reached else "not reached")
            rows.append(row)
        return header, rows

    def summary_rows(self) -> list[tuple[str, str]]:
        """(figure, value) rows for a two-column table in the CLI, the TUI or a report."""
        unit, t = self.config.unit, self.n_units
        noun = "codes" if self.level == "code" else "themes"
        ch, g, fr = self.chao2, self.guest, self.francis
        window = min(t, 2 * self.config.block_size)
        pct = lambda x: "–" if x is None else f"{x:.1%}"  # noqa: E731
        num = lambda x: "–" if x is None else f"{x:.3f}"  # noqa: E731

        def later(at: int | None) -> str:
            n = sum(self.new_per_unit[at:]) if at else 0
            return f"; {n} {noun if n != 1 else noun[:-1]} appeared after it"

        rows = [
            (f"{_plural(unit, 2).capitalize()} coded", str(t)),
            (f"{noun.capitalize()} seen", str(len(self.codes))),
            (
                f"Saturation point, themecode's rule ({scope_phrase(self.level)})",
                f"{unit} {self.saturated_at} of {t} (first {unit} at which all four checks held)"
                if self.saturated_at else "not reached",
            ),
            (f"New {noun}, last {window} {_plural(unit, window)}", str(sum(self.new_per_unit[-window:])) if t else "–"),
            (f"{_plural(unit, 2).capitalize()} since the last new {noun[:-1]} (m)", str(self.since_last_new)),
            (f"New-{noun[:-1]} rate, {1 - self.config.alpha:.0%} upper bound", f"{pct(self.run_bound)} per {unit}"),
            (
                f"Guest {g.label} ≤{g.threshold:.0%} (published rule, context)",
                f"fired at {unit} {g.stop_at} ({g.consumed_label}){later(g.stop_at)}" if g.reached else "not reached",
            ),
            (
                f"Francis {fr.label} (published rule, context)",
                f"fired at {unit} {fr.stop_at}{later(fr.stop_at)}" if fr.stop_at else "not reached",
            ),
            (
                f"Chao2 estimate ({ch.form} form, used by the verdict)",
                f"{ch.estimate:.1f} {noun} (Q1 {ch.q1}, Q2 {ch.q2})",
            ),
            (
                "Chao2 classic / bias-corrected",
                f"{'–' if ch.f0_classic is None else f'{ch.s_obs + ch.f0_classic:.1f}'} / "
                f"{ch.s_obs + ch.f0_bias_corrected:.1f} {noun}",
            ),
            (
                INTERVAL_LABEL.replace("codes", noun),
                f"{ch.ci_low}–{ch.ci_high} {noun}; {COVERAGE_CAVEAT}",
            ),
            (f"Unseen {noun} (f0, estimated)", f"{ch.f0:.1f}"),
            (f"Codebook {noun} never applied (observed, not estimated)", str(len(self.never_applied))),
            (f"Expected new {noun} in the next {unit}, Q1/T (the verdict's rate check)",
             num(self.expected_new_next)),
            (f"Expected new {noun} in the next {unit}, Chao et al. 2014 one-step (the --extend model)",
             num(self.one_step_new)),
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
            "saturated_at": self.saturated_at,
            "published_rules_after": {
                "guest_new_after": sum(self.new_per_unit[self.guest.stop_at:]) if self.guest.stop_at else None,
                "francis_new_after": sum(self.new_per_unit[self.francis.stop_at:]) if self.francis.stop_at else None,
            },
            "interval": {"label": INTERVAL_LABEL, "coverage_caveat": COVERAGE_CAVEAT},
            "never_applied": self.never_applied,
            "left_out_codes": self.left_out,
            "one_step_new_next_unit": self.one_step_new,
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
            "advice": self.advice,
        }


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
    left_out: Sequence[str] = (),
    drawn: int | None = None,
    stratum: StratumScope | None = None,
    per_case: float | None = None,
) -> SaturationResult:
    """Compute every saturation figure for units given in coding order.

    `population` (units available to sample) caps the suggested extension; `project` is the
    database path quoted in the suggested command; `level` is "code" or "theme" (wording only);
    `drawn` (units in the drawn sample): while some are uncoded the advice is to code them, not
    to extend the sample; `per_case` (commentaries per case, with `config.unit` "commentary")
    turns the extension into the cases `sample --extend` takes; `stratum` words the advice for
    one stratum of `saturation --by`
    (`population` and `drawn` then count that stratum's units). Codes in `code_meta` never
    applied in these units are listed as `never_applied` (observed, apart from Chao2's
    estimate); `left_out` names codes dropped before the analysis (theme level).
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
    point = saturation_point(matrix, config)
    status, verdict, ext, advice = _verdict(new, g, fr, ch, config, len(codes), population,
                                            project, level, point, drawn, stratum, per_case)
    seen = set(codes)
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
        advice=advice,
        saturated_at=point,
        never_applied=sorted(c for c in (code_meta or {}) if c not in seen),
        one_step_new=one_step_new(ch),
        left_out=sorted(left_out),
    )


def theme_units(
    units: Sequence[Unit], code_meta: Mapping[str, CodeMeta] | None
) -> tuple[list[Unit], dict[str, CodeMeta], list[str]]:
    """Map each unit's codes to their themes; returns (units, theme meta, left out).

    A code the codebook places under no theme (its `CodeMeta.theme` is None) is not a theme and
    is left out at this level (listed in the third item); a code with no `CodeMeta` at all (no
    codebook given) stands for itself. A theme is provisional only when every one of its codes
    is: it arrived at the earliest position among them and was not back-coded; otherwise the
    theme existed from the start.
    """
    meta = code_meta or {}

    def theme_of(code: str) -> str | None:
        m = meta.get(code)
        return code if m is None else m.theme

    mapped: dict[frozenset[str], frozenset[str]] = {}
    out = []
    for u in units:
        themes = mapped.get(u.codes)
        if themes is None:
            themes = mapped[u.codes] = frozenset(
                t for t in (theme_of(c) for c in u.codes) if t is not None)
        out.append(Unit._make((u.unit_id, themes)))
    members: dict[str, list[str]] = {}
    left_out: set[str] = set()
    for code in {c for u in units for c in u.codes} | set(meta):
        theme = theme_of(code)
        if theme is None:
            left_out.add(code)
        else:
            members.setdefault(theme, []).append(code)
    prov = set(provisional_codes(sorted({c for cs in members.values() for c in cs}), meta))
    theme_meta: dict[str, CodeMeta] = {}
    for theme, cs in members.items():
        if cs and all(c in prov for c in cs):
            pos = min(meta[c].added_at_position or 0 for c in cs)
            theme_meta[theme] = CodeMeta(theme=None, added_at_position=pos, back_coded=False)
        else:
            theme_meta[theme] = CodeMeta(theme=None)
    return out, theme_meta, sorted(left_out)


def analyse_levels(
    units: Sequence[Unit],
    config: SaturationConfig | None = None,
    *,
    code_meta: Mapping[str, CodeMeta] | None = None,
    population: int | None = None,
    project: str | None = None,
    drawn: int | None = None,
    stratum: StratumScope | None = None,
    per_case: float | None = None,
) -> dict[str, SaturationResult]:
    """Analyse at code level and at theme level; returns {"code": ..., "theme": ...}."""
    themed, theme_meta, left_out = theme_units(units, code_meta)
    kw: dict[str, Any] = {"population": population, "project": project, "drawn": drawn,
                          "stratum": stratum, "per_case": per_case}
    return {
        "code": analyse(units, config, code_meta=code_meta, level="code", **kw),
        "theme": analyse(themed, config, code_meta=theme_meta, level="theme", left_out=left_out, **kw),
    }
