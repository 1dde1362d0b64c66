"""Case characteristics and whose codings a figure counts: the pieces every prevalence figure,
table and subgroup analysis shares.

* Levels of a characteristic come in their natural order (low, medium, high; 18-24, 25-29, ...;
  none, 1, 2-5, ...), then anything else alphabetically; a case without a value is "unknown",
  its own level, always last.
* Whose codings: `pooled` (a case carries a code when any coder applied it), one named coder, or
  the consensus coder; `coder_scope` says which in words, for every printed figure.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from typing import Any

from themecode.errors import ThemecodeError

UNKNOWN = "unknown"
_ORDINAL = ["none", "very low", "low", "low/medium", "medium", "medium/high", "high",
            "high/very high", "very high", "no", "yes", "male", "female", "white",
            "ethnic minority", "community", "post-custody"]
_NUM = re.compile(r"^\s*(\d+(?:\.\d+)?)")


def natural_key(value: str) -> tuple[int, float, str]:
    """Sort key: known ordinal words first in their order, then values led by a number (18-24,
    2-5, 60+) by that number, then the rest alphabetically; "unknown" last."""
    v = value.strip().lower()
    if v == UNKNOWN:
        return (3, 0.0, v)
    if v in _ORDINAL:
        return (0, float(_ORDINAL.index(v)), v)
    m = _NUM.match(v)
    if m:
        return (1, float(m.group(1)), v)
    return (2, 0.0, v)


def natural_order(values: Iterable[str]) -> list[str]:
    """Distinct values in their natural order (see `natural_key`)."""
    return sorted(set(values), key=natural_key)


def value_text(raw: Any) -> str:
    """A metadata value as a level label: missing or blank becomes "unknown"."""
    if raw is None:
        return UNKNOWN
    text = str(raw).strip()
    return text if text else UNKNOWN


def case_metadata(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Every case's metadata, by case id."""
    return {r[0]: json.loads(r[1] or "{}") for r in conn.execute("SELECT id, metadata FROM cases")}


def check_column(meta: dict[str, dict[str, Any]], column: str) -> None:
    """Raise a ThemecodeError naming the columns there are when no case has `column`."""
    if any(column in m for m in meta.values()):
        return
    known = sorted({k for m in meta.values() for k in m})
    raise ThemecodeError(
        f"No case has a metadata column {column!r}.",
        hint="case metadata columns in this project: " + (", ".join(known) or "none"),
    )


def known_coders(conn: sqlite3.Connection) -> list[str]:
    """Everyone with a live coding, sorted."""
    return sorted(r[0] for r in conn.execute("SELECT DISTINCT coder FROM codings WHERE deleted = 0"))


def coder_scope(conn: sqlite3.Connection, coder: str | None) -> str:
    """Whose codings a figure counts, in words: pooled, one coder or the consensus coder."""
    if coder is None:
        who = ", ".join(known_coders(conn)) or "nobody yet"
        return f"pooled codings (a case carries a code when any of {who} applied it)"
    if coder in consensus_coders(conn):
        return f"codings of the consensus coder {coder} only"
    return f"codings of coder {coder} only"


def consensus_coders(conn: sqlite3.Connection) -> set[str]:
    """Coders who act as a consensus coder: named "consensus" or with a consensus decision."""
    names = {r[0] for r in conn.execute(
        "SELECT DISTINCT coder FROM events WHERE action LIKE 'consensus%'")}
    return names | ({"consensus"} & set(known_coders(conn)))


def case_codes(conn: sqlite3.Connection, coder: str | None = None) -> dict[str, set[str]]:
    """Codes per coded case of the sample, pooled or one coder's, with the saturation reader's
    rules (`themecode.saturation.data.load_units`): a case is coded when marked done (or, for a
    coder with no done-marks, when it carries one of their codings), so a coded case with no
    code still counts in the denominator; merged codes follow their target, retired ones and
    deleted codings never count."""
    from themecode.saturation.data import load_units

    units, _ = load_units(conn, coder=coder, unit="case")
    return {u.unit_id: set(u.codes) for u in units}


def code_themes(conn: sqlite3.Connection) -> dict[str, str | None]:
    """Each code's nearest theme ancestor (None when it has none), as the saturation reader
    finds it."""
    from themecode.saturation.data import themes_of_codes

    return themes_of_codes(conn)[0]
