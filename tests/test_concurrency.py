"""Several coders on one project file at once (separate processes on a shared machine).

Three processes each make 1,000 coding actions (code, uncode, trim, status, memo, undo, redo, new
code) through `Store`, all starting at the same moment. Every action must be stored, no
"database is locked" error may reach the user, and the event log must be in one consistent
order: ids strictly increasing with time stamps, each coder's events in the order that coder
made them, and the data equal to a replay of the events (the crash test's checker).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from themecode.store import Store
from themecode.team.backup import backup_project

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from test_crash import Base, check_project, read_acks, run_session  # noqa: E402
from test_crash import base_db as base_db  # noqa: E402  (the shared project fixture)


def _worker(db: str, log: str, coder: str, seed: int, n: int, go: str) -> None:
    """One coder's process: say it is ready, wait for the start signal, then make `n` actions."""
    Path(f"{log}.ready").touch()
    while not os.path.exists(go):
        time.sleep(0.001)
    started = time.perf_counter()
    run_session(Path(db), Path(log), coder, seed, max_actions=n, fsync=False)
    print(json.dumps({"seconds": time.perf_counter() - started}))


def run_coders(
    db: Path, workdir: Path, coders: list[str], n: int, *, backups: list[Path] | None = None
) -> tuple[float, list[dict]]:
    """Start one process per coder on `db`, release them together; (wall seconds, reports).

    With `backups`, keep taking backups of the project while they work, collected there.
    """
    go = workdir / "go"
    procs = []
    for i, coder in enumerate(coders):
        procs.append(subprocess.Popen(
            [sys.executable, __file__, str(db), str(workdir / f"{coder}.jsonl"), coder, str(i),
             str(n), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    deadline = time.monotonic() + 60
    while not all(Path(f"{workdir / c}.jsonl.ready").exists() for c in coders):
        assert time.monotonic() < deadline, "the coder processes did not start"
        time.sleep(0.01)
    started = time.perf_counter()
    go.touch()
    while backups is not None and any(p.poll() is None for p in procs):
        copy = backup_project(db, keep=1000)
        backups.append(copy)
        time.sleep(0.5)
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        reports.append({"rc": p.returncode, "stdout": out, "stderr": err})
    return time.perf_counter() - started, reports


def check_concurrent(db: Path, workdir: Path, coders: list[str], n: int, base: Base) -> list[str]:
    """Every property three concurrent sessions must leave; the problems found."""
    problems = []
    for coder in coders:
        acks = read_acks(workdir / f"{coder}.jsonl")
        if len(acks) != n:
            problems.append(f"{coder}: {len(acks)} of {n} actions acknowledged")
        problems += [f"{coder}: {p}" for p in check_project(db, workdir / f"{coder}.jsonl",
                                                             coder, base, try_undo=False).problems]
        acked = [a["event"] for a in acks if a["event"] is not None]
        if acked != sorted(acked) or len(set(acked)) != len(acked):
            problems.append(f"{coder}: events not in the order the coder made them")
        with Store.open(db) as store:
            stored = [e.id for e in store.events(coder=coder)]
        if stored != acked:
            problems.append(f"{coder}: {len(stored)} events stored, {len(acked)} acknowledged")
    with Store.open(db) as store:
        events = [e for e in store.events() if e.id > base.events]
    stamps = [e.at for e in events]
    if stamps != sorted(stamps):
        problems.append("event time stamps go backwards against event ids")
    if {e.coder for e in events} != set(coders):
        problems.append(f"events from unexpected coders: {({e.coder for e in events})}")
    return problems


@pytest.mark.slow
def test_three_coders_at_once_lose_nothing(base_db: Path, tmp_path: Path) -> None:
    """3 processes x 1,000 actions on one file: all stored, none locked out, one event order;
    backups taken meanwhile are consistent.

    Slow (~25 s) because every commit is fsynced (synchronous=FULL): ~100-130 commits/s here.
    """
    db = tmp_path / "shared.db"
    shutil.copyfile(base_db, db)
    coders, n = ["amy", "ben", "cal"], 1000
    base = Base.of(db)
    backups: list[Path] = []
    seconds, reports = run_coders(db, tmp_path, coders, n, backups=backups)
    for coder, r in zip(coders, reports, strict=True):
        assert r["rc"] == 0, f"{coder} failed:\n{r['stderr'][-2000:]}"
        assert "locked" not in r["stderr"].lower()
    assert check_concurrent(db, tmp_path, coders, n, base) == []
    with Store.open(db) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        final = [(e.id, e.at, e.coder, e.action) for e in store.events()]
    # Backups taken while three coders were writing are each a consistent moment of the
    # project: intact, and their event log is a prefix of the final one.
    assert len(backups) >= 3
    for copy in backups:
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        events = conn.execute("SELECT id, at, coder, action FROM events ORDER BY id").fetchall()
        assert events == final[: len(events)], copy
        conn.close()
    print(f"{len(coders)} x {n} actions in {seconds:.1f} s "
          f"({len(coders) * n / seconds:.0f} actions/s with synchronous=FULL)")


def test_the_checker_sees_a_missing_action(base_db: Path, tmp_path: Path) -> None:
    """The concurrency checks can fail: an acknowledged action removed from the log is caught."""
    db = tmp_path / "p.db"
    shutil.copyfile(base_db, db)
    base = Base.of(db)
    run_session(db, tmp_path / "amy.jsonl", "amy", 3, max_actions=30, fsync=False)
    assert check_concurrent(db, tmp_path, ["amy"], 30, base) == []
    with Store.open(db) as store, store.write():
        last = store.conn.execute("SELECT max(id) FROM events WHERE coder = 'amy'").fetchone()[0]
        store.conn.execute("UPDATE events SET at = '2000-01-01' WHERE id = ?", (last,))
    problems = check_concurrent(db, tmp_path, ["amy"], 30, base)
    assert any("backwards" in p for p in problems)
    assert check_concurrent(db, tmp_path, ["amy"], 31, base) != []


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
            sys.argv[6])

