"""The saturation screen: discovery curve, new codes per block, Chao2 estimate and the verdict."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static

BAR = "█"


def saturation_text(data: dict[str, Any]) -> Text:
    """The figures of a saturation result as literal text: its `to_dict()` plus the rows of
    `summary_rows()` and `sensitivity_table()` under "summary_rows" and "sensitivity".

    Verdict first, then the figures and the sensitivity grid, then new codes per block (long),
    then the guard-rails."""
    t = Text()
    unit = str(data.get("unit", "case"))
    t.append("Saturation of this coder's codes\n", "bold")
    t.append(f"{data.get('n_codes_observed', 0)} codes seen in {data.get('n_units', 0)} {unit}s done\n")
    t.append("\nVerdict\n", "bold dim")
    t.append(str(data.get("verdict", "")) + "\n", "#ebcb8b")
    rows = data.get("summary_rows")
    if rows:
        t.append("\nFigures\n", "bold dim")
        width = max(len(str(name)) for name, _ in rows)
        for name, value in rows:
            t.append(f"  {str(name):<{width}}  ", "dim")
            t.append(f"{value}\n")
    grid = data.get("sensitivity")
    if grid:
        header, grid_rows = grid
        t.append("\nGuest et al. sensitivity grid (where the rule fires)\n", "bold dim")
        widths = [max(len(str(r[i])) for r in [header, *grid_rows]) for i in range(len(header))]
        for row in [header, *grid_rows]:
            t.append("  " + "  ".join(f"{str(c):<{w}}" for c, w in zip(row, widths, strict=True)) + "\n",
                     "dim" if row is header else "")
    block = data.get("block_size", 10)
    blocks = data.get("new_per_block", [])
    t.append(f"\nNew codes per block of {block} {unit}s\n", "bold dim")
    top = max(blocks) if blocks else 0
    for i, n in enumerate(blocks):
        t.append(f"  {i * block + 1:>4}-{(i + 1) * block:<4} ", "dim")
        t.append(BAR * (round(20 * n / top) if top else 0), "#88c0d0")
        t.append(f" {n}\n")
    rails = data.get("guard_rails") or ([data["caveat"]] if data.get("caveat") else [])
    if rails:
        t.append("\n")
    for line in rails:
        t.append(f"• {line}\n", "dim italic")
    return t


class SaturationScreen(Screen[None]):
    """Full saturation picture for this coder (from the last background computation)."""

    BINDINGS = [
        Binding("escape,ctrl+t", "app.pop_screen", "Back to coding", id="saturation.close"),
    ]

    def __init__(self, data: dict[str, Any] | None, message: str) -> None:
        super().__init__()
        self.data = data
        self.message = message

    def compose(self) -> ComposeResult:
        """Sparkline of the discovery curve and the figures."""
        with VerticalScroll(id="saturation-body"):
            if self.data is None:
                yield Static(Text(self.message, "dim"), id="saturation-text")
            else:
                n = len(self.data.get("discovery_curve", []))
                title = Text("Discovery curve", "bold")
                title.append(f"  codes seen after each of the {n} {self.data.get('unit', 'case')}s "
                             "done, in coding order", "dim")
                yield Static(title, id="saturation-title")
                yield Sparkline([float(x) for x in self.data.get("discovery_curve", [])] or [0.0],
                                id="saturation-curve")
                yield Static(saturation_text(self.data), id="saturation-text")
        yield Footer()
