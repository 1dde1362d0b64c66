"""Matplotlib plots for the HTML report, as inline SVG (Agg canvas, imported only when drawn)."""

from __future__ import annotations

import html
import re
from typing import Any

from themecode.corpus.controls import visible


def _svg(fig: Any, title: str) -> str:
    """A matplotlib figure as inline SVG markup (no XML prolog, DOCTYPE or metadata), titled."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return clean_svg(buf.getvalue(), title)


def clean_svg(svg: str, title: str | None = None) -> str:
    """Strip what an inline SVG must not carry (prolog, DOCTYPE with its URL, RDF metadata) and
    show hidden control characters of labels visibly (`controls.visible`); with `title`, give it
    role="img", an aria-label and a <title> that screen readers read."""
    svg = visible(svg)
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = svg.strip()
    if title:
        esc = html.escape(visible(title), quote=True)
        svg = re.sub(r"<svg\b([^>]*)>", lambda m: f'<svg{m.group(1)} role="img" '
                     f'aria-label="{esc}"><title>{esc}</title>', svg, count=1)
    return svg


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    fig.patch.set_alpha(0)
    return fig


def frequency_plot(rows: list[tuple[str, str, int]], n_cases: int) -> str:
    """Horizontal bars: share of coded cases carrying each code, coloured by theme."""
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    fig = _figure(7.5, max(2.0, 0.26 * len(rows) + 0.8))
    ax = fig.add_subplot()
    themes = list(dict.fromkeys(t for t, _, _ in rows))
    cmap = colormaps["tab10"]
    colours = {t: cmap(i % 10) for i, t in enumerate(themes)}
    labels = [visible(label) for _, label, _ in rows][::-1]
    values = [100 * n / n_cases if n_cases else 0 for _, _, n in rows][::-1]
    ax.barh(labels, values, color=[colours[t] for t, _, _ in rows][::-1])
    ax.set_xlabel(f"% of the {n_cases} coded cases carrying the code")
    ax.set_xlim(0, 100)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    title = f"Codes by share of the {n_cases} coded sampled cases (coders pooled)"
    ax.set_title(title, fontsize=10, loc="left")
    handles = [Patch(color=colours[t], label=t) for t in themes]
    # beside the plot, never over the bars
    ax.legend(handles=handles, fontsize=7, frameon=False, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), title="theme", title_fontsize=7)
    return _svg(fig, title)


def heatmap_plot(labels: list[str], matrix: list[list[int]]) -> str:
    """Code co-occurrence heatmap (cases carrying both codes; the diagonal is left blank so the
    colour scale shows the pairs)."""
    import numpy as np

    fig = _figure(7.5, 6.5)
    ax = fig.add_subplot()
    data = np.ma.masked_array(np.array(matrix, dtype=float), mask=np.eye(len(labels), dtype=bool))
    im = ax.imshow(data, cmap="Blues")
    labels = [visible(label) for label in labels]
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    from matplotlib.ticker import MaxNLocator

    bar = fig.colorbar(im, ax=ax, shrink=0.7, label="cases with both codes")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    title = f"Cases carrying both codes, for the {len(labels)} most frequent codes"
    ax.set_title(title, fontsize=10, loc="left")
    return _svg(fig, title)
