"""A REFI source's text as themecode stores it, with its selection offsets mapped exactly.

Peers write plain-text sources as they hold them: with a final newline, CRLF line ends, a
byte-order mark. themecode keeps `\\n`-normalised NFC text without outer white space
(`corpus.normalise_text`), so a source is normalised and each position of the file's text is
mapped onto the normalised text. Positions count the file's code points (a CRLF is two) as the
standard says; ATLAS.ti counts a CRLF as one, as QualCoder's importer also assumes.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from themecode.corpus.inputs import read_member


@dataclass(frozen=True)
class MappedText:
    """Normalised text plus the maps from the file's positions to positions in it."""

    text: str
    starts: list[int]  # file position → normalised position (a start rounds down)
    ends: list[int]  # file position → normalised position (an end rounds up)
    changed: bool  # the file's text was not already normalised

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The normalised span of the file's [start, end), or None when it is outside the text
        or holds only white space that normalisation removed."""
        if not 0 <= start < end <= len(self.starts) - 1:
            return None
        s, e = self.starts[start], self.ends[end]
        return (s, e) if s < e else None


def map_text(raw: str, *, crlf_counts_one: bool = False) -> MappedText | None:
    """Normalise `raw` like `corpus.normalise_text`, keeping a position map; None when Unicode
    composition would join characters across the map's steps (offsets cannot be trusted)."""
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    if crlf_counts_one:
        raw = raw.replace("\r\n", "\n")
    n = len(raw)
    if "\r" not in raw and unicodedata.is_normalized("NFC", raw):  # the common case: identity
        return _stripped(raw, raw, list(range(n + 1)), list(range(n + 1)))
    out: list[str] = []
    starts = [0] * (n + 1)
    ends = [0] * (n + 1)
    j = i = 0
    while i < n:
        ch = raw[i]
        if ch == "\r":
            step = 2 if raw.startswith("\r\n", i) else 1
            piece = "\n"
        else:
            step = 1
            while i + step < n and unicodedata.combining(raw[i + step]):
                step += 1
            piece = unicodedata.normalize("NFC", raw[i:i + step])
        for k in range(i, i + step):
            starts[k] = j
            ends[k] = j + len(piece) if k > i else j
        out.append(piece)
        j += len(piece)
        i += step
    starts[n] = ends[n] = j
    joined = "".join(out)
    if joined != unicodedata.normalize("NFC", joined):
        return None
    return _stripped(raw, joined, starts, ends)


def _stripped(raw: str, joined: str, starts: list[int], ends: list[int]) -> MappedText:
    """Remove the outer white space and shift the maps onto what is left."""
    lead = len(joined) - len(joined.lstrip())
    text = joined.strip()
    if lead == 0 and len(text) == len(joined):
        return MappedText(text, starts, ends, text != raw)

    def clip(v: int) -> int:
        return min(max(v - lead, 0), len(text))

    return MappedText(text, [clip(v) for v in starts], [clip(v) for v in ends], text != raw)


def zip_member(names: dict[str, str], path: str) -> str | None:
    """The zip member a `internal://` path names: in `sources/` (QualCoder, qc, MAXQDA) or
    `Sources/` (NVivo), or at the top. `names` maps each member's lower-case name to it."""
    leaf = path[len("internal://"):].lstrip("/")
    lowered = names
    for cand in (f"sources/{leaf}", leaf):
        if cand.lower() in lowered:
            return lowered[cand.lower()]
    return None


def read_member_text(zf: zipfile.ZipFile, member: str, path: str | Path) -> str | None:
    """A text member decoded as UTF-8 (a BOM is dropped); None when it is not UTF-8 (a damaged
    member is refused, `inputs.read_member`)."""
    try:
        return read_member(zf, member, path).decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
