"""The themes screen: theme development. Each theme with its codes, the sampled cases they were
applied in and that share of the sample, the codes in no theme yet, and the candidate-theme
workflow: new theme, move a code into it, describe it, mark it reviewed; merge or retire codes.

The figures are counted in a thread worker (its own `Store`) and posted back as a message; every
edit is one undoable store action, after which the figures are counted again.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from themecode.codebook import merge_codes, retire_code
from themecode.errors import ThemecodeError
from themecode.review.edits import create_theme, edit_code, move_code, set_reviewed
from themecode.review.themes import CodeCount, ThemeOverview, theme_overview
from themecode.store import Code, Store
from themecode.tui.screens.coding_view import one_line
from themecode.tui.screens.review_base import ReviewScreen

THEME_BINDINGS: list[Binding] = [
    Binding("escape", "close", "Back", id="themes.close"),
    Binding("enter", "browse", "Browse extracts", id="themes.browse"),
    Binding("n", "new_theme", "New theme", id="themes.new"),
    Binding("m", "move", "Move to theme", id="themes.move"),
    Binding("e", "edit", "Edit", id="themes.edit"),
    Binding("r", "reviewed", "Reviewed", id="themes.reviewed"),
    Binding("u", "merge", "Merge into…", show=False, id="themes.merge"),
    Binding("x", "retire", "Retire code", show=False, id="themes.retire"),
    Binding("ctrl+z", "undo", "Undo", id="themes.undo"),
    Binding("ctrl+y", "redo", "Redo", id="themes.redo"),
]


class OverviewReady(Message):
    """The worker counted the theme figures."""

    def __init__(self, overview: ThemeOverview | None, error: str = "") -> None:
        super().__init__()
        self.overview = overview
        self.error = error


class ThemesScreen(ReviewScreen):
    """Themes with their codes and prevalence; dismisses with a code id to browse, or None."""

    BINDINGS = THEME_BINDINGS
    STATUS = "#themes-status"

    def __init__(self, store: Store, coder: str) -> None:
        super().__init__()
        self.store = store
        self.coder = coder
        self.overview: ThemeOverview | None = None
        self.order: list[str] = []

    def compose(self) -> ComposeResult:
        """Title, the themes table, detail of the highlighted row, status."""
        yield Static(id="themes-title")
        yield DataTable(id="themes-table", cursor_type="row")
        yield Static(id="themes-detail")
        yield Static(id="themes-status")
        yield Footer()

    def on_mount(self) -> None:
        """Show the codebook at once; the figures follow from the worker."""
        self.query_one(DataTable).add_columns("theme / code", "cases", "of sample", "extracts",
                                              "reviewed")
        self.fill()
        self.count()
        self.query_one(DataTable).focus()

    @work(thread=True, exclusive=True, group="themes")
    def count(self) -> None:
        """Count the figures on a connection of this thread."""
        try:
            with self.store.reopen() as own:
                self.post_message(OverviewReady(theme_overview(own)))
        except ThemecodeError as exc:
            self.post_message(OverviewReady(None, one_line(exc)))

    def on_overview_ready(self, message: OverviewReady) -> None:
        """Show the counted figures."""
        if message.overview is None:
            self.say(message.error, error=True)
            return
        self.overview = message.overview
        self.fill()

    def fill(self) -> None:
        """The table from the codebook and, once counted, the figures."""
        table = self.query_one(DataTable)
        keep = self.current_id()
        table.clear()
        self.order = []
        ov = self.overview
        counts = {cc.code.id: cc for t in ov.themes for cc in t.codes} if ov else {}
        if ov:
            counts.update({cc.code.id: cc for cc in ov.unthemed})
        theme_cases = {t.theme.id: t for t in ov.themes} if ov else {}
        codes = self.store.codes()
        themes = [c for c in codes if c.kind == "theme"]
        ids = {t.id for t in themes}

        def add(code: Code, label: Text, cc: CodeCount | None, n_cases: int | None) -> None:
            n = ov.sample_cases if ov else 0
            pct = f"{100 * n_cases / n:.0f}%" if ov and n and n_cases is not None else "…"
            table.add_row(label, "…" if n_cases is None else str(n_cases), pct,
                          "" if code.kind == "theme" else (str(cc.extracts) if cc else "…"),
                          f"✓ {code.reviewed_by}" if code.reviewed_at else "", key=code.id)
            self.order.append(code.id)

        for t in themes:
            ts = theme_cases.get(t.id)
            add(t, Text(t.label, "bold"), None, ts.cases if ts else (0 if ov else None))
            for c in codes:
                if c.kind == "code" and c.parent == t.id:
                    cc = counts.get(c.id)
                    add(c, Text(f"   {c.label}"), cc, cc.cases if cc else (0 if ov else None))
        loose = [c for c in codes if c.kind == "code" and c.parent not in ids]
        for c in loose:
            cc = counts.get(c.id)
            add(c, Text(f"   {c.label}  (no theme)", "#ebcb8b"), cc,
                cc.cases if cc else (0 if ov else None))
        t = Text()
        t.append(" themes ", "bold #2e3440 on #88c0d0")
        t.append(f"  {len(themes)} themes · {len(loose)} codes in no theme")
        if ov:
            t.append(f"  · cases: of the {ov.sample_cases} sampled, with the code; "
                     f"{ov.counted}", "dim")
        else:
            t.append("  · counting…", "dim")
        self.query_one("#themes-title", Static).update(t)
        if keep in self.order:
            table.move_cursor(row=self.order.index(keep))
        self.show_current()

    def current_id(self) -> str | None:
        """Id of the highlighted theme or code."""
        row = self.query_one(DataTable).cursor_row
        return self.order[row] if 0 <= row < len(self.order) else None

    def show_current(self) -> None:
        """The highlighted theme's description or code's definition."""
        cid = self.current_id()
        if cid is None:
            return
        c = self.store.code(cid)
        t = Text(f"{c.label} ({c.id}, {c.origin} {c.kind})\n", "bold")
        t.append(c.definition or "(no description yet: press e)", "" if c.definition else "dim")
        self.query_one("#themes-detail", Static).update(t)

    def after_edit(self) -> None:
        """The table at once, the figures counted again."""
        self.fill()
        self.count()

    @on(DataTable.RowHighlighted, "#themes-table")
    def _highlighted(self) -> None:
        self.show_current()

    @on(DataTable.RowSelected, "#themes-table")
    def _selected(self) -> None:
        self.action_browse()

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)

    def action_browse(self) -> None:
        """Open the highlighted code's or theme's extracts in the code browser."""
        cid = self.current_id()
        if cid:
            self.dismiss(cid)

    def action_new_theme(self) -> None:
        """Create a candidate theme (then move codes into it with m)."""
        from themecode.tui.screens.modals import PromptModal

        def chosen(label: str | None) -> None:
            if label:
                self.run_edit(f"New theme {label!r}: move codes into it with m, describe it with e.",
                              create_theme, self.store, label, self.coder)

        self.app.push_screen(PromptModal("New theme", "label of the theme"), chosen)

    def action_move(self) -> None:
        """Move the highlighted code into another theme."""
        from themecode.tui.screens.review_modals import ThemePicker

        cid = self.current_id()
        if not cid or self.store.code(cid).kind != "code":
            self.say("Highlight a code to move it.", error=True)
            return

        def chosen(theme: object) -> None:
            if isinstance(theme, str):
                self.run_edit(f"Moved {cid} to {theme} (ctrl+z undoes).", move_code, self.store, cid,
                          theme, self.coder)

        self.app.push_screen(ThemePicker(self.store.codes(), f"Move {cid} to theme"), chosen)

    def action_edit(self) -> None:
        """Edit the highlighted theme's label and description, or a code's fields."""
        from themecode.tui.screens.review_modals import CodeEditor

        cid = self.current_id()
        if not cid:
            return

        def save(changes: object) -> None:
            if isinstance(changes, dict):
                self.run_edit(f"Saved {cid} (ctrl+z undoes).",
                              lambda: edit_code(self.store, cid, self.coder, **changes))

        self.app.push_screen(CodeEditor(self.store.code(cid), self.store.codes(kind="theme")),
                             save)

    def action_reviewed(self) -> None:
        """Mark the highlighted theme reviewed (again: not reviewed)."""
        cid = self.current_id()
        if cid:
            code = self.store.code(cid)
            self.run_edit(f"{code.label}: {'not ' if code.reviewed_at else ''}reviewed.", set_reviewed,
                      self.store, cid, self.coder, not code.reviewed_at)

    def action_merge(self) -> None:
        """Merge the highlighted code into another code."""
        from themecode.tui.screens.modals import CodePicker

        cid = self.current_id()

        def chosen(target: object) -> None:
            if isinstance(target, str) and cid:
                self.run_edit(f"Merged {cid} into {target} (ctrl+z undoes).", merge_codes, self.store,
                          cid, target, self.coder)

        if cid and self.store.code(cid).kind == "code":
            self.app.push_screen(CodePicker(self.store.codes(), f"Merge {cid} into"), chosen)

    def action_retire(self) -> None:
        """Retire the highlighted code (its codings stay; ctrl+z brings it back)."""
        cid = self.current_id()
        if cid:
            self.run_edit(f"Retired {cid} (ctrl+z undoes).", retire_code, self.store, cid, self.coder)
