"""Dialogs of the review screens: pick a code or theme, pick a theme, pick the coders to
compare, edit a code's fields.

Like the coding screen's modals they only collect input and dismiss with a plain result; the
screen that opened them performs the store action.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, TextArea
from textual.widgets.option_list import Option

from themecode.store import Code
from themecode.tui.screens.modals import MODAL_BINDINGS, CodePicker, ListModal

NO_THEME = "__none__"
EDITOR_BINDINGS: list[Binding] = [Binding("ctrl+s", "save", "Save code", id="editor.save")]
CODER_PICKER_BINDINGS: list[Binding] = [
    Binding("space", "toggle", "Choose / drop coder", priority=True, id="coders.toggle"),
    Binding("enter", "compare", "Compare the two", priority=True, id="coders.compare"),
]


class TargetPicker(CodePicker):
    """Pick any live code or theme (themes are marked), by part of its label or id."""

    def __init__(self, codes: Sequence[Code], title: str) -> None:
        super().__init__(codes, title)
        self.codes = [c for c in codes if not c.retired]


class ThemePicker(CodePicker):
    """Pick a live theme (to move a code into)."""

    def __init__(self, codes: Sequence[Code], title: str) -> None:
        super().__init__(codes, title)
        self.codes = [c for c in codes if c.kind == "theme" and not c.retired]


class CoderPicker(ListModal):
    """Choose the two coders to compare on a code: space (or a click) chooses or drops the
    highlighted coder, Enter (or the button) compares; dismisses with the pair in list order."""

    BINDINGS = [*ListModal.BINDINGS, *CODER_PICKER_BINDINGS]

    def __init__(self, counts: dict[str, int], chosen: Sequence[str], title: str) -> None:
        super().__init__()
        self.counts = counts  # coder -> live extracts of the code, in the order shown
        self.chosen = [c for c in chosen if c in counts][:2]
        self.title_text = title

    def compose(self) -> ComposeResult:
        """Title, the coders with their extract counts, what to do, compare / cancel."""
        with Vertical(classes="dialog", id="coder-picker"):
            yield Label(Text(self.title_text, "bold"))
            yield OptionList(id="coder-list", markup=False)
            yield Label(id="coder-hint")
            with Horizontal(classes="buttons"):
                yield Button("Compare", variant="primary", id="coder-compare")
                yield Button("Cancel", id="coder-cancel")

    def on_mount(self) -> None:
        """Show the coders, the remembered pair chosen."""
        self._fill(0)

    def _fill(self, highlighted: int) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        for coder, n in self.counts.items():
            t = Text()
            t.append("[x] " if coder in self.chosen else "[ ] ", "bold #a3be8c")
            t.append(coder)
            t.append(f"  {n:,} extract{'s' if n != 1 else ''} of the code", "dim")
            ol.add_option(Option(t, id=coder))
        ol.highlighted = min(highlighted, ol.option_count - 1) if ol.option_count else None
        ok = len(self.chosen) == 2
        self.query_one("#coder-hint", Label).update(Text(
            f"compare {self.chosen[0]} with {self.chosen[1]}: Enter" if ok else
            f"choose two coders with space ({len(self.chosen)} chosen)", "dim" if ok else
            "#ebcb8b"))

    def toggle(self, coder: str) -> None:
        """Choose or drop a coder; a third choice drops the earlier of the two."""
        if coder in self.chosen:
            self.chosen.remove(coder)
        else:
            self.chosen = [*self.chosen, coder][-2:]
        self._fill(list(self.counts).index(coder))

    def action_toggle(self) -> None:
        """Choose or drop the highlighted coder."""
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self.toggle(str(ol.get_option_at_index(ol.highlighted).id))

    def action_compare(self) -> None:
        """Compare the two chosen coders (in the order they are listed)."""
        if len(self.chosen) == 2:
            self.dismiss(tuple(c for c in self.counts if c in self.chosen))

    @on(OptionList.OptionSelected, "#coder-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.toggle(str(event.option.id))

    @on(Button.Pressed, "#coder-compare")
    def _compare(self) -> None:
        self.action_compare()

    @on(Button.Pressed, "#coder-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class CodeEditor(ModalScreen[dict[str, Any] | None]):
    """Edit a code's (or theme's) label, shortcut, keywords, theme and its multi-line
    definition, include, exclude and example; ctrl+s returns the fields, escape cancels."""

    BINDINGS = [*MODAL_BINDINGS, *EDITOR_BINDINGS]

    def __init__(self, code: Code, themes: Sequence[Code]) -> None:
        super().__init__()
        self.code = code
        self.themes = [t for t in themes if not t.retired]

    def compose(self) -> ComposeResult:
        """One labelled field per editable column (a theme has label and description only)."""
        c = self.code
        is_code = c.kind == "code"
        with VerticalScroll(classes="dialog wide tall", id="editor"):
            yield Label(Text(f"Edit {'code' if is_code else 'theme'} {c.id}", "bold"))
            yield Label("Label")
            yield Input(c.label, id="ed-label")
            if is_code:
                yield Label("Shortcut (one key) and keywords (comma-separated)")
                yield Input(c.shortcut or "", id="ed-shortcut", max_length=1)
                yield Input(", ".join(c.keywords), id="ed-keywords")
                yield Label("Theme")
                yield Select([(t.label, t.id) for t in self.themes] + [("(no theme)", NO_THEME)],
                             value=c.parent if c.parent in {t.id for t in self.themes}
                             else NO_THEME, allow_blank=False, id="ed-parent")
            yield Label("Definition" if is_code else "Description")
            yield TextArea(c.definition, id="ed-definition", soft_wrap=True)
            if is_code:
                for name, value in (("inclusion", c.inclusion), ("exclusion", c.exclusion),
                                    ("example", c.example)):
                    yield Label({"inclusion": "Include when", "exclusion": "Exclude when",
                                 "example": "Example"}[name])
                    yield TextArea(value, id=f"ed-{name}", soft_wrap=True, classes="short")
            yield Label(Text("ctrl+s save · escape cancel · tab next field", "dim"))

    def on_mount(self) -> None:
        """Start in the definition, the field edited most."""
        self.query_one("#ed-definition", TextArea).focus()

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    def action_save(self) -> None:
        """Return every field; the screen saves only what changed, as one event."""
        out: dict[str, Any] = {
            "label": self.query_one("#ed-label", Input).value,
            "definition": self.query_one("#ed-definition", TextArea).text,
        }
        if self.code.kind == "code":
            out["shortcut"] = self.query_one("#ed-shortcut", Input).value or None
            out["keywords"] = self.query_one("#ed-keywords", Input).value
            parent = self.query_one("#ed-parent", Select).value
            out["parent"] = None if parent == NO_THEME else parent
            for name in ("inclusion", "exclusion", "example"):
                out[name] = self.query_one(f"#ed-{name}", TextArea).text
        self.dismiss(out)

