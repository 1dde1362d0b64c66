"""The commentary view: the text shown literally, with coded spans, code tags and the selection.

Text is always built as `rich.text.Text` from the raw string and styled by offset ranges, so
characters like `[bold]`, `[/]` or `[link=...]` in a commentary are shown exactly as typed, and
hidden control characters (an old project may hold an ESC sequence) as visible symbols.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

from rich._wrap import divide_line  # the function Textual wraps Content lines with
from rich.style import Style
from rich.text import Text
from textual import events
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.visual import visualize
from textual.widget import Widget
from textual.widgets import Static

from themecode.corpus.controls import has_hidden, visible
from themecode.store import Code, Coding

# A calm palette that stays readable on a dark background; a code's own colour wins.
PALETTE = (
    "#7fb4ca", "#e6a86b", "#98c379", "#d38ca8", "#c5b36b", "#8fa8e0", "#6fc2b0", "#d98c6f",
    "#b39ddb", "#a3be8c", "#e0a0c8", "#5fafd7", "#ebcb8b", "#bf9f7f", "#9ccfd8", "#f2a1a1",
    "#87d787", "#d7afff", "#ffaf5f", "#5fd7af", "#ff87af", "#afd75f", "#87afff", "#d7875f",
)
SELECTION = Style(bgcolor="#33415c")
TAG_MAX = 26


def code_colour(code: Code | None, code_id: str) -> str:
    """The display colour of a code: its codebook colour, else a palette entry by codebook order."""
    if code is not None and code.colour and code.colour.startswith("#"):
        return code.colour
    if code is not None:  # codebook order: neighbouring codes never share a colour
        return PALETTE[code.sort_order % len(PALETTE)]
    return PALETTE[zlib.crc32(code_id.encode()) % len(PALETTE)]


def short_label(code: Code | None, code_id: str) -> str:
    """A code's label shortened for a tag beside the text."""
    label = code.label if code else code_id
    return label if len(label) <= TAG_MAX else label[: TAG_MAX - 1] + "…"


def visible_text(text: Text) -> Text:
    """`text` with hidden control characters shown as symbols, styles kept (one for one)."""
    if not has_hidden(text.plain):
        return text
    shown = text.copy()
    shown.plain = visible(text.plain)
    return shown


def render_commentary(
    text: str,
    codings: Sequence[Coding],
    codes: Mapping[str, Code],
    coder: str,
    sel: tuple[int, int] | None,
    raw_map: list[int] | None = None,
) -> Text:
    """Style `text` with its codings (colour per code, tag after each span) and the selection.

    `raw_map`, when given, is filled with the offset into `text` of every character shown (a
    code tag maps to the end of its span), so a click can be turned back into a text offset.
    """
    bounds = {0, len(text)}
    for c in codings:
        bounds.update((c.start, c.end))
    if sel:
        bounds.update(sel)
    points = sorted(b for b in bounds if 0 <= b <= len(text))
    ends: dict[int, list[Coding]] = {}
    for c in codings:
        ends.setdefault(c.end, []).append(c)
    out = Text(no_wrap=False, end="")
    for a, b in zip(points, points[1:], strict=False):
        style = Style()
        covering = [c for c in codings if c.start <= a and c.end >= b]
        if covering:
            first = min(covering, key=lambda c: (c.start, c.id))
            style += Style(
                color=code_colour(codes.get(first.code_id), first.code_id),
                underline=len(covering) > 1,
                italic=first.coder != coder,
            )
        if sel and sel[0] <= a and b <= sel[1]:
            style += SELECTION
        out.append(visible(text[a:b]), style)  # one for one: offsets stay valid
        if raw_map is not None:
            raw_map.extend(range(a, b))
        for c in sorted(ends.get(b, ()), key=lambda c: (c.start, c.id)):
            code = codes.get(c.code_id)
            tag = short_label(code, c.code_id)
            if c.coder != coder:
                tag += f" · {c.coder}"
            out.append(f" ⟨{visible(tag)}⟩", Style(color=code_colour(code, c.code_id), dim=True, italic=True))
            if raw_map is not None:
                raw_map.extend([max(a, b - 1)] * (len(tag) + 3))
    if raw_map is not None:
        raw_map.append(len(text))
    return out


