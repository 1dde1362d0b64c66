"""Prevalence of a code or theme among the coded sampled cases, with a 95% interval corrected for
sampling a finite population (a 25% sample of 1,748 cases is not a sample from an infinite one).

The interval is Wilson's score interval for k of n with the sampling variance scaled by the
finite population correction (N - n)/(N - 1), i.e. Wilson at an effective size
n·(N - 1)/(N - n), then clipped to what the population allows ([k/N, (k + N - n)/N]); with the
whole population coded it is the exact share. It assumes the coded cases are a simple random
sample of the N cases (themecode's draw order is random, so any prefix of it is). By subgroup, N
and n are the cases with that value of the characteristic.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from themecode.sample.levels import (
    UNKNOWN,
    case_codes,
    case_metadata,
    check_column,
    code_themes,
    coder_scope,
    natural_order,
    value_text,
)

METHOD = ("Wilson score 95% interval with the finite population correction (N - n)/(N - 1), "
          "clipped to the shares the population allows")


def fpc_wilson(k: int, n: int, population: int | None, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% interval for the population share with k of n sampled cases positive out of N cases.

    `population` None means an infinite population (plain Wilson)."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    if population is not None and population <= n:
        return p, p
    n_eff = n if population is None else n * (population - 1) / (population - n)
    den = 1 + z * z / n_eff
    mid = (p + z * z / (2 * n_eff)) / den
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / den
    low, high = max(0.0, mid - half), min(1.0, mid + half)
    if population is not None:
        low, high = max(low, k / population), min(high, (k + population - n) / population)
    return low, high


@dataclass(frozen=True)
class Share:
    """k of n coded cases (of N in the population) carry the item; estimate and 95% interval."""

    level: str | None
    population: int | None
    n: int
    k: int
    estimate: float | None
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return asdict(self)


def share(k: int, n: int, population: int | None, level: str | None = None) -> Share:
    """A `Share` with its FPC Wilson interval (no estimate when nothing is coded)."""
    if n == 0:
        return Share(level, population, 0, 0, None, None, None)
    low, high = fpc_wilson(k, n, population)
    return Share(level, population, n, k, k / n, low, high)


@dataclass
class PrevalenceTable:
    """Prevalence of every code (or theme) overall and, optionally, by one characteristic."""

    level: str
    coder: str | None
    scope: str
    n_population: int
    n_coded: int
    by: str | None
    levels: list[str]
    items: list[str]
    labels: dict[str, str]
    overall: dict[str, Share]
    by_level: dict[str, dict[str, Share]] = field(default_factory=dict)
    method: str = METHOD

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "level": self.level, "coder": self.coder, "scope": self.scope,
            "n_population": self.n_population, "n_coded": self.n_coded, "by": self.by,
            "levels": self.levels, "method": self.method,
            "items": [{"id": i, "label": self.labels.get(i, i), "overall": self.overall[i].to_dict(),
                       "by_level": {lv: s.to_dict() for lv, s in self.by_level.get(i, {}).items()}}
                      for i in self.items],
        }


def item_sets(conn: sqlite3.Connection, coded: dict[str, set[str]], level: str) -> dict[str, set[str]]:
    """Per coded case, its codes (level "code") or its codebook themes (level "theme")."""
    if level == "code":
        return coded
    theme_of = code_themes(conn)
    return {c: {t for t in (theme_of.get(k) for k in codes) if t is not None} for c, codes in coded.items()}


def prevalence(
    conn: sqlite3.Connection, *, level: str = "code", coder: str | None = None, by: str | None = None,
    coded: dict[str, set[str]] | None = None,
) -> PrevalenceTable:
    """Prevalence of each live code (or codebook theme) among the coded sampled cases; `coded`
    (from `case_codes(conn, coder)`) saves reading them again."""
    kind = "code" if level == "code" else "theme"
    items = [r[0] for r in conn.execute(
        "SELECT id FROM codes WHERE kind = ? AND retired = 0 ORDER BY sort_order, id", (kind,))]
    labels = dict(conn.execute("SELECT id, label FROM codes"))
    sets = item_sets(conn, case_codes(conn, coder) if coded is None else coded, level)
    meta = case_metadata(conn)
    counts = Counter(i for s in sets.values() for i in s)
    n_pop = len(meta)
    table = PrevalenceTable(level, coder, coder_scope(conn, coder), n_pop, len(sets), by, [], items,
                            labels, {i: share(counts[i], len(sets), n_pop) for i in items})
    if by is not None:
        check_column(meta, by)
        value = {c: value_text(m.get(by)) for c, m in meta.items()}
        pop = Counter(value.values())
        coded_at = Counter(value.get(c, UNKNOWN) for c in sets)
        table.levels = natural_order(pop)
        for i in items:
            pos = Counter(value.get(c, UNKNOWN) for c, s in sets.items() if i in s)
            table.by_level[i] = {lv: share(pos[lv], coded_at[lv], pop[lv], lv) for lv in table.levels}
    return table


def format_share(s: Share) -> str:
    """'38.2% (33.9–42.6%), 167 of 437'; '–' when nothing is coded."""
    if s.estimate is None or s.low is None or s.high is None:
        return "– (none coded)"
    return f"{s.estimate:.1%} ({s.low:.1%}–{s.high:.1%}), {s.k} of {s.n}"
