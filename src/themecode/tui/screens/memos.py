"""The memo browser: every memo of the project, filtered by kind, coder and text; Enter opens
what it is written on (a commentary or case in the coding screen, a code in the code browser)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from themecode.review.memos import KINDS, MemoRow, list_memos
from themecode.store import Store

MEMO_BINDINGS: list[Binding] = [
    Binding("escape", "close", "Back", id="memos.close"),
    Binding("enter", "open", "Open target", id="memos.open"),
    Binding("k", "kind", "Kind", id="memos.kind"),
    Binding("o", "coder", "Coder", id="memos.coder"),
    Binding("slash", "text", "Text filter", id="memos.text"),
]


class MemosScreen(Screen[object]):
    """Every live memo, newest first; dismisses with a `JumpTo` or a code id to open."""

    BINDINGS = MEMO_BINDINGS

    def __init__(self, store: Store, coder: str) -> None:
        super().__init__()
        self.store = store
        self.coder = coder
        self.kind: str | None = None
        self.by: str | None = None
        self.text = ""
        self.rows: list[MemoRow] = []

    def compose(self) -> ComposeResult:
        """Title, memo table, the memo's whole text."""
        yield Static(id="memos-title")
        yield DataTable(id="memos-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="memos-text")
        yield Footer()

    def on_mount(self) -> None:
        """List every memo."""
        self.query_one(DataTable).add_columns("on", "target", "by", "updated", "memo")
        self.reload()
        self.query_one(DataTable).focus()

    def reload(self) -> None:
        """Re-read the memos with the filters."""
        self.rows = list_memos(self.store, self.kind, self.by, self.text)
        table = self.query_one(DataTable)
        table.clear()
        for r in self.rows:
            m = r.memo
            table.add_row(m.target_type, Text(r.target_label[:30]), m.coder, m.updated_at[:16],
                          Text(" ".join(m.text.split())[:60]))
        t = Text()
        t.append(" memos ", "bold #2e3440 on #88c0d0")
        t.append(f"  {len(self.rows)} shown · kind: {self.kind or 'all'} · by: "
                 f"{self.by or 'everyone'}")
        if self.text:
            t.append(f" · containing {self.text!r}")
        self.query_one("#memos-title", Static).update(t)
        self.show_current()

    def current(self) -> MemoRow | None:
        """The highlighted memo."""
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def show_current(self) -> None:
        """The memo's whole text."""
        r = self.current()
        body = Text("No memos match.", "dim") if r is None else Text.assemble(
            (f"{r.memo.target_type} {r.memo.target_id} · {r.target_label} · by {r.memo.coder}\n\n",
             "bold"), r.memo.text)
        self.query_one("#memos-text", Static).update(body)

    @on(DataTable.RowHighlighted, "#memos-table")
    def _highlighted(self) -> None:
        self.show_current()

    @on(DataTable.RowSelected, "#memos-table")
    def _selected(self) -> None:
        self.action_open()

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)

    def action_open(self) -> None:
        """Open the memo's commentary or case (coding screen) or code (code browser)."""
        from themecode.tui.screens.review_nav import BrowserState, JumpTo

        r = self.current()
        if r is None or r.memo.target_type == "project":
            return
        m = r.memo
        if m.target_type == "code":
            self.dismiss(m.target_id)
        elif m.target_type == "document":
            self.dismiss(JumpTo(m.target_id, None, None, BrowserState()))
        else:
            self.dismiss(JumpTo(None, None, None, BrowserState(), case_id=m.target_id))

    def action_kind(self) -> None:
        """Cycle the kind filter: all, commentary, case, code, project."""
        order = [None, *KINDS]
        self.kind = order[(order.index(self.kind) + 1) % len(order)]
        self.reload()

    def action_coder(self) -> None:
        """Cycle the coder filter over everyone who wrote a memo."""
        coders = [None, *sorted({r[0] for r in self.store.conn.execute(
            "SELECT DISTINCT coder FROM memos WHERE deleted = 0")})]
        self.by = coders[(coders.index(self.by) + 1) % len(coders)] if self.by in coders else None
        self.reload()

    def action_text(self) -> None:
        """Filter by text in the memo."""
        from themecode.tui.screens.modals import PromptModal

        def chosen(text: str | None) -> None:
            self.text = text or ""
            self.reload()

        self.app.push_screen(PromptModal("Memos containing", "words"), chosen)
