"""The redaction record: a redacted text with its spans and the offset mapping from the original
text onto it, the typed placeholders, and the error for a redactor that cannot work. Shared by the
engines and every output that writes redacted text.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from themecode.errors import ThemecodeError

PLACEHOLDERS: dict[str, str] = {
    "NAME": "[NAME]",
    "DATE": "[DATE]",
    "PLACE": "[PLACE]",
    "CASE_REF": "[CASE REF]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "POSTCODE": "[POSTCODE]",
    "NI_NUMBER": "[NI NUMBER]",
    "NHS_NUMBER": "[NHS NUMBER]",
}


def placeholder_for(kind: str) -> str:
    """The typed placeholder for a redaction kind ('NAME' → '[NAME]', 'CASE_REF' → '[CASE REF]')."""
    known = PLACEHOLDERS.get(kind)
    if known is not None:
        return known
    label = kind.strip().upper().replace("_", " ").strip("[]")
    return f"[{label}]"


@dataclass(frozen=True, slots=True)
class RedactedSpan:
    """One redacted stretch of the original text: code-point offsets, kind, what was there and
    the placeholder that replaced it (by default the kind's, e.g. "[NAME]")."""

    start: int
    end: int
    kind: str
    original: str
    placeholder: str = ""

    def __post_init__(self) -> None:
        if not self.placeholder:
            object.__setattr__(self, "placeholder", placeholder_for(self.kind))


@dataclass(frozen=True)
class Redaction:
    """A redacted text, the spans replaced (offsets into the original) and offset mapping.

    The one record of a redaction, made by `Redactor.redact` and used by every export
    (`themecode.export.redaction`). Spans are sorted and do not overlap; `build` makes one from
    any spans (merging overlaps), `identity` one with nothing redacted.
    """

    original: str
    text: str
    spans: tuple[RedactedSpan, ...] = ()
    # where each span starts in the original and in the redacted text, for bisecting
    _starts: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)
    _out_starts: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.spans:
            out_starts = []
            shift = 0
            for sp in self.spans:
                out_starts.append(sp.start + shift)
                shift += len(sp.placeholder) - (sp.end - sp.start)
            object.__setattr__(self, "_starts", tuple(sp.start for sp in self.spans))
            object.__setattr__(self, "_out_starts", tuple(out_starts))

    @classmethod
    def identity(cls, text: str) -> Redaction:
        """A text with nothing redacted."""
        return cls(text, text)

    @classmethod
    def build(cls, original: str, spans: Iterable[Any]) -> Redaction:
        """Apply replacements given as `RedactedSpan`s or `(start, end, kind[, original[,
        placeholder]])` tuples.

        Overlapping spans are merged (the earliest one's kind and placeholder win); out-of-range
        or empty ones are ignored.
        """
        norm = []
        for sp in spans:
            if isinstance(sp, tuple):
                ph = sp[4] if len(sp) > 4 and sp[4] else placeholder_for(sp[2])
                norm.append((sp[0], sp[1], sp[2], ph))
            else:
                norm.append((sp.start, sp.end, sp.kind,
                             getattr(sp, "placeholder", None) or placeholder_for(sp.kind)))
        merged: list[tuple[int, int, str, str]] = []
        for s, e, kind, ph in sorted(norm, key=lambda t: (t[0], -t[1])):
            if not (0 <= s < e <= len(original)):
                continue
            if merged and s < merged[-1][1]:
                ps, pe, pk, pp = merged[-1]
                merged[-1] = (ps, max(pe, e), pk, pp)
                continue
            merged.append((s, e, kind, ph))
        return cls._assemble(original, merged)

    @classmethod
    def _assemble(cls, original: str, spans: Iterable[tuple[int, int, str, str]]) -> Redaction:
        """The redaction of `original` by sorted, non-overlapping (start, end, kind, placeholder)."""
        parts: list[str] = []
        out: list[RedactedSpan] = []
        pos = 0
        for s, e, kind, placeholder in spans:
            parts.append(original[pos:s])
            parts.append(placeholder)
            out.append(RedactedSpan(s, e, kind, original[s:e], placeholder))
            pos = e
        if not out:
            return cls(original, original)
        parts.append(original[pos:])
        return cls(original, "".join(parts), tuple(out))

    def map_offset(self, offset: int, *, side: str = "start") -> int:
        """Where original `offset` lands in the redacted text.

        An offset strictly inside a redacted span maps to the placeholder's start
        (`side="start"`) or end (`side="end"`), so mapping a range's start and end keeps whole
        placeholders; an offset at a span's start maps to just before its placeholder.
        """
        if not 0 <= offset <= len(self.original):
            raise ValueError(f"offset {offset} is outside the text (length {len(self.original)})")
        return self._map(offset, side == "end")

    def map_start(self, offset: int) -> int:
        """Where an original start offset lands in the redacted text (inside a span: its start)."""
        return self._map(offset, False)

    def map_end(self, offset: int) -> int:
        """Where an original end offset lands in the redacted text (inside a span: its end)."""
        return self._map(offset, True)

    def _map(self, offset: int, is_end: bool) -> int:
        if not self.spans:
            return offset
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        sp = self.spans[i]
        out_start = self._out_starts[i]
        if offset == sp.start:
            return out_start
        if offset >= sp.end:
            return out_start + len(sp.placeholder) + (offset - sp.end)
        # inside a replaced span: widen to the whole placeholder
        return out_start + len(sp.placeholder) if is_end else out_start

    def slice(self, start: int, end: int) -> str:
        """The redacted text of original range [start, end), widened to whole placeholders."""
        return self.text[self._map(start, False) : self._map(end, True)]


