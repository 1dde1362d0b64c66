"""What the review screens share: a status line, one way to run a store action (its error said,
the screen re-read after it) and undo/redo of the coder's last action, codebook edits included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from themecode.errors import ThemecodeError
from themecode.store import Event, Store
from themecode.tui.screens.coding_view import one_line


def said(ev: Event | None, verb: str, noun: str) -> str:
    """What an undo or redo did, in words."""
    return f"{verb} {ev.action} of {ev.target or ''}." if ev else f"Nothing to {noun}."


class ReviewScreen(Screen[Any]):
    """A review screen: `STATUS` names its status line; `after_edit` re-reads what it shows."""

    STATUS = "#status"
    store: Store
    coder: str

    def after_edit(self) -> None:
        """Re-read and re-show what a store action may have changed."""

    def say(self, message: str, *, error: bool = False) -> None:
        """Result of the last action."""
        self.query_one(self.STATUS, Static).update(Text(message, "#bf616a" if error else "#a3be8c"))

    def run_edit(self, what: str, fn: Callable[..., Any], *args: Any,
                 then: Callable[[], None] | None = None) -> tuple[bool, Any]:
        """Call one store action; on success run `then`, re-read the screen and say `what` (its
        `{}` filled with the action's result); on a ThemecodeError say it. Returns (done, result)."""
        try:
            result = fn(*args)
        except ThemecodeError as exc:
            self.say(one_line(exc), error=True)
            return False, None
        if then is not None:
            then()
        self.after_edit()
        if what:
            self.say(what.replace("{}", str(result)))
        return True, result

    def action_undo(self) -> None:
        """Undo my last action (codebook edits included)."""
        self.run_edit("{}", lambda: said(self.store.undo(self.coder), "Undid", "undo"))

    def action_redo(self) -> None:
        """Redo my last undone action."""
        self.run_edit("{}", lambda: said(self.store.redo(self.coder), "Redid", "redo"))
