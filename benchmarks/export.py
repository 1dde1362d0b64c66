"""Time exporting every extract of a 100,000-commentary project, redaction included.

Builds (once; reused with --db) a real project file by bulk insert from the demo corpus generator
(`corpus/generate.py`, 25,000 cases x 4 stages = 100,000 commentaries with planted personal
details), the bundled codebook plus the generator's inductive codes, and the generator's gold
codings as coder "gold" on the commentaries of a chosen fraction of cases (default: all, the
worst case; the real workflow codes a 25% sample). Sentences come from a regex splitter here, to
keep the build fast; the export only reads their offsets.

Then times `export_extracts` for each asked format (redaction ON, as users run it, and once with
redaction off to show its cost) and prints a table and a JSON line, with CPU seconds and the load
average so that runs on a busy machine can be read. Target: <= 10 s.

Run:  .venv/bin/python benchmarks/export.py [--cases 25000] [--coded 1.0] [--formats csv,json]
      [--db /tmp/export-bench.db]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

from themecode.codebook import install_codebook, load_codebook
from themecode.export.extracts import export_extracts
from themecode.store import Store, now

REPO = Path(__file__).resolve().parent.parent
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _generator():  # noqa: ANN202 - a module loaded by path
    spec = importlib.util.spec_from_file_location("themecode_demo_generate",
                                                  REPO / "corpus" / "generate.py")
    if spec is None or spec.loader is None:
        raise SystemExit("corpus/generate.py not found")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in SENTENCE_END.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if b > a]


def build(path: Path, n_cases: int, coded: float, seed: int = 2025) -> dict[str, int]:
    """Create the project file by bulk insert; returns row counts."""
    gen = _generator()
    t0 = time.perf_counter()
    rows, gold, _personal = gen.generate(n_cases, seed)
    t_gen = time.perf_counter() - t0
    store = Store.create(path)
    install_codebook(store, load_codebook(REPO / "codebooks" / "public-protection.yaml"), "bench")
    inductive = json.loads((REPO / "corpus" / "demo" / "inductive-codes.json").read_text())
    at = now()
    rng = random.Random(seed)
    case_ids = sorted({r["case_id"] for r in rows})
    coded_cases = set(rng.sample(case_ids, round(coded * len(case_ids))))
    case_cols = ("pdu", "region", "rosh", "likelihood_of_reoffending", "case_type", "age_group",
                 "sex", "ethnicity", "previous_sanctions")
    with store.write():
        conn = store.conn
        known = {c.id for c in store.codes()}
        for i, c in enumerate(inductive):
            if c["id"] not in known:
                conn.execute(
                    "INSERT INTO codes(id, label, kind, parent, definition, origin, sort_order, "
                    "created_at) VALUES (?, ?, 'code', ?, ?, 'inductive', ?, ?)",
                    (c["id"], c["label"], c["theme"], c["definition"], 1000 + i, at))
        seen: set[str] = set()
        case_rows = []
        for r in rows:
            if r["case_id"] not in seen:
                seen.add(r["case_id"])
                case_rows.append((r["case_id"], json.dumps({k: r[k] for k in case_cols}), at))
        conn.executemany("INSERT INTO cases(id, metadata, created_at) VALUES (?, ?, ?)", case_rows)
        conn.executemany(
            "INSERT INTO documents(id, case_id, stage, text, content_hash, metadata, created_at) "
            "VALUES (?, ?, ?, ?, '', ?, ?)",
            [(r["id"], r["case_id"], r["stage"], r["text"],
              json.dumps({k: v for k, v in r.items() if k not in ("id", "case_id", "stage", "text")}),
              at) for r in rows])
        conn.executemany(
            'INSERT INTO sentences(document_id, idx, start, "end") VALUES (?, ?, ?, ?)',
            [(r["id"], i, a, b) for r in rows for i, (a, b) in enumerate(_sentences(r["text"]))])
        case_of = {r["id"]: r["case_id"] for r in rows}
        conn.executemany(
            'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at) '
            "VALUES (?, ?, ?, ?, 'gold', ?)",
            [(g["doc_id"], g["start"], g["end"], g["code"], at) for g in gold
             if case_of[g["doc_id"]] in coded_cases])
        sample = sorted(coded_cases) if coded < 1 else case_ids
        conn.executemany(
            "INSERT INTO samples(case_id, draw_order, seed, round, fraction, drawn_at) "
            "VALUES (?, ?, ?, 1, ?, ?)",
            [(c, i, seed, coded, at) for i, c in enumerate(sample)])
    counts = store.counts()
    store.close()
    counts["generate_s"] = round(t_gen, 1)
    return counts


def _cpu() -> tuple[float, float]:
    """(CPU seconds of this process, of its finished child processes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> None:
    """Build or reuse the project, time the exports, print a table and JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=25_000)
    ap.add_argument("--coded", type=float, default=1.0,
                    help="fraction of cases whose gold codings are planted (default 1.0)")
    ap.add_argument("--formats", default="csv,json,presence,xlsx")
    ap.add_argument("--db", type=Path, help="project file to build or reuse")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.db or Path(tmp.name) / "bench.db"
    if not db.exists():
        t = time.perf_counter()
        counts = build(db, args.cases, args.coded)
        print(f"built {db} in {time.perf_counter() - t:.1f} s: {counts}", file=sys.stderr)
    out_dir = Path(tmp.name)
    results = []
    with Store.open(db) as store:
        n_docs = store.counts()["documents"]
        for fmt in args.formats.split(","):
            for redact in (True, False):
                if not redact and fmt != "csv":
                    continue
                ext = {"presence": "csv"}.get(fmt, fmt)
                load = os.getloadavg()[0]
                cpu0 = _cpu()
                t = time.perf_counter()
                res = export_extracts(store, fmt, out_dir / f"all.{ext}", actor="bench",
                                      redact=redact, confirmed_unredacted=not redact)
                dt = time.perf_counter() - t
                cpu = [b - a for a, b in zip(cpu0, _cpu(), strict=True)]
                results.append({"format": fmt, "redacted": redact, "seconds": round(dt, 2),
                                "cpu_self_s": round(cpu[0], 2), "cpu_workers_s": round(cpu[1], 2),
                                "load_before": round(load, 1), "cores": os.cpu_count(),
                                "extracts": res.n_extracts, "redactions": res.n_redactions,
                                "commentaries": n_docs, "target_s": 10.0,
                                "ok": dt <= 10.0})
    print(f"{'format':<10}{'redacted':>9}{'extracts':>10}{'redactions':>12}{'wall s':>8}"
          f"{'cpu s':>7}{'+workers':>9}{'load':>6}  ok")
    for r in results:
        print(f"{r['format']:<10}{str(r['redacted']):>9}{r['extracts']:>10}{r['redactions']:>12}"
              f"{r['seconds']:>8.2f}{r['cpu_self_s']:>7.2f}{r['cpu_workers_s']:>9.2f}"
              f"{r['load_before']:>6.1f}  {'yes' if r['ok'] else 'NO'}")
    print("wall time depends on other load on the machine (load = 1-minute load average before "
          "the run); cpu s = this process, +workers = forked redaction workers", file=sys.stderr)
    print(json.dumps({"benchmark": "export", "commentaries": n_docs, "results": results}))
    tmp.cleanup()


if __name__ == "__main__":
    main()
