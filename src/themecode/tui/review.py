"""The review screen: settle double-coding disagreements into a consensus coder.

`themecode review study.db --coders amy,ben` lists every (unit, code) the coders disagreed on,
shows the commentary with the applying coders' spans highlighted, and lets the lead accept (copy
the codings to the consensus coder) or reject (record the decision) each one, by keyboard.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from themecode.agreement.consensus import (
    CONSENSUS,
    ReviewItem,
    accept,
    copy_agreed,
    reject,
    review_items,
    unit_documents,
)
from themecode.store import Store

REVIEW_BINDINGS = [
    Binding("a", "accept", "Accept code", id="review.accept"),
    Binding("x", "reject", "Reject code", id="review.reject"),
    Binding("g", "copy_agreed", "Copy agreed codes", id="review.copy_agreed"),
    Binding("ctrl+z", "undo", "Undo", id="review.undo"),
    Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
]


def unit_text(store: Store, item: ReviewItem) -> Text:
    """A review unit's commentaries, literally, with the applying coders' spans of the item's
    code highlighted (shared by the review app and the code browser's compare view)."""
    parts: list[Text] = []
    for doc_id in unit_documents(store, item.unit_type, item.unit):
        doc = store.document(doc_id)
        text = Text(doc.text)
        for c in store.codings(doc_id, code_id=item.code):
            if c.coder in item.applied:
                text.stylize("reverse", c.start, c.end)
        parts.append(Text(f"{doc.id} ({doc.stage or ''})\n", style="bold") + text)
    return Text("\n\n").join(parts)


class ReviewApp(App[None]):
    """Keyboard review of disagreements between coders, resolved into a consensus coder."""

    CSS_PATH = "review.tcss"
    TITLE = "themecode review"
    BINDINGS = REVIEW_BINDINGS
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, store: Store, coders: Sequence[str], unit_type: str = "commentary", *,
                 consensus: str = CONSENSUS) -> None:
        super().__init__()
        self.store = store
        self.coders = list(coders)
        self.unit_type = unit_type
        self.consensus = consensus
        self.items: list[ReviewItem] = []
        self.labels = {c.id: c.label for c in store.codes(include_retired=True)}

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield Static(id="text")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("unit", "code", "applied by", "not by", "decision")
        self.reload()

    def reload(self, keep_row: int | None = None) -> None:
        """Re-read the disagreements and decisions from the database."""
        self.items = review_items(self.store, self.coders, self.unit_type,
                                  consensus=self.consensus)
        table = self.query_one(DataTable)
        row = table.cursor_row if keep_row is None else keep_row
        table.clear()
        for item in self.items:
            table.add_row(Text(item.unit), Text(self.labels.get(item.code, item.code)),
                          Text(", ".join(item.applied)), Text(", ".join(item.not_applied)),
                          Text(item.decision or "open"))
        open_n = sum(1 for i in self.items if i.decision is None)
        self.query_one("#title", Static).update(Text(
            f"{len(self.items)} disagreements between {', '.join(self.coders)} "
            f"(by {'commentary' if self.unit_type == 'commentary' else 'case'}); {open_n} open; "
            f"consensus coder: {self.consensus}"))
        if self.items:
            table.move_cursor(row=min(max(row, 0), len(self.items) - 1))
            self.show(self.current())

    def current(self) -> ReviewItem | None:
        """The highlighted disagreement."""
        row = self.query_one(DataTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def show(self, item: ReviewItem | None) -> None:
        """The unit's text, literally, with the applying coders' spans of the code highlighted."""
        if item is not None:
            self.query_one("#text", Static).update(unit_text(self.store, item))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show(self.current())

    def say(self, message: str) -> None:
        self.query_one("#status", Static).update(Text(message))

    def action_accept(self) -> None:
        item = self.current()
        if item is not None:
            n = accept(self.store, item, consensus=self.consensus)
            self.reload()
            self.say(f"Accepted {item.code} on {item.unit}: {n} coding(s) copied to {self.consensus}.")

    def action_reject(self) -> None:
        item = self.current()
        if item is not None:
            reject(self.store, item, consensus=self.consensus)
            self.reload()
            self.say(f"Rejected {item.code} on {item.unit}.")

    def action_copy_agreed(self) -> None:
        n = copy_agreed(self.store, self.coders, self.unit_type, consensus=self.consensus)
        self.reload()
        self.say(f"Copied {n} agreed coding(s) to {self.consensus}.")

    def action_undo(self) -> None:
        ev = self.store.undo(self.consensus)
        self.reload()
        self.say(f"Undid {ev.action} {ev.payload.get('code_id', '')}." if ev else "Nothing to undo.")


def run_review(path: str, coders: Sequence[str], unit_type: str = "commentary", *,
               consensus: str = CONSENSUS) -> None:
    """Open the review app on a project file."""
    with Store.open(path) as store:
        ReviewApp(store, coders, unit_type, consensus=consensus).run()
