"""Saturation per subgroup: the curves and the four checks within each value of a case
characteristic (RoSH, case type, PDU, sex, age group, any metadata column).

Each stratum keeps the project's coding order. A stratum is flagged *too small* when it has fewer
units than the run check needs (`SaturationConfig.confirm_run`, 59 at the defaults): the verdict
cannot say "saturated" there whatever the codes, so its figures describe, not judge. A unit is in
the stratum of its case's value; cases without a value form the "unknown" stratum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from themecode.sample.levels import (
    UNKNOWN,
    case_metadata,
    check_column,
    natural_order,
    value_text,
)
from themecode.saturation.analysis import SaturationConfig, SaturationResult, analyse_levels
from themecode.saturation.data import _connection, load_units


@dataclass
class Stratum:
    """One value of the characteristic: its saturation at code and theme level."""

    value: str
    n_units: int
    too_small: bool
    levels: dict[str, SaturationResult]

    def note(self, config: SaturationConfig) -> str:
        """The flag printed beside a small stratum ('' when big enough)."""
        if not self.too_small:
            return ""
        return (f"too small to judge: {self.n_units} coded, fewer than the {config.confirm_run} "
                f"the run check needs, so saturation cannot be shown here")

    def to_dict(self, config: SaturationConfig) -> dict[str, Any]:
        """JSON-safe form: the flag and every figure at both levels."""
        return {"value": self.value, "n_units": self.n_units, "too_small": self.too_small,
                "note": self.note(config), "levels": {k: r.to_dict() for k, r in self.levels.items()}}


def analyse_subgroups(
    db: Any, column: str, config: SaturationConfig | None = None, *, coder: str | None = None
) -> list[Stratum]:
    """Saturation within each value of the case metadata `column`, values in natural order."""
    config = config or SaturationConfig()
    conn, store = _connection(db)
    try:
        meta = case_metadata(conn)
        check_column(meta, column)
        units, code_meta = load_units(conn, coder=coder, unit=config.unit)
        doc_case = dict(conn.execute("SELECT id, case_id FROM documents"))
    finally:
        if store is not None:
            store.close()

    def value_of(unit_id: str) -> str:
        case = unit_id if config.unit == "case" else doc_case.get(unit_id, unit_id)
        return value_text(meta.get(case, {}).get(column))

    groups: dict[str, list] = {}
    for u in units:
        groups.setdefault(value_of(u.unit_id), []).append(u)
    values = natural_order([*groups, *(value_text(m.get(column)) for m in meta.values())])
    out = []
    for v in values:
        members = groups.get(v, [])
        if not members and v == UNKNOWN:
            continue
        out.append(Stratum(v, len(members), len(members) < config.confirm_run,
                           analyse_levels(members, config, code_meta=code_meta)))
    return out
