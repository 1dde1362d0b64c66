"""Redaction of personal details in commentary text, applied by every export unless switched off.

Two passes, so that structured identifiers are always caught and the token pass runs only when a
text has a capitalised word that could be a name:

1. **Regexes** for structured identifiers: e-mail addresses, UK phone numbers, postcodes,
   National Insurance numbers, case references (CRN-like letter + 6 digits, prison numbers
   A1234BC, PNC ids 2019/0123456X), dates and street addresses.
2. **A token pass**: phrase lists of sector vocabulary to keep (PDU names, agencies, programmes)
   and of names and places to redact (built in, plus the project's metadata and its
   `redaction_terms`), titles with names ("Mr Smith", "Dr J. Patel"), and a capitalised-word
   heuristic: a capitalised word that is not at the start of a sentence, not sector vocabulary
   and not a common English word (the lookup lemmatizer's vocabulary) is taken to be a name;
   capitalised neighbours of a name join it ("John White").

Modules: `redact_structured` (the regexes), `redact_lists` (word lists), `redact_spacy` (the spaCy
engine). The token pass has two engines applying the same rules (`Redactor._classify`) and giving
the same answers on the planted test set:

* `engine="fast"` (default) looks only at the capitalised words, reads each one's context
  (sentence start, the word before, a following 's) straight from the text, and looks phrase
  lists up in dicts. About 45 µs of CPU per 376-character demo commentary and 15 µs per
  one-or-two-sentence extract (`benchmarks/redaction.py`).
* `engine="spacy"` tokenises with the shared pipeline's `make_doc` (no pipe is run or added) and
  uses spaCy's `PhraseMatcher` and `Matcher`; about nine times slower, so it is optional.
* `engine="regex"` skips the token pass: structured identifiers and the project's listed names
  and places only.

Decisions: a title is kept and only the name after it replaced ("Mr [NAME]"). Bare weekday and
month names are not dates ("on Monday", "in May"; "may" as a verb is never touched); a month with
a day or a year is ("3 May", "May 2022"). A bare year is not redacted. PDU names are context, not
personal details, and are never redacted (nor are `keep` terms); a name the project lists
explicitly (`extra_names`) wins over the built-in keep list.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from themecode.errors import ThemecodeError
from themecode.redact import lists as L
from themecode.redact.structured import find_structured

if TYPE_CHECKING:
    from spacy.language import Language

PLACEHOLDERS: dict[str, str] = {
    "NAME": "[NAME]",
    "DATE": "[DATE]",
    "PLACE": "[PLACE]",
    "CASE_REF": "[CASE REF]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "POSTCODE": "[POSTCODE]",
    "NI_NUMBER": "[NI NUMBER]",
}
STRUCTURED_KINDS = frozenset({"DATE", "CASE_REF", "PHONE", "EMAIL", "POSTCODE", "NI_NUMBER"})
ENGINES = ("fast", "spacy", "regex")

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


# --------------------------------------------------------------------------- results


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


# --------------------------------------------------------------------------- the redactor


class RedactionError(ThemecodeError):
    """The redactor was configured in a way it cannot work with."""


def _with_capitals(terms: Iterable[str]) -> list[str]:
    """Stripped, non-empty terms plus, for those starting in lower case, a capitalised copy."""
    out = {t.strip() for t in terms if t and t.strip()}
    out |= {t[0].upper() + t[1:] for t in out if t[0].islower()}
    return sorted(out)


class Redactor:
    """Finds and replaces personal details; build once per export and reuse (building loads lists).

    `extra_names` / `extra_places` come from the project's metadata and `redaction_terms`;
    `keep` lists terms never to redact. `engine` is "fast" (default), "spacy" or "regex" (see the
    module docstring). `nlp` (spaCy engine only) defaults to the shared pipeline, of which only the
    tokeniser is used, through `make_doc`.
    """

    def __init__(
        self,
        extra_names: Iterable[str] = (),
        extra_places: Iterable[str] = (),
        keep: Iterable[str] = (),
        *,
        engine: str = "fast",
        nlp: Language | None = None,
    ) -> None:
        if engine not in ENGINES:
            raise RedactionError(
                f"unknown redaction engine {engine!r}", hint="use one of: " + ", ".join(ENGINES)
            )
        self.engine = engine
        # listed terms match as written and with an initial capital ("smith" also as "Smith")
        names = _with_capitals(extra_names)
        places = _with_capitals(extra_places)
        keep_terms = sorted(
            {t.strip() for t in (*L.KEEP_TERMS, *L.PDU_NAMES, *keep) if t and t.strip()}
        )
        pdu_parts = set(L.PDU_CONTEXT_WORDS)
        self._stop: frozenset[str] = frozenset(
            {*L.FUNCTION_WORDS, *L.WEEKDAYS, *L.MONTHS, *L.MONTH_ABBREVIATIONS, *pdu_parts}
            | {t for t in keep_terms if " " not in t}
        )
        # words of multi-word keep terms ("Relationships"): not names on their own
        self._keep_words = frozenset(w for t in keep_terms for w in t.split())
        self._extra_names = frozenset(w for t in names for w in _fast_tokens(t)[0])
        self._builtin_names = frozenset((*L.FIRST_NAMES, *L.SURNAMES)) - self._stop
        # a listed first name is a name even at a sentence start ("Dean rang the office");
        # a surname that is also a word ("Young", "White") is not, there
        self._first_names = frozenset(L.FIRST_NAMES) - self._stop
        self._titles = frozenset(L.TITLES)
        self._common = _common_words()
        self._common_cache: dict[str, bool] = {}
        self._wide = _wide_words() if engine != "regex" else frozenset()
        builtin_places = [t for t in L.PLACES if t not in pdu_parts]
        lists = (
            ("KEEP", keep_terms),
            ("EXTRA_NAME", names),
            ("EXTRA_PLACE", places),
            ("PLACE", builtin_places),
        )

        listed = sorted({*names, *places}, key=len, reverse=True)
        self._listed_re = (
            re.compile(r"\b(?:" + "|".join(re.escape(t) for t in listed) + r")\b")
            if listed and engine == "regex"
            else None
        )
        self._listed_kind = {t: "PLACE" for t in places} | {t: "NAME" for t in names}

        # fast engine: phrases indexed by their first capitalised word
        self._keep_first: dict[str, list[str]] = {}
        self._list_first: dict[str, list[tuple[str, str, bool]]] = {}
        for label, terms in lists:
            for term in sorted(terms, key=len, reverse=True):
                first = _CAP_ANY_RE.match(term)
                if first is None:
                    continue  # never starts at a capitalised word, so never met by the fast pass
                if label == "KEEP":
                    self._keep_first.setdefault(first.group(0), []).append(term)
                else:
                    entry = (term, "PLACE" if label.endswith("PLACE") else "NAME",
                             label.startswith("EXTRA"))
                    self._list_first.setdefault(first.group(0), []).append(entry)
        if engine == "spacy":
            from themecode.redact.spacy_matcher import SpacyPass

            self._spacy = SpacyPass(self, lists, nlp)

    # ------------------------------------------------------------------ helpers
    def _is_common(self, word: str) -> bool:
        """True when `word` (any case) is an ordinary English word or an inflection of one."""
        hit = self._common_cache.get(word)
        if hit is None:
            hit = self._common_cache[word] = word.lower() in self._common
        return hit

    def _needs_token_pass(self, text: str) -> bool:
        """Cheap check: is there a capitalised word that is not always kept?"""
        stop = self._stop
        return any(w not in stop for w in _CAP_WORD_RE.findall(text))

    # ------------------------------------------------------------------ main entry points
    def redact(self, text: str) -> Redaction:
        """Find the personal details in `text` and return the redacted text with its spans."""
        return _apply(text, self.find(text))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """The stretches of `text` that `redact` replaces: (start, end, kind), sorted, not
        overlapping (what worker processes send back, without building the redacted text)."""
        cands: list[tuple[int, int, str, int]] = [(s, e, k, 0) for s, e, k in find_structured(text)]
        if self._listed_re is not None:
            for m in self._listed_re.finditer(text):
                cands.append((m.start(), m.end(), self._listed_kind[m.group(0)], 1))
        if self.engine != "regex" and self._needs_token_pass(text):
            if self.engine == "fast":
                cands.extend(self._fast_candidates(text, cands))
            else:
                cands.extend(self._spacy.candidates(text, cands))
        return _resolve(cands)

    def redact_many(self, texts: Iterable[str]) -> list[Redaction]:
        """Redact several texts (the same as calling `redact` on each)."""
        return [self.redact(t) for t in texts]

    def _classify(
        self, w: str, start: bool, possessive: bool, prev: str, text: str, s: int
    ) -> str | None:
        """NAME, PLACE or None for a capitalised word `w` at offset `s` (rules shared by engines).

        Mid-sentence, a listed name, a word that is not English, or an English word capitalised
        on its own (not after a determiner, not in a title-case phrase) is a name. At a sentence start
        the bar is higher: a listed first name, a listed surname that is not also a word (or is
        followed by 's), or a word in no English vocabulary at all (-ly adverbs excepted).
        """
        names = self._builtin_names
        if start:
            common = self._is_common(w)
            is_name = (
                w in self._extra_names
                or w in self._first_names
                or (w in names and (not common or possessive))
                or not (
                    common
                    or w.lower() in self._wide
                    or w in self._keep_words
                    or (len(w) > 4 and w.endswith("ly"))
                )
            )
        else:
            is_name = (
                w in names
                or w in self._extra_names
                or not (self._is_common(w) or w in self._keep_words)
                or (w not in self._keep_words and self._isolated(prev, text, s + len(w)))
            )
        if not is_name:
            return None
        if w not in names and (
            prev in _PLACE_PREPOSITIONS
            or (prev == "to" and _MOVED_TO.search(text, max(0, s - 24), s) is not None)
        ):
            return "PLACE"
        return "NAME"

    @staticmethod
    def _isolated(prev: str, text: str, e: int) -> bool:
        """A capitalised ordinary word standing alone mid-sentence ("his partner Florin said"):
        not after a determiner ("the Panel") and not followed by another capitalised word or a
        hyphen, so not part of a title-case phrase. Ordinary words are not capitalised there."""
        if prev != "," and (not prev or not prev[0].islower() or prev in _DETERMINERS):
            return False
        nxt = _NEXT_WORD.match(text, e)
        return nxt is None or not (nxt.group(1)[:1].isupper() or nxt.group(1) == "-")

    @staticmethod
    def _before(text: str, s: int) -> tuple[bool, str]:
        """(is `s` a sentence start, the word or mark just before it) by scanning back a little."""
        p = s
        while p > 0 and text[p - 1] in _OPENER_CHARS:
            p -= 1
        if p == 0:
            return True, ""
        c = text[p - 1]
        if c == "\n":
            return True, ""
        if c in _SENTENCE_END:
            return True, c
        if c in _DASHES:  # a spaced dash or a bullet starts a new clause; a hyphen does not
            return p == 1 or text[p - 2] in " \t\n", c
        q = p
        while q > 0 and (text[q - 1].isalnum() or text[q - 1] in "'’"):
            q -= 1
        return False, text[q:p] if q < p else c

    def _fast_candidates(
        self, text: str, structured: Sequence[tuple[int, int, str, int]]
    ) -> list[tuple[int, int, str, int]]:
        """Fast engine: the same rules as the spaCy engine, looking only at capitalised words.

        Tokenising every word cost more than the rest of the redaction; a commentary has a few
        capitalised words, and each one's context is read straight from the text around it.
        """
        caps = [m.span() for m in _CAP_ANY_RE.finditer(text)]
        n = len(caps)
        words = [text[s:e] for s, e in caps]
        protected = [False] * n
        if structured:
            blocked = sorted((s, e) for s, e, _k, _p in structured)
            for i, (s, e) in enumerate(caps):
                j = bisect.bisect_right(blocked, (s, float("inf"))) - 1
                if (j >= 0 and blocked[j][1] > s) or (j + 1 < len(blocked) and blocked[j + 1][0] < e):
                    protected[i] = True
        keep_until = -1
        for i, w in enumerate(words):
            s = caps[i][0]
            for phrase in self._keep_first.get(w, ()):
                end = s + len(phrase)
                if text.startswith(phrase, s) and not (end < len(text) and text[end].isalnum()):
                    keep_until = max(keep_until, end)
                    break
            if s < keep_until:
                protected[i] = True

        out: list[tuple[int, int, str, int]] = []
        kind: list[str | None] = [None] * n
        strong = [False] * n
        done = [False] * n  # already emitted as a listed phrase
        span_start = [s for s, _e in caps]
        for i, w in enumerate(words):
            if done[i]:
                continue
            s = caps[i][0]
            for phrase, k, extra in self._list_first.get(w, ()):
                end = s + len(phrase)
                if not text.startswith(phrase, s) or (end < len(text) and text[end].isalnum()):
                    continue
                if extra or not protected[i]:
                    out.append((s, end, k, 1))
                    j = i
                    while j < n and caps[j][0] < end:
                        kind[j], strong[j], done[j], protected[j] = k, True, True, False
                        j += 1
                break

        stop = self._stop
        shaped = [
            not protected[i] and w not in stop and _TITLE_SHAPED.match(w) is not None
            for i, w in enumerate(words)
        ]
        starts = [False] * n
        names = self._builtin_names
        for i, w in enumerate(words):
            if not shaped[i]:
                continue
            s, e = caps[i]
            start, prev = self._before(text, s)
            starts[i] = start
            if kind[i] is not None:
                continue
            title = _TITLE_BEFORE.search(text, max(0, s - 40), s) if s >= 3 else None
            if title is not None:  # "Mr (J.) Smith": the name after the title, with initials
                kind[i], strong[i] = "NAME", True
                if title.group(1):
                    span_start[i] = title.start(1)
                continue
            possessive = text.startswith(("'s", "’s"), e)
            kind[i] = self._classify(w, start, possessive, prev, text, s)
        seen = {words[i] for i in range(n) if kind[i] == "NAME"}
        for i in range(n):
            if kind[i] is None and shaped[i] and starts[i] and words[i] in seen:
                kind[i] = "NAME"

        gaps = [text[caps[i][1] : caps[i + 1][0]] for i in range(n - 1)]
        changed = True
        while changed:  # capitalised neighbours of a name join it: "John White", "Smith-Jones"
            changed = False
            for i in range(n - 1):
                if gaps[i] not in (" ", "-"):
                    continue
                a, b = kind[i], kind[i + 1]
                if a is not None and b is None and shaped[i + 1]:
                    if gaps[i] == "-" or not starts[i + 1]:
                        kind[i + 1] = a
                        changed = True
                elif b is not None and a is None and shaped[i] and not done[i + 1]:
                    w = words[i]
                    if gaps[i] == "-" or not starts[i] or w in names or not self._is_common(w):
                        kind[i] = b
                        changed = True

        i = 0
        while i < n:
            k = kind[i]
            if k is None or done[i]:
                i += 1
                continue
            j = i
            # adjacent detected words make one span, of the first word's kind ("in Bognor Regis")
            while j + 1 < n and kind[j + 1] is not None and not done[j + 1] and gaps[j] in (" ", "-"):
                j += 1
            out.append((span_start[i], caps[j][1], k, 1 if strong[i] else 2))
            i = j + 1
        return out

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
