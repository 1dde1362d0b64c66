"""Compact panels for narrower terminals: a case strip, a grid of every code key, a suggestion line.

Below the widths where side columns fit, the coding screen hides them and shows these instead,
so every code shortcut and the current case stay visible at 80x24 (see `app.tcss`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual import events
from textual.message import Message

from themecode.store import Case, Code, Document
from themecode.tui.queries import Progress
from themecode.tui.widgets.commentary import TextPanel, code_colour
from themecode.tui.widgets.panels import STATUS_MARK, case_heading, judgement_of, meta_items

GRID_MIN_COLUMN = 24  # cells: a shortcut, a colour mark and a label of ~20 characters
GRID_NARROWEST = 16  # cells: columns narrow to this (labels of ~12) before rows overflow


class CaseStrip(TextPanel):
    """Three lines: the case and its metadata, its commentaries, and progress.

    Each line is cut to the strip's width (with an ellipsis, as the CSS would) before it is
    shown: the case line with all its metadata runs to ~250 characters, and letting Textual
    crop it costs ~2 ms more per frame on every move to another commentary."""

    _full: Text | None = None

    def show(
        self, case: Case, position: int, total: int, status: str, docs: Sequence[Document],
        current: int, statuses: Mapping[str, str], progress: Progress, coder: str,
    ) -> None:
        """Render the strip."""
        t = case_heading(case, position, total, status, " ")
        for label, value in meta_items(case.metadata):
            t.append(f" · {label} ", "dim")
            t.append(value)
        t.append("\n")
        if not docs:
            t.append("This case has no commentaries.", "dim")
        for i, d in enumerate(docs):
            here = i == current
            t.append("▸" if here else " ", "bold #88c0d0")
            t.append(STATUS_MARK.get(statuses.get(d.id, "open"), " "), "#a3be8c")
            t.append((d.stage or "commentary").capitalize(), "bold underline" if here else "")
            judgement = judgement_of(d)
            if judgement:
                t.append(f" {judgement}", "dim")
            t.append("  ")
        t.append("\n")
        t.append(f"{coder}: ", "bold")
        t.append(f"cases {progress.cases_done}/{progress.cases_total} done · commentaries "
                 f"{progress.docs_done}/{progress.docs_total if progress.docs_total >= 0 else '…'} done",
                 "dim")
        self._full = t
        self._fit()

    def on_resize(self) -> None:
        """Cut the lines again for the new width."""
        self._fit()
        super().on_resize()

    def _fit(self) -> None:
        if self._full is None:
            return
        width = self.content_size.width
        if width <= 0:  # not laid out yet (or hidden): the next resize cuts it
            self.set_text(self._full)
            return
        lines = self._full.split("\n", allow_blank=True)
        for line in lines:
            line.truncate(width, overflow="ellipsis")
        self.set_text(Text("\n").join(lines))


class CodeKeys(TextPanel):
    """Every code with its key, in as many columns as fit the width (the codebook, compacted)."""

    class Picked(Message):
        """A code was clicked in the grid."""

        def __init__(self, code_id: str) -> None:
            super().__init__()
            self.code_id = code_id

    _codes: list[Code] = []
    max_rows: int | None = None  # rows the screen can give the grid (None: as many as needed)

    def fit(self, max_rows: int | None) -> None:
        """Fit the grid into `max_rows` rows (narrower columns, shorter labels) if it can."""
        if max_rows != self.max_rows:
            self.max_rows = max_rows
            self._render_grid()

    def columns(self, width: int) -> int:
        """Columns at `width` cells: ~24-cell columns, narrowed down to 16 cells when more
        columns keep every code within `max_rows` rows (a codebook grown by inductive codes in
        an 80x24 terminal)."""
        cols = max(1, width // GRID_MIN_COLUMN)
        n = len(self._codes)
        if self.max_rows and n > cols * self.max_rows:
            cols = max(cols, min(max(1, width // GRID_NARROWEST), -(-n // self.max_rows)))
        return cols

    def on_click(self, event: events.Click) -> None:
        """Apply the clicked code (posted to the screen, which owns coding)."""
        width = self.content_size.width
        cols = self.columns(width)
        rows = self.rows_needed(width)
        i = (event.x // (width // cols)) * rows + event.y
        if 0 <= event.y < rows and 0 <= i < len(self._codes):
            self.post_message(self.Picked(self._codes[i].id))

    def show_codes(self, codes: Sequence[Code]) -> None:
        """Remember the live codes (codebook order) and render them."""
        self._codes = [c for c in codes if c.kind == "code"]
        self._render_grid()

    def on_resize(self) -> None:
        """Re-flow the columns for the new width."""
        self._render_grid()
        super().on_resize()

    def rows_needed(self, width: int) -> int:
        """Lines the grid takes at `width` cells."""
        cols = self.columns(width)
        return -(-len(self._codes) // cols) if self._codes else 1

    def _render_grid(self) -> None:
        width = self.content_size.width or 80
        cols = self.columns(width)
        col_w = width // cols
        rows = self.rows_needed(width)
        t = Text(no_wrap=True, overflow="ellipsis")
        for r in range(rows):
            if r:
                t.append("\n")
            for c in range(cols):
                i = c * rows + r  # down the columns, so codebook order reads naturally
                if i >= len(self._codes):
                    break
                code = self._codes[i]
                label = code.label
                room = col_w - 5
                if len(label) > room:
                    label = label[: max(1, room - 1)] + "…"
                cell = Text()
                cell.append(f"{code.shortcut or ' '} ", "bold #88c0d0")
                cell.append("■ ", code_colour(code, code.id))
                cell.append(label)
                cell.pad_right(col_w - cell.cell_len)
                t.append_text(cell)
        self.styles.height = rows
        self.set_text(t)


class SuggestionStrip(TextPanel):
    """The top suggestions on one line, numbered for the 1–5 keys."""

    def show(self, items: Sequence[tuple[str, float, str, bool]], codes: Mapping[str, Code]) -> None:
        """Render numbered suggestions (code_id, score, source, above threshold)."""
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append("Suggested: ", "bold")
        for i, (code_id, score, _source, above) in enumerate(items):
            code = codes.get(code_id)
            if i:
                t.append("  ")
            t.append(f"{i + 1} ", "bold #88c0d0")
            t.append("■ ", code_colour(code, code_id))
            t.append(code.label if code else code_id, "" if above else "dim")
            t.append(f" {score:.2f}", "dim")
        self.set_text(t)

    def show_message(self, message: str) -> None:
        """Render a plain message."""
        self.set_text(Text(message, "dim", no_wrap=True, overflow="ellipsis"))


class TopBar(TextPanel):
    """Project, coder and whether others' codings are shown (blind double coding)."""

    def show(self, project: str, coder: str, show_others: bool, marker: str = "") -> None:
        """Render the bar (`marker`: where the commentary or case has a memo)."""
        t = Text()
        t.append(" themecode ", "bold #2e3440 on #88c0d0")
        t.append(f"  {project}", "bold")
        t.append(f"  ·  coder {coder}")
        t.append("  ·  showing everyone's codings" if show_others else "  ·  blind (my codings)",
                 "#ebcb8b" if show_others else "dim")
        if marker:
            t.append(f"  ·  {marker}", "#ebcb8b")
        self.set_text(t)
