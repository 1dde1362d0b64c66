"""Quick-refit and prediction time of the suggester, in CPU and wall seconds.

Builds the benchmark project of `benchmarks/suggest.py` (demo corpus, 25% sample, gold codings),
fits with calibration, then times 5 quick refits (best of) and `suggest()` on 400 commentaries.
CPU time is printed beside wall time because on a shared machine wall time mostly measures the
other jobs. `--src DIR` times another checkout's `src/` (e.g. main's) under the same load.

Run:  .venv/bin/python benchmarks/suggest_speed.py [--src ../other/src]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Time and print one line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", type=Path, default=ROOT / "src")
    args = ap.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    sys.path.insert(0, str(ROOT / "tests"))
    from by_path import load_by_path

    from themecode.store import Store
    from themecode.suggest.suggester import fit_and_save

    bench = load_by_path("suggest_benchmark", ROOT / "benchmarks" / "suggest.py")
    with tempfile.TemporaryDirectory() as tmp:
        db = bench.build(ROOT / "corpus" / "demo", Path(tmp))
        with Store.open(db) as store:
            fit_and_save(store, recalibrate=True)
            wall, cpu = [], []
            for _ in range(5):
                t, c = time.perf_counter(), time.process_time()
                quick = fit_and_save(store)
                wall.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            assert quick.meta["recalibrated"] is False
            docs = [r[0] for r in store.conn.execute("SELECT text FROM documents LIMIT 400")]
    quick.suggest(docs[0])
    t, c = time.perf_counter(), time.process_time()
    for text in docs:
        quick.suggest(text, top=5)
    n = len(docs)
    print(f"{args.src}: quick refit best of 5: wall {min(wall):.3f} s, CPU {min(cpu):.3f} s; "
          f"prediction per commentary: wall {(time.perf_counter() - t) / n * 1000:.2f} ms, CPU "
          f"{(time.process_time() - c) / n * 1000:.2f} ms; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
