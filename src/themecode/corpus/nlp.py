"""The shared spaCy pipeline: blank English, a sentencizer and the lookup lemmatizer, built lazily.

Nothing is downloaded: the lemma tables come from the `spacy-lookups-data` wheel. Import of this
module is cheap; spaCy itself is only imported when `get_nlp()` is first called.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

_lock = threading.Lock()
_nlp: Language | None = None


def get_nlp() -> Language:
    """Return the process-wide pipeline, building it on first use (thread-safe)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                import spacy

                nlp = spacy.blank("en")
                nlp.add_pipe("sentencizer")
                nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
                nlp.initialize()
                _nlp = nlp
    return _nlp


@dataclass(frozen=True)
class Sentence:
    """A sentence as code-point offsets into its document, with its lower-cased lemmas."""

    index: int
    start: int
    end: int
    lemmas: str


def split_sentences(texts: Iterable[str], batch_size: int = 256) -> Iterator[list[Sentence]]:
    """Yield, for each text, its sentences (offsets exclude surrounding white space)."""
    nlp = get_nlp()
    for doc in nlp.pipe(texts, batch_size=batch_size):
        sents: list[Sentence] = []
        for sent in doc.sents:
            toks = [t for t in sent if not t.is_space]
            if not toks:
                continue
            start = toks[0].idx
            end = toks[-1].idx + len(toks[-1].text)
            lemmas = " ".join(
                (t.lemma_ or t.text).lower() for t in toks if not t.is_punct
            )
            sents.append(Sentence(len(sents), start, end, lemmas))
        yield sents


def lemmatise(text: str) -> list[str]:
    """Lower-cased lemmas of the non-punctuation, non-space tokens of `text`."""
    doc = get_nlp()(text)
    return [(t.lemma_ or t.text).lower() for t in doc if not (t.is_punct or t.is_space)]