def _apply(text: str, spans: Sequence[tuple[int, int, str]]) -> Redaction:
    """Build the redacted text from non-overlapping spans sorted by start."""
    return Redaction._assemble(text, [(s, e, kind, PLACEHOLDERS[kind]) for s, e, kind in spans])


def _resolve(cands: Iterable[tuple[int, int, str, int]]) -> list[tuple[int, int, str]]:
    """Non-overlapping spans: lower priority number first, then longer, then earlier."""
    chosen: list[tuple[int, int, str]] = []
    starts: list[int] = []
    for s, e, kind, _p in sorted(cands, key=lambda c: (c[3], c[0] - c[1], c[0])):
        i = bisect.bisect_left(starts, s)
        if i > 0 and chosen[i - 1][1] > s:
            continue
        if i < len(chosen) and chosen[i][0] < e:
            continue
        chosen.insert(i, (s, e, kind))
        starts.insert(i, s)
    return chosen


class RedactionError(ThemecodeError):
    """The redactor was configured in a way it cannot work with."""


# --------------------------------------------------------------------------- side report


def redaction_report(
    items: Iterable[tuple[Any, Redaction]], context: int = 40
) -> list[dict[str, Any]]:
    """Rows (doc id, kind, original, placeholder, offsets, context) for a human to check redactions.

    The context is taken from the ORIGINAL text, with the redacted stretch marked ⟦like this⟧, so
    the report itself holds personal details: write it beside the export, never publish it.
    """
    rows: list[dict[str, Any]] = []
    for doc_id, red in items:
        for sp in red.spans:
            a = max(0, sp.start - context)
            b = min(len(red.original), sp.end + context)
            ctx = (
                red.original[a : sp.start] + "⟦" + sp.original + "⟧" + red.original[sp.end : b]
            ).replace("\n", " ")
            rows.append(
                {
                    "doc_id": doc_id,
                    "kind": sp.kind,
                    "original": sp.original,
                    "placeholder": sp.placeholder,
                    "start": sp.start,
                    "end": sp.end,
                    "context": ("…" if a else "") + ctx + ("…" if b < len(red.original) else ""),
                }
            )
    return rows
