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
   capitalised neighbours of a name join it ("John White"). At a sentence start an English word
   is a name only on evidence from the sentence: a verb only a person is the subject of, with
   its object ("Meadow missed two appointments", not "Appointment missed on Monday"), a
   surname after it, or the same word found as a name elsewhere in the text.

Modules: `structured` (the regexes), `lists` (word lists), `tokens` (tokeniser and vocabulary),
`record` (`Redaction`), `spacy_matcher` (the spaCy engine). The token pass has two engines applying the same rules (`Redactor._classify`) and giving
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
from typing import TYPE_CHECKING

from themecode.redact import lists as L
from themecode.redact.context import (
    _AGENT_CONTEXT,
    _NOT_AGENTS,
    _NOT_SPEAKERS,
    _PERSON_VERB,
    _PROCESS_SUFFIXES,
    _SPEECH_VERB,
)
from themecode.redact.record import (  # noqa: F401 - re-exported: the redaction API
    PLACEHOLDERS,
    RedactedSpan,
    Redaction,
    RedactionError,
    _apply,
    _resolve,
    placeholder_for,
    redaction_report,
)
from themecode.redact.shapes import camel_case_system, extend_particles, shadow_capitals
from themecode.redact.structured import find_structured
from themecode.redact.tokens import (
    _CAP_ANY_RE,
    _CAP_WORD_RE,
    _DASHES,
    _DETERMINERS,
    _MOVED_TO,
    _NEXT_WORD,
    _OPENER_CHARS,
    _PLACE_PREPOSITIONS,
    _SENTENCE_END,
    _TITLE_BEFORE,
    _TITLE_SHAPED,
    _common_words,
    _fast_tokens,
    _wide_words,
)

if TYPE_CHECKING:
    from spacy.language import Language

STRUCTURED_KINDS = frozenset(
    {"DATE", "CASE_REF", "PHONE", "EMAIL", "POSTCODE", "NI_NUMBER", "NHS_NUMBER"}
)
ENGINES = ("fast", "spacy", "regex")

# --------------------------------------------------------------------------- the redactor