class TextPanel(Static):
    """A Static for styled text that skips identical updates and asks for a relayout (costly:
    the whole screen is arranged again) only when the text's height at the current width changes.
    """

    _last: Text | None = None
    _height: tuple[int, int] = (-1, -1)  # (width, height) of the text last shown

    def on_resize(self) -> None:
        """Note the text's height at the new width (so the next change can skip a layout)."""
        width = self.content_size.width
        if width > 0 and self._last is not None:
            self._height = (width, visualize(self, self._last, markup=False).get_height(self.styles, width))

    def set_text(self, text: Text) -> None:
        """Show `text` (styled, never parsed as markup; control characters shown visibly)."""
        text = visible_text(text)
        if self._last is not None and text == self._last:
            return
        width, actual = self.content_size
        layout = True
        fixed = self.styles.height
        if not all(n.display for n in self.ancestors_with_self):
            layout = False  # hidden (itself or a column): showing it lays the screen out anyway
        elif width > 0 and fixed is not None and not fixed.is_auto:
            layout = False  # a mounted box whose height is not its text's never changes the layout
        elif width > 0:
            height = visualize(self, text, markup=False).get_height(self.styles, width)
            old_width, old_height = self._height
            if self._last is not None and old_width == width:
                # Same height, or a box held taller than its text by min-height that still
                # holds the new text: the widget keeps its size, so no screen layout is needed.
                layout = not (height == old_height or (old_height < actual and height <= actual))
            self._height = (width, height)
        self._last = text
        self.update(text, layout=layout)


class CommentaryText(Widget, can_focus=True):
    """The focusable text of the current commentary (keys are handled by the coding screen).

    Its box is at least as tall as the view (min-height in app.tcss), so most changes (selection
    moves, a new code tag) keep its size: then only the lines holding text are repainted and
    no screen layout happens, which keeps key-to-screen latency low.
    """

    class Clicked(Message):
        """The coder clicked (or shift+clicked, or dragged to) a place in the commentary."""

        def __init__(self, offset: int, extend: bool) -> None:
            super().__init__()
            self.offset = offset  # code point into the commentary's text
            self.extend = extend  # extend the selection to here instead of starting afresh

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._text = Text("")
        self._raw_map: list[int] = []
        self._height = (-1, -1)  # (width, lines) of the text last shown
        self._down: int | None = None

    def offset_at(self, x: int, y: int) -> int | None:
        """The commentary offset shown at cell (x, y) of this widget, wrapped as Textual wraps."""
        width = self.content_size.width
        if width <= 0 or not self._raw_map:
            return None
        row, base = 0, 0
        for line in self._text.plain.split("\n"):
            cuts = [0, *divide_line(line, width, fold=True)]
            for i, cut in enumerate(cuts):
                end = cuts[i + 1] if i + 1 < len(cuts) else len(line)
                if row == y:
                    at = base + min(cut + max(x, 0), max(cut, end - 1))
                    return self._raw_map[min(at, len(self._raw_map) - 1)]
                row += 1
            base += len(line) + 1
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Start a selection at the clicked sentence (shift: extend the current one)."""
        self.focus()
        self._down = self.offset_at(event.x, event.y)
        if self._down is not None:
            self.post_message(self.Clicked(self._down, extend=event.shift))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """A drag ends: extend the selection to where the button was released."""
        up = self.offset_at(event.x, event.y)
        if up is not None and self._down is not None and up != self._down:
            self.post_message(self.Clicked(up, extend=True))
        self._down = None

    @property
    def content(self) -> Text:
        """The text shown (for tests and screenshots)."""
        return self._text

    def render(self) -> Text:
        """The styled commentary (a `Text`, so never parsed as markup)."""
        return self._text

    def on_resize(self) -> None:
        """Note the text's height at the new width (so the next change can skip a layout)."""
        width = self.content_size.width
        if width > 0:
            self._height = (width, visualize(self, self._text, markup=False).get_height(self.styles, width))

    def show(self, text: Text, raw_map: list[int] | None = None) -> None:
        """Replace the rendered commentary, repainting as little as possible (`raw_map`: the text
        offset of every character shown, from `render_commentary`, for mouse clicks)."""
        self._raw_map = raw_map if raw_map is not None else list(range(len(text.plain) + 1))
        if text == self._text and self._height[0] >= 0:
            return
        width, box = self.content_size
        old_width, old_h = self._height
        self._text = text
        if width <= 0:
            self._height = (-1, -1)
            self.refresh(layout=True)
            return
        new_h = visualize(self, text, markup=False).get_height(self.styles, width)
        self._height = (width, new_h)
        same_box = old_width == width and (new_h == old_h or (old_h < box and new_h <= box))
        if not same_box:
            self.refresh(layout=True)
        else:
            self.refresh(Region(0, 0, width, max(old_h, new_h, 1)))


class CommentaryView(VerticalScroll, can_focus=False):
    """Scrolls the commentary text; keeps the selection roughly in view."""

    def compose(self):  # type: ignore[no-untyped-def]
        """One focusable text widget."""
        yield CommentaryText(id="commentary-text")

    def keep_in_view(self, offset: int, length: int) -> None:
        """Scroll so that the selection (at `offset` of `length` characters) is visible."""
        if length <= 0 or self.virtual_size.height <= self.size.height:
            return
        y = int(self.virtual_size.height * offset / length) - self.size.height // 3
        self.scroll_to(y=max(0, y), animate=False)
