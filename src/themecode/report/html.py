"""Small HTML helpers the report's modules share: tables, percentages and p-values."""

from __future__ import annotations

import html
from typing import Any

from themecode.corpus.controls import visible


def esc(text: str, quote: bool = True) -> str:
    """HTML-escaped text with hidden control characters shown visibly (`controls.visible`): every
    user string the report prints goes through here."""
    return html.escape(visible(text), quote)


def table(header: list[str], rows: list[list[Any]], *, left: int = 1,
          group_rows: bool = False) -> str:
    """An HTML table; the first `left` columns are left-aligned (labels), the rest numbers.
    With `group_rows`, the first row is an N row and rows with only a label are group headings."""

    def cls(i: int) -> str:
        return " class='l'" if i < left else ""

    def row_cls(k: int, row: list[Any]) -> str:
        if not group_rows:
            return ""
        if k == 0:
            return " class='n'"
        return " class='group'" if all(c == "" for c in row[1:]) else ""

    head = "".join(f"<th{cls(i)} scope='col'>{esc(str(h))}</th>" for i, h in enumerate(header))
    body = "".join(
        f"<tr{row_cls(k, row)}>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for k, row in enumerate(rows)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def pct(n: int, d: int) -> str:
    """n of d as a whole-number percentage, 'under 1%' for a share that would round to 0% but is not
    none (two cases of 437 are not "0%"), '–' when d is 0."""
    if not d:
        return "–"
    return "under 1%" if 0 < 100 * n / d < 0.5 else f"{100 * n / d:.0f}%"


def p_value(p: float | None) -> str:
    """A p-value for HTML: three decimals, '&lt;0.001', or '–'."""
    if p is None:
        return "–"
    return "&lt;0.001" if p < 0.001 else f"{p:.3f}"
