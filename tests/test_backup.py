"""Backups: consistent online copies, private files, rotation, and restore with a safety copy."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from themecode.errors import ProjectError
from themecode.store import Store
from themecode.team.backup import (
    backup_dir,
    backup_project,
    describe_backup,
    list_backups,
    resolve_backup,
    restore_backup,
)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _code_something(db: Path, coder: str = "amy", n: int = 1) -> None:
    with Store.open(db) as store:
        docs = [r[0] for r in store.conn.execute("SELECT id FROM documents ORDER BY id LIMIT ?",
                                                 (n,))]
        code = store.codes(kind="code")[0].id
        for d in docs:
            store.add_coding(d, None, None, code, coder)


def test_backup_is_consistent_private_and_self_contained(small_project: Path) -> None:
    _code_something(small_project, n=3)
    # Keep a writer open with the WAL not checkpointed: the backup must still see its commits.
    with Store.open(small_project) as live:
        live.add_memo("project", "p", "amy", "written just before the backup")
        copy = backup_project(small_project)
        assert copy.parent == backup_dir(small_project)
        assert _mode(copy) == 0o600
        assert _mode(copy.parent) == 0o700
        assert not Path(str(copy) + "-wal").exists()
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        conn.close()
        counts = describe_backup(copy)
        assert counts["codings"] == 3
        assert counts["memos"] == 1
        assert counts["events"] == len(live.events())


def test_rotation_keeps_the_newest_n_and_names_sort_by_time(small_project: Path) -> None:
    made = [backup_project(small_project, keep=3) for _ in range(5)]
    # a copy cut short by a crash keeps its temporary name and is never listed or restored
    (backup_dir(small_project) / f".{made[-1].name}x.partial").write_bytes(b"half a copy")
    kept = list_backups(small_project)
    assert not [p for p in backup_dir(small_project).iterdir()
                if p.name.endswith(".partial") and "x.partial" not in p.name]
    assert [b.path for b in kept] == made[-3:]
    assert [b.path.name for b in kept] == sorted(b.path.name for b in kept)
    assert [b.taken_at for b in kept] == sorted(b.taken_at for b in kept)


def test_rotation_reads_backup_keep_from_the_project(small_project: Path) -> None:
    with Store.open(small_project) as store:
        store.set_meta("backup_keep", "2")
    for _ in range(4):
        backup_project(small_project)
    assert len(list_backups(small_project)) == 2
    with Store.open(small_project) as store:
        store.set_meta("backup_keep", "lots")
    with pytest.raises(ProjectError, match="backup_keep"):
        backup_project(small_project)
    with pytest.raises(ProjectError, match="at least 1"):
        backup_project(small_project, keep=0)


def test_backup_refuses_a_file_that_is_not_a_project(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(ProjectError, match="not a themecode project"):
        backup_project(other)
    assert list_backups(other) == []
    with pytest.raises(ProjectError, match="No project"):
        backup_project(tmp_path / "missing.db")


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(small_project: Path) -> None:
    _code_something(small_project, n=2)
    first = backup_project(small_project)
    _code_something(small_project, coder="ben", n=5)
    with Store.open(small_project) as store:
        assert store.counts()["codings"] == 7

    with pytest.raises(ProjectError, match="--yes"):
        restore_backup(small_project, first.name)
    with Store.open(small_project) as store:
        assert store.counts()["codings"] == 7  # refused: nothing changed

    safety = restore_backup(small_project, first.name, yes=True, coder="lead")
    assert _mode(small_project) == 0o600
    assert _mode(safety) == 0o600
    with Store.open(small_project) as store:
        assert store.counts()["codings"] == 2
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ev = store.events(action="restore")[-1]
        assert ev.coder == "lead" and ev.payload["backup"] == first.name
    assert describe_backup(safety)["codings"] == 7
    infos = {b.path: b for b in list_backups(small_project)}
    assert infos[safety].safety and not infos[first].safety
    # The safety copy survives rotation, and can itself be restored.
    for _ in range(3):
        backup_project(small_project, keep=1)
    assert safety.exists()
    restore_backup(small_project, safety, yes=True)
    with Store.open(small_project) as store:
        assert store.counts()["codings"] == 7


def test_restore_over_a_damaged_project(small_project: Path) -> None:
    good = backup_project(small_project)
    for suffix in ("-wal", "-shm"):
        Path(str(small_project) + suffix).unlink(missing_ok=True)
    small_project.write_bytes(b"this is not a database any more" * 100)
    small_project.chmod(0o600)
    restore_backup(small_project, None, yes=True)
    with Store.open(small_project) as store:
        assert store.counts()["documents"] > 0
    assert resolve_backup(small_project, None) == good


def test_restore_refuses_damaged_or_foreign_backups(small_project: Path, tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no backups"):
        restore_backup(small_project, None, yes=True)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"x" * 4096)
    with pytest.raises(ProjectError, match="cannot be read|not a themecode"):
        restore_backup(small_project, junk, yes=True)
    with pytest.raises(ProjectError, match="No backup"):
        restore_backup(small_project, "nope.db", yes=True)


def test_cli_backup_and_restore(small_project: Path) -> None:
    """`themecode backup`, `restore --list`, a refused restore and a real one."""
    from click.testing import CliRunner

    from themecode.cli import main

    runner = CliRunner()
    r = runner.invoke(main, ["restore", str(small_project), "--list"])
    assert r.exit_code == 0 and "No backups" in r.output
    r = runner.invoke(main, ["backup", str(small_project), "--keep", "3"])
    assert r.exit_code == 0 and "backups kept" in r.output, r.output
    name = list_backups(small_project)[-1].path.name
    _code_something(small_project, n=4)
    r = runner.invoke(main, ["restore", str(small_project), "--list"])
    assert r.exit_code == 0 and name in r.output and "0 codings" in r.output, r.output
    r = runner.invoke(main, ["restore", str(small_project), name])
    assert r.exit_code != 0 and "--yes" in r.output
    r = runner.invoke(main, ["restore", str(small_project), name, "--yes", "--coder", "lead"])
    assert r.exit_code == 0 and "pre-restore" in r.output, r.output
    with Store.open(small_project) as store:
        assert store.counts()["codings"] == 0
