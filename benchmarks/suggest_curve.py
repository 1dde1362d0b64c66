"""Learning curve of the suggester as a project grows, fitted the way the coding screen fits it.

The demo project (25% sample, seed 2025, gold codings of the sampled cases as coder "gold") is
coded one commentary at a time, case by case, in the sample's draw order and in `--orders`
random case orders. The coding screen refits after every commentary marked done: a full fit
(grouped-CV calibration and thresholds) when the learnt codes change or the coded commentaries
grow by more than RECALIBRATE_GROWTH since the last full fit, otherwise the quick refit that
keeps the last calibration. The walk replays exactly that rule, and at N = 5, 10, 20, 50, 100,
200 and all sampled cases fits the last full model and the quick refit on top of it, as the
screen would hold them at that moment.

Figures, at the commentary level (a commentary's score is the maximum over its sentences):
- top-3 recall of the primary code: the code on most of the commentary's gold-coded sentences
  (`positive_practice` only when nothing else is coded; when codes tie, any of them, or in
  `primary_top3_strict` the tied code coded first in the text), in the suggester's top 3 for
  the whole commentary as `Suggester.suggest` orders it (`suggest.ranking.lead_keys`: leading
  sentences first, the commentary's stage from the corpus CSV; one sentence: by score);
- P@1 (the first suggestion is one of the commentary's gold codes);
- micro- and macro-F1 of the tool's own yes/no decisions (model codes at their fitted commentary
  thresholds, rule codes at RULE_THRESHOLD);
- per gold-coded sentence, one of its gold codes in the top 3 as the panel ranks a selected
  sentence (`ranked`: codes whose keywords the sentence names kept in the top 3).

Test sets (`--sets`): `held` = the demo's unsampled cases (a fixed random `--held` commentaries
of them), `ood` = the hand-written `corpus/ood/` set (reporting only: never choose settings on
it), `template` = the template-split proxy of `benchmarks/suggest_tuning.py` (train on a corpus
written from one half of the generator's templates, test on one written from the other half;
the tuning data). `template` runs on its own: its training cases come from the template half, in
their generated order.

Run:  .venv/bin/python benchmarks/suggest_curve.py [--sets held,ood] [--orders 5] [--json f]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from by_path import load_by_path  # noqa: E402

from themecode.store import Store  # noqa: E402
from themecode.suggest.evaluate import labelled_set, subset  # noqa: E402
from themecode.suggest.model import MIN_EXAMPLES, doc_max  # noqa: E402
from themecode.suggest.suggester import (  # noqa: E402
    RECALIBRATE_GROWTH,
    Suggester,
    TrainingSet,
    _rules,
    fit,
    ranked,
    training_set,
)

SIZES = (5, 10, 20, 50, 100, 200)
SUPPORTING = "positive_practice"


def primary_codes(test: TrainingSet, *, strict: bool = False) -> np.ndarray:
    """Per commentary, its primary gold code(s) (n_docs, n_codes): the code(s) on most of its
    gold-coded sentences, `positive_practice` only when nothing else is coded. When codes tie
    (three codes on one sentence each) the commentary has no single primary code and any of
    the tied codes counts; with `strict`, only the tied code coded first in the text."""
    out = np.zeros((len(test.doc_ids), len(test.codes)), dtype=bool)
    supporting = test.codes.index(SUPPORTING) if SUPPORTING in test.codes else -1
    for d in range(len(test.doc_ids)):
        rows = test.y[test.doc_of == d]
        counts = rows.sum(0).astype(np.float64)
        if not counts.any():
            continue
        if supporting >= 0 and counts.sum() > counts[supporting]:
            counts[supporting] = 0
        out[d] = counts == counts.max()
        if strict:
            tied = np.flatnonzero(out[d])
            first = tied[np.argmin([np.argmax(rows[:, j]) for j in tied])]
            out[d] = False
            out[d, first] = True
    return out


def measure(sugg: Suggester, test: TrainingSet, primary: np.ndarray, strict: np.ndarray,
            stages: dict[str, str] | None = None) -> dict[str, float]:
    """Commentary-level figures of one suggester on one test set, its commentaries ranked as
    `Suggester.suggest` ranks a whole commentary (`lead_keys`, with each one's stage)."""
    pairs = list(zip(test.texts, test.lemmas, strict=True))
    n = len(test.doc_ids)
    s, f, hits = sugg.score_with_keywords(test.texts, test.lemmas)
    scores, flags = sugg.score_documents(pairs, test.doc_of, n, sentence_scores=(s, f))
    y = doc_max(test.y.astype(np.float64), test.doc_of, n) > 0
    has = primary.any(1)
    keys = sugg.lead_keys(s, test.doc_of, n, [(stages or {}).get(d) for d in test.doc_ids])
    # A one-sentence commentary is ranked by score with the keyword guarantee, as in suggest().
    one = np.bincount(test.doc_of, minlength=n) == 1
    order = np.argsort(-keys, axis=1, kind="stable")
    for d in np.flatnonzero(one):
        i = int(np.flatnonzero(test.doc_of == d)[0])
        order[d] = ranked(s[i], hits[i])
    in3 = np.take_along_axis(primary, order[:, :3], axis=1).any(1)
    in3_strict = np.take_along_axis(strict, order[:, :3], axis=1).any(1)
    # sentence level, as the panel ranks a selected sentence (keyword guarantee included)
    coded = np.flatnonzero(test.y.any(1))
    sent_in3 = [bool(np.intersect1d(ranked(s[i], hits[i])[:3], np.flatnonzero(test.y[i])).size)
                for i in coded]
    p1 = y[np.arange(n), order[:, 0]]
    tp = (y & flags).sum(0)
    fp = (~y & flags).sum(0)
    fn = (y & ~flags).sum(0)
    f1 = [2 * tp[j] / (2 * tp[j] + fp[j] + fn[j]) for j in range(y.shape[1]) if y[:, j].any()]
    return {"primary_top3": round(float(in3[has].mean()), 4),
            "primary_top3_strict": round(float(in3_strict[has].mean()), 4),
            "sentence_any_top3": round(float(np.mean(sent_in3)), 4) if sent_in3 else 0.0,
            "p_at_1": round(float(p1[y.any(1)].mean()), 4),
            "micro_f1": round(float(2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)), 4),
            "macro_f1": round(float(np.mean(f1)), 4) if f1 else 0.0}


