"""Saturation per subgroup: the curves and the four checks within each value of a case
characteristic (RoSH, case type, PDU, sex, age group, any metadata column).

Each stratum keeps the project's coding order. A stratum is flagged *too small* when it has fewer
units than the run check needs (`SaturationConfig.confirm_run`, 59 at the defaults): the verdict
cannot say "saturated" there whatever the codes, so its figures describe, not judge. A unit is in
the stratum of its case's value; cases without a value form the "unknown" stratum.

A stratum that is not saturated gets advice the tool can carry out: keep coding its drawn cases,
or the whole-sample `sample --extend N` expected to bring the cases it needs (N = needed / the
stratum's share of the unsampled cases; the exact allocation when the sample is stratified by
the same column), since the tool does not extend one stratum alone.
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
from themecode.saturation.data import _connection, _project_name, load_units
from themecode.saturation.verdict import StratumScope


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


def _scopes(conn: Any, meta: dict[str, dict[str, Any]], column: str, unit: str
            ) -> tuple[dict[str, StratumScope], dict[str, int], dict[str, int]]:
    """Per stratum value: its scope for advice, its units in the project and in the drawn sample."""
    from themecode.sample.draw import MISSING, _allocate

    sampled = {r[0] for r in conn.execute("SELECT case_id FROM samples")}
    row = conn.execute("SELECT min(stratify) FROM samples").fetchone()
    stratified = row is not None and row[0] == column
    docs: dict[str, int] = dict(conn.execute("SELECT case_id, count(*) FROM documents GROUP BY 1"))
    size = (lambda c: docs.get(c, 0)) if unit == "commentary" else (lambda c: 1)
    population: dict[str, int] = {}
    drawn: dict[str, int] = {}
    unsampled: dict[str, list[str]] = {}
    raw_pool: dict[str, int] = {}  # the sampler's own groups of the unsampled cases
    for case, m in meta.items():
        v = value_text(m.get(column))
        population[v] = population.get(v, 0) + size(case)
        if case in sampled:
            drawn[v] = drawn.get(v, 0) + size(case)
        else:
            unsampled.setdefault(v, []).append(case)
            g = m.get(column) or MISSING
            raw_pool[g] = raw_pool.get(g, 0) + 1
    pool = sum(raw_pool.values())

    def gets_for(v: str) -> Any:
        groups = [g for g in raw_pool if value_text(None if g == MISSING else g) == v]
        return lambda n: sum(_allocate(raw_pool, n)[g] for g in groups)

    scopes = {}
    for v in population:
        cases = unsampled.get(v, [])
        per_case = sum(size(c) for c in cases) / len(cases) if cases else 1.0
        scopes[v] = StratumScope(column, v, len(cases), pool, per_case,
                                 gets_for(v) if stratified else None)
    return scopes, population, drawn


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
        scopes, population, drawn = _scopes(conn, meta, column, config.unit)
    finally:
        if store is not None:
            store.close()
    project = _project_name(db)

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
                           analyse_levels(members, config, code_meta=code_meta,
                                          population=population.get(v), project=project,
                                          drawn=drawn.get(v, 0), stratum=scopes.get(v))))
    return out
