"""Benchmark the audit of the unsampled commentaries (`themecode audit`), and report honestly.

1. **Missed inductive codes on the demo.** Over N seed-reproducible random 25% samples of the
   demo's 1,748 cases (seeds 0..N-1, `random.Random(seed).sample` of the sorted case ids), the
   sample is taken as fully coded (its sentences are the reference) and the other 5,244
   commentaries are ranked. For every inductive code (`corpus/demo/inductive-codes.json`) that
   the sample missed entirely, is at least one commentary carrying it (gold codings) in the top
   50 / 100? Reported beside a random ranking: the exact chance 1 - C(n-c, k)/C(n, k) that k
   random commentaries hold one of the c carriers, and a seeded random permutation. Ablations on
   the same samples: no bigram factor, no typo/personal-detail filters.
2. **Hand-written text.** The demo project (seed-2025 sample gold-coded) gets the hand-written
   commentaries on themes absent from the codebook and the demo (`corpus/audit/new-themes.jsonl`)
   *and* the 62 hand-written commentaries on known themes (`corpus/ood/`, the negative control:
   unusual wording, nothing new) as unsampled cases; `rank_unsampled` ranks everything outside
   the sample. Ablations: the suggester's confidence (x (1 - max score)) and TF-IDF
   nearest-neighbour similarity to the coded sentences.
3. **Speed** of `rank_unsampled` (the whole `themecode audit` work) on the demo (5,244
   unsampled commentaries) and on a generated corpus of 25,000 cases (75,000 unsampled).

Run:  .venv/bin/python benchmarks/audit.py [--samples 200] [--cache DIR] [--big] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from themecode.audit.novelty import Reference, document_scores, rank, sentence_scores  # noqa: E402
from themecode.audit.ranking import _personal_words, rank_unsampled  # noqa: E402
from themecode.corpus.importer import import_corpus  # noqa: E402
from themecode.project.codings import import_codings  # noqa: E402
from themecode.project.create import init_project  # noqa: E402
from themecode.project.demo import build_demo  # noqa: E402
from themecode.sample.draw import draw_sample  # noqa: E402
from themecode.store import Store  # noqa: E402

DEMO = ROOT / "corpus" / "demo"
NEW_THEMES = ROOT / "corpus" / "audit" / "new-themes.jsonl"
OOD = ROOT / "corpus" / "ood" / "commentaries.csv"
KS = (10, 50, 100)


def load(db: Path) -> dict[str, Any]:
    """Sentences (doc number, lemmas, text), documents and their cases from a project."""
    with Store.open(db) as store:
        docs = [(r[0], r[1], r[2]) for r in store.conn.execute(
            "SELECT id, case_id, text FROM documents ORDER BY id")]
        pos = {d: i for i, (d, _, _) in enumerate(docs)}
        rows = store.conn.execute(
            'SELECT document_id, start, "end", lemmas FROM sentences ORDER BY document_id, idx'
        ).fetchall()
    return {"docs": docs, "doc_of": np.asarray([pos[r[0]] for r in rows]),
            "lemmas": [r[3] for r in rows],
            "texts": [docs[pos[r[0]]][2][r[1]:r[2]] for r in rows]}


def ranking(data: dict[str, Any], in_sample: np.ndarray, *, bigrams: bool = True,
            filters: bool = True, personal: Any = None) -> list[str]:
    """The audit's order of the unsampled documents for one sample (document ids, best first)."""
    sent_in = in_sample[data["doc_of"]]
    ref = Reference.build(lm for lm, s in zip(data["lemmas"], sent_in, strict=True) if s)
    if not filters:
        ref.deletes = set()
        ref.is_typo = lambda w: False  # type: ignore[method-assign]
    cand_sents = np.flatnonzero(~sent_in)
    lemmas = [data["lemmas"][i] for i in cand_sents]
    if bigrams:
        s, _ = sentence_scores(ref, lemmas, lambda k: data["texts"][cand_sents[k]],
                               personal if filters else None)
    else:
        s = np.array([len([t for t in ref.unseen_terms(lm)
                           if not (filters and t in personal(data["texts"][cand_sents[k]]))])
                      for k, lm in enumerate(lemmas)], dtype=float)
    cand_docs = np.flatnonzero(~in_sample)
    number = {d: i for i, d in enumerate(cand_docs)}
    doc_of = np.asarray([number[d] for d in data["doc_of"][cand_sents]], dtype=np.int64)
    ids = [data["docs"][d][0] for d in cand_docs]
    scores = document_scores(s, doc_of, len(ids))
    return [ids[i] for i in rank(scores, ids)]


