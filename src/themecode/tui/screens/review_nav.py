"""Where the review screens send the researcher: the code browser's remembered place and a jump
to a commentary or case in the coding screen (plain records, so the screens that return them
need not import each other)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BrowserState:
    """Where the browser was: code or theme, filters, sort and row (kept across a jump)."""

    target: str | None = None
    coders: tuple[str, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    text: str = ""
    sort: str = "case"
    row: int = 0
    compared: tuple[str, ...] = ()  # the coders last compared (chosen first next time)


@dataclass(frozen=True)
class JumpTo:
    """What the browser returns to open an extract (or memo target) in the coding screen."""

    document_id: str | None
    start: int | None
    end: int | None
    state: BrowserState
    case_id: str | None = None
