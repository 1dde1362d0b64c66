"""Rank the commentaries outside the sample by how unlike the coded sample they are.

The *reference* is every human-coded commentary (any live human coding, or marked done) that the
audit has not itself decided on; the *candidates* are the commentaries of cases outside the
sample that nobody has coded and the audit has not yet decided on. Sentence lemmas come from the
project's cache (`sentences.lemmas`): no spaCy pass, no model, nothing downloaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from themecode.audit.novelty import Reference, document_scores, rank, sentence_scores
from themecode.errors import ThemecodeError
from themecode.store import Store

METHOD = "unseen-lemmas x unseen-bigram-share (audit v1)"
CHUNK = 900
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SentenceScore:
    """One sentence of a candidate: code-point offsets into the commentary and its score."""

    start: int
    end: int
    score: float
    terms: tuple[str, ...] = ()  # the unseen content lemmas that made it unusual


@dataclass(frozen=True)
class Candidate:
    """A commentary outside the sample, with its score and its scored sentences in text order."""

    doc_id: str
    case_id: str
    score: float
    sentences: tuple[SentenceScore, ...]

    def to_dict(self) -> dict[str, Any]:
        """The `--json` form: doc_id, case_id, score and the unusual sentences' start/end/score."""
        return {"doc_id": self.doc_id, "case_id": self.case_id, "score": round(self.score, 4),
                "sentences": [{"start": s.start, "end": s.end, "score": round(s.score, 4)}
                              for s in self.sentences if s.score > 0]}


@dataclass
class AuditRanking:
    """The ranked candidates (best first, the top `top` of them) and what the ranking covered."""

    candidates: list[Candidate]
    n_candidates: int  # commentaries outside the sample that were scored
    n_reference: int  # coded commentaries the candidates were compared with
    n_unusual: int  # candidates with a score above 0 (at least one unseen content lemma)
    seconds: float = 0.0
    method: str = METHOD


def _ids(store: Store, sql: str) -> set[str]:
    return {r[0] for r in store.conn.execute(sql)}


def audit_sets(store: Store) -> tuple[list[str], list[str]]:
    """(reference document ids, candidate document ids), both sorted; see the module docstring.

    A commentary counts as coded (reference) when it has a live human coding made outside the
    audit or is marked done, by document or by case; the audit's own decisions are neither.
    """
    decided = _ids(store, "SELECT document_id FROM audit_reviews WHERE deleted = 0")
    audit_coded = _ids(store, "SELECT document_id FROM codings WHERE deleted = 0 AND audit = 1")
    coded = _ids(store,
                 "SELECT document_id FROM codings WHERE deleted = 0 AND audit = 0 "
                 "UNION SELECT unit_id FROM progress WHERE unit_type = 'document' "
                 "AND status = 'done' UNION SELECT d.id FROM documents d JOIN progress p "
                 "ON p.unit_type = 'case' AND p.unit_id = d.case_id AND p.status = 'done'")
    reference = sorted(coded - decided - audit_coded)
    sampled = _ids(store, "SELECT case_id FROM samples")
    candidates = sorted(
        d for d, c in store.conn.execute("SELECT id, case_id FROM documents")
        if c not in sampled and d not in coded and d not in decided and d not in audit_coded)
    return reference, candidates


def _lemmas(store: Store, doc_ids: list[str]) -> list[str]:
    out: list[str] = []
    for i in range(0, len(doc_ids), CHUNK):
        chunk = doc_ids[i:i + CHUNK]
        marks = ",".join("?" * len(chunk))
        out.extend(r[0] for r in store.conn.execute(
            f"SELECT lemmas FROM sentences WHERE document_id IN ({marks})", chunk))
    return out


def _personal_words() -> Callable[[str], set[str]]:
    """Lower-cased words of the personal details the redactor finds in a text."""
    from themecode.redact.engine import Redactor

    redactor = Redactor()

    def words(text: str) -> set[str]:
        return {w.lower() for s, e, _ in redactor.find(text) for w in text[s:e].split()}
    return words


def rank_unsampled(store: Store, *, top: int | None = 50,
                   progress: Progress | None = None) -> AuditRanking:
    """Score every candidate commentary and return the `top` best (all with `top=None`)."""
    started = time.perf_counter()
    reference_ids, candidate_ids = audit_sets(store)
    if not reference_ids:
        raise ThemecodeError(
            f"Nothing in {store.path} has been coded yet, so there is no coded sample to compare "
            "the other commentaries with.",
            hint="code some of the sample first (`themecode code PROJECT`), then run the audit.")
    ref = Reference.build(_lemmas(store, reference_ids))
    personal = _personal_words()
    n = len(candidate_ids)
    doc_scores = np.zeros(n)
    kept: dict[int, tuple[str, str, list[tuple[int, int, float, tuple[str, ...]]]]] = {}
    for i in range(0, n, CHUNK):
        chunk = candidate_ids[i:i + CHUNK]
        marks = ",".join("?" * len(chunk))
        info = {r[0]: (r[1], r[2]) for r in store.conn.execute(
            f"SELECT id, case_id, text FROM documents WHERE id IN ({marks})", chunk)}
        rows = store.conn.execute(
            f'SELECT document_id, start, "end", lemmas FROM sentences WHERE document_id IN '
            f"({marks}) ORDER BY document_id, idx", chunk).fetchall()
        pos = {d: i + j for j, d in enumerate(chunk)}
        def text_of(k: int, rows: list[Any] = rows, info: dict[str, Any] = info) -> str:
            return str(info[rows[k][0]][1][rows[k][1]:rows[k][2]])

        s, terms = sentence_scores(ref, [r[3] for r in rows], text_of, personal)
        doc_of = np.asarray([pos[r[0]] - i for r in rows], dtype=np.int64)
        doc_scores[i:i + len(chunk)] = document_scores(s, doc_of, len(chunk))
        for k in np.flatnonzero(s > 0):
            d, a, b, _ = rows[k]
            entry = kept.setdefault(pos[d], (d, info[d][0], []))
            entry[2].append((a, b, float(s[k]), terms[k]))
        if progress:
            progress(min(i + CHUNK, n), n)
    order = rank(doc_scores, candidate_ids)
    if top is not None:
        order = order[:top]
    candidates = []
    for d in order:
        doc_id = candidate_ids[d]
        if d in kept:
            _, case_id, sents = kept[d]
        else:
            case_id = store.document(doc_id).case_id
            sents = []
        candidates.append(Candidate(doc_id, case_id, float(doc_scores[d]),
                                    tuple(SentenceScore(*x) for x in sorted(sents))))
    return AuditRanking(candidates, n, len(reference_ids), int(np.count_nonzero(doc_scores > 0)),
                        round(time.perf_counter() - started, 3))
