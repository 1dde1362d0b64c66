"""Time every saturation figure on a large project: 25,000 cases x 4 commentaries = 100,000.

Builds a real project file (temporary directory) with ~30 codes under 6 themes, about three
codings per commentary and every case marked done, then times loading the coded units from the
database and computing code- and theme-level figures (with JSON), for unit = case and for unit =
commentary, plus the pure statistics alone. Target: under 2 s for each full computation. Best of --repeat runs (default 3).

Run:  .venv/bin/python benchmarks/saturation_speed.py [--cases 25000] [--codes 30]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from themecode.saturation.analysis import SaturationConfig, Unit, analyse, analyse_levels
from themecode.saturation.data import analyse_project
from themecode.store import Store, now

STAGES = ("assessment", "planning", "implementation", "reviewing")


def build(path: Path, n_cases: int, n_codes: int, seed: int) -> None:
    """A project with n_cases sampled cases, 4 commentaries each, codings and done statuses."""
    rng = np.random.default_rng(seed)
    prevalence = np.exp(rng.uniform(np.log(0.0005), np.log(0.3), n_codes))
    store = Store.create(path)
    at = now()
    with store.write():
        conn = store.conn
        for t in range(6):
            conn.execute("INSERT INTO codes(id, label, kind, created_at) VALUES (?, ?, 'theme', ?)",
                         (f"t{t}", f"Theme {t}", at))
        conn.executemany(
            "INSERT INTO codes(id, label, kind, parent, created_at) VALUES (?, ?, 'code', ?, ?)",
            [(f"k{k}", f"Code {k}", f"t{k % 6}", at) for k in range(n_codes)],
        )
        conn.executemany("INSERT INTO cases(id, created_at) VALUES (?, ?)",
                         [(f"C{i:06d}", at) for i in range(n_cases)])
        conn.executemany(
            "INSERT INTO documents(id, case_id, stage, text, content_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(f"C{i:06d}-{s[0]}", f"C{i:06d}", s, "Commentary text.", f"{i}{s}", at)
             for i in range(n_cases) for s in STAGES],
        )
        conn.executemany(
            "INSERT INTO samples(case_id, draw_order, seed, round, drawn_at) VALUES (?, ?, 1, 1, ?)",
            [(f"C{i:06d}", int(o), at) for i, o in enumerate(rng.permutation(n_cases) + 1)],
        )
        hits = rng.random((n_cases * 4, n_codes)) < prevalence
        rows = [
            (f"C{d // 4:06d}-{STAGES[d % 4][0]}", f"k{k}", at)
            for d, k in zip(*np.nonzero(hits), strict=True)
        ]
        conn.executemany(
            'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at) VALUES (?, 0, 5, ?, \'ana\', ?)',
            rows,
        )
        conn.executemany(
            "INSERT INTO progress(unit_type, unit_id, coder, status, updated_at) VALUES ('case', ?, 'ana', 'done', ?)",
            [(f"C{i:06d}", at) for i in range(n_cases)],
        )
    store.close()


def main(argv: list[str] | None = None) -> None:
    """Build the project, time each computation, print a table and a JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=25_000)
    ap.add_argument("--codes", type=int, default=30)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3, help="report the best of this many runs")
    args = ap.parse_args(argv)
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        t0 = time.perf_counter()
        build(path, args.cases, args.codes, args.seed)
        out["build_s"] = time.perf_counter() - t0
        for unit in ("case", "commentary"):
            out[f"db_{unit}_s"] = out[f"db_{unit}_cpu_s"] = float("inf")
            for _ in range(args.repeat):  # best of N: the machine may be shared
                t0, c0 = time.perf_counter(), time.process_time()
                levels = analyse_project(path, SaturationConfig(unit=unit))
                payload = json.dumps({k: v.to_dict() for k, v in levels.items()})
                out[f"db_{unit}_s"] = min(out[f"db_{unit}_s"], time.perf_counter() - t0)
                out[f"db_{unit}_cpu_s"] = min(out[f"db_{unit}_cpu_s"], time.process_time() - c0)
            out[f"db_{unit}_units"] = levels["code"].n_units
            out[f"db_{unit}_json_mb"] = len(payload) / 1e6
    rng = np.random.default_rng(args.seed)
    prevalence = np.exp(rng.uniform(np.log(0.0005), np.log(0.3), args.codes))
    matrix = rng.random((args.cases, args.codes)) < prevalence
    units = [Unit(str(i), frozenset(f"k{k}" for k in np.flatnonzero(r))) for i, r in enumerate(matrix)]
    t0, c0 = time.perf_counter(), time.process_time()
    analyse(units)
    out["pure_code_level_s"] = time.perf_counter() - t0
    out["pure_code_level_cpu_s"] = time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    analyse_levels(units)
    out["pure_both_levels_s"] = time.perf_counter() - t0
    out["pure_both_levels_cpu_s"] = time.process_time() - c0
    print(f"project: {args.cases} cases, {4 * args.cases} commentaries, {args.codes} codes (built in {out['build_s']:.1f} s)")
    print("| computation | units | wall s | CPU s |")
    print("|---|---|---|---|")
    for key, label, n in (
        ("db_case", "load from DB + code & theme levels + JSON, unit = case", out["db_case_units"]),
        ("db_commentary", "load from DB + code & theme levels + JSON, unit = commentary",
         out["db_commentary_units"]),
        ("pure_code_level", "pure statistics, code level", args.cases),
        ("pure_both_levels", "pure statistics, code + theme level", args.cases),
    ):
        print(f"| {label} | {n} | {out[key + '_s']:.2f} | {out[key + '_cpu_s']:.2f} |")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: wall time includes waiting for a CPU)")
    print(json.dumps({"benchmark": "saturation_speed", "cases": args.cases, "codes": args.codes,
                      **{k: round(v, 3) for k, v in out.items()}}))


if __name__ == "__main__":
    main()
