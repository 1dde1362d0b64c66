"""Cold-start suggestions from the codebook itself: keyword lemmas and definition similarity.

Before a code has enough human-coded examples to learn from, the only knowledge available is the
codebook: its `keywords` (matched on lemmas with spaCy's `PhraseMatcher`, so "visits" matches
"home visit") and the words of its label, definition, inclusion note and example (compared with
tf-idf cosine similarity). Scores are heuristic strengths in [0, 1], not probabilities; they are
always labelled `source="rules"`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from themecode.store import Code

# One keyword hit gives 0.5, two 0.75, ...: several distinct keywords are stronger evidence.
KEYWORD_WEIGHT = 0.5
# Cosine similarity to the definition is scaled so that a close paraphrase (~0.3) scores ~0.45.
SIMILARITY_SCALE = 1.5
# A rule "fires" (counts as a positive prediction in evaluation) at or above this score.
RULE_THRESHOLD = 0.5
# Spelling tolerance: a word of at least this many letters that the lemmatizer does not know
# (neither an inflected form nor a lemma of its lookup table, nor a stop word) and that is one
# edit (insertion, deletion, substitution or swap of neighbours, the first letter kept) from a
# keyword word of at least this length, all such words with one lemma, is read as that lemma
# ("assesment" -> "assessment"). 0 turns it off.
FUZZY_MIN_LENGTH = 6
_STOP_WORDS = (
    "a an the and or of to in on at for by with from as is be was were been being it its this "
    "that these those he she they his her their him them who whom which what not no any all "
    "there have has had do does did would should could will may might can if so than then when "
    "where whether about into over after before such other only also more most very"
)
_STOP = frozenset(_STOP_WORDS.split())


def _lemmas(doc: object) -> list[str]:
    """Lower-cased lemmas (the text where there is none) of a spaCy Doc's content tokens.

    Read from the Doc's attribute arrays: making a Token object per word cost more than the
    rest of the rule scoring.
    """
    from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, ORTH

    if not len(doc):  # type: ignore[arg-type]
        return []
    rows = doc.to_array([LEMMA, ORTH, IS_PUNCT, IS_SPACE])  # type: ignore[attr-defined]
    strings = doc.vocab.strings  # type: ignore[attr-defined]
    return [strings[int(lemma or orth)].lower() for lemma, orth, punct, space in rows.tolist()
            if not (punct or space)]


@dataclass(frozen=True)
class RuleHit:
    """Why a rule suggested a code: the keywords matched and the definition similarity."""

    code_id: str
    score: float
    keywords: tuple[str, ...]
    similarity: float


class RuleScorer:
    """Scores texts against a set of codes using only the codebook's words.

    Uses the shared pipeline to lemmatise (no pipes are added to it) and its own
    `PhraseMatcher` on the `LEMMA` attribute of lower-cased text.
    """

    def __init__(self, codes: Sequence[Code]) -> None:
        from spacy.matcher import PhraseMatcher

        from themecode.corpus.nlp import get_nlp

        self.nlp = get_nlp()
        self.codes = [c for c in codes if c.kind == "code" and not c.retired]
        self.code_ids = [c.id for c in self.codes]
        # Identifies what the scores depend on (the codes' words), for caching scores.
        self.key = hashlib.sha256(repr(self.codes).encode()).hexdigest()[:16]
        self._index = {cid: i for i, cid in enumerate(self.code_ids)}
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self._lookup = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})
        self._lemma_cache: dict[int, int] = {}
        self._keyword_of: dict[int, tuple[str, str]] = {}
        keyword_words: set[tuple[str, str]] = set()
        for code in self.codes:
            patterns = []
            for kw in code.keywords:
                if kw.strip():
                    patterns.append(self.nlp(kw.lower()))
                    keyword_words.update((t.text, t.lemma_ or t.text) for t in patterns[-1])
            if patterns:
                self.matcher.add(code.id, patterns)
        self._fuzzy = _fuzzy_index(keyword_words, FUZZY_MIN_LENGTH)
        # Codes named in each code's exclude note: their keyword hits veto this code's.
        self._excluded_by = [
            [self._index[o] for inner in re.findall(r"\(([^)]*)\)", c.exclusion)
             for o in re.findall(r"[A-Za-z0-9_]+", inner) if o in self._index and o != c.id]
            for c in self.codes
        ]
        # Definition profiles: tf-idf over the codebook's own texts (one "document" per code).
        profiles = [
            " ".join(_lemmas(self.nlp(" ".join(
                (c.label, c.definition, c.inclusion, c.example, " ".join(c.keywords))
            ).lower())))
            for c in self.codes
        ]
        self._vocab: dict[str, int] = {}
        rows = []
        for prof in profiles:
            counts: dict[int, float] = {}
            for w in prof.split():
                if w in _STOP or len(w) < 3:
                    continue
                j = self._vocab.setdefault(w, len(self._vocab))
                counts[j] = counts.get(j, 0.0) + 1.0
            rows.append(counts)
        n = max(len(rows), 1)
        df = np.zeros(len(self._vocab))
        for counts in rows:
            for j in counts:
                df[j] += 1
        self._idf = np.log((1 + n) / (1 + df)) + 1.0
        self._profiles = np.zeros((len(rows), len(self._vocab)))
        for i, counts in enumerate(rows):
            for j, c in counts.items():
                self._profiles[i, j] = (1 + math.log(c)) * self._idf[j]
        norms = np.linalg.norm(self._profiles, axis=1, keepdims=True)
        self._profiles /= np.where(norms == 0, 1.0, norms)

    def _excluded_by_ids(self, i: int) -> list[str]:
        """Ids of the codes whose keyword hits veto code number `i`'s (its exclude note)."""
        return [self.code_ids[j] for j in self._excluded_by[i]]

    def _similarity(self, lemmas: Iterable[str]) -> np.ndarray:
        vec = np.zeros(len(self._vocab))
        counts: dict[int, float] = {}
        for w in lemmas:
            j = self._vocab.get(w)
            if j is not None:
                counts[j] = counts.get(j, 0.0) + 1.0
        for j, c in counts.items():
            vec[j] = (1 + math.log(c)) * self._idf[j]
        norm = np.linalg.norm(vec)
        if norm == 0:
            return np.zeros(len(self.codes))
        return self._profiles @ (vec / norm)

    def explain(self, text: str) -> list[RuleHit]:
        """Every code with a non-zero rule score for `text`, best first, with its evidence."""
        doc = next(self._docs([text]))
        found: dict[str, set[str]] = {}
        for match_id, start, end in self.matcher(doc):
            found.setdefault(self.nlp.vocab.strings[match_id], set()).add(
                doc[start:end].text
            )
        sims = self._similarity(_lemmas(doc))
        hits = []
        for i, cid in enumerate(self.code_ids):
            kws = tuple(sorted(found.get(cid, ())))
            score = _combine(len(kws), float(sims[i]))
            if score > 0:
                hits.append(RuleHit(cid, score, kws, float(sims[i])))
        return sorted(hits, key=lambda h: -h.score)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Rule scores, shape (len(texts), len(code_ids)), in [0, 1]."""
        return self.analyse(texts)[0]

    def analyse(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Rule scores (as `score`) and keyword hits, both shape (len(texts), len(code_ids)).

        A code's keyword hit counts only when no code its exclude note names (a code id in the
        note, e.g. "(domestic_abuse_checks)") has a keyword hit in the same text: the codebook
        says that wording belongs to the other code.
        """
        n_kw = np.zeros((len(texts), len(self.code_ids)))
        sims = np.zeros(n_kw.shape)
        kw = np.zeros(n_kw.shape, dtype=bool)
        for r, doc in enumerate(self._docs(texts)):
            hits: dict[int, set[int]] = {}
            spans = []
            for match_id, start, end in self.matcher(doc):
                i = self._index[self.nlp.vocab.strings[match_id]]
                hits.setdefault(i, set()).add(start)
                spans.append((i, start, end))
            sims[r] = self._similarity(_lemmas(doc))
            for i, starts in hits.items():
                n_kw[r, i] = len(starts)
            # A phrase inside another code's longer phrase ("plan" in "contingency plan") is
            # part of that phrase, not a keyword of its own.
            named = {i for i, a, b in spans
                     if not any(j != i and c <= a and b <= d and d - c > b - a
                                for j, c, d in spans)}
            for i in named:
                kw[r, i] = not any(j in named for j in self._excluded_by[i])
        return _combine_array(n_kw, sims), kw

    def _docs(self, texts: Sequence[str]) -> Iterator[object]:
        """Lower-cased texts tokenised and lemmatised: the pipeline's tokenizer and lemmatizer
        only (the matcher and the definition profiles need no sentence boundaries)."""
        from spacy.attrs import LEMMA, ORTH

        for t in texts:
            doc = self.nlp.make_doc(t.lower())
            if len(doc):
                lemmas = [self._lemma_id(o) for o in doc.to_array(ORTH).tolist()]
                doc.from_array([LEMMA], np.asarray(lemmas, dtype=np.uint64)[:, None])
            yield doc

    def _lemma_id(self, orth: int) -> int:
        """The lookup lemmatizer's lemma of a word, as a string-store id (cached per word): what
        the pipeline's `lemmatizer` sets, without a Token object per word."""
        lemma = self._lemma_cache.get(orth)
        if lemma is None:
            text = self.nlp.vocab.strings[orth]
            found = self._lookup.get(text, text)
            found = found if isinstance(found, str) else found[0]
            if self._fuzzy and found == text:
                found = self._respell(text)
            lemma = self.nlp.vocab.strings.add(found)
            self._lemma_cache[orth] = lemma
        return lemma


    def _respell(self, word: str) -> str:
        """The lemma of the keyword word an unknown word is one edit away from, if exactly one
        lemma; else the word itself (see FUZZY_MIN_LENGTH)."""
        if len(word) < FUZZY_MIN_LENGTH or word in self._fuzzy.targets or not word.isalpha():
            return word
        if word in _known_lemmas(self._lookup) or word in self.nlp.Defaults.stop_words:
            return word
        found = set(self._fuzzy.index.get(word, ()))
        for i in range(1, len(word)):
            found.update(self._fuzzy.index.get(word[:i] + word[i + 1:], ()))
        found = {t for t in found if t[0] == word[0]}
        return found.pop() if len(found) == 1 else word


