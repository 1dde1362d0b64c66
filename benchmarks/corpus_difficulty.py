"""How hard is the demo corpus? TF-IDF + logistic regression, commentary level, per code.

A classifier is trained on the commentaries of a random 25% of cases (as the researchers coded a
25% sample) and tested on the other 75%. Labels are the union of the gold codes of each
commentary. If every common code (in >= 5% of cases) scored above 0.98 the text would be leaking
its templates; the corpus aims for common codes mostly in the 0.75-0.95 range.

Usage::

    python benchmarks/corpus_difficulty.py [--corpus corpus/demo] [--seed 2025] [--train-share 0.25]

Prints a table (code, cases, test support, precision, recall, F1) then one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

ROOT = Path(__file__).resolve().parents[1]


def load(corpus: Path) -> tuple[list[dict], dict[str, set[str]]]:
    """Read commentaries.csv and gold-codings.jsonl; return rows and codes per commentary id."""
    csv_path = corpus / "commentaries.csv"
    gold_path = corpus / "gold-codings.jsonl"
    for path in (csv_path, gold_path):
        if not path.exists():
            sys.exit(f"{path} not found: generate the corpus first with `python corpus/generate.py --out {corpus}`")
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes: dict[str, set[str]] = defaultdict(set)
    with gold_path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            codes[rec["doc_id"]].add(rec["code"])
    return rows, codes


def evaluate(corpus: Path, seed: int = 2025, train_share: float = 0.25, balanced: bool = True) -> dict:
    """Train on `train_share` of the cases, test on the rest; return per-code and summary scores.

    `balanced` weights each code's positives up to the size of its negatives (the stronger
    baseline for rare codes); without it the classifier is conservative and recall drops.
    """
    rows, codes = load(corpus)
    case_ids = sorted({r["case_id"] for r in rows})
    rng = random.Random(seed)
    train_cases = set(rng.sample(case_ids, round(train_share * len(case_ids))))
    train = [r for r in rows if r["case_id"] in train_cases]
    test = [r for r in rows if r["case_id"] not in train_cases]

    case_codes: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        for c in codes.get(r["id"], ()):
            case_codes[c].add(r["case_id"])
    n_cases = len(case_ids)
    all_codes = sorted(case_codes)

    mlb = MultiLabelBinarizer(classes=all_codes)
    y_train = mlb.fit_transform([sorted(codes.get(r["id"], ())) for r in train])
    y_test = mlb.transform([sorted(codes.get(r["id"], ())) for r in test])
    # Codes absent from the training sample cannot be learnt; keep them in the table at F1 = 0.
    learnable = y_train.sum(axis=0) > 0

    t0 = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x_train = vec.fit_transform([r["text"] for r in train])
    x_test = vec.transform([r["text"] for r in test])
    clf = OneVsRestClassifier(
        LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced" if balanced else None)
    )
    clf.fit(x_train, y_train[:, learnable])
    pred = np.zeros_like(y_test)
    pred[:, learnable] = clf.predict(x_test)
    seconds = time.perf_counter() - t0

    p, r, f, support = precision_recall_fscore_support(y_test, pred, zero_division=0)
    per_code = []
    for i, code in enumerate(all_codes):
        per_code.append({
            "code": code,
            "cases": len(case_codes[code]),
            "case_share": round(len(case_codes[code]) / n_cases, 4),
            "support": int(support[i]),
            "train_support": int(y_train[:, i].sum()),
            "precision": round(float(p[i]), 3),
            "recall": round(float(r[i]), 3),
            "f1": round(float(f[i]), 3),
        })
    present = y_test.sum(axis=0) > 0
    common = [c for c in per_code if c["case_share"] >= 0.05]
    return {
        "corpus": str(corpus),
        "class_weight": "balanced" if balanced else "none",
        "train_cases": len(train_cases),
        "test_cases": n_cases - len(train_cases),
        "train_docs": len(train),
        "test_docs": len(test),
        "vocabulary": len(vec.vocabulary_),
        "macro_f1": round(float(f1_score(y_test[:, present], pred[:, present], average="macro", zero_division=0)), 3),
        "micro_f1": round(float(f1_score(y_test, pred, average="micro", zero_division=0)), 3),
        "common_codes": len(common),
        "common_above_098": sum(c["f1"] > 0.98 for c in common),
        "common_f1_min": min((c["f1"] for c in common), default=None),
        "common_f1_max": max((c["f1"] for c in common), default=None),
        "fit_predict_seconds": round(seconds, 2),
        "per_code": per_code,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the per-code table and a final JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "demo")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--train-share", type=float, default=0.25)
    parser.add_argument("--unbalanced", action="store_true", help="plain logistic regression (no class weights)")
    args = parser.parse_args(argv)
    res = evaluate(args.corpus, args.seed, args.train_share, balanced=not args.unbalanced)
    print(f"train {res['train_cases']} cases ({res['train_docs']} commentaries), "
          f"test {res['test_cases']} cases ({res['test_docs']} commentaries), vocabulary {res['vocabulary']}")
    print(f"{'code':28s} {'cases':>6s} {'share':>6s} {'test':>6s} {'prec':>6s} {'rec':>6s} {'F1':>6s}")
    for c in sorted(res["per_code"], key=lambda c: -c["cases"]):
        print(f"{c['code']:28s} {c['cases']:6d} {c['case_share']:6.3f} {c['support']:6d} "
              f"{c['precision']:6.3f} {c['recall']:6.3f} {c['f1']:6.3f}")
    print(f"macro F1 {res['macro_f1']:.3f}  micro F1 {res['micro_f1']:.3f}  "
          f"common codes (>=5% of cases) above 0.98: {res['common_above_098']} of {res['common_codes']}")
    print(json.dumps(res, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