def chance(n: int, c: int, k: int) -> float:
    """P(at least one of c carriers among k of n commentaries drawn at random)."""
    if k >= n:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def missed_codes(samples: int, db: Path) -> dict[str, Any]:
    """Part 1: recall@50/100 of the inductive codes a random 25% sample missed entirely."""
    data = load(db)
    inductive = [c["id"] for c in json.loads((DEMO / "inductive-codes.json").read_text())]
    carriers: dict[str, set[str]] = defaultdict(set)
    with (DEMO / "gold-codings.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            g = json.loads(line)
            if g["code"] in inductive:
                carriers[g["code"]].add(g["doc_id"])
    case_ids = sorted({c for _, c, _ in data["docs"]})
    case_of = {d: c for d, c, _ in data["docs"]}
    cache: dict[str, set[str]] = {}
    words = _personal_words()

    def personal(text: str) -> set[str]:
        if text not in cache:
            cache[text] = words(text)
        return cache[text]

    variants = {"audit": {}, "no bigram factor": {"bigrams": False},
                "no typo/personal filters": {"filters": False}}
    hits = {v: {k: 0 for k in KS} for v in [*variants, "random permutation"]}
    expected = {k: 0.0 for k in KS}
    per_code: dict[str, dict[str, int]] = defaultdict(lambda: {"missed": 0, "hit50": 0})
    first_rank: list[int] = []  # rank of the best-placed carrier of each missed code (audit)
    n_missed = 0
    started = time.perf_counter()
    for seed in range(samples):
        rng = random.Random(seed)
        sample = set(rng.sample(case_ids, round(0.25 * len(case_ids))))
        in_sample = np.asarray([c in sample for _, c, _ in data["docs"]])
        missed = [c for c in inductive if not any(case_of[d] in sample for d in carriers[c])]
        if not missed:
            continue
        orders = {v: ranking(data, in_sample, personal=personal, **kw)
                  for v, kw in variants.items()}
        unsampled = [d for d, c, _ in data["docs"] if c not in sample]
        orders["random permutation"] = random.Random(10_000 + seed).sample(unsampled,
                                                                           len(unsampled))
        for code in missed:
            n_missed += 1
            per_code[code]["missed"] += 1
            for v, order in orders.items():
                for k in KS:
                    if carriers[code] & set(order[:k]):
                        hits[v][k] += 1
                        if v == "audit" and k == 50:
                            per_code[code]["hit50"] += 1
            for k in KS:
                expected[k] += chance(len(unsampled), len(carriers[code]), k)
            where = {d: i + 1 for i, d in enumerate(orders["audit"])}
            first_rank.append(min(where[d] for d in carriers[code]))
    return {
        "samples": samples, "missed_code_instances": n_missed,
        "recall": {v: {f"@{k}": h[k] / n_missed if n_missed else None for k in KS}
                   for v, h in hits.items()},
        "random_exact": {f"@{k}": expected[k] / n_missed if n_missed else None for k in KS},
        "per_code": {c: {**v, "cases": len({case_of[d] for d in carriers[c]})}
                     for c, v in sorted(per_code.items())},
        "first_carrier_rank": {"median": float(np.median(first_rank)) if first_rank else None,
                               "max": max(first_rank) if first_rank else None},
        "seconds": round(time.perf_counter() - started, 1),
    }


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    cols = ["id", "case_id", "stage", "judgement", "text", "rosh", "case_type"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def gold_sample(store: Store, work: Path) -> None:
    """Import the demo gold codings of the sampled cases as coder "gold", marked done."""
    import_codings(store, DEMO / "gold-codings.jsonl", coder="gold", sample_only=True,
                   create_codes=True, mark_done=True)


def hand_written(db: Path, work: Path) -> dict[str, Any]:
    """Part 2: the hand-written new-theme commentaries among the unsampled ones."""
    new = [json.loads(line) for line in NEW_THEMES.read_text(encoding="utf-8").splitlines()
           if line.strip()]
    path = work / "handwritten.db"
    shutil.copy(db, path)
    write_csv(new, work / "new-themes.csv")
    with Store.open(path) as store:
        gold_sample(store, work)
        import_corpus(store, work / "new-themes.csv", coder="bench")
        import_corpus(store, OOD, coder="bench")
        result = rank_unsampled(store, top=None)
        order = [c.doc_id for c in result.candidates]
        out: dict[str, Any] = {"n_new": len(new), "n_ood": 62, "seconds": result.seconds,
                               "n_candidates": result.n_candidates}
        out["audit"] = _placement(order, {r["id"]: r["theme"] for r in new})
        out["themes_in_top50"] = sorted({r["theme"] for r in new
                                         if r["id"] in set(order[:50])})
        out["n_themes"] = len({r["theme"] for r in new})
        out["ablations"] = _ablations(store, result, {r["id"]: r["theme"] for r in new})
    return out


def _placement(order: list[str], new: dict[str, str]) -> dict[str, Any]:
    where = {d: i + 1 for i, d in enumerate(order)}
    ranks = sorted(where[d] for d in new)
    ood = sorted(where[d] for d in where if d.startswith("ood-"))
    others = [d for d in order[:50] if d not in new and not d.startswith("ood-")]
    return {f"new_top{k}": sum(r <= k for r in ranks) for k in KS} | {
        "new_ranks": ranks, "ood_top50": sum(r <= 50 for r in ood),
        "ood_top100": sum(r <= 100 for r in ood), "demo_docs_in_top50": others}


def _ablations(store: Store, result: Any, new: dict[str, str]) -> dict[str, Any]:
    """The audit's score x (1 - suggester confidence), and TF-IDF nearest-neighbour distance."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from themecode.audit.ranking import audit_sets
    from themecode.suggest.suggester import load_suggester

    ref_ids, cand_ids = audit_sets(store)
    def sents(ids: list[str]) -> list[tuple[str, str, str]]:
        out = []
        for d in ids:
            text = store.document(d).text
            out += [(d, text[s.start:s.end], s.lemmas) for s in store.sentences(d)]
        return out
    ref, cand = sents(ref_ids), sents(cand_ids)
    score = {c.doc_id: c.score for c in result.candidates}
    sg = load_suggester(store)
    conf = sg.score_sentences([t for _, t, _ in cand], [lm for _, _, lm in cand])[0].max(axis=1)
    doc_conf: dict[str, float] = {}
    for (d, _, _), c in zip(cand, conf, strict=True):
        doc_conf[d] = max(doc_conf.get(d, 0.0), float(c))
    vec = TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"\S+", sublinear_tf=True)
    R = vec.fit_transform(sorted({lm for _, _, lm in ref}))
    C = vec.transform([lm for _, _, lm in cand])
    sim = np.concatenate([(C[i:i + 2000] @ R.T).max(axis=1).toarray().ravel()
                          for i in range(0, C.shape[0], 2000)])
    doc_far: dict[str, float] = {}
    for (d, _, _), s in zip(cand, sim, strict=True):
        doc_far[d] = max(doc_far.get(d, 0.0), 1.0 - float(s))
    out = {}
    for name, key in (("audit x (1 - suggester confidence)",
                       lambda d: score[d] * (1 - doc_conf.get(d, 0.0))),
                      ("TF-IDF nearest-neighbour distance alone", lambda d: doc_far.get(d, 0.0)),
                      ("audit x nearest-neighbour distance",
                       lambda d: score[d] * doc_far.get(d, 0.0))):
        order = sorted(cand_ids, key=lambda d, key=key: (-key(d), d))
        out[name] = _placement(order, new)
    return out


def speed(db: Path, work: Path, big: bool, cache: Path | None) -> dict[str, Any]:
    """Part 3: time `rank_unsampled` on the demo and, with --big, on 75,000 unsampled."""
    out: dict[str, Any] = {}
    path = work / "speed.db"
    shutil.copy(db, path)
    with Store.open(path) as store:
        gold_sample(store, work)
        times = []
        for _ in range(3):
            r = rank_unsampled(store, top=50)
            times.append(r.seconds)
        out["demo"] = {"unsampled": r.n_candidates, "seconds": times}
    if big:
        big_db = (cache or work) / "big25000.db"
        if not big_db.exists():
            spec = importlib.util.spec_from_file_location("gen", ROOT / "corpus" / "generate.py")
            gen = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
            spec.loader.exec_module(gen)  # type: ignore[union-attr]
            gen_dir = work / "big"
            gen.write(gen_dir, n_cases=25_000, seed=2025)
            tmp = big_db.with_suffix(".building")
            init_project(tmp, gen_dir / "commentaries.csv", coder="bench")
            with Store.open(tmp) as store:
                draw_sample(store, 0.25, 2025, coder="bench")
                import_codings(store, gen_dir / "gold-codings.jsonl", coder="gold",
                               sample_only=True, create_codes=True, mark_done=True)
            os.replace(tmp, big_db)
        with Store.open(big_db) as store:
            times = []
            for _ in range(2):
                r = rank_unsampled(store, top=50)
                times.append(r.seconds)
            out["big"] = {"unsampled": r.n_candidates, "reference": r.n_reference,
                          "seconds": times}
    out["load_average"] = os.getloadavg()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--cache", type=Path, help="keep the demo and 25,000-case projects here")
    ap.add_argument("--big", action="store_true", help="also time 75,000 unsampled commentaries")
    ap.add_argument("--skip", default="", help="comma list of parts to skip: missed,hand,speed")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.cache:
            args.cache.mkdir(parents=True, exist_ok=True)
        db = build_demo(args.cache or work)
        if "missed" not in skip:
            report["missed_codes"] = m = missed_codes(args.samples, db)
            print(f"\n1. Inductive codes missed by a random 25% sample ({m['samples']} samples, "
                  f"{m['missed_code_instances']} missed code instances, {m['seconds']} s)")
            print(f"{'ranking':32s} {'recall@10':>10s} {'recall@50':>10s} {'recall@100':>11s}")
            for v, r in m["recall"].items():
                print(f"{v:32s} {r['@10']:10.3f} {r['@50']:10.3f} {r['@100']:11.3f}")
            e = m["random_exact"]
            print(f"{'random (exact expectation)':32s} {e['@10']:10.3f} {e['@50']:10.3f} "
                  f"{e['@100']:11.3f}")
            print(f"  best-placed carrier of a missed code: median rank "
                  f"{m['first_carrier_rank']['median']}, worst {m['first_carrier_rank']['max']}")
            for c, v in m["per_code"].items():
                print(f"  {c:24s} {v['cases']:3d} cases: missed {v['missed']:3d}x, "
                      f"a carrier in the top 50 {v['hit50']:3d}x")
        if "hand" not in skip:
            report["hand_written"] = h = hand_written(db, work)
            a = h["audit"]
            print(f"\n2. Hand-written: {h['n_new']} new-theme commentaries ({h['n_themes']} themes) "
                  f"and 62 known-theme ones among {h['n_candidates']} unsampled "
                  f"({h['seconds']} s)")
            print(f"{'ranking':42s} {'new@50':>7s} {'new@100':>8s} {'known@50':>9s}")
            rows = {"audit": a, **h["ablations"]}
            for v, r in rows.items():
                print(f"{v:42s} {r['new_top50']:7d} {r['new_top100']:8d} {r['ood_top50']:9d}")
            print(f"  new-theme ranks: {a['new_ranks']}")
            print(f"  demo commentaries in the top 50: {a['demo_docs_in_top50']}")
        if "speed" not in skip:
            report["speed"] = s = speed(db, work, args.big, args.cache)
            print(f"\n3. Speed of rank_unsampled: demo {s['demo']['unsampled']} unsampled "
                  f"{s['demo']['seconds']} s" + (
                      f"; {s['big']['unsampled']} unsampled {s['big']['seconds']} s"
                      if "big" in s else "") + f" (load average {s['load_average']})")
    print(json.dumps(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