@dataclass(frozen=True)
class _FuzzyIndex:
    """Keyword words as written and as lemmas (`targets`) and, for each string one deletion
    from one of them (or the target itself), the lemmas of the targets it comes from: a word is
    one edit from a target when the word, or the word with one letter deleted, is a key."""

    targets: frozenset[str]
    index: dict[str, tuple[str, ...]]

    def __bool__(self) -> bool:
        return bool(self.targets)


def _fuzzy_index(words: Iterable[tuple[str, str]], min_length: int) -> _FuzzyIndex:
    """The deletion index of keyword words (written form, lemma) of at least `min_length`
    letters: written forms and lemmas are both targets, each standing for its lemma."""
    lemma_of = {w: lemma for text, lemma in words for w in (text, lemma)
                if min_length and len(w) >= min_length and w.isalpha()}
    targets = frozenset(lemma_of)
    index: dict[str, set[str]] = {}
    for t in targets:
        for v in {t} | {t[:i] + t[i + 1:] for i in range(len(t))}:
            index.setdefault(v, set()).add(lemma_of[t])
    return _FuzzyIndex(targets, {k: tuple(sorted(v)) for k, v in index.items()})


_KNOWN: dict[int, frozenset[str]] = {}


def _known_lemmas(lookup: object) -> frozenset[str]:
    """Every word the lookup lemmatizer knows, as an inflected form or as a lemma (cached)."""
    key = id(lookup)
    if key not in _KNOWN:
        values = lookup.values()  # type: ignore[attr-defined]
        _KNOWN[key] = frozenset(v if isinstance(v, str) else v[0] for v in values)
    known = _KNOWN[key]
    return known


def _combine_array(n_keywords: np.ndarray, similarity: np.ndarray) -> np.ndarray:
    """`_combine` for arrays of keyword counts and similarities."""
    kw = 1.0 - (1.0 - KEYWORD_WEIGHT) ** n_keywords
    sim = np.clip(similarity * SIMILARITY_SCALE, 0.0, 1.0)
    return 1.0 - (1.0 - kw) * (1.0 - sim)


def _combine(n_keywords: int, similarity: float) -> float:
    """Noisy-OR of keyword evidence and scaled definition similarity, in [0, 1]."""
    kw = 1.0 - (1.0 - KEYWORD_WEIGHT) ** n_keywords
    sim = min(1.0, max(0.0, similarity) * SIMILARITY_SCALE)
    return float(1.0 - (1.0 - kw) * (1.0 - sim))
