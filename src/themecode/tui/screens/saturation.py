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


def _num(x: Any, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def saturation_text(data: dict[str, Any]) -> Text:
    """The figures of a saturation result (its `to_dict()`) as literal text."""
    t = Text()
    t.append("Saturation of this coder's codes\n", "bold")
    t.append(f"{data.get('n_codes_observed', 0)} codes seen in {data.get('n_units', 0)} "
             f"{data.get('unit', 'case')}s done\n\n")
    curve = data.get("discovery_curve", [])
    unit = str(data.get("unit", "case"))
    block = data.get("block_size", 10)
    blocks = data.get("new_per_block", [])
    t.append(f"New codes per block of {block} {unit}s\n", "bold dim")
    top = max(blocks) if blocks else 0
    for i, n in enumerate(blocks):
        t.append(f"  {i * block + 1:>4}-{(i + 1) * block:<4} ", "dim")
        t.append(BAR * (round(20 * n / top) if top else 0), "#88c0d0")
        t.append(f" {n}\n")
    ch = data.get("chao2", {})
    t.append("\nChao2 estimate of total codes\n", "bold dim")
    t.append(f"  {_num(ch.get('estimate'))}  (95% CI {_num(ch.get('ci_low'))}–{_num(ch.get('ci_high'))}; "
             f"observed {ch.get('s_obs', len(curve) and curve[-1])}, singletons {ch.get('q1', '–')}, "
             f"doubletons {ch.get('q2', '–')})\n")
    since = data.get("units_since_last_new")
    if since is not None:
        t.append(f"  {since} {unit}s since the last new code\n")
    t.append("\nVerdict\n", "bold dim")
    t.append(str(data.get("verdict", "")) + "\n", "#ebcb8b")
    if data.get("caveat"):
        t.append("\n" + str(data["caveat"]) + "\n", "dim italic")
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
