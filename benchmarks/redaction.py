"""How fast is redaction? Microseconds per commentary and per extract, for each engine.

Usage:
    .venv/bin/python benchmarks/redaction.py [--n 100000] [--engines fast,spacy,regex] [--json]
    .venv/bin/python benchmarks/redaction.py --quality [--docs 300] [--seed 16]

`--quality` prints, instead of speeds, how many planted identifiers each engine redacts and how
many sector words it wrongly redacts, on the planted set (tests/redact_planted.py) and on the
hard set (tests/redact_hard.py: capitals, particles, English-word first names, NHS numbers,
lower-case postcodes, flats; named schemes, CamelCase systems, labels, acronyms), the hard set
with held-out pools of names and buildings ("held-out") and, in addition, held-out sentences
around English-word first names ("held-out+"; see HELD_OUT_SENTENCES there).

Texts are the demo corpus's commentaries (corpus/demo/commentaries.csv), cycled up to `--n`;
"extracts" are one or two consecutive sentences of them, the size of an exported quote. The
spaCy engine runs on at most 20,000 items (it is the slow, optional one). CPU time is reported
beside wall time because a busy machine inflates the latter.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from themecode.redact.engine import Redactor  # noqa: E402

SENTENCE = re.compile(r"[^.!?]+[.!?]+(?:\s+|$)")


def load_texts() -> list[str]:
    """The demo commentaries (or a clear message if the corpus has not been generated)."""
    path = ROOT / "corpus" / "demo" / "commentaries.csv"
    if not path.exists():
        sys.exit(f"{path} is missing: generate the demo corpus first (python corpus/generate.py).")
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


def extracts_of(texts: list[str]) -> list[str]:
    """One or two consecutive sentences from each commentary, like an exported quote."""
    out = []
    for i, text in enumerate(texts):
        sents = SENTENCE.findall(text) or [text]
        k = i % len(sents)
        out.append("".join(sents[k : k + 1 + (i % 2)]).strip())
    return out


def measure(redactor: Redactor, items: list[str]) -> dict[str, float]:
    """Wall and CPU seconds to redact every item once, and the mean per item in microseconds."""
    redactor.redact(items[0])  # warm the lazily loaded vocabularies
    w0, c0 = time.perf_counter(), time.process_time()
    n_spans = 0
    for text in items:
        n_spans += len(redactor.redact(text).spans)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {
        "items": len(items),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "us_per_item_wall": round(wall / len(items) * 1e6, 1),
        "us_per_item_cpu": round(cpu / len(items) * 1e6, 1),
        "mean_chars": round(sum(map(len, items)) / len(items), 1),
        "spans": n_spans,
    }


def quality(engines: list[str], n_docs: int, seed: int) -> None:
    """Identifiers redacted and sector words kept, per kind, on the planted and the hard set."""
    sys.path.insert(0, str(ROOT / "tests"))
    from redact_hard import figures, generate_hard
    from redact_planted import generate

    sets = (("planted", generate(n_docs, seed=seed)), ("hard", generate_hard(n_docs, seed=seed)),
            ("held-out", generate_hard(n_docs, seed=seed, held_out=True)),
            ("held-out+", generate_hard(n_docs, seed=seed, held_out=True, held_out_sentences=True)))
    for engine in engines:
        r = Redactor(engine=engine)
        for name, docs in sets:
            f = figures(r, docs)
            total, hit = f["total"], f["hit"]
            n, h = sum(total.values()), sum(hit.values())
            print(f"{engine:6} {name:9} identifiers redacted {h}/{n} = {h / n:.1%}; sector words "
                  f"redacted {len(f['over'])}/{f['n_ordinary']}")
            for k in sorted(total):
                print(f"    {k:10s} {hit[k]:5d}/{total[k]:5d}")
            for m in f["missed"][:5]:
                print("    missed", m)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="items per measurement")
    ap.add_argument("--engines", default="fast,spacy,regex")
    ap.add_argument("--json", action="store_true", help="print JSON only")
    ap.add_argument("--quality", action="store_true", help="print redaction figures, not speed")
    ap.add_argument("--docs", type=int, default=300, help="generated commentaries (--quality)")
    ap.add_argument("--seed", type=int, default=16, help="generator seed (--quality)")
    args = ap.parse_args()
    if args.quality:
        quality(args.engines.split(","), args.docs, args.seed)
        return

    texts = load_texts()
    docs = list(islice(cycle(texts), args.n))
    extracts = list(islice(cycle(extracts_of(texts)), args.n))
    results = []
    for engine in args.engines.split(","):
        t0 = time.perf_counter()
        redactor = Redactor(engine=engine)
        build = time.perf_counter() - t0
        cap = args.n if engine != "spacy" else min(args.n, 20_000)
        for what, items in (("commentary", docs[:cap]), ("extract", extracts[:cap])):
            results.append({"engine": engine, "unit": what, "build_s": round(build, 2),
                            **measure(redactor, items)})
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if args.json:
        print(json.dumps({"load_average_1min": load, "cpus": os.cpu_count(), "results": results},
                         indent=2))
        return
    print(f"redaction speed (load average {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'engine':7} {'unit':10} {'items':>7} {'chars':>6} {'wall s':>7} {'cpu s':>7} "
          f"{'us/item wall':>12} {'us/item cpu':>11} {'spans':>7}")
    for r in results:
        print(f"{r['engine']:7} {r['unit']:10} {r['items']:7d} {r['mean_chars']:6.0f} "
              f"{r['wall_s']:7.2f} {r['cpu_s']:7.2f} {r['us_per_item_wall']:12.1f} "
              f"{r['us_per_item_cpu']:11.1f} {r['spans']:7d}")


if __name__ == "__main__":
    main()
