"""Modal dialogs of the coding screen: code picker, new code, memo, jump to case, confirm, search.

Each modal only collects input and dismisses with a plain result; the coding screen performs
the store action (so every write happens in one place, before the screen shows it done).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from themecode.store import Code
from themecode.tui.queries import SearchHit
from themecode.tui.widgets.commentary import code_colour

MODAL_BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]


def rank_codes(query: str, codes: Sequence[Code]) -> list[Code]:
    """Codes matching `query` (part of a label, id or the shortcut), best first; all when empty."""
    q = query.strip()
    if not q:
        return list(codes)
    matcher = Matcher(q)
    scored = []
    for c in codes:
        s = max(matcher.match(c.label), matcher.match(c.id.replace("_", " ")))
        if c.shortcut and q == c.shortcut:
            s = max(s, 2.0)
        if q.casefold() in c.label.casefold() or q.casefold() in c.id:
            s += 1.0
        if s > 0:
            scored.append((s, c.sort_order, c))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [c for _, _, c in scored]


class ListModal(ModalScreen[object]):
    """Shared behaviour: escape cancels, up/down move the list while typing in the input."""

    BINDINGS = [
        *MODAL_BINDINGS,
        Binding("down", "cursor(1)", "Next", show=False, id="modal.down"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="modal.up"),
    ]

    def action_cancel(self) -> None:
        """Close without a result."""
        self.dismiss(None)

    def action_cursor(self, delta: int) -> None:
        """Move the highlight of the modal's list."""
        ol = self.query_one(OptionList)
        if ol.option_count == 0:
            return
        cur = ol.highlighted if ol.highlighted is not None else -1
        ol.highlighted = max(0, min(ol.option_count - 1, cur + delta))