def read_stages(path: Path) -> dict[str, str]:
    """Commentary id -> stage of a corpus CSV (the coding screen passes a commentary's stage
    to `suggest`)."""
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["id"]: r.get("stage") or "" for r in csv.DictReader(fh)}


def full_fit_points(train: TrainingSet, docs: np.ndarray) -> np.ndarray:
    """For each prefix length k (1..len(docs)) of commentaries coded in the order `docs`, the
    prefix length of the last full fit the coding screen's refit rule would have made (0 while
    no code can be learnt)."""
    groups = train.case_of_doc
    counts = np.zeros(len(train.codes))
    cases: list[set[int]] = [set() for _ in train.codes]
    out = np.zeros(len(docs) + 1, dtype=np.int64)
    cal, last = 0, ()
    for k, d in enumerate(docs, 1):
        rows = train.y[train.doc_of == d]
        counts += rows.sum(0)
        for j in np.flatnonzero(rows.any(0)):
            cases[j].add(int(groups[d]))
        learnt = tuple(j for j in range(len(counts))
                       if counts[j] >= MIN_EXAMPLES and len(cases[j]) >= 2)
        if not learnt:
            cal, last = 0, ()
        elif not (cal and k <= cal * RECALIBRATE_GROWTH and learnt == last):
            cal, last = k, learnt
        out[k] = cal
    return out


def as_ui(train: TrainingSet, docs: np.ndarray, k: int, cal: int, codes: list[str],
          rules: Any) -> Suggester:
    """The suggester the coding screen holds after the first `k` commentaries of `docs`."""
    if cal == 0:
        return fit(subset(train, docs[:k]), codes, rules)
    full = fit(subset(train, docs[:cal]), codes, rules)
    if cal == k:
        return full
    quick = fit(subset(train, docs[:k]), codes, rules, previous=full)
    assert quick.meta["recalibrated"] is False, "the replay's refit rule disagrees with fit()"
    return quick


