"""Crash safety: a coding session killed with SIGKILL at random moments loses nothing it acknowledged.

The session (a separate process) makes the same `Store` calls the coding UI makes and, after each
call returns, appends the action to a side log and fsyncs it: that line is the "acknowledged on
screen" moment. After each kill the project must pass `PRAGMA integrity_check`, hold every
acknowledged action, show no half-written action (each event and its data change are both there
or both absent, checked by replaying the events), and rebuild the undo/redo stacks the session
had. `benchmarks/kill_test.py` runs the same trial with fresh interpreters, longer and more often.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from by_path import root_conftest

from themecode.codebook import create_code
from themecode.store import UNDOABLE, Store
from themecode.store.records import CODEBOOK_ACTIONS

OPS = ("code", "uncode", "trim", "status", "memo", "undo", "redo", "create_code")
WEIGHTS = (40, 10, 8, 10, 8, 16, 10, 6)


def _ack(fd: int, record: dict[str, Any], fsync: bool = True) -> None:
    """Acknowledge an action: one line, written and fsynced after the store call returned."""
    os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    if fsync:
        os.fsync(fd)


def _last_event(store: Store, coder: str) -> int | None:
    return store.conn.execute("SELECT max(id) FROM events WHERE coder = ?", (coder,)).fetchone()[0]


def run_session(
    db: Path, log: Path, coder: str, seed: int, max_actions: int = 10**9, *, fsync: bool = True
) -> None:
    """A scripted coding session: random coding actions as `coder`, each acknowledged in `log`.

    `fsync=False` (for the concurrency test, which kills nothing) skips syncing the side log.
    """
    rng = random.Random(seed)
    fd = os.open(log, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    store = Store.open(db)
    docs = [(r[0], r[1]) for r in store.conn.execute("SELECT id, length(text) FROM documents")]
    lengths = dict(docs)
    themes = [c.id for c in store.codes(kind="theme")]
    last = _last_event(store, coder)
    _ack(fd, {"op": "ready"})
    for n in range(max_actions):
        op = rng.choices(OPS, WEIGHTS)[0]
        rec: dict[str, Any] = {"n": n, "op": op}
        if op == "uncode":
            ids = [r[0] for r in store.conn.execute(
                "SELECT id FROM codings WHERE coder = ? AND deleted = 0", (coder,))]
            if not ids:
                op = rec["op"] = "code"
            else:
                chosen = rng.sample(ids, min(len(ids), rng.randint(1, 3)))
                rec["removed"] = store.remove_codings(chosen, coder)
                rec["ids"] = sorted(chosen)
        if op == "trim":  # take a code off part of one of my codings (the UI's remove key)
            mine = store.conn.execute(
                'SELECT document_id, start, "end", code_id FROM codings WHERE coder = ? '
                "AND deleted = 0 ORDER BY id", (coder,)).fetchall()
            if not mine:
                op = rec["op"] = "code"
            else:
                doc, cs, ce, code = rng.choice(mine)
                start = rng.randint(max(0, cs - 20), ce - 1)
                end = rng.randint(max(start + 1, cs + 1), min(lengths[doc], ce + 20))
                r = store.uncode_span(doc, start, end, code, coder)
                rec.update(doc=doc, start=start, end=end, code=code, removed=r.removed,
                           trimmed=r.trimmed)
        if op == "code":
            doc, length = rng.choice(docs)
            start = rng.randrange(length)
            end = rng.randint(start + 1, min(length, start + 120))
            code = rng.choice([c.id for c in store.codes(kind="code")])
            c = store.add_coding(doc, start, end, code, coder)
            rec.update(coding_id=c.id, doc=doc, start=start, end=end, code=code)
        elif op == "status":
            doc, _ = rng.choice(docs)
            status = rng.choice(["done", "skipped", "flagged", "open"])
            store.set_status("document", doc, coder, status)
            rec.update(unit=doc, status=status)
        elif op == "memo":
            doc, _ = rng.choice(docs)
            m = store.add_memo("document", doc, coder, f"memo {n} — ✓ 🙂 عربى")
            rec.update(memo_id=m.id)
        elif op == "undo":
            ev = store.undo(coder)
            rec["target"] = ev.id if ev else None
        elif op == "redo":
            ev = store.redo(coder)
            rec["target"] = ev.id if ev else None
        elif op == "create_code":
            code = create_code(store, None, f"Inductive {coder} {n}", coder=coder,
                               parent=rng.choice(themes), definition="made in a kill test")
            rec["code_id"] = code.id
        now_last = _last_event(store, coder)
        rec["event"] = now_last if now_last != last else None
        last = now_last
        _ack(fd, rec, fsync)
    store.close()
    os.close(fd)


@dataclass
class Base:
    """What the project held before the session started (ids above these are the session's)."""

    codings: int
    memos: int
    events: int
    versions: int

    @classmethod
    def of(cls, db: Path) -> Base:
        conn = sqlite3.connect(db)
        try:
            q = conn.execute
            return cls(
                q("SELECT coalesce(max(id), 0) FROM codings").fetchone()[0],
                q("SELECT coalesce(max(id), 0) FROM memos").fetchone()[0],
                q("SELECT coalesce(max(id), 0) FROM events").fetchone()[0],
                q("SELECT count(*) FROM codebook_versions").fetchone()[0],
            )
        finally:
            conn.close()


@dataclass
class Outcome:
    """What one killed trial showed."""

    acknowledged: int = 0
    unacknowledged_commits: int = 0
    problems: list[str] = field(default_factory=list)


def read_acks(log: Path) -> list[dict[str, Any]]:
    """The acknowledged records: complete lines only (a torn last line was never acknowledged)."""
    raw = log.read_bytes() if log.exists() else b""
    lines = raw.split(b"\n")[:-1]  # the part after the last newline was not acknowledged
    return [json.loads(line) for line in lines if json.loads(line).get("op") != "ready"]


def _payload_differs(payload: dict[str, Any], ack: dict[str, Any]) -> bool:
    """Whether a code or trim event records something else than the session acknowledged."""
    keys = ("coding_id", "start", "end") if ack["op"] == "code" else (
        "start", "end", "removed", "trimmed")
    return tuple(payload[k] for k in keys) != tuple(ack[k] for k in keys)


def check_project(
    db: Path, log: Path, coder: str, base: Base, *, try_undo: bool = True
) -> Outcome:
    """Every property a killed session must leave; returns the problems found (empty = fine).

    With `try_undo` it finally undoes one action, to show the app can carry on after a crash.
    """
    out = Outcome()
    bad = out.problems.append
    conn = sqlite3.connect(db)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            bad(f"integrity_check: {integrity}")
            return out
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            bad("foreign_key_check found dangling references")
    finally:
        conn.close()
    acks = read_acks(log)
    out.acknowledged = len(acks)
    store = Store.open(db)
    try:
        all_events = [e for e in store.events() if e.id > base.events]
        events = [e for e in all_events if e.coder == coder]
        by_id = {e.id: e for e in events}
        # 1. every acknowledged action is there, as it was acknowledged
        for a in acks:
            eid = a["event"]
            if eid is None:
                continue
            ev = by_id.get(eid)
            if ev is None:
                bad(f"acknowledged action {a} has no event {eid}")
                continue
            want = {"code": "code", "uncode": "uncode", "trim": "uncode", "status": "status",
                    "memo": "memo_add", "undo": "undo", "redo": "redo",
                    "create_code": "code_create"}[a["op"]]
            if ev.action != want:
                bad(f"event {eid} is {ev.action!r}, acknowledged as {want!r}")
            elif a["op"] in ("code", "trim") and _payload_differs(ev.payload, a):
                bad(f"event {eid} payload {ev.payload} differs from the acknowledged {a}")
            elif want == "undo" and ev.undoes != a["target"]:
                bad(f"undo event {eid} undoes {ev.undoes}, acknowledged {a['target']}")
            elif want == "redo" and ev.redoes != a["target"]:
                bad(f"redo event {eid} redoes {ev.redoes}, acknowledged {a['target']}")
        last_acked = max((a["event"] for a in acks if a["event"] is not None), default=base.events)
        late = [e for e in events if e.id > last_acked]
        if len(late) > 1:
            bad(f"{len(late)} events after the last acknowledged one (at most 1 can be in flight)")
        out.unacknowledged_commits = len(late)

        # 2. nothing half-written: replaying the events gives exactly the data in the tables
        codings: dict[int, bool] = {}
        memos: dict[int, bool] = {}
        progress: dict[str, str] = {}
        codes: dict[str, bool] = {}

        def apply(ev: Any, reverse: bool) -> None:
            p = ev.payload
            if ev.action == "code":
                codings[p["coding_id"]] = reverse
            elif ev.action == "uncode":
                for cid in p["coding_ids"]:
                    codings[cid] = not reverse
                for cid in p.get("added_ids", []):  # parts left by a trim
                    codings[cid] = reverse
            elif ev.action == "status":
                progress[p["unit_id"]] = p["before"] if reverse else p["after"]
            elif ev.action == "memo_add":
                memos[p["memo_id"]] = reverse
            elif ev.action == "code_create":
                codes[p["code_id"]] = reverse

        for ev in events:
            if ev.action == "undo":
                apply(by_id[ev.undoes], True)
            elif ev.action == "redo":
                apply(by_id[ev.redoes], False)
            else:
                apply(ev, False)
        q = store.conn.execute
        got_codings = {r[0]: bool(r[1]) for r in q(
            "SELECT id, deleted FROM codings WHERE id > ? AND coder = ?", (base.codings, coder))}
        created = {e.payload["coding_id"] for e in events if e.action == "code"} | {
            i for e in events if e.action == "uncode" for i in e.payload.get("added_ids", [])}
        if set(got_codings) != created:
            bad(f"coding rows {sorted(set(got_codings) ^ created)} lack their event (or vice versa)")
        for cid, deleted in codings.items():
            if cid in got_codings and got_codings[cid] != deleted:
                bad(f"coding {cid} deleted={got_codings[cid]}, events say {deleted}")
        got_memos = {r[0]: bool(r[1]) for r in q(
            "SELECT id, deleted FROM memos WHERE id > ? AND coder = ?", (base.memos, coder))}
        if got_memos != memos:
            bad(f"memos {got_memos} differ from events {memos}")
        got_progress = {r[0]: r[1] for r in q(
            "SELECT unit_id, status FROM progress WHERE coder = ?", (coder,))}
        if got_progress != progress:
            bad(f"progress {got_progress} differs from events {progress}")
        got_codes = {r[0]: bool(r[1]) for r in q(
            "SELECT id, retired FROM codes WHERE created_by = ?", (coder,))}
        if got_codes != codes:
            bad(f"codes {got_codes} differ from events {codes}")
        versions = q("SELECT count(*) FROM codebook_versions").fetchone()[0]
        n_created = sum(e.action == "code_create" for e in all_events)
        n_flips = sum(e.action in ("undo", "redo") and e.payload.get("action") in CODEBOOK_ACTIONS
                      for e in all_events)  # undoing or redoing a codebook change is a version
        if versions != base.versions + n_created + n_flips:
            bad(f"{versions} codebook versions for {n_created} created codes and {n_flips} "
                "undos/redos of them")

        # 3. the undo/redo stacks are the ones the session had (plus any one in-flight action)
        done: list[int] = []
        redo: list[int] = []

        def step(action: str, eid: int | None, target: int | None) -> None:
            if action == "undo" and target is not None:
                if not done or done[-1] != target:
                    bad(f"undo of {target} but the undo stack top was {done[-1:]}")
                    return
                redo.append(done.pop())
            elif action == "redo" and target is not None:
                if not redo or redo[-1] != target:
                    bad(f"redo of {target} but the redo stack top was {redo[-1:]}")
                    return
                done.append(redo.pop())
            elif action in UNDOABLE and eid is not None:
                done.append(eid)
                redo.clear()

        names = {"memo": "memo_add", "create_code": "code_create", "trim": "uncode"}
        for a in acks:
            if a["event"] is not None:
                step(names.get(a["op"], a["op"]), a["event"], a.get("target"))
        for ev in late:
            step(ev.action, ev.id, ev.undoes if ev.action == "undo" else ev.redoes)
        got_done, got_redo = store.undo_stacks(coder)
        if [e.id for e in got_done] != done or [e.id for e in got_redo] != redo:
            bad(f"undo stacks {[e.id for e in got_done][-3:]}/{[e.id for e in got_redo][-3:]} "
                f"differ from the session's {done[-3:]}/{redo[-3:]}")
        # and the app can carry on: undo and redo still work after the crash
        if got_done and try_undo:
            top = store.undo(coder)
            if top is None or top.id != got_done[-1].id:
                bad("undo after the crash did not reverse the top of the stack")
    finally:
        store.close()
    return out


@dataclass
class Trial:
    """A running session on its own copy of the project, to be killed at `deadline`."""

    db: Path
    log: Path
    coder: str
    base: Base
    pid: int
    deadline: float


def start_trial(base_db: Path, workdir: Path, seed: int, delay: float) -> Trial:
    """Copy the project and start a session on it in a forked process."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "project.db"
    shutil.copyfile(base_db, db)
    db.chmod(0o600)
    log = workdir / "acks.jsonl"
    base = Base.of(db)
    coder = f"k{seed}"
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child is killed before it returns
        signal.alarm(30)  # never outlive a test run that died before killing it
        try:
            run_session(db, log, coder, seed)
        finally:
            os._exit(0)
    return Trial(db, log, coder, base, pid, time.monotonic() + delay)


def kill(trial: Trial) -> int:
    """SIGKILL the session at its deadline; returns its wait status."""
    time.sleep(max(0.0, trial.deadline - time.monotonic()))
    os.kill(trial.pid, signal.SIGKILL)
    return os.waitpid(trial.pid, 0)[1]


def check_trial(trial: Trial, status: int) -> Outcome:
    """Check the project a killed session left."""
    out = check_project(trial.db, trial.log, trial.coder, trial.base)
    if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
        out.problems.append(f"the session ended before the kill (status {status})")
    return out


def run_kill_trials(
    base_db: Path, workdir: Path, trials: int, *, parallel: int = 5, max_delay: float = 0.15,
    seed: int = 2026,
) -> tuple[int, int, list[tuple[int, list[str]]]]:
    """Run `trials` killed sessions, `parallel` at a time; (acknowledged, in flight, failures)."""
    rng = random.Random(seed)
    acknowledged = in_flight = 0
    failures: list[tuple[int, list[str]]] = []
    for first in range(0, trials, parallel):
        batch = range(first, min(trials, first + parallel))
        running = [start_trial(base_db, workdir / f"t{i}", seed * 1000 + i,
                               rng.uniform(0.02, max_delay)) for i in batch]
        ordered = sorted(zip(batch, running, strict=True), key=lambda t: t[1].deadline)
        statuses = [kill(trial) for _, trial in ordered]
        for (i, trial), status in zip(ordered, statuses, strict=True):
            out = check_trial(trial, status)
            acknowledged += out.acknowledged
            in_flight += out.unacknowledged_commits
            if out.problems:
                failures.append((i, out.problems[:3]))
            else:
                shutil.rmtree(workdir / f"t{i}")
    return acknowledged, in_flight, failures


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project (codebook, 20 cases, sample), checkpointed into one file."""
    return root_conftest().build_sampled_project(tmp_path_factory.mktemp("crash"), 20, "lead")


def test_checker_catches_lost_and_half_written_actions(base_db: Path, tmp_path: Path) -> None:
    """The checks can fail: a forged acknowledgement and a coding without its event are caught."""
    db = tmp_path / "p.db"
    shutil.copyfile(base_db, db)
    log = tmp_path / "acks.jsonl"
    base = Base.of(db)
    run_session(db, log, "amy", seed=1, max_actions=40)
    assert check_project(db, log, "amy", base).problems == []
    with log.open("a") as fh:
        fh.write(json.dumps({"n": 99, "op": "code", "event": 10**6, "coding_id": 1,
                             "start": 0, "end": 1}) + "\n")
    assert any("has no event" in p for p in check_project(db, log, "amy", base).problems)
    log.write_text("")
    run_session(db, log, "amy", seed=2, max_actions=5)
    with Store.open(db) as store, store.write():
        store.conn.execute(
            'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at) '
            "SELECT document_id, 0, 1, code_id, 'amy', created_at FROM codings LIMIT 1")
    assert any("lack their event" in p for p in check_project(db, log, "amy", base).problems)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL (POSIX)")
@pytest.mark.slow
def test_sigkill_at_random_points_loses_nothing_acknowledged(base_db: Path, tmp_path: Path) -> None:
    """100 sessions killed at random moments (5 at a time, ~14 s): every check passes each time."""
    trials = 100
    acknowledged, in_flight, failures = run_kill_trials(base_db, tmp_path, trials)
    assert not failures, failures
    # The kills landed mid-session, after real work (not all before the first action).
    assert acknowledged > trials * 3, acknowledged
    print(f"{trials} kills, {acknowledged} acknowledged actions, "
          f"{in_flight} committed-but-unacknowledged")
