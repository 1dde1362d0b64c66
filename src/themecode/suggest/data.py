"""The suggester's training data: human-coded sentences read from the project database.

Only live rows of `codings` (human coding) are read; `machine_codings` never are. Merged codes
count for the code they were merged into. Hashed features of documents are cached per process,
since documents are immutable once coded.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from themecode.store import Store
from themecode.suggest.model import USE_CHAR, hash_features
from themecode.suggest.rules import RuleScorer


@dataclass
class TrainingSet:
    """Human-coded sentences with their labels, documents and cases (rows = sentences)."""

    codes: list[str]
    texts: list[str]
    lemmas: list[str]
    y: np.ndarray  # (n_sentences, n_codes) bool
    doc_ids: list[str]  # distinct documents, in order
    case_ids: list[str]  # distinct cases, in order
    doc_of: np.ndarray  # sentence -> document number
    case_of_doc: np.ndarray  # document -> case number
    n_codings: int
    fingerprint: str

    @property
    def groups(self) -> np.ndarray:
        """Case number of each sentence (the CV grouping)."""
        return self.case_of_doc[self.doc_of]


def coding_fingerprint(store: Store) -> str:
    """Changes whenever a human coding is added, removed or restored."""
    row = store.conn.execute(
        "SELECT count(*), coalesce(max(id), 0), coalesce(sum(deleted), 0), "
        "coalesce(max(deleted_at), '') FROM codings"
    ).fetchone()
    return hashlib.sha256(json.dumps(list(row)).encode()).hexdigest()[:16]


def code_map(store: Store) -> dict[str, str]:
    """Every code id -> the live code it now counts as (merged codes follow `merged_into`)."""
    codes = {c.id: c for c in store.codes(include_retired=True) if c.kind == "code"}
    out: dict[str, str] = {}
    for cid in codes:
        cur, seen = cid, set()
        while codes[cur].retired and codes[cur].merged_into in codes and cur not in seen:
            seen.add(cur)
            cur = codes[cur].merged_into  # type: ignore[assignment]
        if not codes[cur].retired:
            out[cid] = cur
    return out


def coded_documents(store: Store, doc_ids: Sequence[str] | None = None) -> list[str]:
    """Documents a person has coded: any live human coding, or marked done (document or case)."""
    rows = store.conn.execute(
        "SELECT document_id FROM codings WHERE deleted = 0 "
        "UNION SELECT unit_id FROM progress WHERE unit_type = 'document' AND status = 'done' "
        "UNION SELECT d.id FROM documents d JOIN progress p ON p.unit_type = 'case' "
        "AND p.unit_id = d.case_id AND p.status = 'done'"
    ).fetchall()
    found = {r[0] for r in rows}
    if doc_ids is not None:
        found &= set(doc_ids)
    return sorted(found)


_SAMPLED_DOCS = "SELECT d.id FROM documents d JOIN samples s ON s.case_id = d.case_id"


def _blind_documents(store: Store, docs: list[str], coder: str) -> list[str]:
    """`docs` without the sampled commentaries `coder` has neither coded nor marked done."""
    sampled = {r[0] for r in store.conn.execute(_SAMPLED_DOCS)}
    mine = {r[0] for r in store.conn.execute(
        "SELECT document_id FROM codings WHERE deleted = 0 AND coder = ? "
        "UNION SELECT unit_id FROM progress WHERE unit_type = 'document' AND status = 'done' "
        "AND coder = ? UNION SELECT d.id FROM documents d JOIN progress p ON p.unit_type = 'case' "
        "AND p.unit_id = d.case_id AND p.status = 'done' AND p.coder = ?", (coder, coder, coder))}
    return [d for d in docs if d not in sampled or d in mine]


def training_set(store: Store, doc_ids: Sequence[str] | None = None,
                 coder: str | None = None, *, blind_for: str | None = None) -> TrainingSet:
    """Sentence-level examples from human codings (`codings`, deleted = 0) only.

    A sentence is positive for a code when any live human coding of it overlaps the sentence;
    codings of merged codes count for the code they were merged into. `blind_for` (a coder who
    codes blind) keeps other coders' codings and done marks of the sample's commentaries out.
    """
    mapping = code_map(store)
    codes = [c.id for c in store.codes(kind="code")]
    index = {c: i for i, c in enumerate(codes)}
    docs = coded_documents(store, doc_ids)
    if blind_for is not None:
        docs = _blind_documents(store, docs, blind_for)
    texts: list[str] = []
    lemmas: list[str] = []
    labels: list[np.ndarray] = []
    doc_of: list[int] = []
    case_numbers: dict[str, int] = {}
    case_of_doc: list[int] = []
    kept: list[str] = []
    n_codings = 0
    for i in range(0, len(docs), 900):  # bulk reads: three queries per 900 documents
        chunk = docs[i:i + 900]
        marks = ",".join("?" * len(chunk))
        info = {r[0]: (r[1], r[2]) for r in store.conn.execute(
            f"SELECT id, case_id, text FROM documents WHERE id IN ({marks})", chunk)}
        sents: dict[str, list[tuple[int, int, str]]] = {}
        for d, a, b, lem in store.conn.execute(
            f'SELECT document_id, start, "end", lemmas FROM sentences WHERE document_id IN '
            f"({marks}) ORDER BY document_id, idx", chunk,
        ):
            sents.setdefault(d, []).append((a, b, lem))
        coded: dict[str, list[tuple[int, int, str]]] = {}
        sql = (f'SELECT document_id, start, "end", code_id FROM codings WHERE deleted = 0 '
               f"AND document_id IN ({marks})")
        args: list[Any] = list(chunk)
        if coder is not None:
            sql += " AND coder = ?"
            args.append(coder)
        if blind_for is not None:
            sql += f" AND (coder = ? OR document_id NOT IN ({_SAMPLED_DOCS}))"
            args.append(blind_for)
        for d, a, b, code in store.conn.execute(sql, args):
            if code in mapping:
                coded.setdefault(d, []).append((a, b, index[mapping[code]]))
        for doc_id in chunk:
            if doc_id not in info or not sents.get(doc_id):
                continue
            case_id, text = info[doc_id]
            codings = coded.get(doc_id, [])
            n_codings += len(codings)
            d = len(kept)
            kept.append(doc_id)
            case_of_doc.append(case_numbers.setdefault(case_id, len(case_numbers)))
            for a, b, lem in sents[doc_id]:
                row = np.zeros(len(codes), dtype=bool)
                for ca, cb, j in codings:
                    if ca < b and cb > a:
                        row[j] = True
                texts.append(text[a:b])
                lemmas.append(lem)
                labels.append(row)
                doc_of.append(d)
    y = np.vstack(labels) if labels else np.zeros((0, len(codes)), dtype=bool)
    return TrainingSet(codes, texts, lemmas, y, kept, list(case_numbers),
                       np.asarray(doc_of, dtype=np.int64), np.asarray(case_of_doc, dtype=np.int64),
                       n_codings, coding_fingerprint(store))


_HASH_CACHE: dict[tuple[str, str, bool], Any] = {}
CACHE_LOCK = threading.Lock()  # the TUI refits and suggests from different threads
HASH_CACHE_DOCS = 20_000


_RULE_CACHE: dict[tuple[str, str, str], np.ndarray] = {}


def _doc_keys(ts: TrainingSet) -> tuple[np.ndarray, list[tuple[str, str]]] | None:
    """Sentence bounds of each document and a (document id, content digest) key per document.

    None when the training set's sentences are not grouped by document (then nothing is cached).
    """
    n_docs = len(ts.doc_ids)
    if n_docs == 0 or np.any(np.diff(ts.doc_of) < 0):
        return None
    bounds = np.searchsorted(ts.doc_of, np.arange(n_docs + 1))
    keys = []
    for d in range(n_docs):
        a, b = bounds[d], bounds[d + 1]
        digest = hashlib.sha1("\x00".join(ts.texts[a:b] + ts.lemmas[a:b]).encode()).hexdigest()
        keys.append((ts.doc_ids[d], digest))
    return bounds, keys


def _cached_rows(ts: TrainingSet, cache: dict[Any, Any], tag: str | bool,
                 compute: Any, stack: Any) -> Any:
    """Per-document rows of `compute(sentence rows)`, reusing rows cached for earlier fits."""
    found = _doc_keys(ts)
    if found is None:
        return compute(np.arange(len(ts.texts)))
    bounds, doc_keys = found
    n_docs = len(doc_keys)
    keys = [(doc, digest, tag) for doc, digest in doc_keys]
    with CACHE_LOCK:
        missing = [d for d in range(n_docs) if keys[d] not in cache]
        if missing:
            if len(cache) + len(missing) > HASH_CACHE_DOCS:
                cache.clear()
                missing = list(range(n_docs))
            rows = np.concatenate([np.arange(bounds[d], bounds[d + 1]) for d in missing])
            values = compute(rows)
            offset = 0
            for d in missing:
                size = bounds[d + 1] - bounds[d]
                cache[keys[d]] = values[offset:offset + size]
                offset += size
        blocks = [cache[k] for k in keys]
    return stack(blocks)


def hashed_sentences(ts: TrainingSet, use_char: bool = USE_CHAR) -> Any:
    """Hashed features of a training set's sentences, reusing earlier documents' rows.

    Hashing is stateless and documents are immutable, so the rows of a document hashed for an
    earlier fit in this process are reused: a refit after one more coded commentary only
    hashes that commentary.
    """
    import scipy.sparse as sp

    return _cached_rows(
        ts, _HASH_CACHE, use_char,
        lambda rows: hash_features([ts.texts[i] for i in rows], [ts.lemmas[i] for i in rows],
                                   use_char=use_char),
        lambda blocks: sp.vstack(blocks, format="csr"))


def rule_scores(ts: TrainingSet, rules: RuleScorer) -> np.ndarray:
    """Codebook-rule scores (n_sentences, len(rules.code_ids)) of a training set, cached per
    document like the hashed features (a full refit only scores newly coded commentaries)."""
    return _cached_rows(
        ts, _RULE_CACHE, rules.key,
        lambda rows: (rules.score([ts.texts[i] for i in rows]) if len(rows)
                      else np.zeros((0, len(rules.code_ids)))),
        lambda blocks: np.vstack(blocks) if blocks else np.zeros((0, len(rules.code_ids))))
