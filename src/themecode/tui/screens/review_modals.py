"""Dialogs of the review screens: pick a code or theme, pick a theme, edit a code's fields.

Like the coding screen's modals they only collect input and dismiss with a plain result; the
screen that opened them performs the store action.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, TextArea

from themecode.store import Code
from themecode.tui.screens.modals import MODAL_BINDINGS, CodePicker

NO_THEME = "__none__"
EDITOR_BINDINGS: list[Binding] = [Binding("ctrl+s", "save", "Save code", id="editor.save")]


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

