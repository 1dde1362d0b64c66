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
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static

from themecode.errors import ThemecodeError
from themecode.store import Code, Store
from themecode.tui import queries
from themecode.tui.screens.coding_background import BackgroundWork
from themecode.tui.screens.coding_edits import EditController
from themecode.tui.screens.coding_keys import CODING_BINDINGS
from themecode.tui.screens.coding_layout import COMPACT_ROWS, MODES, choose_layout
from themecode.tui.screens.coding_messages import BackgroundMessage, SampleCounted
from themecode.tui.screens.coding_nav import Navigator
from themecode.tui.screens.coding_review import ReviewLinks
from themecode.tui.screens.coding_view import one_line
from themecode.tui.session import CodingSession
from themecode.tui.widgets.commentary import (
    CommentaryText,
    CommentaryView,
    TextPanel,
    render_commentary,
)
from themecode.tui.widgets.compact import CaseStrip, CodeKeys, SuggestionStrip, TopBar
from themecode.tui.widgets.keybar import KeyBar
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
AFTER_PAINT = 0.02  # seconds: a key's own frame is on screen by then (Textual paints at 60 Hz)


def _delegate(helper: str, method: str, doc: str) -> Callable[..., None]:
    """An action that hands its key's arguments to one helper's method (`self.nav.move(1)`)."""
    def action(self: CodingScreen, *args: Any) -> None:
        getattr(getattr(self, helper), method)(*args)

    action.__doc__ = doc
    return action


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
        self.docs_total = -1  # counted in a worker after the first paint (-1: not yet)
        self._position_timer: Timer | None = None
        self.last_message = ""
        self.last_error = False  # whether the status line shows an error
        self._case_status = "open"
        self._doc_statuses: dict[str, str] = {}
        self._memos: list[tuple[str, str]] = []  # my memos on the commentary and the case
        self._progress = queries.Progress(0, len(self.session.case_ids), 0, self.docs_total)
        self.layout_mode = ""  # "wide", "medium", "narrow" or "too-small" (set on resize)
        self.work = BackgroundWork(store, coder, self.session, self, self, enabled=background)
        self.work.blind = not show_others
        self.edits = EditController(store, coder, self.session, self, self.work)
        self.nav = Navigator(store.path, self.session, self)
        self.review = ReviewLinks(store, coder, self.session, self, self.work)

    # What tests and benchmarks read of the background work.
    suggestions = property(lambda self: self.work.suggestions, doc="Suggestions shown, best first.")
    suggestion_key = property(lambda self: self.work.suggestion_key,
                              doc="(document, start, end) the suggestions shown are for.")
    saturation = property(lambda self: self.work.saturation, doc="The last saturation figures.")

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        """Three columns: case and progress | commentary | codebook and suggestions.

        Narrower terminals hide the side columns (app.tcss, by the class `set_layout` sets) and
        show compact forms in the centre: a case strip, a suggestion line, a grid of code keys.
        Columns are the screen's direct children: one container layer fewer to repaint.
        """
        yield TopBar(id="topbar")
        yield Static(id="too-small")
        with Vertical(id="left"):
            yield CasePanel(id="case-panel")
            yield DocList(id="doc-list")
            yield ProgressPanel(id="progress-panel")
            yield SaturationIndicator(id="saturation-indicator")
        with Vertical(id="centre"):
            yield CaseStrip(id="case-strip")
            yield CommentaryView(id="commentary")
            yield CodingsList(id="codings-list")
            yield SuggestionStrip(Text("Suggestions: loading…", "dim"), id="sugg-strip")
            yield CodeKeys(id="code-keys")
            yield TextPanel(id="status-line")
        with Vertical(id="right"):
            yield CodebookPanel(id="codebook")
            yield SuggestionsPanel(id="suggestions")
        yield KeyBar(id="keybar")

    def on_mount(self) -> None:
        """Resume where this coder left off, then start the background loaders."""
        # A case panel as tall as the project's metadata: moving between cases never relayouts.
        self.set_layout(self.app.size.width, self.app.size.height)
        self.query_one(KeyBar).show_keys(self.app.binding_rows(review=False))  # type: ignore[attr-defined]
        self.reload_codes()
        self.set_layout(self.app.size.width, self.app.size.height)  # the code grid's rows known
        self.session.resume()
        assert self.session.case is not None
        self.query_one(CasePanel).styles.height = min(CASE_PANEL_MAX, 1 + len(self.session.case.metadata))
        self.refresh_case()
        self.query_one(CommentaryText).focus()
        # The background loaders start once the first frame is out (the app's Ready event
        # calls start_background), so loading libraries does not delay it.

    def start_background(self) -> None:
        """Count the sample, load the suggester and compute saturation (in workers)."""
        self.work.count_sample()
        self.work.start()

    def on_unmount(self) -> None:
        """Save the position one last time."""
        try:
            self.session.save_position()
        except ThemecodeError as exc:  # a locked store at exit must not hide the user's work
            self.log.error(f"position not saved: {exc}")

    def on_resize(self, event: events.Resize) -> None:
        """Choose the layout for the new terminal size."""
        self.set_layout(event.size.width, event.size.height)

    def set_layout(self, width: int, height: int) -> None:
        """Take the layout `choose_layout` names for this size (classes styled in app.tcss)."""
        keys = self.query_one(CodeKeys)
        keys.fit(max(1, height - COMPACT_ROWS))
        layout = choose_layout(width, height, keys.rows_needed(width - 2))
        self.query_one("#too-small", Static).update(Text(layout.notice, "bold"))
        if layout.mode == self.layout_mode and layout.short == self.has_class("-short"):
            return
        for m in MODES:
            self.set_class(m == layout.mode, f"-{m}")
        self.set_class(layout.short, "-short")
        self.layout_mode = layout.mode
        if self.codes:
            self.refresh_codebook()  # theme headings come and go with the height

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

    def refresh_codebook(self, keep: str | None = None, *, after_paint: bool = False) -> None:
        """Codebook list with counts (mine, or everyone's when others are shown). `after_paint`:
        once the current frame is on screen (a key's own effect is painted first)."""
        if after_paint:  # a refresh may come before this key's frame: a frame's time later
            self.set_timer(AFTER_PAINT, lambda: self.refresh_codebook(keep))
            return
        panel = self.query_one(CodebookPanel)
        counts = queries.code_counts(self.store, None if self.show_others else self.coder)
        self._counts = counts
        live = [c for c in self.codes.values() if not c.retired]
        live.sort(key=lambda c: (c.sort_order, c.id))
        memo_codes = self.review.code_memos([c.id for c in live])
        panel.show_codes(live, counts, keep or panel.highlighted_code,
                         headings=not self.has_class("-short"), memo_codes=memo_codes)
        self.query_one(CodeKeys).show_codes(live)
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
        self._case_status = self.store.status("case", s.case.id, self.coder)
        self.query_one(CasePanel).show(s.case, s.case_index + 1, len(s.case_ids), self._case_status)
        self.refresh_progress(strip=False)
        self.refresh_doc()

    def refresh_progress(self, *, strip: bool = True) -> None:
        """Progress through the sample."""
        p = queries.progress(self.store, self.coder, self.docs_total, len(self.session.case_ids))
        self._progress = p
        self.query_one(ProgressPanel).show(p, self.coder)
        if strip:
            self.refresh_strip()

    def refresh_strip(self) -> None:
        """The compact case strip (shown when the case column is hidden)."""
        s = self.session
        assert s.case is not None
        self.query_one(CaseStrip).show(
            s.case, s.case_index + 1, len(s.case_ids), self._case_status, s.docs, s.doc_index,
            self._doc_statuses, self._progress, self.coder)

    def refresh_doc(self) -> None:
        """Commentary list, text, codes applied and the top bar."""
        s = self.session
        st = queries.statuses(self.store, "document", [d.id for d in s.docs], self.coder)
        self._doc_statuses = st
        self._memos = queries.my_memos(self.store, self.coder, s.case_id, s.doc.id if s.doc else None)
        self.query_one(DocList).show(s.docs, s.doc_index, st)
        self.refresh_strip()
        self.refresh_text()
        self.refresh_topbar()

    def refresh_topbar(self) -> None:
        """Project, coder, blind/open mode and where the commentary or case has a memo."""
        doc = self.session.doc
        marker = self.review.markers(doc.id if doc else None, self.session.case_id)
        self.query_one(TopBar).show(self.store.path.name, self.coder, self.show_others, marker)

    def refresh_text(self) -> None:
        """Re-render the commentary and the codes applied to it from the database."""
        s = self.session
        doc = s.doc
        view = self.query_one(CommentaryText)
        codings_list = self.query_one(CodingsList)
        if doc is None:
            view.show(Text("This case has no commentaries.", "dim"))
            codings_list.show("", [], self.codes, self.coder, self.show_others, self._memos)
            return
        codings = queries.visible_codings(self.store, doc.id, self.coder, self.show_others)
        raw_map: list[int] = []
        view.show(render_commentary(doc.text, codings, self.codes, self.coder, (s.start, s.end),
                                    raw_map), raw_map)
        codings_list.show(doc.text, codings, self.codes, self.coder, self.show_others, self._memos)
        self.query_one(CommentaryView).keep_in_view(s.start, len(doc.text))
        self.selection_changed()

    def say(self, message: str, *, error: bool = False) -> None:
        """Show the result of the last action in the status line."""
        self.last_message = message
        self.last_error = error
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

    def sample_extended(self, added: int) -> None:
        """The sample grew (another process ran `sample --extend`): recount what depends on it."""
        self.work.count_sample()

    def on_sample_counted(self, message: SampleCounted) -> None:
        """Show the sample's size; size the case panel for its widest case (no relayout later)."""
        self.docs_total = message.docs_total
        self.query_one(CasePanel).styles.height = min(CASE_PANEL_MAX, 1 + message.meta_keys)
        self.refresh_progress()

    def moved(self, *, case: bool = False) -> None:
        """Re-render after the session moved to another commentary (or case)."""
        (self.refresh_case if case else self.refresh_doc)()

    # ------------------------------------------------------------------ what the helpers use
    def show_suggestions(self, heading: Text, items: list[tuple[str, float, str, bool]]) -> None:
        """Show ranked suggestions (code_id, score, source, above threshold), panel and line."""
        self.query_one(SuggestionsPanel).show_suggestions(heading, items, self.codes)
        self.query_one(SuggestionStrip).show(items, self.codes)

    def show_no_suggestions(self, message: str) -> None:
        """Say why there are no suggestions."""
        self.query_one(SuggestionsPanel).show_none(message)
        self.query_one(SuggestionStrip).show_message(message)

    def mark_suggestions_stale(self) -> None:
        """Say the suggestions shown are for an earlier selection."""
        self.query_one(SuggestionsPanel).mark_stale()
        self.query_one(SuggestionStrip).show_message("Suggestions: updating…")

    saturation_indicator = property(lambda self: self.query_one(SaturationIndicator),
                                    doc="The live saturation indicator.")

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
        """A letter applies the code with that shortcut (capital: the whole commentary), unless
        keys.toml bound the letter to an action."""
        ch = event.character
        if ch and len(ch) == 1 and ch.isalpha() and event.key not in self.active_bindings:
            event.stop()
            event.prevent_default()
            self.edits.shortcut(ch, self.shortcuts.get(ch.lower()))

    # ------------------------------------------------------------------ actions (one per binding)
    action_move = _delegate("nav", "move", "Sentence cursor up/down.")
    action_extend = _delegate("nav", "extend", "Extend/shrink the selection by sentences.")
    action_refine = _delegate("nav", "refine", "Move one end of the selection by a word.")
    action_select_all = _delegate("nav", "select_all", "Select the whole commentary.")
    action_doc = _delegate("nav", "doc", "Next/previous commentary of the case.")
    action_case = _delegate("nav", "case", "Next/previous case of the sample.")
    action_goto_case = _delegate("nav", "goto_case", "Jump to a sampled case by id.")
    action_search = _delegate("nav", "search", "Search commentaries of the sample.")

    def action_pick_code(self) -> None:
        """Enter: apply the highlighted code or suggestion when its list has focus, else pick a code."""
        if self.focused is self.query_one("#codebook-list"):
            self.edits.apply_highlighted()
        elif self.focused is self.query_one("#sugg-list"):
            self.action_accept_suggestion()
        else:
            self.edits.pick_code()

    action_uncode = _delegate("edits", "uncode", "Take one of my codes off the selection.")
    action_new_code = _delegate("edits", "new_code", "Add an inductive code.")

    def action_accept_suggestion(self) -> None:
        """Apply the highlighted suggestion (the top one unless the list has focus)."""
        in_list = self.focused is self.query_one("#sugg-list")
        self.work.accept_suggestion(self.query_one(SuggestionsPanel).highlighted_index if in_list else 0)

    def action_accept_nth(self, n: int) -> None:
        """Apply the n-th suggestion (1–5) to the selection."""
        self.work.accept_suggestion(n - 1, exact=True)

    action_accept_commentary = _delegate("work", "accept_commentary", "Apply every commentary-level suggestion at or above its code's threshold.")
    action_undo = _delegate("edits", "undo", "Undo my last action.")
    action_redo = _delegate("edits", "redo", "Redo my last undone action.")
    action_done_commentary = _delegate("edits", "done_commentary", "Mark the commentary done (or open again).")
    action_done_case = _delegate("edits", "done_case", "Mark the case done (or open again).")
    action_skip_case = _delegate("edits", "skip_case", "Skip the case.")
    action_flag_case = _delegate("edits", "flag_case", "Flag the case for discussion (again to unflag).")
    action_memo = _delegate("edits", "memo", "Write or edit my memo on the commentary, the case or the highlighted code.")

    def action_toggle_others(self) -> None:
        """Show or hide other coders' codings (blind double coding by default)."""
        self.show_others = not self.show_others
        self.work.set_blind(not self.show_others)
        self.refresh_doc()
        self.refresh_codebook()
        self.say("Showing everyone's codings." if self.show_others else "Showing only your codings.")

    def action_toggle_panels(self) -> None:
        """Show or hide the side columns (their compact forms take their place)."""
        self.toggle_class("-panels")

    def action_focus_next_panel(self) -> None:
        """Cycle focus: text → codebook → suggestions."""
        order = [self.query_one(CommentaryText), self.query_one("#codebook-list"),
                 self.query_one("#sugg-list")]
        order[(order.index(self.focused) + 1) % 3 if self.focused in order else 0].focus()

    def action_focus_text(self) -> None:
        """Back to the commentary text."""
        self.query_one(CommentaryText).focus()

    def action_help(self) -> None:
        """List every binding."""
        self.app.action_show_help_screen()  # type: ignore[attr-defined]

    def action_audit(self) -> None:
        """Open the audit queue of the unsampled commentaries (`tui.screens.audit`)."""
        from themecode.tui.screens.audit import AuditScreen

        self.app.push_screen(AuditScreen(self.store, self.coder), lambda _: self.reload_codes())

    def action_saturation(self) -> None:
        """Open the saturation screen."""
        from themecode.tui.screens.saturation import SaturationScreen

        self.app.push_screen(SaturationScreen(self.work.saturation, self.work.last_saturation_message))

    action_browse_codes = _delegate("review", "browse", "Open the code browser (every extract of a code) where it was left.")
    action_themes = _delegate("review", "themes", "Open the themes screen (theme development).")
    action_memos = _delegate("review", "memos", "Open the memo browser.")

    # ------------------------------------------------------------------ message handlers
    @on(BackgroundMessage)
    def _background(self, message: BackgroundMessage) -> None:
        """A suggester or saturation worker's result (or failure): `self.work` takes it."""
        self.work.receive(message)

    def on_commentary_text_clicked(self, message: CommentaryText.Clicked) -> None:
        """A click selects the sentence there; shift+click or a drag extends the selection."""
        self.nav.click(message.offset, extend=message.extend)

    def on_code_keys_picked(self, message: CodeKeys.Picked) -> None:
        """A code clicked in the grid of code keys is applied to the selection."""
        self.edits.apply_code(message.code_id)

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
