"""The key bar at the foot of the coding screen: as many keys as fit, the most needed first.

Textual's Footer cuts its row at the right edge, so at 120 columns the last keys (saturation,
quit) vanished. This bar drops the least needed keys instead and always keeps help and quit;
`?` lists every key.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from themecode.tui.widgets.commentary import TextPanel

# Binding ids in the order they are dropped last-to-first when the row is too narrow.
PRIORITY = ("help", "quit", "pick_code", "accept_suggestion", "undo", "done_commentary",
            "done_case", "redo", "new_code", "search", "memo_commentary", "saturation",
            "toggle_panels", "goto_case")


class KeyBar(TextPanel):
    """One row of `key description` pairs, fitted to the width."""

    _rows: Sequence[tuple[str, str, str]] = ()

    def show_keys(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Remember (key shown, description, binding id) rows and render what fits."""
        self._rows = rows
        self._render_bar()

    def on_resize(self) -> None:
        """Refit to the new width."""
        self._render_bar()
        super().on_resize()

    def _render_bar(self) -> None:
        width = self.content_size.width or self.app.size.width
        by_id = {r[2]: r for r in self._rows}
        wanted = [i for i in PRIORITY if i in by_id]
        shown: list[str] = []
        for bid in wanted:
            trial = [*shown, bid]
            if _width([by_id[i] for i in trial]) <= width:
                shown = trial
        order = [r for r in self._rows if r[2] in shown]
        t = Text(no_wrap=True, overflow="ellipsis")
        for key, desc, _ in order:
            t.append(f" {key} ", "bold #88c0d0")
            t.append(f"{desc} ")
        self.set_text(t)


def _width(rows: Sequence[tuple[str, str, str]]) -> int:
    return sum(len(k) + len(d) + 3 for k, d, _ in rows)
