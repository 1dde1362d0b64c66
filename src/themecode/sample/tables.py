"""The bulletin's Annex B tables for a code or a theme: N, n and % per level of each chosen case
characteristic (unknown as its own row, levels in natural order) with finite-population-corrected
95% intervals, a chi-square test per characteristic (Cramér's V), and a forced-entry logistic
regression of presence on all of them together, p-values adjusted across the table.

N is the coded sampled cases with that level; n those carrying the code (or any code of the
theme); % = n / N. Written as CSV or XLSX for a report (`write_table`).
"""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from themecode.errors import ThemecodeError
from themecode.sample.estimates import METHOD, Share, item_sets, share
from themecode.sample.levels import (
    UNKNOWN,
    case_codes,
    case_metadata,
    check_column,
    coder_scope,
    natural_order,
    value_text,
)
from themecode.sample.regression import (
    ADJUSTMENTS,
    ChiSquare,
    Regression,
    adjust,
    chi_square,
    logistic,
)

DEFAULT_BY = ("age_group", "sex", "ethnicity", "likelihood_of_reoffending", "rosh", "case_type",
              "previous_sanctions")


@dataclass
class LevelRow:
    """One level of one characteristic: N coded cases, n with the item, % with its interval."""

    characteristic: str
    level: str
    share: Share

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"characteristic": self.characteristic, "level": self.level, **asdict(self.share)}


@dataclass
class CharacteristicsTable:
    """Everything `themecode tables` prints and writes for one code or theme."""

    kind: str
    item: str
    label: str
    coder: str | None
    scope: str
    by: list[str]
    adjustment: str
    n_coded: int
    overall: Share
    rows: list[LevelRow] = field(default_factory=list)
    tests: list[ChiSquare] = field(default_factory=list)
    regression: Regression | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"kind": self.kind, "item": self.item, "label": self.label, "coder": self.coder,
                "scope": self.scope, "by": self.by, "adjustment": ADJUSTMENTS[self.adjustment],
                "interval_method": METHOD, "n_coded": self.n_coded, "overall": asdict(self.overall),
                "rows": [r.to_dict() for r in self.rows], "tests": [t.to_dict() for t in self.tests],
                "regression": None if self.regression is None else self.regression.to_dict()}

    def flat_rows(self) -> list[dict[str, Any]]:
        """One row per level with its odds ratio (blank for references and unknowns): the
        CSV/XLSX layout."""
        coef = {(c.characteristic, c.level): c for c in (self.regression.coefficients if self.regression else [])}
        refs = {c.characteristic: c.reference for c in coef.values()}
        test = {t.characteristic: t for t in self.tests}
        out = []
        for r in self.rows:
            c = coef.get((r.characteristic, r.level))
            t = test.get(r.characteristic)
            s = r.share
            out.append({
                "item": self.item, "characteristic": r.characteristic, "level": r.level,
                "N": s.n, "n": s.k, "percent": None if s.estimate is None else round(100 * s.estimate, 1),
                "ci_low": None if s.low is None else round(100 * s.low, 1),
                "ci_high": None if s.high is None else round(100 * s.high, 1),
                "population_cases": s.population,
                "odds_ratio": "reference" if refs.get(r.characteristic) == r.level else (
                    None if c is None or c.odds_ratio is None else round(c.odds_ratio, 3)),
                "or_ci_low": None if c is None or c.low is None else round(c.low, 3),
                "or_ci_high": None if c is None or c.high is None else round(c.high, 3),
                "p": None if c is None or c.p is None else c.p,
                "p_adjusted": None if c is None or c.p_adjusted is None else c.p_adjusted,
                "chi2_p_adjusted": None if t is None else t.p_adjusted,
                "cramers_v": None if t is None or t.cramers_v is None else round(t.cramers_v, 3),
                "whose_codings": self.scope,
            })
        return out


def display_cells(row: dict[str, Any]) -> tuple[str, str, str]:
    """(%, 95% interval, odds ratio with its interval) of a `flat_rows` row as text."""
    if row["odds_ratio"] == "reference":
        odds = "reference"
    elif row["odds_ratio"] is None:
        odds = "–"
    else:
        odds = f"{row['odds_ratio']:.2f} ({row['or_ci_low']:.2f}–{row['or_ci_high']:.2f})"
    share = "–" if row["percent"] is None else f"{row['percent']:.1f}%"
    interval = "–" if row["ci_low"] is None else f"{row['ci_low']:.1f}–{row['ci_high']:.1f}%"
    return share, interval, odds


