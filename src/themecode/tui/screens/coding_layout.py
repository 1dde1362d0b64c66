"""Which layout the coding screen takes at a terminal size, and the notice when it is too small.

Pure functions of the size, so the choice is tested without a terminal; the screen sets the
class named here on itself and `app.tcss` shows or hides columns by it.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDE = 140  # cells: case column, commentary and codebook side by side
MEDIUM = 100  # cells: commentary and codebook; the case moves to a strip above the text
SHORT = 36  # rows: below this the codebook drops its theme headings
MIN_WIDTH = 60  # cells: below this (or the rows the compact layout needs) a notice is shown
# Rows the compact layout needs besides the code grid: top bar, case strip (3), commentary
# (2 borders + 3 lines), codes applied (3), suggestion line, status line, key bar.
COMPACT_ROWS = 1 + 3 + 5 + 3 + 1 + 1 + 1
MODES = ("wide", "medium", "narrow", "too-small")


@dataclass(frozen=True)
class Layout:
    """A layout mode ("wide", "medium", "narrow" or "too-small"), whether rows are short, and
    the notice to show when the terminal is too small."""

    mode: str
    short: bool
    notice: str = ""


def choose_layout(width: int, height: int, code_grid_rows: int) -> Layout:
    """The layout for a `width` x `height` terminal whose code grid takes `code_grid_rows` rows
    in the one-column layout (the true minimum depends on the codebook's size)."""
    need = COMPACT_ROWS + code_grid_rows
    short = height < SHORT
    if width < MIN_WIDTH or height < need:
        return Layout("too-small", short, (
            f"The terminal is too small for themecode ({width}x{height}): it needs at least "
            f"{max(width, MIN_WIDTH)}x{max(height, need)} (80x24 or larger is comfortable). "
            "Enlarge the window or use a smaller font; ctrl+q quits."))
    return Layout("wide" if width >= WIDE else "medium" if width >= MEDIUM else "narrow", short)
