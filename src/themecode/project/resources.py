"""Where the bundled data lives: inside the installed package (`themecode/_data`) or, in a source
checkout, at the repository root (`codebooks/`, `corpus/demo/`)."""

from __future__ import annotations

from pathlib import Path

from themecode.errors import ThemecodeError

_PKG = Path(__file__).resolve().parents[1]
_REPO = _PKG.parent.parent


def data_path(kind: str, name: str) -> Path:
    """Path of a bundled file: kind 'codebooks' or 'demo'."""
    candidates = [_PKG / "_data" / kind / name]
    candidates.append(_REPO / ("codebooks" if kind == "codebooks" else "corpus/demo") / name)
    for c in candidates:
        if c.exists():
            return c
    raise ThemecodeError(
        f"The bundled file {kind}/{name} is missing from this installation.",
        hint="reinstall themecode (pip install themecode) or run from a source checkout.",
    )


def default_codebook() -> Path:
    """The public-protection codebook shipped with themecode."""
    return data_path("codebooks", "public-protection.yaml")
