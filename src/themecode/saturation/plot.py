"""Saturation figures as SVG or PNG bytes, drawn with matplotlib's object API (no pyplot state).

matplotlib is imported inside the functions so importing themecode stays fast; the figure is
rendered by the Agg canvas, so no display is needed and it is safe in a worker thread.
"""

from __future__ import annotations

import io
from typing import Literal

from themecode.errors import ThemecodeError
from themecode.saturation.analysis import SaturationResult, _plural

STATUS_TEXT = {
    "saturated": "saturated",
    "not_saturated": "not yet saturated",
    "rules_met_unconfirmed": "stopping rules met, not confirmed",
    "no_data": "no data",
}


def plot_curves(result: SaturationResult, format: Literal["svg", "png"] = "svg", *, dpi: int = 120) -> bytes:
    """Discovery curve, expected curve, Chao2 band and stopping points; new codes per block below.

    Returns the encoded image. The Chao2 band is clipped to the plot when its upper bound is far
    above the data, and the legend then states the full interval.
    """
    if format not in ("svg", "png"):
        raise ThemecodeError(f"cannot draw a plot as {format!r}", hint="use a .svg or .png file name")
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    unit = result.config.unit
    noun = "codes" if result.level == "code" else "themes"
    t = result.n_units
    x = list(range(1, t + 1))
    ch = result.chao2

    fig = Figure(figsize=(8, 6), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 1.2], sharex=False)

    if t:
        top.step(x, result.discovery, where="post", color="#1f4e79", lw=2, label="observed (coding order)")
        top.plot(x, result.expected, color="#c55a11", lw=1.5, ls="--", label="expected E[S(t)] (any order)")
        cap = max(ch.s_obs * 1.6, ch.estimate * 1.15, ch.s_obs + 3)
        high = min(ch.ci_high, cap)
        band = f"Chao2 {ch.estimate:.1f} (95% CI {ch.ci_low}–{ch.ci_high})"
        top.axhspan(ch.ci_low, high, color="#70ad47", alpha=0.18, lw=0)
        top.axhline(ch.estimate, color="#548235", lw=1.2, label=band)
        for rule, name, colour in (
            (result.guest.stop_at, f"Guest {result.guest.label} ≤{result.guest.threshold:.0%}", "#7030a0"),
            (result.francis.stop_at, f"Francis {result.francis.label}", "#808080"),
        ):
            if rule is not None:
                top.axvline(rule, color=colour, lw=1, ls=":", label=f"{name}: {unit} {rule}")
        top.set_ylim(0, max(high, ch.s_obs + 1) * 1.05)
        top.set_xlim(0.5, t + 0.5)
        top.legend(loc="lower right", fontsize=8, frameon=True)
    else:
        top.text(0.5, 0.5, f"No {_plural(unit, 2)} coded yet", ha="center", va="center",
                 transform=top.transAxes)
    top.set_ylabel(f"distinct {noun}")
    top.set_xlabel(f"{_plural(unit, 2)} coded")
    top.grid(alpha=0.3)
    top.set_title(f"Saturation of {noun} after {t} {_plural(unit, t)}: {STATUS_TEXT[result.status]}", fontsize=11)

    block = result.config.block_size
    blocks = result.new_per_block
    if blocks:
        starts = [i * block + 1 for i in range(len(blocks))]
        widths = [min(block, t - s + 1) for s in starts]
        bottom.bar(starts, blocks, width=[w * 0.9 for w in widths], align="edge", color="#1f4e79")
    if t:
        bottom.set_xlim(0.5, t + 0.5)
    from matplotlib.ticker import MaxNLocator

    for axis in (top.xaxis, top.yaxis, bottom.xaxis, bottom.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))  # counts: whole numbers only
    bottom.set_ylabel(f"new {noun}")
    bottom.set_xlabel(f"{_plural(unit, 2)} coded, in blocks of {block}")
    bottom.grid(axis="y", alpha=0.3)

    buf = io.BytesIO()
    metadata = {"Date": None} if format == "svg" else {}
    # real <text> in SVG (searchable, small) and stable ids so the same result gives the same bytes
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "themecode"}):
        fig.savefig(buf, format=format, dpi=dpi, metadata=metadata)
    return buf.getvalue()
