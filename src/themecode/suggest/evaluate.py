"""Honest measurement of the suggester: grouped cross-validation, learning curve and baselines.

Folds keep every case's commentaries together (GroupKFold by case), so nothing about a case in
the test fold is seen in training. Metrics are computed once on the predictions pooled over the
folds, at the commentary level (a commentary has a code if any of its sentences has it) and at
the sentence level. The same folds and units are used for the three baselines in
`suggest.baselines`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from themecode.errors import ModelError
from themecode.store import Store
from themecode.suggest.model import doc_max
from themecode.suggest.rules import RuleScorer
from themecode.suggest.suggester import (
    Suggester,
    TrainingSet,
    _rules,
    acceptance_rate,
    fit,
    training_set,
)

METHODS = ("themecode", "rules", "tfidf_similarity", "spacy_textcat_bow")
FRACTIONS = (0.1, 0.25, 0.5, 1.0)


@dataclass
class Predictions:
    """Sentence and commentary scores and yes/no decisions of one method on one test set."""

    sent_scores: np.ndarray
    sent_flags: np.ndarray
    doc_scores: np.ndarray
    doc_flags: np.ndarray


Method = Callable[[TrainingSet], Callable[[TrainingSet], Predictions]]


def subset(ts: TrainingSet, docs: np.ndarray) -> TrainingSet:
    """The training set restricted to some document numbers (renumbered, order kept)."""
    docs = np.sort(np.asarray(docs, dtype=np.int64))
    keep = np.isin(ts.doc_of, docs)
    doc_new = np.full(len(ts.doc_ids), -1, dtype=np.int64)
    doc_new[docs] = np.arange(len(docs))
    cases = ts.case_of_doc[docs]
    uniq, case_new = np.unique(cases, return_inverse=True)
    rows = np.flatnonzero(keep)
    return TrainingSet(ts.codes, [ts.texts[i] for i in rows], [ts.lemmas[i] for i in rows],
                       ts.y[rows], [ts.doc_ids[d] for d in docs],
                       [ts.case_ids[c] for c in uniq], doc_new[ts.doc_of[rows]],
                       case_new.astype(np.int64), ts.n_codings, ts.fingerprint)


def labelled_set(codes: Sequence[str], docs: Sequence[tuple[str, str, str]],
                 codings: Sequence[tuple[str, int, int, str]]) -> TrainingSet:
    """A test set from raw documents (id, case id, text) and codings (doc, start, end, code).

    Used by the benchmark for held-out and out-of-domain gold labels that must never enter the
    project's `codings` table. Codes outside `codes` are ignored.
    """
    from themecode.corpus.nlp import split_sentences

    index = {c: i for i, c in enumerate(codes)}
    by_doc: dict[str, list[tuple[int, int, str]]] = {}
    for d, s, e, c in codings:
        by_doc.setdefault(d, []).append((s, e, c))
    texts, lemmas, labels, doc_of, case_of_doc = [], [], [], [], []
    case_no: dict[str, int] = {}
    for n, (sents, (doc_id, case_id, text)) in enumerate(
        zip(split_sentences(t for _, _, t in docs), docs, strict=True)
    ):
        case_of_doc.append(case_no.setdefault(case_id, len(case_no)))
        for s in sents:
            row = np.zeros(len(codes), dtype=bool)
            for cs, ce, code in by_doc.get(doc_id, ()):
                if code in index and cs < s.end and ce > s.start:
                    row[index[code]] = True
            texts.append(text[s.start:s.end])
            lemmas.append(s.lemmas)
            labels.append(row)
            doc_of.append(n)
    y = np.vstack(labels) if labels else np.zeros((0, len(codes)), dtype=bool)
    return TrainingSet(list(codes), texts, lemmas, y, [d for d, _, _ in docs], list(case_no),
                       np.asarray(doc_of, dtype=np.int64), np.asarray(case_of_doc, dtype=np.int64),
                       len(codings), "")


def _to_docs(test: TrainingSet, scores: np.ndarray, flags: np.ndarray) -> Predictions:
    n = len(test.doc_ids)
    return Predictions(scores, flags, doc_max(scores, test.doc_of, n),
                       doc_max(flags.astype(np.float64), test.doc_of, n) > 0)


def method(name: str, rules: RuleScorer) -> Method:
    """A fit function for one of METHODS (the suggester itself or a baseline)."""
    from themecode.suggest import baselines as eb
    def themecode(train: TrainingSet) -> Callable[[TrainingSet], Predictions]:
        sg: Suggester = fit(train, list(train.codes), rules)

        def predict(test: TrainingSet) -> Predictions:
            s, f = sg.score_sentences(test.texts, test.lemmas)
            d, df = sg.score_documents(list(zip(test.texts, test.lemmas, strict=True)),
                                       test.doc_of, len(test.doc_ids), sentence_scores=(s, f))
            return Predictions(s, f, d, df)

        return predict

    def wrap(fitter: Callable[[TrainingSet], Any]) -> Method:
        def fitted(train: TrainingSet) -> Callable[[TrainingSet], Predictions]:
            pred = fitter(train)
            return lambda test: _to_docs(test, *pred(test))

        return fitted

    table: dict[str, Method] = {
        "themecode": themecode,
        "rules": wrap(lambda tr: eb.fit_rules(tr, rules)),
        "tfidf_similarity": wrap(eb.fit_tfidf_similarity),
        "spacy_textcat_bow": wrap(eb.fit_textcat),
    }
    if name not in table:
        raise ModelError(f"Unknown method {name!r}: use one of {', '.join(METHODS)}.")
    return table[name]


def metrics(y: np.ndarray, flags: np.ndarray, scores: np.ndarray | None,
            codes: Sequence[str]) -> dict[str, Any]:
    """Per-code P/R/F1/support, micro/macro F1 and (with scores) P@1 and R@3."""
    y = y.astype(bool)
    flags = flags.astype(bool)
    tp = (y & flags).sum(0)
    fp = (~y & flags).sum(0)
    fn = (y & ~flags).sum(0)
    per: dict[str, dict[str, float | int]] = {}
    f1s = []
    for j, code in enumerate(codes):
        p = tp[j] / (tp[j] + fp[j]) if tp[j] + fp[j] else 0.0
        r = tp[j] / (tp[j] + fn[j]) if tp[j] + fn[j] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[code] = {"precision": round(float(p), 4), "recall": round(float(r), 4),
                     "f1": round(float(f), 4), "support": int(y[:, j].sum()),
                     "predicted": int(flags[:, j].sum())}
        if y[:, j].any():
            f1s.append(f)
    stp, sfp, sfn = int(tp.sum()), int(fp.sum()), int(fn.sum())
    out: dict[str, Any] = {
        "micro_precision": round(stp / (stp + sfp), 4) if stp + sfp else 0.0,
        "micro_recall": round(stp / (stp + sfn), 4) if stp + sfn else 0.0,
        "micro_f1": round(2 * stp / (2 * stp + sfp + sfn), 4) if stp + sfp + sfn else 0.0,
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
        "n_units": int(len(y)), "per_code": per,
    }
    if scores is not None:
        has = y.any(1)
        if has.any():
            order = np.argsort(-scores[has], axis=1, kind="stable")
            yy = y[has]
            rows = np.arange(len(yy))
            out["p_at_1"] = round(float(yy[rows, order[:, 0]].mean()), 4)
            top3 = np.zeros_like(yy)
            for k in range(min(3, yy.shape[1])):
                top3[rows, order[:, k]] = True
            out["r_at_3"] = round(float(((top3 & yy).sum(1) / yy.sum(1)).mean()), 4)
            out["n_ranked"] = int(has.sum())
    return out


def score(test: TrainingSet, pred: Predictions) -> dict[str, Any]:
    """Commentary-level and sentence-level metrics of one method's predictions."""
    y_doc = doc_max(test.y.astype(np.float64), test.doc_of, len(test.doc_ids)) > 0
    return {"commentary": metrics(y_doc, pred.doc_flags, pred.doc_scores, test.codes),
            "sentence": metrics(test.y, pred.sent_flags, None, test.codes)}