def _phrase_head(term: str) -> str:
    """The head noun of a kept phrase: its last word before a post-modifier ("Ministry" of
    "Ministry of Justice", "Department" of "Department for Work and Pensions"), else its last
    word ("Service" of "Youth Justice Service"). "Justice" opening a sentence may be a name."""
    words = term.split()
    for i, w in enumerate(words[1:], start=1):
        if w[:1].islower():
            return words[i - 1]
    return words[-1]


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
        # their heads ("Service", "Trust", "Order"; "Ministry" of "Ministry of Justice"):
        # organisations and things, never people
        self._keep_heads = frozenset(_phrase_head(t) for t in keep_terms)
        self._extra_names = frozenset(w for t in names for w in _fast_tokens(t)[0])
        self._builtin_names = frozenset((*L.FIRST_NAMES, *L.SURNAMES)) - self._stop
        # a listed first name is a name even at a sentence start ("Dean rang the office");
        # a surname that is also a word ("Young", "White") is not, there
        self._first_names = frozenset(L.FIRST_NAMES) - self._stop
        # given names that are also words ("Hope", "Will"): names at a sentence start only
        # before a verb of speaking or doing, or as a possessive
        self._word_first = frozenset(L.WORD_FIRST_NAMES)
        # capitals that are never a name: acronyms, and kept or function words in capitals
        # (words of multi-word kept phrases, "JUSTICE" of "Youth Justice Service", may be
        # part of a name in capitals: "JUSTICE RAVENSWORTH")
        self._keep_upper = frozenset(
            {*L.ACRONYMS, *(w.upper() for w in self._stop)}
        ) - {w.upper() for w in (*names, *self._builtin_names)}
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

    def _is_name_word(self, word: str) -> bool:
        """A listed name that is not also an ordinary word (for names written in capitals)."""
        return word in self._extra_names or (word in self._builtin_names and not self._is_common(word))

    def _is_english(self, word: str) -> bool:
        """In the lemma tables or the wider WordNet vocabulary."""
        return self._is_common(word) or word.lower() in self._wide

    def _shaped(self, word: str) -> bool:
        """Written as a name would be: "Smith", "O'Brien", "McDonald", not "LiquidLogic"."""
        return _TITLE_SHAPED.match(word) is not None and not camel_case_system(word)

    def _joins_left_at_start(self, word: str, right: str) -> bool:
        """May `word` at a sentence start join the name `right` after it ("Hope Okonkwo")?"""
        return (
            word in self._builtin_names
            or word in self._word_first
            or not self._is_common(word)
            or (not word.endswith("ly") and not self._is_common(right))
        )

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
        if self.engine != "regex":
            # names in capitals are judged on a title-case copy of the same length
            shadow = shadow_capitals(text, self._keep_upper, self._is_name_word, self._is_english)
            if self._needs_token_pass(shadow):
                if self.engine == "fast":
                    found = self._fast_candidates(shadow, cands)
                else:
                    found = self._spacy.candidates(shadow, cands)
                cands.extend(extend_particles(text, found))
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
            if text.startswith(":", s + len(w)) and w not in self._extra_names and w not in names:
                return None  # a label: "Summary:", "Concerns:"
            common = self._is_common(w)
            is_name = (
                w in self._extra_names
                or w in self._first_names
                or (w in names and (not common or possessive))
                or (
                    w in self._word_first
                    and (possessive or _PERSON_VERB.match(text, s + len(w)) is not None)
                )
                or (  # any word before a verb only people do: "Clover said", "Wren rang"
                    self._may_be_agent(w)
                    and (
                        _SPEECH_VERB.match(text, s + len(w)) is not None
                        or (
                            w not in _NOT_AGENTS
                            and not (common and w.lower().endswith(_PROCESS_SUFFIXES))
                            and _AGENT_CONTEXT.match(text, s + len(w)) is not None
                        )
                    )
                )
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

    def _may_be_agent(self, w: str) -> bool:
        """Could `w`, opening a sentence, be a person doing something? Not an organisation or
        thing that heads a kept phrase ("Service", "Trust"), a word for people in general
        ("Staff", "Nobody"), the plural of a word ("Parents", "Neighbours"; not "Bliss",
        "Giles") or an -ly adverb."""
        return (
            w not in self._keep_heads
            and w not in _NOT_SPEAKERS
            and not w.endswith("ly")
            and not self._plural(w)
        )

    def _plural(self, w: str) -> bool:
        """An English plural: "Parents", "Neighbours", "Agencies" (not "Bliss", "Giles")."""
        if not w.endswith("s") or w.endswith(("ss", "us", "is")) or not self._is_common(w):
            return False
        return (
            self._is_common(w[:-1])
            or (w.endswith("es") and self._is_common(w[:-2]))
            or (w.endswith("ies") and self._is_common(w[:-3] + "y"))
        )

    def _recurrences(
        self, words: Sequence[str], kind: list[str | None], shaped: Sequence[bool],
        starts: Sequence[bool],
    ) -> None:
        """A word found as a name or place elsewhere in the text is one at a sentence start too
        ("A letter went to Moss on Monday. Moss had not been told."); fills `kind` in place."""
        seen: dict[str, str] = {}
        for w, k in zip(words, kind, strict=True):
            if k is not None:
                seen.setdefault(w, k)
        for i, w in enumerate(words):
            if kind[i] is None and shaped[i] and starts[i] and w in seen:
                kind[i] = seen[w]

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
            not protected[i] and w not in stop and self._shaped(w) for i, w in enumerate(words)
        ]
        starts = [False] * n
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
        self._recurrences(words, kind, shaped, starts)

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
                    if gaps[i] == "-" or not starts[i] or self._joins_left_at_start(w, words[i + 1]):
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
