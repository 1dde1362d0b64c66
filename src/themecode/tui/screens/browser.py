"""The code browser: every extract of a code or theme across the project, one page at a time.

The ordered coding ids of the chosen code (with the filters) are read once (`review.extracts`,
one query on a covering index, about 0.07 s for 38,000 extracts); the table shows one page of them and loads the next when the cursor moves
past its last row (or on `]`). From an extract
the researcher jumps to it in the coding screen, removes or recodes it, widens or narrows it,
marks extracts and splits them off into a new code, edits the code, or compares coders on it.
Every write is one undoable store action, re-read from the database before it is shown.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from themecode.agreement.consensus import CONSENSUS
from themecode.codebook import merge_codes
from themecode.review.edits import edit_code, recode, respan, split_code, word_step
from themecode.review.extracts import (
    Extract,
    ExtractFilter,
    code_coders,
    coder_counts,
    extract_ids,
    load_extracts,
    metadata_values,
    theme_code_ids,
)
from themecode.store import Store
from themecode.tui.screens.review_base import ReviewScreen
from themecode.tui.screens.review_nav import BrowserState, JumpTo

PAGE = 100

BROWSER_BINDINGS: list[Binding] = [
    Binding("escape", "close", "Back", id="browser.close"),
    Binding("c", "pick", "Code/theme", id="browser.pick"),
    Binding("o", "coder", "Coder", id="browser.coder"),
    Binding("m", "metadata", "Case filter", show=False, id="browser.metadata"),
    Binding("slash", "text", "Text filter", show=False, id="browser.text"),
    Binding("s", "sort", "Sort", show=False, id="browser.sort"),
    Binding("x", "clear", "Clear filters", show=False, id="browser.clear"),
    Binding("right_square_bracket", "page(1)", "Next page", show=False, id="browser.next_page"),
    Binding("left_square_bracket", "page(-1)", "Previous page", show=False,
            id="browser.prev_page"),
    Binding("g", "jump", "Go to in coding", id="browser.jump"),
    Binding("space", "mark", "Mark", id="browser.mark"),
    Binding("delete,backspace", "uncode", "Remove code", show=False, id="browser.uncode"),
    Binding("r", "recode", "Recode", id="browser.recode"),
    Binding("p", "split", "Split off", id="browser.split"),
    Binding("ctrl+left", "respan('start_earlier')", "Extract starts a word earlier", show=False,
            id="browser.start_earlier"),
    Binding("ctrl+right", "respan('start_later')", "Extract starts a word later", show=False,
            id="browser.start_later"),
    Binding("shift+left", "respan('end_earlier')", "Extract ends a word earlier", show=False,
            id="browser.end_earlier"),
    Binding("shift+right", "respan('end_later')", "Extract ends a word later", show=False,
            id="browser.end_later"),
    Binding("e", "edit", "Edit code", id="browser.edit"),
    Binding("u", "merge", "Merge into…", show=False, id="browser.merge"),
    Binding("v", "compare", "Compare coders", id="browser.compare"),
    Binding("t", "themes", "Themes", show=False, id="browser.themes"),
    Binding("n", "memos", "Memos", show=False, id="browser.memos"),
    Binding("ctrl+z", "undo", "Undo", show=False, id="browser.undo"),
    Binding("ctrl+y", "redo", "Redo", show=False, id="browser.redo"),
]


class ExtractTable(DataTable[Any]):
    """The page of extracts; moving past its first or last row asks the screen for the
    previous or next page, so the list scrolls on without ever holding more than one page."""

    class Edge(Message):
        """The cursor tried to leave the page (`delta` -1: above it, +1: below it)."""

        def __init__(self, delta: int) -> None:
            super().__init__()
            self.delta = delta

    def action_cursor_down(self) -> None:
        """Next row, or the next page from the last row."""
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.post_message(self.Edge(1))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        """Previous row, or the previous page from the first row."""
        if self.cursor_row <= 0:
            self.post_message(self.Edge(-1))
        else:
            super().action_cursor_up()


def extract_text(e: Extract, label: str) -> Text:
    """An extract literally: its facts, then the span highlighted inside its sentence(s)."""
    t = Text()
    t.append(f"{e.case_id} · {e.stage or 'no stage'} · {e.document_id} · coded by {e.coder}",
             "bold")
    t.append(f" · {label}\n", "#88c0d0")
    meta = " · ".join(f"{k}: {v}" for k, v in e.case_metadata.items() if v not in ("", None))
    if meta:
        t.append(meta + "\n", "dim")
    t.append("\n")
    t.append(e.before)
    t.append(e.span, "reverse")
    t.append(e.after)
    if e.memo:
        t.append(f"\n\nmemo: {e.memo}", "italic #ebcb8b")
    return t


class CodeBrowserScreen(ReviewScreen):
    """Every extract of a code or theme: filter, sort, read in context, refine."""

    BINDINGS = BROWSER_BINDINGS
    STATUS = "#browser-status"

    def __init__(self, store: Store, coder: str, state: BrowserState | None = None) -> None:
        super().__init__()
        self.store = store
        self.coder = coder
        self.state = state or BrowserState()
        self.ids: list[int] = []
        self.page: list[Extract] = []
        self.first = 0
        self.marked: set[int] = set()
        self.labels: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        """Title, extract table, extract in context, status line, footer."""
        yield Static(id="browser-title")
        yield ExtractTable(id="browser-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="browser-extract")
        yield Static(id="browser-status")
        yield Footer()

    def on_mount(self) -> None:
        """Open the remembered code, or the first code of the codebook."""
        table = self.query_one(DataTable)
        table.add_columns(" ", "case", "stage", "coder", "code", "extract")
        if self.state.target is None:
            first = next(iter(self.store.codes(kind="code")), None)
            self.state = replace(self.state, target=first.id if first else None)
        self.reload(keep_row=self.state.row)
        table.focus()

    # ------------------------------------------------------------------ reading
    @property
    def filter(self) -> ExtractFilter:
        """The filter the list shows."""
        s = self.state
        codes = theme_code_ids(self.store, s.target) if s.target else ()
        return ExtractFilter(codes, s.coders, s.metadata, s.text, s.sort)

    def reload(self, keep_row: int | None = None) -> None:
        """Re-read the ordered ids and show the page holding `keep_row` (default: the cursor)."""
        self.labels = {c.id: c.label for c in self.store.codes(include_retired=True)}
        row = self.current_row if keep_row is None else keep_row
        self.ids = extract_ids(self.store, self.filter)
        self.marked &= set(self.ids)
        row = max(0, min(row, len(self.ids) - 1))
        self.show_page(row - row % PAGE, row)

    @property
    def current_row(self) -> int:
        """Index of the highlighted extract in the whole list."""
        return self.first + max(0, self.query_one(DataTable).cursor_row)

    def show_page(self, offset: int, row: int | None = None) -> None:
        """Load and show the page of extracts starting at `offset`."""
        self.first = max(0, offset)
        self.page = load_extracts(self.store, self.ids[self.first:self.first + PAGE])
        table = self.query_one(DataTable)
        table.clear()
        for e in self.page:
            table.add_row(Text("●" if e.coding_id in self.marked else " ", "#ebcb8b"),
                          e.case_id, e.stage or "", e.coder,
                          Text(self.labels.get(e.code_id, e.code_id)),
                          Text(" ".join(e.span.split())[:80]), key=str(e.coding_id))
        if self.page:
            table.move_cursor(row=max(0, min((row or self.first) - self.first,
                                             len(self.page) - 1)))
        self.refresh_title()
        self.show_current()

    def refresh_title(self) -> None:
        """What is listed, with which filters and where in the list."""
        s = self.state
        t = Text()
        target = self.labels.get(s.target or "", "no code chosen")
        kind = "theme" if s.target and self.store.code(s.target).kind == "theme" else "code"
        t.append(f" {kind}: {target} ", "bold #2e3440 on #88c0d0")
        t.append(f"  {len(self.ids):,} extracts")
        t.append(f"  · coder: {', '.join(s.coders) or 'everyone'}")
        for k, v in s.metadata:
            t.append(f"  · {k} = {v}")
        if s.text:
            t.append(f"  · text contains {s.text!r}")
        t.append(f"  · {'case order' if s.sort == 'case' else 'longest first'}")
        pages = max(1, -(-len(self.ids) // PAGE))
        t.append(f"  · page {self.first // PAGE + 1}/{pages}", "dim")
        if self.marked:
            t.append(f"  · {len(self.marked)} marked", "#ebcb8b")
        self.query_one("#browser-title", Static).update(t)

    def current(self) -> Extract | None:
        """The highlighted extract."""
        row = self.query_one(DataTable).cursor_row
        return self.page[row] if 0 <= row < len(self.page) else None

    def show_current(self) -> None:
        """The highlighted extract in its context."""
        e = self.current()
        body = extract_text(e, self.labels.get(e.code_id, e.code_id)) if e else Text(
            "No extracts match." if self.state.target else "Press c to choose a code.", "dim")
        self.query_one("#browser-extract", Static).update(body)

    def after_edit(self) -> None:
        """Re-read the list after a store action."""
        self.reload()

    def clear_marks(self) -> None:
        """Forget the marked extracts (after they were split off, recoded or removed)."""
        self.marked.clear()

    @on(DataTable.RowHighlighted, "#browser-table")
    def _highlighted(self) -> None:
        self.show_current()

    def on_extract_table_edge(self, message: ExtractTable.Edge) -> None:
        """Scroll on into the next or previous page."""
        if message.delta > 0 and self.first + PAGE < len(self.ids):
            self.show_page(self.first + PAGE, self.first + PAGE)
        elif message.delta < 0 and self.first > 0:
            self.show_page(self.first - PAGE, self.first - 1)

    @on(DataTable.RowSelected, "#browser-table")
    def _selected(self) -> None:
        self.action_jump()

    # ------------------------------------------------------------------ filters
    def set_state(self, **changes: object) -> None:
        """Change what is listed and show it from the top."""
        self.state = replace(self.state, **changes)  # type: ignore[arg-type]
        self.reload(keep_row=0)

    def action_pick(self) -> None:
        """Choose the code (or theme) to browse."""
        from themecode.tui.screens.review_modals import TargetPicker

        def chosen(code_id: object) -> None:
            if isinstance(code_id, str):
                self.marked.clear()
                self.set_state(target=code_id)

        self.app.push_screen(TargetPicker(self.store.codes(), "Browse code or theme"), chosen)

    def action_coder(self) -> None:
        """Cycle the coder filter: everyone, then each coder of this code in turn."""
        order: list[str | None] = [None, *code_coders(self.store, self.filter.code_ids)]
        cur = self.state.coders[0] if self.state.coders else None
        nxt = order[(order.index(cur) + 1) % len(order)] if cur in order else None
        self.set_state(coders=(nxt,) if nxt else ())

    def action_metadata(self) -> None:
        """Filter by a case metadata field: type `field=value` (choices are listed)."""
        from themecode.tui.screens.modals import PromptModal

        fields = metadata_values(self.store)
        hint = "; ".join(f"{k}: {', '.join(v[:6])}{'…' if len(v) > 6 else ''}"
                         for k, v in fields.items())

        def chosen(answer: str | None) -> None:
            if not answer or "=" not in answer:
                return
            key, value = (p.strip() for p in answer.split("=", 1))
            kept = tuple(kv for kv in self.state.metadata if kv[0] != key)
            self.set_state(metadata=(*kept, (key, value)) if value else kept)

        self.app.push_screen(PromptModal(f"Case filter field=value ({hint})", "rosh=high"),
                             chosen)

    def action_text(self) -> None:
        """Filter by text inside the extract."""
        from themecode.tui.screens.modals import PromptModal

        self.app.push_screen(PromptModal("Extracts containing", "words"),
                             lambda text: self.set_state(text=text or ""))

    def action_sort(self) -> None:
        """Case order ↔ longest first."""
        self.set_state(sort="length" if self.state.sort == "case" else "case")

    def action_clear(self) -> None:
        """Drop every filter."""
        self.set_state(coders=(), metadata=(), text="")

    def action_page(self, delta: int) -> None:
        """Next or previous page of extracts."""
        offset = self.first + delta * PAGE
        if 0 <= offset < len(self.ids):
            self.show_page(offset, offset)

    # ------------------------------------------------------------------ leaving
    def remembered(self) -> BrowserState:
        """The state to come back to."""
        return replace(self.state, row=self.current_row)

    def action_close(self) -> None:
        """Back to where the browser was opened from."""
        self.dismiss(None)

    def action_jump(self) -> None:
        """Open the extract in the coding screen (the browser comes back at the same place)."""
        e = self.current()
        if e is not None:
            self.dismiss(JumpTo(e.document_id, e.start, e.end, self.remembered()))

    def action_themes(self) -> None:
        """The themes screen (theme development)."""
        from themecode.tui.screens.themes import ThemesScreen

        def back(target: object) -> None:
            if isinstance(target, str):
                self.set_state(target=target)
            else:
                self.reload()

        self.app.push_screen(ThemesScreen(self.store, self.coder), back)

    def action_memos(self) -> None:
        """The memo browser; opening a memo's commentary or case leaves for the coding screen."""
        from themecode.tui.screens.memos import MemosScreen

        def back(target: object) -> None:
            if isinstance(target, JumpTo):
                self.dismiss(replace(target, state=self.remembered()))
            elif isinstance(target, str):
                self.set_state(target=target)

        self.app.push_screen(MemosScreen(self.store, self.coder), back)

    # ------------------------------------------------------------------ edits
    def chosen_ids(self) -> list[int]:
        """The marked extracts, or the highlighted one."""
        e = self.current()
        return sorted(self.marked) if self.marked else ([e.coding_id] if e else [])

    def action_mark(self) -> None:
        """Mark or unmark the highlighted extract (for split and recode)."""
        e = self.current()
        if e is None:
            return
        self.marked ^= {e.coding_id}
        table = self.query_one(DataTable)
        table.update_cell(str(e.coding_id), table.ordered_columns[0].key,
                          Text("●" if e.coding_id in self.marked else " ", "#ebcb8b"))
        table.move_cursor(row=table.cursor_row + 1)
        self.refresh_title()

    def action_uncode(self) -> None:
        """Take the code off the highlighted (or marked) extracts (undoable)."""
        ids = self.chosen_ids()
        if ids:
            self.run_edit("Removed {} extract(s) from the code (ctrl+z undoes).",
                          self.store.remove_codings, ids, self.coder, then=self.clear_marks)

    def action_recode(self) -> None:
        """Move the highlighted (or marked) extracts to another code."""
        from themecode.tui.screens.modals import CodePicker

        ids = self.chosen_ids()

        def chosen(code_id: object) -> None:
            if isinstance(code_id, str):
                self.run_edit(f"Recoded {{}} extract(s) to {self.labels.get(code_id, code_id)} "
                              "(ctrl+z undoes).", recode, self.store, ids, code_id, self.coder,
                              then=self.clear_marks)

        if ids:
            self.app.push_screen(CodePicker(self.store.codes(), "Recode the extract(s) to"),
                                 chosen)

    def action_split(self) -> None:
        """Split the marked extracts (or the highlighted one) off into a new code."""
        from themecode.tui.screens.modals import PromptModal

        ids, source = self.chosen_ids(), self.state.target

        def chosen(label: str | None) -> None:
            if label and source:
                self.run_edit(f"New code {label!r} took {len(ids)} extract(s) (ctrl+z undoes "
                              "the split).", split_code, self.store, source, ids, label,
                              self.coder, then=self.clear_marks)

        if ids and source:
            self.app.push_screen(PromptModal(f"Split {len(ids)} extract(s) off into a new code",
                                             "label of the new code"), chosen)

    def action_respan(self, how: str) -> None:
        """Widen or narrow the highlighted extract by a word at one end."""
        e = self.current()
        if e is None:
            return
        text = self.store.document(e.document_id).text
        span = word_step(text, e.start, e.end, how)
        if span is None:
            self.say("The extract cannot move further that way.", error=True)
            return
        snippet = text[span[0]:span[1]][:60].replace("{", "{{").replace("}", "}}")
        _, new_id = self.run_edit("Extract is now: " + snippet, respan, self.store, e.coding_id,
                                  span[0], span[1], self.coder)
        if isinstance(new_id, int) and new_id in self.ids:
            self.show_page(self.first, self.ids.index(new_id))

    def action_edit(self) -> None:
        """Edit the browsed code's (or theme's) definition and other fields."""
        from themecode.tui.screens.review_modals import CodeEditor

        if not self.state.target:
            return
        code = self.store.code(self.state.target)

        def save(changes: object) -> None:
            if isinstance(changes, dict):
                self.run_edit(f"Saved {code.id} (ctrl+z undoes).",
                              lambda: edit_code(self.store, code.id, self.coder, **changes))

        self.app.push_screen(CodeEditor(code, self.store.codes(kind="theme")), save)

    def action_merge(self) -> None:
        """Merge the browsed code into another (its extracts move; undoable)."""
        from themecode.tui.screens.modals import CodePicker

        source = self.state.target

        def chosen(code_id: object) -> None:
            if isinstance(code_id, str) and source:
                done, _ = self.run_edit("", merge_codes, self.store, source, code_id, self.coder)
                if done:
                    self.set_state(target=code_id)
                    self.say(f"Merged {source} into {code_id} (ctrl+z undoes).")

        if source:
            self.app.push_screen(CodePicker(self.store.codes(), f"Merge {source} into"), chosen)

    def action_compare(self) -> None:
        """Compare two coders on this code: both, one only, the other only (with more than two
        coders, a picker chooses the pair; the last pair is chosen first)."""
        from themecode.tui.screens.compare import CompareScreen
        from themecode.tui.screens.review_modals import CoderPicker

        codes = self.filter.code_ids
        if len(codes) != 1:
            self.say("Choose one code (not a theme) to compare coders on.", error=True)
            return
        counts = {c: n for c, n in coder_counts(self.store, codes).items() if c != CONSENSUS}
        if len(counts) < 2:
            self.say("Only one coder has used this code; nothing to compare.", error=True)
            return

        def compare(pair: object) -> None:
            if isinstance(pair, tuple):
                self.state = replace(self.state, compared=pair)
                self.app.push_screen(CompareScreen(self.store, codes[0], pair, counts=counts),
                                     self._compared)

        if len(counts) == 2:
            compare(tuple(counts))
        else:
            label = self.labels.get(codes[0], codes[0])
            self.app.push_screen(CoderPicker(counts, self.state.compared or tuple(counts)[:2],
                                             f"Compare coders on {label}: choose two"), compare)

    def _compared(self, pair: object) -> None:
        """Back from comparing: remember the pair last compared there, re-read the list."""
        if isinstance(pair, tuple):
            self.state = replace(self.state, compared=pair)
        self.reload()
