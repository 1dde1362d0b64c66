"""The records of an agreement computation: each coder's input (`CoderCodings`), a possibly
undefined `Statistic`, the per-code `CodeAgreement`, a `Disagreement` and the whole
`AgreementResult` with its JSON form. Computed in `themecode.agreement.coefficients`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from themecode.errors import ThemecodeError

UnitId = Hashable


class AgreementError(ThemecodeError):
    """Agreement cannot be computed as asked (too few coders, unknown coder, no shared units)."""


@dataclass(frozen=True)
class CoderCodings:
    """What one coder did: the units they have coded and the codes they applied per unit.

    `coded_units` includes units the coder looked at and applied no code to; a unit missing from
    `coded_units` is *not coded* (missing), never "no code applies". Codes recorded on a unit
    outside `coded_units` are ignored.
    """

    coder: str
    coded_units: frozenset[UnitId]
    codes: Mapping[UnitId, frozenset[str]] = field(default_factory=dict)

    def applied(self, unit: UnitId) -> frozenset[str]:
        """Codes this coder applied on `unit` (empty if none)."""
        return self.codes.get(unit, frozenset())


@dataclass(frozen=True)
class Statistic:
    """A statistic that may be undefined; when `value` is None, `reason` says why."""

    value: float | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code (or the pooled decisions) over the compared units.

    `present` gives, per coder, on how many compared units they applied the code; `all_present` is
    the number of units where every coder applied it ("both" for two coders) and `none_present`
    where nobody did ("neither"). `percent_agreement` is the share of units on which all coders
    made the same decision, as a fraction in [0, 1].
    """

    code: str
    n_units: int
    present: dict[str, int]
    all_present: int
    none_present: int
    percent_agreement: Statistic
    kappa: Statistic
    alpha: Statistic
    fleiss_kappa: Statistic = Statistic(None, "not computed")
    ac1: Statistic = Statistic(None, "not computed")
    positive_agreement: Statistic = Statistic(None, "not computed")
    negative_agreement: Statistic = Statistic(None, "not computed")
    intervals: dict[str, tuple[float, float] | None] = field(default_factory=dict)

    @property
    def n_disagreements(self) -> int:
        """Units on which the coders did not all make the same decision."""
        return self.n_units - self.all_present - self.none_present

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "code": self.code,
            "n_units": self.n_units,
            "present": dict(self.present),
            "all_present": self.all_present,
            "none_present": self.none_present,
            "disagreements": self.n_disagreements,
            "percent_agreement": self.percent_agreement.to_dict(),
            "kappa": self.kappa.to_dict(),
            "alpha": self.alpha.to_dict(),
            "fleiss_kappa": self.fleiss_kappa.to_dict(),
            "ac1": self.ac1.to_dict(),
            "positive_agreement": self.positive_agreement.to_dict(),
            "negative_agreement": self.negative_agreement.to_dict(),
            "intervals_95": {k: (None if v is None else list(v)) for k, v in self.intervals.items()},
        }


@dataclass(frozen=True)
class Disagreement:
    """One unit and code on which coders differed: who applied the code and who did not."""

    unit: UnitId
    code: str
    applied: tuple[str, ...]
    not_applied: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (tuple unit ids become lists)."""
        return {
            "unit": _json_unit(self.unit),
            "code": self.code,
            "applied": list(self.applied),
            "not_applied": list(self.not_applied),
        }


@dataclass(frozen=True)
class AgreementResult:
    """Agreement between `coders` on `units` (the units every coder has coded).

    `per_code` is in code order; `pooled` is over every (unit, code) decision for the codes at
    least one coder applied (`pooled_codes`); `mean_kappa` / `mean_alpha` average the defined
    per-code values (`n_codes_in_mean_*` says how many were defined).
    """

    coders: tuple[str, ...]
    unit_type: str
    units: tuple[UnitId, ...]
    units_coded: dict[str, int]
    per_code: tuple[CodeAgreement, ...]
    pooled: CodeAgreement
    pooled_codes: tuple[str, ...]
    mean_kappa: Statistic
    n_codes_in_mean_kappa: int
    mean_alpha: Statistic
    n_codes_in_mean_alpha: int
    disagreements: tuple[Disagreement, ...]
    alpha_units: str = "common"
    n_alpha_units: int = 0
    bootstrap: int = 0
    left_out: dict[str, Any] = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        """Number of units compared (coded by every coder)."""
        return len(self.units)

    def code(self, code: str) -> CodeAgreement:
        """The per-code entry for `code`."""
        for entry in self.per_code:
            if entry.code == code:
                return entry
        raise AgreementError(
            f"code {code!r} is not in this agreement result",
            hint="codes compared: " + ", ".join(c.code for c in self.per_code),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, for `themecode agreement --json` and the HTML report."""
        return {
            "coders": list(self.coders),
            "unit_type": self.unit_type,
            "n_units": self.n_units,
            "units_coded": dict(self.units_coded),
            "definitions": {
                "percent_agreement": "share of compared units on which all coders made the same "
                "present/absent decision",
                "pooled": "every (unit, code) decision over the codes at least one coder applied "
                "counted as one item",
                "mean_kappa": "unweighted mean of the defined per-code Cohen's kappas",
                "mean_alpha": "unweighted mean of the defined per-code Krippendorff's alphas",
                "units": "only units every compared coder has coded (marked done, or with a "
                "coding when the coder has no progress records) are compared",
                "alpha_units": "common: alpha on the same units; pairable: alpha on every unit "
                "two or more coders have coded, the others' values missing",
                "fleiss_kappa": "Fleiss' kappa (irrCAC fleiss.kappa.raw), any number of coders",
                "ac1": "Gwet's AC1 (irrCAC gwet.ac1.raw): chance agreement 2·π(1-π), stable for "
                "rare codes where kappa collapses",
                "positive_agreement": "specific agreement on 'present': 2a/(2a+b+c) for two coders",
                "negative_agreement": "specific agreement on 'absent': 2d/(2d+b+c) for two coders",
                "intervals_95": "percentile bootstrap over units (the pooled figure resamples "
                "units with all their codes); none when undefined in over 5% of resamples",
            },
            "bootstrap": self.bootstrap,
            "left_out": self.left_out,
            "alpha_units": self.alpha_units,
            "n_alpha_units": self.n_alpha_units,
            "per_code": [c.to_dict() for c in self.per_code],
            "pooled": self.pooled.to_dict(),
            "pooled_codes": list(self.pooled_codes),
            "mean_kappa": self.mean_kappa.to_dict(),
            "n_codes_in_mean_kappa": self.n_codes_in_mean_kappa,
            "mean_alpha": self.mean_alpha.to_dict(),
            "n_codes_in_mean_alpha": self.n_codes_in_mean_alpha,
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


def _json_unit(unit: UnitId) -> Any:
    """A unit id as JSON: tuples become lists, other non-JSON types become strings."""
    if isinstance(unit, tuple):
        return [_json_unit(u) for u in unit]
    if isinstance(unit, (str, int, float)) or unit is None:
        return unit
    return str(unit)