class CodePicker(ListModal):
    """Fuzzy code picker: type part of a label or id, Enter applies the highlighted code."""

    def __init__(self, codes: Sequence[Code], title: str = "Apply code to selection") -> None:
        super().__init__()
        self.codes = [c for c in codes if c.kind == "code" and not c.retired]
        self.title_text = title

    def compose(self) -> ComposeResult:
        """Title, input and list."""
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, "bold"))
            yield Input(placeholder="type part of a code's label or id", id="picker-input")
            yield OptionList(id="picker-list", markup=False)

    def on_mount(self) -> None:
        """Show every code at first."""
        self._fill("")

    def _fill(self, query: str) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        for c in rank_codes(query, self.codes):
            t = Text()
            t.append(f"{c.shortcut or ' '} ", "bold #88c0d0")
            t.append("■ ", code_colour(c, c.id))
            t.append(c.label)
            t.append(f"  {c.id}", "dim")
            ol.add_option(Option(t, id=c.id))
        if ol.option_count:
            ol.highlighted = 0

    @on(Input.Changed, "#picker-input")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self.dismiss(ol.get_option_at_index(ol.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


@dataclass(frozen=True)
class NewCode:
    """What the new-code dialog collected."""

    label: str
    code_id: str | None
    definition: str
    theme: str | None
    shortcut: str | None
    apply: bool


class NewCodeModal(ModalScreen[NewCode | None]):
    """Collect a new inductive code: label, definition, theme, optional id and shortcut."""

    BINDINGS = [
        *MODAL_BINDINGS,
        Binding("ctrl+s", "save", "Save", id="modal.save"),
    ]

    def __init__(self, themes: Sequence[Code], free_keys: str, current_theme: str | None) -> None:
        super().__init__()
        self.themes = list(themes)
        self.free_keys = free_keys
        self.current_theme = current_theme

    def compose(self) -> ComposeResult:
        """The form."""
        with Vertical(classes="dialog wide"):
            yield Label(Text("New inductive code", "bold"))
            yield Input(placeholder="label, e.g. Victim contact not recorded", id="new-label")
            yield Input(placeholder="definition: when does this code apply?", id="new-definition")
            options = [(t.label, t.id) for t in self.themes]
            yield Select(
                options, prompt="theme", id="new-theme", allow_blank=True,
                value=self.current_theme if self.current_theme else Select.NULL,
            )
            with Horizontal(classes="row"):
                yield Input(placeholder="id (optional, from label)", id="new-id")
                yield Input(placeholder=f"key (free: {self.free_keys[:12]})", id="new-key",
                            max_length=1)
            yield Checkbox("Apply to the current selection", value=True, id="new-apply")
            yield Static(id="new-error")
            with Horizontal(classes="row buttons"):
                yield Button("Add code", variant="primary", id="new-ok")
                yield Button("Cancel", id="new-cancel")

    def action_cancel(self) -> None:
        """Close without adding."""
        self.dismiss(None)

    def action_save(self) -> None:
        """Validate and return the form."""
        label = self.query_one("#new-label", Input).value.strip()
        if not label:
            self.query_one("#new-error", Static).update(Text("A label is needed.", "#bf616a"))
            self.query_one("#new-label", Input).focus()
            return
        theme = self.query_one("#new-theme", Select).value
        key = self.query_one("#new-key", Input).value.strip() or None
        self.dismiss(
            NewCode(
                label=label,
                code_id=self.query_one("#new-id", Input).value.strip() or None,
                definition=self.query_one("#new-definition", Input).value.strip(),
                theme=theme if isinstance(theme, str) else None,
                shortcut=key,
                apply=self.query_one("#new-apply", Checkbox).value,
            )
        )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#new-ok")
    def _ok(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#new-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class MemoModal(ModalScreen[str | None]):
    """Write or edit a memo; ctrl+s saves, escape cancels."""

    BINDINGS = [*MODAL_BINDINGS, Binding("ctrl+s", "save", "Save memo", id="modal.save")]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial = text

    def compose(self) -> ComposeResult:
        """Title, text area and hint."""
        with Vertical(classes="dialog wide"):
            yield Label(Text(self.title_text, "bold"))
            yield TextArea(self.initial, id="memo-text", soft_wrap=True)
            yield Label(Text("ctrl+s save · escape cancel", "dim"))

    def on_mount(self) -> None:
        """Focus the text."""
        self.query_one(TextArea).focus()

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    def action_save(self) -> None:
        """Return the memo text."""
        self.dismiss(self.query_one(TextArea).text)


class PromptModal(ModalScreen[str | None]):
    """Ask for one line of text (e.g. a case id)."""

    BINDINGS = MODAL_BINDINGS

    def __init__(self, title: str, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        """Title and input."""
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, "bold"))
            yield Input(placeholder=self.placeholder, id="prompt-input")

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class ConfirmModal(ModalScreen[bool]):
    """Ask a yes/no question: y or Enter says yes, n or Esc says no."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), id="confirm-text")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", id="confirm-yes", variant="primary")
                yield Button(f"{self.no} (n)", id="confirm-no")

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")


class SearchModal(ListModal):
    """Search the sample's commentaries; Enter on a result jumps there."""

    def __init__(self, search: Callable[[str], list[SearchHit]]) -> None:
        super().__init__()
        self.search = search
        self.hits: list[SearchHit] = []

    def compose(self) -> ComposeResult:
        """Input, status line and results."""
        with Vertical(classes="dialog wide tall"):
            yield Label(Text("Search the sample", "bold"))
            yield Input(placeholder="words to find, then Enter", id="search-input")
            yield Static(Text("", "dim"), id="search-status")
            yield OptionList(id="search-list", markup=False)

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        ol = self.query_one(OptionList)
        if ol.option_count and ol.highlighted is not None and self.hits and event.value == getattr(
            self, "_last", None
        ):
            self.dismiss(self.hits[ol.highlighted])
            return
        self._last = event.value
        self.query_one("#search-status", Static).update(Text("searching…", "dim"))
        self._run(event.value)

    @work(thread=True, exclusive=True, group="search")
    def _run(self, query: str) -> None:
        hits = self.search(query)
        self.app.call_from_thread(self._show, query, hits)

    def _show(self, query: str, hits: list[SearchHit]) -> None:
        self.hits = hits
        ol = self.query_one(OptionList)
        ol.clear_options()
        for i, h in enumerate(hits):
            t = Text()
            t.append(f"{h.case_id} ", "bold")
            t.append(f"{h.stage or ''}  ", "dim")
            rel = h.start - h.snippet_start
            t.append(h.snippet[:rel])
            t.append(h.snippet[rel : rel + (h.end - h.start)], "bold reverse")
            t.append(h.snippet[rel + (h.end - h.start) :])
            ol.add_option(Option(t, id=f"h{i}"))
        if hits:
            ol.highlighted = 0
        more = " (first 200)" if len(hits) >= 200 else ""
        status = f"{len(hits)} commentaries contain {query!r}{more}; Enter jumps to the highlighted one"
        self.query_one("#search-status", Static).update(Text(status, "dim"))

    @on(OptionList.OptionSelected, "#search-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[event.option_index])


class HelpScreen(ModalScreen[None]):
    """Every key binding with its id (for ~/.config/themecode/keys.toml) and what it does."""

    BINDINGS = [*MODAL_BINDINGS, Binding("question_mark", "cancel", "Close", id="help.close")]

    def __init__(self, rows: Sequence[tuple[str, str, str]], keys_path: str) -> None:
        super().__init__()
        self.rows = rows
        self.keys_path = keys_path

    def compose(self) -> ComposeResult:
        """A table of bindings as text."""
        t = Text()
        t.append("Keys", "bold")
        t.append("   (↑↓ scroll · escape closes)\n\n", "dim")
        for key, desc, bid in self.rows:
            t.append(f"{key:>16}  ", "bold #88c0d0")
            t.append(f"{desc:<38}")
            t.append(f"{bid}\n", "dim")
        t.append("\n")
        t.append("a-z  ", "bold #88c0d0")
        t.append("apply the code with that shortcut to the selection\n")
        t.append("A-Z  ", "bold #88c0d0")
        t.append("apply it to the whole commentary\n\n")
        t.append(f"Remap keys in {self.keys_path}, e.g.\n", "dim")
        t.append('[keys]\nundo = "ctrl+u"\n', "dim")
        with VerticalScroll(classes="dialog wide tall", id="help-scroll"):
            yield Static(t, id="help-text")

    def on_mount(self) -> None:
        """Focus the scroller so arrows and page keys scroll the list."""
        self.query_one("#help-scroll").focus()

    def action_cancel(self) -> None:
        """Close help."""
        self.dismiss(None)