def characteristics_table(
    conn: sqlite3.Connection, *, code: str | None = None, theme: str | None = None,
    by: list[str] | None = None, coder: str | None = None, adjustment: str = "holm",
    coded: dict[str, set[str]] | None = None,
) -> CharacteristicsTable:
    """The table for one code (`code`) or one codebook theme (`theme`); `by` defaults to the
    bulletin's characteristics the project has; `coded` (from `case_codes`) saves a re-read."""
    if (code is None) == (theme is None):
        raise ThemecodeError("give exactly one of --code ID or --theme ID",
                             hint="e.g. themecode tables study.db --theme planning --by rosh")
    if adjustment not in ADJUSTMENTS:
        raise ThemecodeError(f"unknown adjustment {adjustment!r}", hint="use holm or bh")
    kind, item = ("code", code) if code is not None else ("theme", theme)
    row = conn.execute("SELECT kind, label, retired FROM codes WHERE id = ?", (item,)).fetchone()
    if row is None or row[0] != kind or row[2]:
        known = [r[0] for r in conn.execute(
            "SELECT id FROM codes WHERE kind = ? AND retired = 0 ORDER BY sort_order, id", (kind,))]
        raise ThemecodeError(f"no live {kind} {item!r} in this project",
                             hint=f"{kind}s: " + ", ".join(known[:30]))
    meta = case_metadata(conn)
    if by is None:
        by = [c for c in DEFAULT_BY if any(c in m for m in meta.values())]
    for col in by:
        check_column(meta, col)
    coded = case_codes(conn, coder) if coded is None else coded
    sets = item_sets(conn, coded, "code" if kind == "code" else "theme")
    cases = list(sets)
    has = [item in sets[c] for c in cases]
    table = CharacteristicsTable(kind, item, row[1], coder, coder_scope(conn, coder), list(by),
                                 adjustment, len(cases), share(sum(has), len(cases), len(meta)))
    values: dict[str, list[str]] = {}
    levels: dict[str, list[str]] = {}
    for col in by:
        vals = [value_text(meta.get(c, {}).get(col)) for c in cases]
        pop = Counter(value_text(m.get(col)) for m in meta.values())
        lv = [v for v in natural_order(pop) if v != UNKNOWN or pop[v]]
        values[col], levels[col] = vals, lv
        tot = Counter(vals)
        pos = Counter(v for v, h in zip(vals, has, strict=True) if h)
        table.rows += [LevelRow(col, v, share(pos[v], tot[v], pop[v], v)) for v in lv]
        known = [v for v in lv if v != UNKNOWN]
        table.tests.append(chi_square(col, [pos[v] for v in known], [tot[v] for v in known]))
    for t, p in zip(table.tests, adjust([t.p for t in table.tests], adjustment), strict=True):
        t.p_adjusted = p
    if by and cases:
        table.regression = logistic(has, values, levels)
        coefs = table.regression.coefficients
        for c, p in zip(coefs, adjust([c.p for c in coefs], adjustment), strict=True):
            c.p_adjusted = p
    return table


def write_table(table: CharacteristicsTable, path: str | Path) -> Path:
    """Write the flat rows as CSV (.csv) or XLSX (.xlsx), with whose codings they count."""
    path = Path(path)
    rows = table.flat_rows()
    header = list(rows[0]) if rows else ["item"]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = f"{table.kind} {table.item}"[:31]
        ws.append(header)
        for r in rows:
            ws.append([r[h] for h in header])
        notes = wb.create_sheet("notes")
        for line in (f"{table.kind} {table.item}: {table.label}", f"whose codings: {table.scope}",
                     f"intervals: {METHOD}", f"p-values adjusted: {ADJUSTMENTS[table.adjustment]}",
                     (table.regression.note if table.regression else "")):
            notes.append([line])
        wb.save(path)
    elif path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=header)
            w.writeheader()
            w.writerows(rows)
    else:
        raise ThemecodeError(f"cannot write {path.name}: use a .csv or .xlsx file name")
    return path
