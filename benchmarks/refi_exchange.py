"""REFI-QDA exchange on the demo: what a peer reading like QualCoder keeps of our `.qdpx`, and
whether the self round trip (export → import into a fresh project) is exact.

The demo project (1,748 cases) is built as `benchmarks/export.py` builds it, with the gold
codings of a 25% sample as coder "ann"; "ben" double-codes every second sampled case (same
spans; every tenth coding with another code), and memos are written on commentaries, cases,
codes, codings and the project. Prints a table and JSON.

    python benchmarks/refi_exchange.py [--cases 1748]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from themecode.refi.exporter import export_qdpx
from themecode.refi.importer import import_qdpx
from themecode.store import Store, now

REPO = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):  # noqa: ANN202 - a module loaded by path
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path} not found")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def two_coders(path: Path) -> None:
    """Rename gold to ann, add ben on every second sampled case, and memos of every kind."""
    with Store.open(path) as store, store.write():
        c = store.conn
        c.execute("UPDATE codings SET coder = 'ann'")
        codes = [r[0] for r in c.execute("SELECT id FROM codes WHERE kind = 'code' ORDER BY id")]
        cases = sorted({r[0] for r in c.execute(
            "SELECT d.case_id FROM codings g JOIN documents d ON d.id = g.document_id")})
        ben = set(cases[::2])
        rows = c.execute('SELECT g.id, document_id, start, "end", code_id, d.case_id FROM codings g '
                         "JOIN documents d ON d.id = g.document_id ORDER BY g.id").fetchall()
        at = now()
        for i, (_gid, doc, s, e, code, case) in enumerate(rows):
            if case in ben:
                other = codes[(codes.index(code) + 1) % len(codes)] if i % 10 == 0 else code
                c.execute('INSERT INTO codings(document_id, start, "end", code_id, coder, '
                          "created_at) VALUES (?, ?, ?, ?, 'ben', ?)", (doc, s, e, other, at))
        for i, (gid, doc, *_rest, case) in enumerate(rows[:40:4]):
            c.execute("UPDATE codings SET memo = ? WHERE id = ?", (f"coding memo {i}", gid))
            c.execute("INSERT INTO memos(target_type, target_id, coder, text, created_at, "
                      "updated_at) VALUES ('document', ?, 'ann', ?, ?, ?)",
                      (doc, f"commentary memo {i}", at, at))
            c.execute("INSERT INTO memos(target_type, target_id, coder, text, created_at, "
                      "updated_at) VALUES ('case', ?, 'ben', ?, ?, ?)",
                      (case, f"case memo {i}", at, at))
        for code in codes[:3]:
            c.execute("INSERT INTO memos(target_type, target_id, coder, text, created_at, "
                      "updated_at) VALUES ('code', ?, 'ann', 'code memo', ?, ?)", (code, at, at))
        c.execute("INSERT INTO memos(target_type, target_id, coder, text, created_at, updated_at) "
                  "VALUES ('project', 'project', 'ann', 'project memo', ?, ?)", (at, at))
        # Case metadata as a corpus import keeps it: the values all the case's commentaries share.
        metas: dict[str, list[dict[str, str]]] = {}
        for case, meta in c.execute("SELECT case_id, metadata FROM documents"):
            metas.setdefault(case, []).append(json.loads(meta))
        for case, ms in metas.items():
            shared = {k: v for k, v in ms[0].items() if all(m.get(k) == v for m in ms)}
            c.execute("UPDATE cases SET metadata = ? WHERE id = ?", (json.dumps(shared), case))


def state(store: Store) -> tuple[object, ...]:
    """Everything the round trip must keep."""
    from themecode.codebook import codebook_snapshot

    q = store.conn.execute
    return (codebook_snapshot(store),
            sorted(set(q('SELECT document_id, start, "end", code_id, coder, memo FROM codings '
                         "WHERE deleted = 0").fetchall()), key=str),  # exact repeats are one
            sorted(q("SELECT target_type, target_id, coder, text FROM memos").fetchall()),
            [(*r[:4], json.loads(r[4])) for r in q(
                "SELECT id, case_id, stage, text, metadata FROM documents ORDER BY id")],
            [(r[0], json.loads(r[1])) for r in q("SELECT id, metadata FROM cases ORDER BY id")])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1748)
    args = ap.parse_args()
    bench = _load("themecode_bench_export", REPO / "benchmarks" / "export.py")
    peers = _load("themecode_refi_peers", REPO / "tests" / "refi_peers.py")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        bench.build(db, args.cases, 0.25)
        two_coders(db)
        out = Path(tmp) / "demo.qdpx"
        with Store.open(db) as store:
            t0 = time.perf_counter()
            export_qdpx(store, out, actor="bench", redact=False, confirmed_unredacted=True)
            t_export = time.perf_counter() - t0
            ours = Counter((d, s, e, code, coder) for d, s, e, code, coder in store.conn.execute(
                'SELECT document_id, start, "end", code_id, coder FROM codings WHERE deleted = 0'))
            labels = {c.id: c.label for c in store.codes()}
            memo_texts = [r[0] for r in store.conn.execute(
                "SELECT text FROM memos UNION ALL SELECT memo FROM codings WHERE memo IS NOT NULL")]
            n_memos = len(memo_texts)
            before = state(store)
        seen = peers.read_like_qualcoder(out)
        kept = {(labels[k[3]], k[0], k[1], k[2], k[4]) for k in ours}
        described = "\n".join(seen["descriptions"])
        memos_seen = sum(1 for m in memo_texts if m in described)
        fresh = Store.create(Path(tmp) / "fresh.db")
        t0 = time.perf_counter()
        res = import_qdpx(fresh, out, coder="bench")
        t_import = time.perf_counter() - t0
        exact = state(fresh) == before
        fresh.close()
    report = {
        "codings": sum(ours.values()),
        "codings_qualcoder_keeps": len(set(seen["codings"]) & kept),
        "codings_lost_or_miscredited": len(kept ^ set(seen["codings"])),
        "memos": n_memos,
        "memo_descriptions_qualcoder_reads": memos_seen,
        "variables_in_both_places": sum(1 for k in seen["where"].values() if len(k) > 1),
        "variables": len(seen["where"]),
        "self_round_trip_exact": exact,
        "import_warnings": res.warnings,
        "export_s": round(t_export, 1),
        "import_s": round(t_import, 1),
    }
    for k, v in report.items():
        print(f"{k:36} {v}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
