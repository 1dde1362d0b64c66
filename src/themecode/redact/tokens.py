"""The token pass's shared pieces: name-shaped word patterns, the fast tokeniser, and the English
vocabulary read from spacy-lookups-data. Used by both token engines (fast and spaCy).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from themecode.redact import lists as L
from themecode.redact.record import RedactionError

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# A capitalised word as a name would be written: Smith, O'Brien, McDonald, Zoë (one part of
# Smith-Jones).
_TITLE_SHAPED = re.compile(
    rf"^[{_UPPER}][{_LOWER}]*(?:['’][{_UPPER}]?[{_LOWER}]+|[{_UPPER}][{_LOWER}]+)?[{_LOWER}]$"
)
# A word starting with a capital (the fast engine's candidates; possessive 's left out).
_CAP_ANY_RE = re.compile(rf"[{_UPPER}](?<!\w[{_UPPER}])\w*(?:['’](?![sS]\b)\w+)*")
_TITLE_BEFORE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(t) for t in sorted(L.TITLES, key=len, reverse=True))
    + rf")\.?[ \t]+((?:[{_UPPER}]\.?[ \t]*)*)$"
)
_OPENER_CHARS = " \t\"'“‘(["
# Quick test for "anything the token pass could redact": a capitalised word.
_CAP_WORD_RE = re.compile(rf"[{_UPPER}](?<!\w[{_UPPER}])[{_LOWER}][\w'’]*")
# The fast engine's tokeniser: words (possessive 's split off, as spaCy does), numbers, line
# breaks and single punctuation marks.
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’](?![sS]\b)[^\W\d_]+)*|['’][sS]\b|\d+|\n+|[^\w\s]|_")
_SENTENCE_END = frozenset({".", "!", "?", ":", ";", "•", "*"})  # tokens and characters
_DASHES = frozenset({"-", "–", "—"})
_OPENERS = frozenset({'"', "'", "“", "‘", "(", "["})
_PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "from", "HMP", "HMYOI", "around"})
_MOVED_TO = re.compile(r"(?:moved|moving|move|relocated|returned|released|went|travelled) to\s+$")
_POSSESSIVE = frozenset({"'s", "’s", "'S", "’S"})
_DETERMINERS = frozenset(
    {"the", "a", "an", "this", "these", "those", "his", "her", "their", "its", "our", "your",
     "my", "each", "every", "another"}
)
_NEXT_WORD = re.compile(r"(?:['’]s\b)?[ \t]*(\S)")


def _fast_tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """Words, start and end offsets from the fast engine's tokeniser."""
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _TOKEN_RE.finditer(text):
        words.append(m.group(0))
        starts.append(m.start())
        ends.append(m.end())
    return words, starts, ends


# --------------------------------------------------------------------------- vocabulary


def _lookup_table(name: str) -> dict[str, Any]:
    """A table of the `spacy-lookups-data` package, read directly (importing spaCy costs more
    than the whole fast redaction of a 20,000-commentary export)."""
    import gzip
    import json
    from importlib.resources import files

    try:
        data = (files("spacy_lookups_data") / "data" / f"en_{name}.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise RedactionError(
            f"the English word list {name!r} of spacy-lookups-data cannot be read ({exc})",
            hint="reinstall themecode's dependencies: .venv/bin/pip install spacy-lookups-data",
        ) from exc
    table: dict[str, Any] = json.loads(gzip.decompress(data))
    return table


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Lower-case English words known to the lookup lemmatizer: inflected forms and lemmas."""
    table = _lookup_table("lemma_lookup")
    return frozenset(w.lower() for pair in table.items() for w in pair)


@lru_cache(maxsize=1)
def _wide_words() -> frozenset[str]:
    """A wider English vocabulary (WordNet index words), used only at the start of a sentence."""
    index = _lookup_table("lemma_index")
    return frozenset(w.lower() for words in index.values() for w in words if "_" not in w)