def case_docs(train: TrainingSet, case_order: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Commentaries in coding order for a case order, and the commentary count after each case."""
    docs, ends = [], []
    for c in case_order:
        docs.extend(np.flatnonzero(train.case_of_doc == c).tolist())
        ends.append(len(docs))
    return np.asarray(docs, dtype=np.int64), np.asarray(ends)


def curve(train: TrainingSet, case_order: list[int], tests: dict[str, TrainingSet],
          codes: list[str], rules: Any, stages: dict[str, str] | None = None
          ) -> list[dict[str, Any]]:
    """Figures at each size along one case order."""
    docs, ends = case_docs(train, case_order)
    cal = full_fit_points(train, docs)
    points = []
    for n in [s for s in SIZES if s < len(case_order)] + [len(case_order)]:
        k = int(ends[n - 1])
        sugg = as_ui(train, docs, k, int(cal[k]), codes, rules)
        row: dict[str, Any] = {"cases": n, "commentaries": k,
                               "learnt_codes": len(sugg.model_codes)}
        for name, test in tests.items():
            row[name] = measure(sugg, test, primary_codes(test),
                                primary_codes(test, strict=True), stages)
        points.append(row)
    return points


def template_set(codes: list[str]) -> tuple[TrainingSet, TrainingSet]:
    """(train, test) of one template-split fold (seed 1, half A trains, half B tests)."""
    tuning = load_by_path("suggest_tuning", ROOT / "benchmarks" / "suggest_tuning.py")
    gen = load_by_path("demo_generate", ROOT / "corpus" / "generate.py")
    tuning.SPLIT_SEEDS = (1,)
    train, test = tuning.template_folds(gen, codes)[0]
    return train, test


def with_typos(test: TrainingSet, share: float, seed: int = 2026) -> TrainingSet:
    """`test` with one typing slip of the demo generator (`corpus/generate.py`'s `_typo`: its
    list of common misspellings, a swapped, dropped or doubled letter in a word of 6+ letters)
    in each sentence with probability `share`, lemmas recomputed: the spelling the demo's
    templates rarely have and hand-written commentary often has."""
    import random
    from dataclasses import replace

    from themecode.corpus.nlp import lemmatise

    gen = load_by_path("demo_generate", ROOT / "corpus" / "generate.py")
    rng = random.Random(seed)
    texts, lemmas = list(test.texts), list(test.lemmas)
    for i, t in enumerate(texts):
        if rng.random() < share:
            new = gen._typo(rng, t)
            if new != t:
                texts[i], lemmas[i] = new, " ".join(lemmatise(new))
    return replace(test, texts=texts, lemmas=lemmas)


def summarise(runs: dict[str, list[dict[str, Any]]], sets: list[str]) -> dict[str, Any]:
    """Mean and range over the random orders, per size and test set."""
    rand = [v for k, v in runs.items() if k != "draw"]
    out: dict[str, Any] = {}
    for i, pt in enumerate(runs["draw"]):
        row: dict[str, Any] = {"cases": pt["cases"]}
        for s in sets:
            row[s] = {m: {"draw": pt[s][m],
                          "random_mean": round(float(np.mean([r[i][s][m] for r in rand])), 4),
                          "random_min": round(float(np.min([r[i][s][m] for r in rand])), 4)}
                      for m in pt[s]} if rand else {m: {"draw": v} for m, v in pt[s].items()}
        out[str(pt["cases"])] = row
    return out


def report(summary: dict[str, Any], sets: list[str]) -> None:
    """One table per test set: draw order, and mean (min) over the random orders."""
    for s in sets:
        print(f"\n{s}: primary code in top 3 (ties: any | first) | P@1 | micro-F1 | macro-F1 | "
              "sentence: a gold code in top 3 "
              "(draw order; random orders mean / min)")
        for n, row in summary.items():
            cells = []
            for m in ("primary_top3", "primary_top3_strict", "p_at_1", "micro_f1", "macro_f1",
                      "sentence_any_top3"):
                v = row[s][m]
                cell = f"{v['draw']:.3f}"
                if "random_mean" in v:
                    cell += f" ({v['random_mean']:.3f}/{v['random_min']:.3f})"
                cells.append(f"{cell:>21s}")
            print(f"  N={n:>4s} " + " ".join(cells))


def main() -> None:
    """Build the demo project, walk the orders, print the tables (and JSON with --json)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--demo", type=Path, default=ROOT / "corpus" / "demo")
    ap.add_argument("--ood", type=Path, default=ROOT / "corpus" / "ood")
    ap.add_argument("--sets", default="held,ood", help="held, ood and/or template")
    ap.add_argument("--orders", type=int, default=5, help="random case orders besides the draw")
    ap.add_argument("--held", type=int, default=1500, help="held-out commentaries to score")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--typos", type=float, default=0.0,
                    help="held set: one demo-generator typo per sentence with this probability")
    ap.add_argument("--shrink", type=float, help="try another Blend.shrink_k (tuning data only)")
    ap.add_argument("--weight", type=float, help="try another Blend.weight (tuning data only)")
    ap.add_argument("--thr-position", type=float,
                    help="try another model.THRESHOLD_POSITION (tuning data only)")
    ap.add_argument("--thr-shrink", type=float,
                    help="try another model.THRESHOLD_SHRINK_K (tuning data only)")
    ap.add_argument("--fuzzy", type=int,
                    help="try another rules.FUZZY_MIN_LENGTH (0: no spelling tolerance)")
    args = ap.parse_args()
    if args.fuzzy is not None:
        from themecode.suggest import rules as suggest_rules

        suggest_rules.FUZZY_MIN_LENGTH = args.fuzzy
    if args.shrink is not None or args.weight is not None:
        from dataclasses import replace

        from themecode.suggest import model as suggest_model

        b = suggest_model.BLEND
        suggest_model.BLEND = replace(
            b, shrink_k=b.shrink_k if args.shrink is None else args.shrink,
            weight=b.weight if args.weight is None else args.weight)
    from themecode.suggest import model as tuned

    if args.thr_position is not None:
        tuned.THRESHOLD_POSITION = args.thr_position
    if args.thr_shrink is not None:
        tuned.THRESHOLD_SHRINK_K = args.thr_shrink
    bench = load_by_path("suggest_benchmark", ROOT / "benchmarks" / "suggest.py")
    sets = args.sets.split(",")
    from themecode.suggest import model as suggest_model

    out: dict[str, Any] = {"load_average_at_start": os.getloadavg(), "sets": sets,
                           "blend": str(suggest_model.BLEND),
                           "thresholds": [tuned.THRESHOLD_POSITION, tuned.THRESHOLD_SHRINK_K]}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = bench.build(args.demo, Path(tmp))
        with Store.open(db) as store:
            codes, rules = _rules(store)
            train = training_set(store)
            sampled = [r[0] for r in store.conn.execute(
                "SELECT case_id FROM samples ORDER BY draw_order")]
    tests: dict[str, TrainingSet] = {}
    if "held" in sets:
        rng = np.random.default_rng(2025)
        taken = set(sampled)
        docs = [d for d in bench.read_docs(args.demo / "commentaries.csv") if d[1] not in taken]
        docs = [docs[i] for i in sorted(rng.choice(len(docs), min(args.held, len(docs)),
                                                   replace=False))]
        tests["held"] = labelled_set(codes, docs, bench.read_gold(args.demo / "gold-codings.jsonl"))
        if args.typos:
            tests["held"] = with_typos(tests["held"], args.typos)
    if "ood" in sets:
        tests["ood"] = labelled_set(codes, bench.read_docs(args.ood / "commentaries.csv"),
                                    bench.read_gold(args.ood / "gold-codings.jsonl"))
    draw = [train.case_ids.index(c) for c in sampled if c in train.case_ids]
    if "template" in sets:  # its own training data: the other sets are not scored with it
        if len(sets) > 1:
            ap.error("--sets template trains on the template half: run it on its own")
        train, tests["template"] = template_set(codes)
        draw = list(range(len(train.case_ids)))
    out["test_sets"] = {k: len(v.doc_ids) for k, v in tests.items()}
    stages = {**read_stages(args.demo / "commentaries.csv"),
              **read_stages(args.ood / "commentaries.csv")}
    if "template" in sets:  # generated in memory: no stage column to read (ranked without)
        stages = {}
    runs: dict[str, list[dict[str, Any]]] = {"draw": curve(train, draw, tests, codes, rules,
                                                          stages)}
    print(f"draw order done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    for seed in range(1, args.orders + 1):
        order = [int(i) for i in np.random.default_rng(seed).permutation(draw)]
        runs[f"random-{seed}"] = curve(train, order, tests, codes, rules, stages)
        print(f"random order {seed} done in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    out["runs"] = runs
    out["summary"] = summarise(runs, sets)
    out["seconds"] = round(time.perf_counter() - started)
    print(f"test sets (commentaries): {out['test_sets']}; trained on coder 'gold' codings of "
          f"the sampled cases; {args.orders} random orders; {out['seconds']} s")
    report(out["summary"], sets)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
