"""What the coding screen's helpers may ask of the screen: re-render, say, open a modal.

The helpers (`Navigator`, `EditController`, `BackgroundWork`) receive the store, the coder, the
session and an object with this shape in their constructors; the screen is that object. They
never query widgets themselves: every change on screen goes through these methods and the
saturation indicator, called on the UI thread (from actions and message handlers, never workers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from rich.text import Text

from themecode.errors import ThemecodeError
from themecode.store import Code
from themecode.tui.widgets.panels import SaturationIndicator


def one_line(exc: ThemecodeError) -> str:
    """An error's message and hint on one status line."""
    return f"{exc.message} ({exc.hint})" if exc.hint else exc.message


class CodingView(Protocol):
    """The coding screen as its helpers see it."""

    codes: dict[str, Code]  # the codebook, retired codes included (re-read by reload_codes)

    def say(self, message: str, *, error: bool = False) -> None:
        """Show the result of the last action in the status line."""

    def refresh_text(self) -> None:
        """Re-render the commentary and the codes applied to it."""

    def refresh_doc(self) -> None:
        """Re-render the commentary list, text and top bar."""

    def refresh_case(self) -> None:
        """Re-render everything that depends on the current case."""

    def refresh_progress(self) -> None:
        """Re-render the progress panel."""

    def refresh_codebook(self, keep: str | None = None, *, after_paint: bool = False) -> None:
        """Re-render the codebook counts, keeping the highlight on `keep` (`after_paint`: once
        the current frame is on screen)."""

    def refresh_code_detail(self) -> None:
        """Re-render the highlighted code's definition."""

    def reload_codes(self) -> None:
        """Re-read the codebook (after a code is added or an undo touches it)."""

    def moved(self, *, case: bool = False) -> None:
        """Re-render after the session moved to another commentary (or case)."""

    def sample_extended(self, added: int) -> None:
        """The sample grew (another process ran `sample --extend`): recount what depends on it."""

    def save_position(self) -> None:
        """Store the current place now."""

    def show_suggestions(self, heading: Text, items: list[tuple[str, float, str, bool]]) -> None:
        """Show ranked suggestions (code_id, score, source, above threshold)."""

    def show_no_suggestions(self, message: str) -> None:
        """Say why there are no suggestions."""

    def mark_suggestions_stale(self) -> None:
        """Say the suggestions shown are for an earlier selection."""

    @property
    def saturation_indicator(self) -> SaturationIndicator:
        """The live saturation indicator."""

    def highlighted_code(self) -> str | None:
        """Id of the code highlighted in the codebook list."""

    def open_modal(self, screen: Any, callback: Callable[[Any], None]) -> None:
        """Push a modal screen; `callback` gets what it returns."""

    def apply_code(self, code_id: str, *, whole: bool = False, extra: dict[str, Any] | None = None) -> bool:
        """Apply a code to the selection (or the whole commentary); False if nothing was coded."""
