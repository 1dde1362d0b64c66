"""Small HTML helpers the report's modules share: tables, percentages and p-values."""

from __future__ import annotations

import html
from typing import Any


def table(header: list[str], rows: list[list[Any]], *, left: int = 1) -> str:
    """An HTML table; the first `left` columns are left-aligned (labels), the rest numbers."""
    esc = html.escape

    def cls(i: int) -> str:
        return " class='l'" if i < left else ""

    head = "".join(f"<th{cls(i)}>{esc(str(h))}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def pct(n: int, d: int) -> str:
    """n of d as a whole-number percentage, '–' when d is 0."""
    return f"{100 * n / d:.0f}%" if d else "–"


def p_value(p: float | None) -> str:
    """A p-value for HTML: three decimals, '&lt;0.001', or '–'."""
    if p is None:
        return "–"
    return "&lt;0.001" if p < 0.001 else f"{p:.3f}"