def _concat(parts: list[Predictions]) -> Predictions:
    return Predictions(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                         ("sent_scores", "sent_flags", "doc_scores", "doc_flags")))


def _concat_sets(parts: list[TrainingSet]) -> TrainingSet:
    doc_of, offset = [], 0
    for p in parts:
        doc_of.append(p.doc_of + offset)
        offset += len(p.doc_ids)
    return TrainingSet(parts[0].codes, [t for p in parts for t in p.texts],
                       [t for p in parts for t in p.lemmas], np.vstack([p.y for p in parts]),
                       [d for p in parts for d in p.doc_ids], [], np.concatenate(doc_of),
                       np.zeros(offset, dtype=np.int64), 0, "")


def cross_validate(store: Store, *, folds: int = 5, seed: int = 0,
                   methods: Sequence[str] = METHODS, fractions: Sequence[float] = FRACTIONS,
                   curve_methods: Sequence[str] = ("themecode", "tfidf_similarity"),
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Grouped k-fold CV of the suggester and baselines on the project's human codings."""
    ts = training_set(store)
    if len(ts.case_ids) < 2:
        raise ModelError(
            f"Only {len(ts.case_ids)} coded case(s) in {store.path}: cross-validation needs at "
            "least two.", hint="code more of the sample, then run `themecode evaluate` again.")
    k = min(folds, len(ts.case_ids))
    codes, rules = _rules(store)
    splits = list(GroupKFold(n_splits=k).split(np.arange(len(ts.doc_ids)),
                                               groups=ts.case_of_doc))
    rng = np.random.default_rng(seed)
    pooled: dict[str, list[Predictions]] = {m: [] for m in methods}
    curve: dict[tuple[str, float], list[Predictions]] = {}
    tests: list[TrainingSet] = []
    timings: dict[str, float] = {m: 0.0 for m in methods}
    for f, (tr, te) in enumerate(splits, 1):
        train, test = subset(ts, tr), subset(ts, te)
        tests.append(test)
        for m in methods:
            if progress:
                progress(f"fold {f}/{k}: {m}")
            started = time.perf_counter()
            pooled[m].append(method(m, rules)(train)(test))
            timings[m] += time.perf_counter() - started
        case_order = rng.permutation(len(train.case_ids))
        for frac in fractions:
            if frac >= 1.0:
                continue
            n = max(2, int(round(frac * len(case_order))))
            keep_cases = case_order[:n]
            docs = np.flatnonzero(np.isin(train.case_of_doc, keep_cases))
            part = subset(train, docs)
            for m in curve_methods:
                if m in methods:
                    curve.setdefault((m, frac), []).append(method(m, rules)(part)(test))
    test_all = _concat_sets(tests)
    results = {m: score(test_all, _concat(p)) for m, p in pooled.items()}
    learning: dict[str, list[dict[str, Any]]] = {}
    for m in curve_methods:
        if m not in methods:
            continue
        learning[m] = []
        for frac in fractions:
            preds = _concat(pooled[m]) if frac >= 1.0 else _concat(curve[(m, frac)])
            r = score(test_all, preds)["commentary"]
            learning[m].append({"fraction": frac,
                                "n_cases": int(round(frac * len(ts.case_ids) * (k - 1) / k)),
                                "micro_f1": r["micro_f1"], "macro_f1": r["macro_f1"]})
    full = fit(ts, codes, rules)
    return {
        "folds": k, "seed": seed, "n_cases": len(ts.case_ids), "n_documents": len(ts.doc_ids),
        "n_sentences": len(ts.texts), "n_codings": ts.n_codings,
        "codes": {c: {"source": "model" if c in full.model_codes else "rules",
                      "positive_sentences": int(ts.y[:, j].sum())}
                  for j, c in enumerate(ts.codes)},
        "methods": results, "learning_curve": learning,
        "seconds": {m: round(t, 2) for m, t in timings.items()},
        "acceptance": acceptance_rate(store),
    }


def format_report(result: dict[str, Any]) -> str:
    """A plain-text summary of `cross_validate` (or benchmark) output for the terminal."""
    lines = [f"{result.get('folds', '-')}-fold grouped CV: {result.get('n_cases')} cases, "
             f"{result.get('n_documents')} commentaries, {result.get('n_codings')} codings", "",
             f"{'method':20s} {'micro-F1':>9s} {'macro-F1':>9s} {'P@1':>6s} {'R@3':>6s} "
             f"{'sent micro-F1':>14s}"]
    for m, r in result["methods"].items():
        c = r["commentary"]
        lines.append(f"{m:20s} {c['micro_f1']:9.3f} {c['macro_f1']:9.3f} "
                     f"{c.get('p_at_1', 0):6.3f} {c.get('r_at_3', 0):6.3f} "
                     f"{r['sentence']['micro_f1']:14.3f}")
    main = result["methods"].get("themecode")
    if main:
        lines += ["", f"{'code':28s} {'source':6s} {'P':>6s} {'R':>6s} {'F1':>6s} {'support':>8s}"]
        for code, v in main["commentary"]["per_code"].items():
            src = result.get("codes", {}).get(code, {}).get("source", "")
            lines.append(f"{code:28s} {src:6s} {v['precision']:6.3f} {v['recall']:6.3f} "
                         f"{v['f1']:6.3f} {v['support']:8d}")
    for m, pts in result.get("learning_curve", {}).items():
        lines.append("")
        lines.append(f"learning curve ({m}): " + ", ".join(
            f"{int(p['fraction'] * 100)}% → micro {p['micro_f1']:.3f} / macro {p['macro_f1']:.3f}"
            for p in pts))
    acc = result.get("acceptance", {}).get("all", {})
    rate = acc.get("acceptance_rate")
    lines.append("")
    lines.append(f"suggestions decided: {acc.get('decided', 0)}; acceptance rate: "
                 + (f"{rate:.1%}" if rate is not None else "n/a (no suggestions logged yet)"))
    return "\n".join(lines)
