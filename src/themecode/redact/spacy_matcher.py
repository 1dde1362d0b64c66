"""The spaCy engine of `themecode.redact.engine`: the shared pipeline's tokeniser with spaCy matchers.

`nlp.make_doc` tokenises (no pipe is run, and none is added to the shared pipeline); a
`PhraseMatcher` finds the keep, name and place lists and a `Matcher` finds titles followed by a
name. The decisions themselves are `Redactor._classify`, shared with the fast engine, so both
engines redact the same things (tested); this one is about nine times slower.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TYPE_CHECKING

from themecode.redact.tokens import (
    _DASHES,
    _OPENERS,
    _POSSESSIVE,
    _SENTENCE_END,
)

if TYPE_CHECKING:
    from spacy.language import Language

    from themecode.redact.engine import Redactor


class SpacyPass:
    """Token-level pass over a spaCy Doc, for `Redactor(engine="spacy")`."""

    def __init__(
        self,
        redactor: Redactor,
        lists: Sequence[tuple[str, Sequence[str]]],
        nlp: Language | None = None,
    ) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.redactor = redactor
        if nlp is None:
            from themecode.corpus.nlp import get_nlp

            nlp = get_nlp()
        self.nlp = nlp
        self._phrase_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for label, terms in lists:
            self._phrase_matcher.add(label, [nlp.make_doc(t) for t in terms])
        # One pattern per title with native predicates only: set ("IN") and REGEX predicates
        # run in Python for every token and made the matcher the slowest step.
        self._title_matcher = Matcher(nlp.vocab)
        last = {"IS_ALPHA": True, "IS_LOWER": False, "IS_UPPER": False}
        patterns = []
        for title in sorted(redactor._titles):
            for initial in ("X.", "X"):
                patterns.append(
                    [
                        {"ORTH": title},
                        {"ORTH": ".", "OP": "?"},
                        {"SHAPE": initial, "OP": "*"},
                        {"ORTH": ".", "OP": "?"},
                        last,
                    ]
                )
            patterns.append([{"ORTH": title}, {"ORTH": ".", "OP": "?"}, {"SHAPE": "X'Xxxxx"}])
        self._title_matcher.add("TITLE_NAME", patterns)

    @staticmethod
    def _sentence_starts(words: Sequence[str], space: Sequence[bool]) -> list[bool]:
        """Which tokens begin a sentence, judged from the preceding punctuation and line breaks."""
        starts = [False] * len(words)
        prev_end = True
        for i, t in enumerate(words):
            if t.isspace():
                prev_end = prev_end or "\n" in t
                continue
            starts[i] = prev_end
            if t in _OPENERS:
                continue
            if t in _DASHES:  # a spaced dash or a bullet starts a new clause; a hyphen does not
                prev_end = i == 0 or space[i - 1] or words[i - 1].isspace()
            else:  # "PoP." stays one token in spaCy's tokeniser: its full stop ends a sentence too
                prev_end = t in _SENTENCE_END or t[-1] in _SENTENCE_END
        return starts


    def _tokenise(
        self, text: str
    ) -> tuple[list[str], list[int], list[int], list[tuple[str, int, int]], list[tuple[int, int]]]:
        """Words, offsets, phrase-list matches and title matches from the spaCy engine."""
        from spacy.attrs import IDX, LENGTH

        doc = self.nlp.make_doc(text)
        arr = doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []
        idx = [r[0] for r in arr]
        ends = [r[0] + r[1] for r in arr]
        words = [text[s:e] for s, e in zip(idx, ends, strict=True)]
        strings = self.nlp.vocab.strings
        phrases = [(strings[m], s, e) for m, s, e in self._phrase_matcher(doc)]
        titles = [(s, e) for _m, s, e in self._title_matcher(doc)]
        return words, idx, ends, phrases, titles


    def candidates(
        self, text: str, structured: Sequence[tuple[int, int, str, int]]
    ) -> list[tuple[int, int, str, int]]:
        """Names and places from the phrase lists, titles and the shared rules, as scored spans.

        Works on plain lists taken from the Doc (creating a spaCy Token object per token costs
        more than all the rest of this pass).
        """
        r = self.redactor
        words, idx, ends, phrases, titles = self._tokenise(text)
        n = len(words)
        space = [e < len(text) and text[e] == " " for e in ends]
        protected = [False] * n
        if structured:
            blocked = sorted((s, e) for s, e, _k, _p in structured)
            for i in range(n):
                s, e = idx[i], ends[i]
                j = bisect.bisect_right(blocked, (s, float("inf"))) - 1
                if (j >= 0 and blocked[j][1] > s) or (j + 1 < len(blocked) and blocked[j + 1][0] < e):
                    protected[i] = True
        for label, s, e in phrases:
            if label == "KEEP":
                for i in range(s, e):
                    protected[i] = True
        kind: list[str | None] = [None] * n
        strong = [False] * n  # listed or titled: certain
        for label, s, e in phrases:
            if label == "KEEP":
                continue
            k = "PLACE" if label.endswith("PLACE") else "NAME"
            for i in range(s, e):
                if label.startswith("EXTRA") or not protected[i]:
                    kind[i] = k
                    strong[i] = True
                    protected[i] = False

        stop = r._stop
        shaped = [
            not protected[i] and t not in stop and r._shaped(t) for i, t in enumerate(words)
        ]
        for s, e in titles:  # "Mr (J.) Smith": the name after the title
            if e - 1 < n and shaped[e - 1] and kind[e - 1] is None:
                for i in range(s + 1, e):
                    if words[i] != "." and not protected[i]:
                        kind[i] = "NAME"
                        strong[i] = True

        starts = self._sentence_starts(words, space)
        for i, t in enumerate(words):
            if kind[i] is not None or not shaped[i]:
                continue
            nxt = words[i + 1] if i + 1 < n else ""
            prev = words[i - 1] if i > 0 else ""
            kind[i] = r._classify(t, starts[i], nxt in _POSSESSIVE, prev, text, idx[i])
        r._recurrences(words, kind, shaped, starts)
        self._chain(words, space, kind, shaped, starts)
        for i in range(1, n - 1):  # "Smith-Okonkwo" found as two names is one, hyphen and all
            if (words[i] == "-" and kind[i] is None and kind[i - 1] and kind[i + 1]
                    and not space[i - 1] and not space[i]):
                kind[i] = kind[i - 1]

        out: list[tuple[int, int, str, int]] = []
        i = 0
        while i < n:
            k = kind[i]
            if k is None:
                i += 1
                continue
            j = i
            # adjacent detected words make one span, of the first word's kind ("in Bognor Regis")
            while j + 1 < n and kind[j + 1] is not None and (
                space[j] or words[j + 1] == "-" or words[j] == "-" or ends[j] == idx[j + 1]
            ):
                j += 1
            out.append((idx[i], ends[j], k, 1 if strong[i] else 2))
            i = j + 1
        return out

    def _chain(
        self,
        words: Sequence[str],
        space: Sequence[bool],
        kind: list[str | None],
        shaped: Sequence[bool],
        starts: Sequence[bool],
    ) -> None:
        """Grow names over capitalised neighbours: "John White", "Hope Kowalski", "Smith-Jones"."""
        r = self.redactor
        n = len(words)
        changed = True
        while changed:
            changed = False
            for i in range(n):
                k = kind[i]
                if k is None:
                    continue
                # right neighbour: "John White", "Smith-Jones"
                if i + 2 < n and words[i + 1] == "-" and not space[i]:
                    if not space[i + 1] and shaped[i + 2] and kind[i + 2] is None:
                        kind[i + 1] = kind[i + 2] = k
                        changed = True
                elif (
                    i + 1 < n
                    and space[i]
                    and shaped[i + 1]
                    and kind[i + 1] is None
                    and not starts[i + 1]
                ):
                    kind[i + 1] = k
                    changed = True
                # left over a hyphen: "Smith-Jones" when only "Jones" was found
                if (
                    i >= 2
                    and words[i - 1] == "-"
                    and not space[i - 1]
                    and not space[i - 2]
                    and shaped[i - 2]
                    and kind[i - 2] is None
                ):
                    kind[i - 1] = kind[i - 2] = k
                    changed = True
                # left neighbour: "Hope Kowalski"; at a sentence start only a name-like word
                j = i - 1
                if j >= 0 and kind[j] is None and shaped[j] and space[j]:
                    t = words[j]
                    if not starts[j] or r._joins_left_at_start(t, words[i]):
                        kind[j] = k
                        changed = True
