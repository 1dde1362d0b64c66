"""The long kill test: coding sessions in fresh interpreters, SIGKILLed at random moments.

Same session and same checks as `tests/test_crash.py` (imported from there), but each session is
a new `python` process started with `subprocess` (not a fork of the test process), runs for up to
`--max-delay` seconds on a project built from the demo corpus head, and there are more trials.
Prints a table line per batch and a JSON summary; exits 1 if any trial fails a check.

Run:  .venv/bin/python benchmarks/kill_test.py [--trials 500] [--parallel 4] [--max-delay 2.0]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_crash as crash  # noqa: E402  (the shared session and checks)

_conf = crash.root_conftest()
CODEBOOK, DEMO_CSV = _conf.CODEBOOK, _conf.DEMO_CSV
demo_head, write_small_corpus = _conf.demo_head, _conf.write_small_corpus


def build_base(directory: Path, n_cases: int) -> Path:
    """A project of `n_cases` cases with a sample, checkpointed into one file."""
    from themecode.project.create import init_project
    from themecode.sample.draw import draw_sample
    from themecode.store import Store

    src = directory / "corpus.csv"
    if DEMO_CSV.exists():
        demo_head(src, n_cases)
    else:
        write_small_corpus(src, n_cases)
    db = directory / "base.db"
    init_project(db, src, codebook=CODEBOOK, coder="lead")
    with Store.open(db) as store:
        draw_sample(store, 0.25, 2025, coder="lead")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def run(trials: int, parallel: int, max_delay: float, n_cases: int, seed: int) -> dict[str, object]:
    """Run the trials; returns the summary (failures listed with their problems)."""
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="themecode-kill-"))
    base_db = build_base(work, n_cases)
    totals = {"trials": 0, "acknowledged": 0, "in_flight_commits": 0, "failures": []}
    started = time.perf_counter()
    for first in range(0, trials, parallel):
        batch = []
        for i in range(first, min(trials, first + parallel)):
            d = work / f"t{i}"
            d.mkdir()
            db = d / "project.db"
            shutil.copyfile(base_db, db)
            db.chmod(0o600)
            log = d / "acks.jsonl"
            coder = f"k{i}"
            proc = subprocess.Popen(
                [sys.executable, __file__, "--worker", str(db), str(log), coder, str(seed + i),
                 "--max-delay", str(max_delay)],
                stderr=subprocess.PIPE,
            )
            # Start the clock once the session is coding (interpreter start-up is not the test).
            while not log.exists() or not log.read_bytes():
                if proc.poll() is not None:
                    raise SystemExit(f"worker {i} died: {proc.stderr.read().decode()}")
                time.sleep(0.005)
            batch.append((i, d, db, log, coder, proc,
                          time.monotonic() + rng.uniform(0.01, max_delay)))
        for _i, _d, _db, _log, _coder, proc, deadline in sorted(batch, key=lambda b: b[-1]):
            time.sleep(max(0.0, deadline - time.monotonic()))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        base = crash.Base.of(base_db)
        for i, d, db, log, coder, proc, _ in batch:
            out = crash.check_project(db, log, coder, base)
            if proc.returncode != -signal.SIGKILL:
                out.problems.append(f"session ended before the kill: {proc.stderr.read()!r}")
            totals["trials"] += 1
            totals["acknowledged"] += out.acknowledged
            totals["in_flight_commits"] += out.unacknowledged_commits
            if out.problems:
                totals["failures"].append({"trial": i, "problems": out.problems[:5],
                                           "dir": str(d)})
            else:
                shutil.rmtree(d)
        print(f"trials {totals['trials']:5d}  acknowledged {totals['acknowledged']:7d}  "
              f"failures {len(totals['failures'])}", flush=True)
    totals["seconds"] = round(time.perf_counter() - started, 1)
    if not totals["failures"]:
        shutil.rmtree(work)
    return totals


def main() -> int:
    """Command line: run the benchmark, or (with --worker) be one coding session."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--trials", type=int, default=500)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--max-delay", type=float, default=2.0, help="longest session, seconds")
    ap.add_argument("--cases", type=int, default=200, help="cases in the project")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--worker", nargs=4, metavar=("DB", "LOG", "CODER", "SEED"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        db, log, coder, seed = args.worker
        signal.alarm(int(args.max_delay) + 60)  # never outlive a benchmark that died
        crash.run_session(Path(db), Path(log), coder, int(seed))
        return 0
    summary = run(args.trials, args.parallel, args.max_delay, args.cases, args.seed)
    print(json.dumps(summary, indent=2))
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
