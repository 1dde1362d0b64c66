"""How suggestions are ordered: one sentence by score with the keyword guarantee (`ranked`),
a whole commentary by its leading sentences and its stage (`lead_keys`).

Both work on score arrays only, so the suggester, the benchmarks and the tests share them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from themecode.suggest.model import doc_max

# Codes whose keywords a text names stay among this many first suggestions (`ranked`).
KEYWORD_TOP = 3
# Ranking a commentary of several sentences (`lead_keys`): a sentence's scores count
# 1 / (1 + LEAD_DISCOUNT * k), k the number of earlier sentences whose best score reaches
# LEAD_MIN_SCORE; codes of the theme the commentary's stage names gain STAGE_BOOST. Chosen on the
# demo's held-out commentaries (docs/suggestions.md), never on the out-of-domain set.
LEAD_DISCOUNT = 0.5
LEAD_MIN_SCORE = 0.5
STAGE_BOOST = 0.3


def first_word(text: str) -> str:
    """The first run of letters of `text`, lower-cased ("" if none)."""
    m = re.search(r"[^\W\d_]+", text.lower())
    return m.group(0) if m else ""


def ranked(scores: np.ndarray, keyword_hits: np.ndarray) -> list[int]:
    """Code positions best first: by score, except that codes whose own codebook keyword
    phrase is in the sentence (and not vetoed by their exclude note) are kept in the top
    KEYWORD_TOP, displacing the lowest-scored others (the best-scored hits if there are more).

    A researcher who sees a sentence name a code's keywords and the code missing from the
    first suggestions stops trusting them, whatever the model learnt from other wording.
    """
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    head = order[:KEYWORD_TOP]
    hit = [i for i in order if keyword_hits[i]][:KEYWORD_TOP]
    if all(i in head for i in hit):
        return order
    others = [i for i in head if not keyword_hits[i]][: KEYWORD_TOP - len(hit)]
    head = sorted(hit + others, key=order.index)
    return head + [i for i in order if i not in head]


def stage_codes(theme_words: Sequence[str], stage: str | None) -> np.ndarray:
    """Which codes belong to the theme a commentary's stage names (bool, one per code, from
    the first word of each code's theme id): the stage's first word and the theme's agree, one a
    prefix of the other ("review" and `reviewing`, "Implementation & delivery" and
    `implementation`); words under 4 letters never match."""
    word = first_word(stage or "")
    if len(word) < 4:
        return np.zeros(len(theme_words), dtype=bool)
    return np.array([len(t) >= 4 and (t.startswith(word) or word.startswith(t))
                     for t in theme_words], dtype=bool)


def lead_keys(sentence_scores: np.ndarray, doc_of: np.ndarray, n_docs: int,
              stage_match: Sequence[np.ndarray] | None = None) -> np.ndarray:
    """Ranking keys (n_docs, n_codes) of whole commentaries, higher first.

    `sentence_scores` (n, n_codes) with `doc_of` the commentary of each sentence (a
    commentary's sentences consecutive, in text order); `stage_match` per commentary, the codes
    of the theme its stage names (`stage_codes`). A commentary's own scores (the maximum over its
    sentences) do not say which code it is about: with several codes each on one sentence they
    all score near 1 and their order is chance. Inspectors lead with the judgement's theme, so a
    sentence's scores are divided by 1 + LEAD_DISCOUNT * k, k the number of earlier sentences of
    the commentary that already looked coded (best score >= LEAD_MIN_SCORE), and codes of the
    theme the commentary's stage names (the key question it answers) gain STAGE_BOOST.
    """
    n = len(doc_of)
    coded = (sentence_scores.max(1) >= LEAD_MIN_SCORE) if n else np.zeros(0, dtype=bool)
    earlier = np.zeros(n)
    if n:
        run = np.cumsum(coded) - coded  # coded sentences before this one, in the whole input
        first = np.r_[True, doc_of[1:] != doc_of[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        earlier = run - run[start]
    keys = doc_max(sentence_scores / (1.0 + LEAD_DISCOUNT * earlier)[:, None], doc_of, n_docs)
    if stage_match is not None:
        for d, match in enumerate(stage_match):
            keys[d] += STAGE_BOOST * match
    return keys
