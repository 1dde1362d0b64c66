"""The coding screen: read a case's commentaries and code them from the keyboard.

Every key's action is listed in `CodingScreen` under "actions", as a one-line delegation to a
helper built in the constructor from what it needs:

- `self.nav` (`coding_nav.Navigator`): sentences, commentaries, cases, go-to, search;
- `self.edits` (`coding_edits.EditController`): apply/remove codes, new code, undo/redo,
  statuses, memos; each is one store call (one short transaction), then a re-render from the
  database, so nothing is shown as done that is not committed;
- `self.work` (`coding_background.BackgroundWork`): the suggester (load, suggest, accept, refit)
  and live saturation, run in Textual thread workers with their own `Store`; their messages come
  back to the handlers listed here, which hand them to `self.work` on the UI thread.

This module lays out and renders; the helpers reach the screen only through `CodingView`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList

from themecode.errors import ThemecodeError
from themecode.store import Code, Store
from themecode.tui import queries
from themecode.tui.screens.coding_background import (
    BackgroundWork,
    SaturationReady,
    SuggesterReady,
    SuggesterUnavailable,
    SuggestionsReady,
)
from themecode.tui.screens.coding_edits import EditController
from themecode.tui.screens.coding_nav import Navigator
from themecode.tui.screens.coding_view import one_line
from themecode.tui.session import CodingSession
from themecode.tui.widgets.commentary import (
    CommentaryText,
    CommentaryView,
    TextPanel,
    render_commentary,
)
from themecode.tui.widgets.panels import (
    CasePanel,
    CodebookPanel,
    CodingsList,
    DocList,
    ProgressPanel,
    SaturationIndicator,
    SuggestionsPanel,
)

# Modal screens are imported when first opened: it keeps start-up quicker.

CASE_PANEL_MAX = 14  # lines: the case id line and up to 13 metadata fields
POSITION_DELAY = 0.8  # seconds of stillness before the sentence position is saved

CODING_BINDINGS: list[Binding] = [
    Binding("question_mark", "help", "Help", id="help"),
    Binding("down", "move(1)", "Next sentence", show=False, id="sentence_next"),
    Binding("up", "move(-1)", "Previous sentence", show=False, id="sentence_prev"),
    Binding("shift+down", "extend(1)", "Extend selection down", show=False, id="extend_down"),
    Binding("shift+up", "extend(-1)", "Extend selection up", show=False, id="extend_up"),
    Binding("ctrl+left", "refine('start_earlier')", "Start one word earlier", show=False,
            id="start_earlier"),
    Binding("ctrl+right", "refine('start_later')", "Start one word later", show=False,
            id="start_later"),
    Binding("shift+left", "refine('end_earlier')", "End one word earlier", show=False,
            id="end_earlier"),
    Binding("shift+right", "refine('end_later')", "End one word later", show=False,
            id="end_later"),
    Binding("ctrl+a", "select_all", "Select whole commentary", show=False, id="select_all"),
    Binding("right", "doc(1)", "Next commentary", show=False, id="next_commentary"),
    Binding("left", "doc(-1)", "Previous commentary", show=False, id="prev_commentary"),
    Binding("right_square_bracket", "case(1)", "Next case", show=False, id="next_case"),
    Binding("left_square_bracket", "case(-1)", "Previous case", show=False, id="prev_case"),
    Binding("enter", "pick_code", "Code…", id="pick_code"),
    Binding("delete,backspace", "uncode", "Remove code", show=False, id="uncode"),
    Binding("plus", "new_code", "New code", id="new_code"),
    Binding("equals_sign", "accept_suggestion", "Accept suggestion", id="accept_suggestion"),
    Binding("ctrl+z", "undo", "Undo", id="undo"),
    Binding("ctrl+y", "redo", "Redo", id="redo"),
    Binding("ctrl+d", "done_commentary", "Commentary done", id="done_commentary"),
    Binding("ctrl+e", "done_case", "Case done", id="done_case"),
    Binding("ctrl+s", "skip_case", "Skip case", show=False, id="skip_case"),
    Binding("ctrl+f", "flag_case", "Flag case", show=False, id="flag_case"),
    Binding("ctrl+n", "memo('document')", "Memo", id="memo_commentary"),
    Binding("ctrl+k", "memo('case')", "Case memo", show=False, id="memo_case"),
    Binding("ctrl+l", "memo('code')", "Code memo", show=False, id="memo_code"),
    Binding("ctrl+g", "goto_case", "Go to case", show=False, id="goto_case"),
    Binding("slash", "search", "Search", id="search"),
    Binding("ctrl+o", "toggle_others", "Show others' codings", show=False, id="toggle_others"),
    Binding("ctrl+t", "saturation", "Saturation", id="saturation"),
    Binding("tab", "focus_next_panel", "Next panel", show=False, id="focus_next"),
    Binding("escape", "focus_text", "Back to text", show=False, id="focus_text"),
]


class CodingScreen(Screen[None]):
    """Case → commentaries → sentences, with the codebook and suggestions beside the text."""

    BINDINGS = CODING_BINDINGS

    def __init__(
        self, store: Store, coder: str, *, show_others: bool = False, background: bool = True,
        session: CodingSession | None = None,
    ) -> None:
        super().__init__()
        self.background = background
        self.store = store
        self.coder = coder
        self.show_others = show_others
        self.session = session or CodingSession(store, coder)
        self.codes: dict[str, Code] = {}
        self.shortcuts: dict[str, str] = {}
        self.docs_total = queries.sample_doc_total(store)
        self.case_meta_keys = queries.case_metadata_keys(store)
        self._position_timer: Timer | None = None
        self.last_message = ""
        self.work = BackgroundWork(store, coder, self.session, self, self, enabled=background)
        self.edits = EditController(store, coder, self.session, self, self.work)
        self.nav = Navigator(store.path, self.session, self)

    # What tests and benchmarks read of the background work.
    @property
    def suggestions(self) -> list[Any]:
        """The suggestions shown for the selection, best first."""
        return self.work.suggestions

    @property
    def suggestion_key(self) -> tuple[str, int, int] | None:
        """(document, start, end) the shown suggestions are for."""
        return self.work.suggestion_key

    @property
    def saturation(self) -> dict[str, Any] | None:
        """The last saturation figures (None until a case is done)."""
        return self.work.saturation

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        """Three columns: case and progress | commentary | codebook and suggestions."""
        # Columns are direct children of the screen (laid out horizontally, top bar and footer
        # docked): one container layer fewer to paint under every changed line.
        yield TextPanel(id="topbar")
        with Vertical(id="left"):
            yield CasePanel(id="case-panel")
            yield DocList(id="doc-list")
            yield ProgressPanel(id="progress-panel")
            yield SaturationIndicator(id="saturation-indicator")
        with Vertical(id="centre"):
            yield CommentaryView(id="commentary")
            yield CodingsList(id="codings-list")
            yield TextPanel(id="status-line")
        with Vertical(id="right"):
            yield CodebookPanel(id="codebook")
            yield SuggestionsPanel(id="suggestions")
        yield Footer()

    def on_mount(self) -> None:
        """Resume where this coder left off, then start the background loaders."""
        # A case panel as tall as the project's metadata: moving between cases never relayouts.
        self.query_one(CasePanel).styles.height = min(CASE_PANEL_MAX, 1 + self.case_meta_keys)
        self.reload_codes()
        self.session.resume()
        self.refresh_case()
        self.query_one(CommentaryText).focus()
        self.work.start()  # after the first paint, so loading libraries does not delay it

    def on_unmount(self) -> None:
        """Save the position one last time."""
        try:
            self.session.save_position()
        except ThemecodeError as exc:  # a locked store at exit must not hide the user's work
            self.log.error(f"position not saved: {exc}")

    # ------------------------------------------------------------------ rendering
    def reload_codes(self) -> None:
        """Re-read the codebook (after a code is added or an undo touches it)."""
        self.codes = {c.id: c for c in self.store.codes(include_retired=True)}
        self.shortcuts = {
            c.shortcut.lower(): c.id
            for c in self.codes.values()
            if c.kind == "code" and not c.retired and c.shortcut
        }
        self.refresh_codebook()

    def refresh_codebook(self, keep: str | None = None) -> None:
        """Codebook list with counts (mine, or everyone's when others are shown)."""
        panel = self.query_one(CodebookPanel)
        counts = queries.code_counts(self.store, None if self.show_others else self.coder)
        self._counts = counts
        live = [c for c in self.codes.values() if not c.retired]
        live.sort(key=lambda c: (c.sort_order, c.id))
        panel.show_codes(live, counts, keep or panel.highlighted_code)
        self.refresh_code_detail()

    def refresh_code_detail(self) -> None:
        """Detail box of the highlighted code."""
        panel = self.query_one(CodebookPanel)
        cid = panel.highlighted_code
        code = self.codes.get(cid) if cid else None
        memos = len(self.store.memos("code", cid)) if cid else 0
        panel.show_detail(code, memos)

    def refresh_case(self) -> None:
        """Everything that depends on the current case."""
        s = self.session
        assert s.case is not None
        status = self.store.status("case", s.case.id, self.coder)
        self.query_one(CasePanel).show(s.case, s.case_index + 1, len(s.case_ids), status)
        self.refresh_progress()
        self.refresh_doc()

    def refresh_progress(self) -> None:
        """Progress through the sample."""
        p = queries.progress(self.store, self.coder, self.docs_total, len(self.session.case_ids))
        self.query_one(ProgressPanel).show(p, self.coder)

    def refresh_doc(self) -> None:
        """Commentary list, text, codes applied and the top bar."""
        s = self.session
        st = queries.statuses(self.store, "document", [d.id for d in s.docs], self.coder)
        self.query_one(DocList).show(s.docs, s.doc_index, st)
        self.refresh_text()
        self.refresh_topbar()

    def refresh_topbar(self) -> None:
        """Project, coder, blind/open mode and the last message."""
        t = Text()
        t.append(" themecode ", "bold #2e3440 on #88c0d0")
        t.append(f"  {self.store.path.name}", "bold")
        t.append(f"  ·  coder {self.coder}")
        t.append("  ·  showing everyone's codings" if self.show_others else "  ·  blind (my codings)",
                 "#ebcb8b" if self.show_others else "dim")
        self.query_one("#topbar", TextPanel).set_text(t)

    def refresh_text(self) -> None:
        """Re-render the commentary and the codes applied to it from the database."""
        s = self.session
        doc = s.doc
        view = self.query_one(CommentaryText)
        codings_list = self.query_one(CodingsList)
        if doc is None:
            view.show(Text("This case has no commentaries.", "dim"))
            codings_list.show("", [], self.codes, self.coder, self.show_others)
            return
        codings = queries.visible_codings(self.store, doc.id, self.coder, self.show_others)
        view.show(render_commentary(doc.text, codings, self.codes, self.coder, (s.start, s.end)))
        codings_list.show(doc.text, codings, self.codes, self.coder, self.show_others)
        self.query_one(CommentaryView).keep_in_view(s.start, len(doc.text))
        self.selection_changed()

    def say(self, message: str, *, error: bool = False) -> None:
        """Show the result of the last action in the status line."""
        self.last_message = message
        self.query_one("#status-line", TextPanel).set_text(
            Text(message, "#bf616a" if error else "#a3be8c")
        )

    def selection_changed(self) -> None:
        """Schedule suggestions and saving the position for a selection that stays put."""
        self.work.selection_moved()
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(POSITION_DELAY, self.save_position)

    def save_position(self) -> None:
        """Store the current place now (a failure is said, not raised)."""
        try:
            self.session.save_position()
        except ThemecodeError as exc:
            self.say(one_line(exc), error=True)

    def moved(self, *, case: bool = False) -> None:
        """Re-render after the session moved to another commentary (or case)."""
        if case:
            self.refresh_case()
        else:
            self.refresh_doc()

    # ------------------------------------------------------------------ what the helpers use
    @property
    def suggestions_panel(self) -> SuggestionsPanel:
        """The suggestions panel."""
        return self.query_one(SuggestionsPanel)

    @property
    def saturation_indicator(self) -> SaturationIndicator:
        """The live saturation indicator."""
        return self.query_one(SaturationIndicator)

    def highlighted_code(self) -> str | None:
        """Id of the code highlighted in the codebook list."""
        return self.query_one(CodebookPanel).highlighted_code

    def open_modal(self, screen: Any, callback: Callable[[Any], None]) -> None:
        """Push a modal screen; `callback` gets what it returns."""
        self.app.push_screen(screen, callback)

    def apply_code(self, code_id: str, *, whole: bool = False, extra: dict[str, Any] | None = None) -> bool:
        """Apply a code to the selection (or the whole commentary); False if nothing was coded."""
        return self.edits.apply_code(code_id, whole=whole, extra=extra)

    # ------------------------------------------------------------------ keys: code shortcuts
    def on_key(self, event: events.Key) -> None:
        """A letter applies the code with that shortcut; the capital letter codes the whole commentary."""
        ch = event.character
        if not ch or len(ch) != 1 or not ch.isalpha():
            return
        if event.key in self.active_bindings:
            return  # a key remapped onto a letter (keys.toml) wins over a code shortcut
        event.stop()
        event.prevent_default()
        code_id = self.shortcuts.get(ch.lower())
        if code_id is None:
            self.say(f"No code has the key {ch.lower()!r}; press Enter to pick a code.", error=True)
            return
        self.edits.apply_code(code_id, whole=ch.isupper())

    # ------------------------------------------------------------------ actions (one per binding)
    def action_move(self, delta: int) -> None:
        """Sentence cursor up/down."""
        self.nav.move(delta)

    def action_extend(self, delta: int) -> None:
        """Extend/shrink the selection by sentences."""
        self.nav.extend(delta)

    def action_refine(self, how: str) -> None:
        """Move one end of the selection by a word."""
        self.nav.refine(how)

    def action_select_all(self) -> None:
        """Select the whole commentary."""
        self.nav.select_all()

    def action_doc(self, delta: int) -> None:
        """Next/previous commentary of the case."""
        self.nav.doc(delta)

    def action_case(self, delta: int) -> None:
        """Next/previous case of the sample."""
        self.nav.case(delta)

    def action_goto_case(self) -> None:
        """Jump to a sampled case by id."""
        self.nav.goto_case()

    def action_search(self) -> None:
        """Search commentaries of the sample."""
        self.nav.search()

    def action_pick_code(self) -> None:
        """Enter: apply the highlighted code or suggestion when its list has focus, else pick a code."""
        if self.focused is self.query_one("#codebook-list"):
            self._apply_highlighted_code()
        elif self.focused is self.query_one("#sugg-list"):
            self.action_accept_suggestion()
        else:
            self.edits.pick_code()

    def action_uncode(self) -> None:
        """Take one of my codes off the selection."""
        self.edits.uncode()

    def action_new_code(self) -> None:
        """Add an inductive code."""
        self.edits.new_code()

    def action_accept_suggestion(self) -> None:
        """Apply the highlighted suggestion (the top one unless the list has focus)."""
        in_list = self.focused is self.query_one("#sugg-list")
        self.work.accept_suggestion(self.query_one(SuggestionsPanel).highlighted_index if in_list else 0)

    def action_undo(self) -> None:
        """Undo my last action."""
        self.edits.undo()

    def action_redo(self) -> None:
        """Redo my last undone action."""
        self.edits.redo()

    def action_done_commentary(self) -> None:
        """Mark the commentary done (or open again)."""
        self.edits.done_commentary()

    def action_done_case(self) -> None:
        """Mark the case done (or open again)."""
        self.edits.done_case()

    def action_skip_case(self) -> None:
        """Skip the case."""
        self.edits.skip_case()

    def action_flag_case(self) -> None:
        """Flag the case for discussion (again to unflag)."""
        self.edits.flag_case()

    def action_memo(self, target: str) -> None:
        """Write or edit my memo on the commentary, the case or the highlighted code."""
        self.edits.memo(target)

    def action_toggle_others(self) -> None:
        """Show or hide other coders' codings (blind double coding by default)."""
        self.show_others = not self.show_others
        self.refresh_doc()
        self.refresh_codebook()
        self.say("Showing everyone's codings." if self.show_others else "Showing only your codings.")

    def action_focus_next_panel(self) -> None:
        """Cycle focus: text → codebook → suggestions."""
        order = [self.query_one(CommentaryText), self.query_one("#codebook-list"),
                 self.query_one("#sugg-list")]
        cur = self.focused
        i = next((k for k, w in enumerate(order) if w is cur), -1)
        order[(i + 1) % len(order)].focus()

    def action_focus_text(self) -> None:
        """Back to the commentary text."""
        self.query_one(CommentaryText).focus()

    def action_help(self) -> None:
        """List every binding."""
        self.app.action_show_help_screen()  # type: ignore[attr-defined]

    def action_saturation(self) -> None:
        """Open the saturation screen."""
        from themecode.tui.screens.saturation import SaturationScreen

        self.app.push_screen(SaturationScreen(self.work.saturation, self.work.last_saturation_message))

    # ------------------------------------------------------------------ message handlers
    def on_suggester_ready(self, message: SuggesterReady) -> None:
        """A suggester was loaded or refitted."""
        self.work.suggester_ready(message)

    def on_suggester_unavailable(self, message: SuggesterUnavailable) -> None:
        """No suggester can be used."""
        self.work.suggester_unavailable(message)

    def on_suggestions_ready(self, message: SuggestionsReady) -> None:
        """Suggestions computed for a selection."""
        self.work.suggestions_ready(message)

    def on_saturation_ready(self, message: SaturationReady) -> None:
        """Saturation figures recomputed."""
        self.work.saturation_ready(message)

    @on(OptionList.OptionHighlighted, "#codebook-list")
    def _code_highlighted(self) -> None:
        self.refresh_code_detail()

    @on(OptionList.OptionSelected, "#codebook-list")
    def _code_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.edits.apply_code(event.option.id)

    @on(OptionList.OptionSelected, "#sugg-list")
    def _sugg_selected(self) -> None:
        self.action_accept_suggestion()

    def _apply_highlighted_code(self) -> None:
        cid = self.highlighted_code()
        if cid:
            self.edits.apply_code(cid)
