"""Compare coders on one code: the commentaries both coded it in, one only, the other only.

The rows come from `agreement.consensus.code_items` (read in a thread worker: it reads every
coder's codings) and a disagreement is settled with the
consensus review's own `accept` and `reject`, so the lead's decisions here and in
`themecode review` are the same records.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from themecode.agreement.consensus import CONSENSUS, ReviewItem, accept, code_items, reject
from themecode.errors import ThemecodeError
from themecode.store import Store
from themecode.tui.review import unit_text
from themecode.tui.screens.coding_view import one_line
from themecode.tui.screens.review_base import ReviewScreen

COMPARE_BINDINGS: list[Binding] = [
    Binding("escape", "close", "Back", id="compare.close"),
    Binding("a", "accept", "Accept code", id="compare.accept"),
    Binding("x", "reject", "Reject code", id="compare.reject"),
    Binding("d", "only_disagreements", "Disagreements only", id="compare.disagreements"),
    Binding("c", "coders", "Choose coders", id="compare.coders"),
    Binding("ctrl+z", "undo", "Undo decision", id="compare.undo"),
]


class ItemsReady(Message):
    """The worker read the comparison (or the error that stopped it)."""

    def __init__(self, items: list[ReviewItem], error: str = "") -> None:
        super().__init__()
        self.items = items
        self.error = error


class CompareScreen(ReviewScreen):
    """One code, two or more coders: agreed and disputed commentaries, settled into consensus."""

    BINDINGS = COMPARE_BINDINGS
    STATUS = "#compare-status"

    def __init__(self, store: Store, code: str, coders: Sequence[str], *,
                 consensus: str = CONSENSUS, counts: dict[str, int] | None = None) -> None:
        """`counts`: every coder of the code with their extracts (the choice `c` offers)."""
        super().__init__()
        self.store = store
        self.code = code
        self.coders = list(coders)
        self.counts = counts or {c: 0 for c in coders}
        self.consensus = consensus
        self.items: list[ReviewItem] = []  # shown (all, or the disagreements only)
        self.all_items: list[ReviewItem] = []
        self.disagreements_only = False

    def compose(self) -> ComposeResult:
        """Title, the units, the unit's text with the applying coders' spans, status."""
        yield Static(id="compare-title")
        yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="compare-text")
        yield Static(id="compare-status")
        yield Footer()

    def on_mount(self) -> None:
        """Read the comparison."""
        self.query_one(DataTable).add_columns("commentary", "coded by", "not by", "decision")
        self.reload()
        self.query_one(DataTable).focus()

    def reload(self) -> None:
        """Re-read the units and decisions in a worker (it reads every coder's codings)."""
        self.query_one("#compare-title", Static).update(Text(" comparing…", "dim"))
        self._read()

    @work(thread=True, exclusive=True, group="compare")
    def _read(self) -> None:
        try:
            with self.store.reopen() as own:
                items = code_items(own, self.coders, self.code, consensus=self.consensus)
        except ThemecodeError as exc:
            self.post_message(ItemsReady([], one_line(exc)))
            return
        self.post_message(ItemsReady(items))

    def on_items_ready(self, message: ItemsReady) -> None:
        """Show the comparison the worker read."""
        if message.error:
            self.say(message.error, error=True)
        self.all_items = message.items
        self.show_items()

    def show_items(self) -> None:
        """The table and title from the last comparison read."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        items = self.all_items
        both = sum(1 for i in items if not i.not_applied)
        only = {c: sum(1 for i in items if i.applied == (c,)) for c in self.coders}
        self.items = [i for i in items if i.not_applied] if self.disagreements_only else items
        table.clear()
        for i in self.items:
            table.add_row(i.unit, ", ".join(i.applied), ", ".join(i.not_applied) or "—",
                          i.decision or "open")
        t = Text()
        t.append(f" compare: {self.store.code(self.code).label} ", "bold #2e3440 on #88c0d0")
        t.append(f"  both: {both} · ")  # the counts first: they must fit 80 columns
        t.append(" · ".join(f"{c} only: {n}" for c, n in only.items()))
        t.append(f"  (commentaries {' and '.join(self.coders)} both marked done)", "dim")
        self.query_one("#compare-title", Static).update(t)
        if self.items:
            table.move_cursor(row=min(max(row, 0), len(self.items) - 1))
        self.show_current()

    def current(self) -> ReviewItem | None:
        """The highlighted unit."""
        row = self.query_one(DataTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def show_current(self) -> None:
        """The unit's text with the applying coders' spans of the code highlighted."""
        item = self.current()
        self.query_one("#compare-text", Static).update(
            unit_text(self.store, item) if item else Text("Nothing to compare.", "dim"))

    @on(DataTable.RowHighlighted, "#compare-table")
    def _highlighted(self) -> None:
        self.show_current()

    def action_close(self) -> None:
        """Back to the code browser (which remembers the pair compared)."""
        self.dismiss(tuple(self.coders))

    def action_coders(self) -> None:
        """Choose two other coders to compare (space chooses, Enter compares)."""
        from themecode.tui.screens.review_modals import CoderPicker

        def chosen(pair: object) -> None:
            if isinstance(pair, tuple) and list(pair) != self.coders:
                self.coders = list(pair)
                self.reload()

        if len(self.counts) < 3:
            self.say("Only these two coders used this code.", error=True)
            return
        label = self.store.code(self.code).label
        self.app.push_screen(CoderPicker(self.counts, self.coders,
                                         f"Compare coders on {label}: choose two"), chosen)

    def action_accept(self) -> None:
        """Accept the code on this commentary: the applying coders' codings go to consensus."""
        item = self.current()
        if item is None or not item.not_applied:
            self.say("Both coders applied the code here; nothing to settle.", error=True)
            return
        n = accept(self.store, item, consensus=self.consensus)
        self.reload()
        self.say(f"Accepted on {item.unit}: {n} coding(s) copied to {self.consensus}.")

    def action_reject(self) -> None:
        """Reject the code on this commentary (recorded as the consensus coder's decision)."""
        item = self.current()
        if item is None or not item.not_applied:
            self.say("Both coders applied the code here; nothing to settle.", error=True)
            return
        reject(self.store, item, consensus=self.consensus)
        self.reload()
        self.say(f"Rejected on {item.unit}.")

    def action_only_disagreements(self) -> None:
        """Show only the commentaries the coders disagree on (again: show all)."""
        self.disagreements_only = not self.disagreements_only
        self.show_items()

    def action_undo(self) -> None:
        """Undo the consensus coder's last accepted coding."""
        ev = self.store.undo(self.consensus)
        self.reload()
        self.say(f"Undid {ev.action} on {ev.target}." if ev else "Nothing to undo.")
