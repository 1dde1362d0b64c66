"""Faults under the coding app: a read-only project or a full disk keeps the app running.

The app's own connection is made read-only (`PRAGMA query_only`) or capped at its current size
(`PRAGMA max_page_count`, so SQLite reports a full disk) after it opens; key presses that write
must then say what happened, leave the database unchanged and keep the app usable.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from by_path import load_by_path

from themecode.store import Store

_app = load_by_path("tui_app_tests", Path(__file__).with_name("test_tui_app.py"))
make_app, screen_of, SIZE = _app.make_app, _app.screen_of, _app.SIZE
pytestmark = pytest.mark.anyio

FAULTS = {"read-only": "read-only", "disk-full": "disk is full"}
WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE", "REPLACE")


class FullDisk:
    """A connection on which every write fails as SQLite fails on a full disk (SQLITE_FULL)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)

    def _check(self, sql: str) -> None:
        if sql.lstrip().upper().startswith(WRITES):
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        self._check(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args: object) -> sqlite3.Cursor:
        self._check(sql)
        return self._conn.executemany(sql, *args)


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_write_fault_keeps_the_app_running_with_a_message(tiny_project: Path,
                                                                 fault: str) -> None:
    app, store = make_app(tiny_project, at="K1")
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        app_store = screen_of(app).store
        before = list(app_store.conn.iterdump())
        word = FAULTS[fault]
        real = app_store.conn
        if fault == "disk-full":
            app_store.conn = FullDisk(real)
        else:
            real.execute("PRAGMA query_only = 1")
        for keys in (("r",), ("G",), ("ctrl+d",), ("ctrl+z",), ("right",), ("ctrl+e",)):
            await pilot.press(*keys)
            await pilot.pause()
            notes.append(screen_of(app).last_message)
        assert app.is_running, "the app stopped on a write fault"
        assert any(word in n for n in notes), notes
        assert store.codings("K1-A", "ann") == []
        assert list(real.iterdump()) == before
        app_store.conn = real
        real.execute("PRAGMA query_only = 0")
        while len(app.screen_stack) > 2:  # close the question "case done" may have opened
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("r")  # after the fault the app still codes
        await pilot.pause()
        assert store.conn.execute(
            "SELECT count(*) FROM codings WHERE coder = 'ann' AND deleted = 0").fetchone()[0] == 1
    store.close()
    with Store.open(tiny_project) as check:
        assert check.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
