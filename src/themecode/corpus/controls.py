"""Control characters: one policy for import, display and every export.

Pasted text brings invisible characters. themecode's policy:

- **line breaks**: vertical tab (Word's soft line break), form feed and NEL become `\\n` when
  text is normalised at import, before it is stored, so offsets are never affected;
- **refused at import** (the row and column are named): every other C0 and C1 control
  character except tab and line breaks, DEL, bidirectional overrides, embeddings and isolates
  (U+202A-U+202E, U+2066-U+2069, which can reorder text on a coder's screen) and lone
  surrogates (which no file encoding can hold);
- **shown visibly** wherever stored text leaves the database (the coding UI, every export
  format, REFI-QDA, the report, the CLI): a project made before this policy may still hold such
  characters, so `visible` replaces each by one visible character (U+2400 control pictures for
  C0 and DEL, U+FFFD for the rest). One character for one keeps every offset valid.
"""

from __future__ import annotations

import re

# vertical tab, form feed and NEL are line breaks
LINE_BREAKS = re.compile("[\x0b\x0c\x85]")
# what import refuses (tab, \n and \r are ordinary; \r is normalised to \n)
REFUSED = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# what display and export make visible: the refused ones, and VT/FF/NEL an old project kept
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_NAMES = {0x1B: "ESC", 0x07: "BEL", 0x08: "backspace", 0x7F: "DEL", 0x00: "NUL",
          0x202E: "right-to-left override", 0x202D: "left-to-right override",
          0x202A: "left-to-right embedding", 0x202B: "right-to-left embedding",
          0x202C: "pop directional formatting", 0x2066: "left-to-right isolate",
          0x2067: "right-to-left isolate", 0x2068: "first strong isolate",
          0x2069: "pop directional isolate"}


def line_breaks(text: str) -> str:
    """Vertical tab, form feed and NEL as `\\n` (part of import's text normalisation)."""
    return LINE_BREAKS.sub("\n", text)


def describe(ch: str) -> str:
    """A person-readable name for a refused character, e.g. `ESC (U+001B)`."""
    cp = ord(ch)
    if 0xD800 <= cp <= 0xDFFF:
        return f"a lone surrogate (U+{cp:04X})"
    name = _NAMES.get(cp, "control character")
    return f"{name} (U+{cp:04X})"


def first_refused(text: str) -> tuple[int, str] | None:
    """(position, description) of the first character import refuses in `text`, or None."""
    m = REFUSED.search(text)
    return (m.start(), describe(m.group())) if m else None


def refusal(text: str) -> str | None:
    """A message fragment naming the first refused character and where it is, or None."""
    hit = first_refused(text)
    if hit is None:
        return None
    pos, what = hit
    return f"contains {what} at character {pos + 1}"


REFUSAL_HINT = ("remove hidden control or text-direction characters (often pasted from a "
                "terminal or a web page) and import again.")


def _picture(m: re.Match[str]) -> str:
    cp = ord(m.group())
    if cp < 0x20:
        return chr(0x2400 + cp)
    if cp == 0x7F:
        return "\u2421"
    return "\ufffd"


def has_hidden(text: str | None) -> bool:
    """Whether `text` holds a character `visible` would replace."""
    return bool(text) and _HIDDEN.search(text) is not None  # type: ignore[arg-type]


def visible(text: str) -> str:
    """`text` with each hidden control, bidi override or lone surrogate replaced by one visible
    character (same length, so offsets into it stay valid)."""
    if not text or _HIDDEN.search(text) is None:
        return text
    return _HIDDEN.sub(_picture, text)


def visible_keep_breaks(text: str) -> str:
    """`visible`, but vertical tab, form feed and NEL become `\\n` (for multi-line exports)."""
    if not text or _HIDDEN.search(text) is None:
        return text
    return visible(line_breaks(text))
