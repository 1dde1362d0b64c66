"""How unlike the coded sample a sentence is: unseen content lemmas, weighted by how much of the
sentence's wording (lemma bigrams) the coded sample has never contained. Pure: no database.

A sentence's score is

    score = (unseen content lemmas) x (share of its lemma bigrams the coded sample never had)

where a *content lemma* is alphabetic, at least three letters long, and neither a likely typo of
a word the sample has (one edit away) nor part of a personal detail (a name, place, date: found
by `themecode.redact`), so spelling slips and names, which are not themes, do not count. The
bigram share is a cheap stand-in for "low similarity to every coded sentence": a sentence that
repeats a coded sentence with one new slot filler ("He was working as a warehouse operative")
keeps most of its bigrams and scores low; a sentence about something the sample never met has
almost none of them. A commentary's score is its best sentence's plus a quarter of the rest
(`OTHERS_WEIGHT`), so a second unusual sentence breaks ties. `benchmarks/audit.py` measures the
choices (and the ones rejected: the suggester's confidence, TF-IDF nearest-neighbour similarity).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

MIN_LETTERS = 3
TYPO_MIN_LETTERS = 4  # shorter words are one edit away from too many others to call a typo
OTHERS_WEIGHT = 0.25
_SUFFIXES = ("ing", "ed", "es", "s", "d")
_CONTENT = re.compile(r"^[a-z][a-z'\-]*[a-z]$")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@dataclass
class Reference:
    """What the coded sample contains: its lemmas, lemma bigrams and a one-edit typo index."""

    lemmas: set[str]
    bigrams: set[tuple[str, str]]
    deletes: set[str]

    @classmethod
    def build(cls, sentence_lemmas: Iterable[str]) -> Reference:
        """From the space-separated lemmas of every coded sentence (`sentences.lemmas`)."""
        lemmas: set[str] = set()
        bigrams: set[tuple[str, str]] = set()
        for lem in set(sentence_lemmas):
            toks = lem.split()
            lemmas.update(toks)
            bigrams.update(zip(toks, toks[1:], strict=False))
        deletes: set[str] = set()
        for w in lemmas:
            if len(w) >= TYPO_MIN_LETTERS and w.isalpha():
                deletes |= _deletes(w)
        return cls(lemmas, bigrams, deletes)

    def is_typo(self, word: str) -> bool:
        """Whether an unseen word is one insertion, deletion, substitution or transposition away
        from a word of the sample (symmetric-delete check), also once an inflection is taken off
        (the lookup lemmatiser leaves a misspelt "reviwed" as it is)."""
        for w in {word, *(word[:-len(x)] for x in _SUFFIXES if word.endswith(x))}:
            if len(w) < TYPO_MIN_LETTERS:
                continue
            if w in self.deletes or any(d in self.lemmas or d in self.deletes
                                        for d in _deletes(w)):
                return True
        return False

    def unseen_terms(self, lemmas: str) -> list[str]:
        """The distinct content lemmas of a sentence the sample never contains (typos excluded)."""
        out: list[str] = []
        for t in dict.fromkeys(lemmas.split()):
            if (t not in self.lemmas and len(t) >= MIN_LETTERS and _CONTENT.match(t)
                    and not self.is_typo(t)):
                out.append(t)
        return out

    def unseen_bigram_share(self, lemmas: str) -> float:
        """Share of a sentence's lemma bigrams the sample never contains (1.0 for one word)."""
        toks = lemmas.split()
        pairs = list(zip(toks, toks[1:], strict=False))
        if not pairs:
            return 1.0
        return sum(1 for p in pairs if p not in self.bigrams) / len(pairs)


def sentence_scores(ref: Reference, lemmas: Sequence[str], texts: Callable[[int], str] | None = None,
                    personal: Callable[[str], set[str]] | None = None,
                    ) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Score each sentence (see the module docstring; 0 when it has no unseen content lemma),
    with the unseen content lemmas that count for each.

    `texts(i)` gives sentence i's text and `personal(text)` the lower-cased words of its personal
    details; both are asked only for sentences with an unseen lemma, so the redactor runs on few.
    """
    out = np.zeros(len(lemmas))
    found: list[tuple[str, ...]] = [()] * len(lemmas)
    for i, lem in enumerate(lemmas):
        terms = ref.unseen_terms(lem)
        if not terms:
            continue
        if personal is not None and texts is not None:
            skip = personal(texts(i))
            if skip:
                terms = [t for t in terms if t not in skip]
                if not terms:
                    continue
        out[i] = len(terms) * ref.unseen_bigram_share(lem)
        found[i] = tuple(terms)
    return out, found


def document_scores(scores: np.ndarray, doc_of: np.ndarray, n_docs: int) -> np.ndarray:
    """A commentary's score: its best sentence's score plus OTHERS_WEIGHT x the others' sum."""
    best = np.zeros(n_docs)
    total = np.zeros(n_docs)
    if len(scores):
        np.maximum.at(best, doc_of, scores)
        np.add.at(total, doc_of, scores)
    return best + OTHERS_WEIGHT * (total - best)


def rank(doc_scores: np.ndarray, doc_ids: Sequence[str]) -> list[int]:
    """Document numbers best first (ties by document id, so the order is reproducible)."""
    return sorted(range(len(doc_ids)), key=lambda d: (-doc_scores[d], doc_ids[d]))
