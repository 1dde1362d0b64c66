"""Faults and confidentiality of outputs: kills mid-write, full disks, read-only projects, umasks.

Every output goes through `themecode.store.outputs.safe_output`: written 0600 under a temporary name
and renamed, refused onto the project, published only after its audit event. Kills are real
(`SIGKILL` of a child process at a chosen moment); a full disk is an injected `ENOSPC`; a
read-only project is a connection with `PRAGMA query_only` (tests run as root, who can write a
chmod-ed file anyway).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from by_path import root_conftest
from click.testing import CliRunner

from themecode.cli import main
from themecode.store import Store
from themecode.store.outputs import PARTIAL_SUFFIX, safe_output, write_output

_conf = root_conftest()
MEMO = "Discussed with Mr John Smith of 12 Acacia Avenue"


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert (result.exit_code == 0) == ok, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project with one coding carrying a memo that names a person and an address."""
    db = tmp_path / "p.db"
    run("init", db, "--corpus", _conf.write_small_corpus(tmp_path / "c.csv", 3),
        "--codebook", _conf.CODEBOOK, "--coder", "lead")
    with Store.open(db) as store:
        store.add_coding("C0001-A", 0, 10, "domestic_abuse_checks", "amy")
        store.conn.execute("UPDATE codings SET memo = ?", (MEMO,))
    return db


def events(db: Path, kind: str) -> int:
    with Store.open(db) as store:
        return store.conn.execute("SELECT count(*) FROM events WHERE action = ?",
                                  (kind,)).fetchone()[0]


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(f"*{PARTIAL_SUFFIX}*"))


def age(paths: list[Path]) -> None:
    """Make files look two minutes old (leftovers are cleaned only when stale)."""
    old = time.time() - 120
    for p in paths:
        os.utime(p, (old, old))


# ------------------------------------------------------------------ atomic outputs


def test_output_survives_a_kill_mid_write_and_the_leftover_is_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "extracts.md"
    out.write_text("the previous export\n")
    script = ("import os, signal, sys\nfrom themecode.store.outputs import safe_output\n"
              "with safe_output(sys.argv[1]) as tmp:\n"
              "    open(tmp, 'w').write('half of a new')\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True)
    assert proc.returncode == -9
    assert out.read_text() == "the previous export\n"  # never half a file under its name
    left = [tmp_path / n for n in partials(tmp_path)]
    assert len(left) == 1
    age(left)
    write_output(out, "a new export\n")
    assert out.read_text() == "a new export\n"
    assert partials(tmp_path) == []


def test_a_full_disk_mid_export_keeps_the_previous_file_and_logs_nothing(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import themecode.export.text as text

    out = project.parent / "extracts.md"
    out.write_text("the previous export\n")

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(text, "write_markdown", full)
    output = run("export", project, "--format", "md", "--out", out, ok=False)
    assert "No space left on device" in output and str(out) in output
    assert out.read_text() == "the previous export\n"
    assert partials(project.parent) == []
    assert events(project, "export") == 0


def test_a_failing_writer_leaves_no_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "new.csv"
    with pytest.raises(RuntimeError), safe_output(out) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("writer bug")
    assert not out.exists() and partials(tmp_path) == []


# ------------------------------------------------------------------ read-only project


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every project connection refuses writes, as on a read-only file or folder."""
    import themecode.store.database as database

    real = database.connect

    def connect(path: Path):  # type: ignore[no-untyped-def]
        conn = real(path)
        conn.execute("PRAGMA query_only = 1")
        return conn

    monkeypatch.setattr(database, "connect", connect)


@pytest.mark.parametrize("command", [
    ("export", "{p}", "--format", "md", "--out", "{d}/x.md", "--no-redact", "--yes"),
    ("refi", "export", "{p}", "--out", "{d}/x.qdpx", "--no-redact", "--yes"),
    ("codings", "export", "{p}", "{d}/x.jsonl", "--no-redact", "--yes"),
    ("report", "{p}", "--out", "{d}/x.html"),
    ("codebook", "add", "{p}", "New label"),
    ("sample", "{p}", "--fraction", "0.5", "--seed", "1"),
], ids=["export-unredacted", "refi-unredacted", "codings-unredacted", "report", "codebook-add",
        "sample"])
def test_read_only_project_refuses_with_a_message_and_writes_no_output(
        project: Path, read_only: None, command: tuple[str, ...]) -> None:
    """An unredacted export never exists without its audit event: on a read-only project the
    event cannot be recorded, so the file is never published."""
    args = [a.format(p=project, d=project.parent) for a in command]
    output = run(*args, ok=False)
    assert "read-only" in output and "hint:" in output
    assert not list(project.parent.glob("x.*")), "an output appeared without its event"
    assert partials(project.parent) == []


# ------------------------------------------------------------------ confidentiality


def test_every_output_is_private_whatever_the_umask(project: Path, open_umask: None) -> None:
    d = project.parent
    for fmt in ("md", "csv", "xlsx", "docx", "html", "json", "presence"):
        run("export", project, "--format", fmt, "--out", d / f"e.{fmt}")
    run("export", project, "--format", "md", "--out", d / "raw.md", "--no-redact", "--yes")
    run("refi", "export", project, "--out", d / "p.qdpx")
    run("refi", "export", project, "--out", d / "p.qdc")
    run("report", project, "--out", d / "r.html")
    run("codings", "export", project, d / "c.jsonl")
    run("codebook", "export", project, "--out", d / "cb.yaml")
    written = [f for f in d.iterdir() if f.is_file() and f.suffix not in (".db", ".csv", "")
               or f.name.endswith(".redactions.csv") or f.name.startswith("e")]
    assert len(written) >= 14
    loose = {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in written
             if f.name not in ("c.csv",) and stat.S_IMODE(f.stat().st_mode) != 0o600}
    assert loose == {}


def test_codings_export_redacts_memos_unless_asked(project: Path) -> None:
    d = project.parent
    run("codings", "export", project, d / "c.jsonl")
    line = json.loads((d / "c.jsonl").read_text().splitlines()[0])
    assert "John Smith" not in line["memo"] and "Acacia" not in line["memo"]
    assert events(project, "export_unredacted") == 0
    result = CliRunner().invoke(main, ["codings", "export", str(project), str(d / "raw.jsonl"),
                                       "--no-redact"], input="n\n")
    assert result.exit_code != 0 and not (d / "raw.jsonl").exists()
    run("codings", "export", project, d / "raw.jsonl", "--no-redact", "--yes")
    assert MEMO in (d / "raw.jsonl").read_text()
    assert events(project, "export_unredacted") == 1


# ------------------------------------------------------------------ kills and odd folders


def _kill_script(body: str) -> str:
    return "import os, signal, sys\n" + body


def test_kill_during_init_leaves_nothing_that_blocks_the_next_init(tmp_path: Path) -> None:
    corpus = _conf.write_small_corpus(tmp_path / "c.csv", 3)
    db = tmp_path / "study.db"
    script = _kill_script(
        "from themecode.project.create import init_project\n"
        "def die(done, total):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
        "init_project(sys.argv[1], sys.argv[2], coder='lead', progress=die)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(db), str(corpus)],
                          capture_output=True)
    assert proc.returncode == -9
    assert not db.exists()  # the half-made project is under a hidden temporary name
    left = [tmp_path / n for n in partials(tmp_path)]
    assert left
    age(left)
    run("init", db, "--corpus", corpus, "--coder", "lead")
    with Store.open(db) as store:
        assert store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 12
    assert partials(tmp_path) == []


def test_kill_during_restore_leaves_a_listable_project(project: Path) -> None:
    from themecode.team.backup import backup_project

    backup_project(project)
    script = _kill_script(
        "import themecode.team.backup as b\n"
        "real = b._copy_with_backup_api\n"
        "def half(source, target):\n"
        "    real(source, target)\n"
        "    with open(target, 'r+b') as fh:\n        fh.truncate(1000)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "b._copy_with_backup_api = half\n"
        "b.restore_backup(sys.argv[1], yes=True, coder='lead')\n")
    proc = subprocess.run([sys.executable, "-c", script, str(project)], capture_output=True)
    assert proc.returncode == -9
    backups = project.parent / "backups"
    assert not any("pre-restore" in f.name and not f.name.startswith(".")
                   for f in backups.iterdir())  # no half copy under a backup's name
    listing = run("restore", project, "--list")
    assert "UNREADABLE" not in listing and "codings" in listing
    age([backups / n for n in partials(backups)])
    run("restore", project, "--yes", "--coder", "lead")
    assert partials(backups) == []


def test_restore_list_marks_a_damaged_backup(project: Path) -> None:
    from themecode.team.backup import backup_project

    copy = backup_project(project)
    copy.write_bytes(copy.read_bytes()[:1000])
    assert "UNREADABLE" in run("restore", project, "--list")


@pytest.mark.parametrize("command", [("backup", "{p}"), ("merge", "{p}", "{c}")])
def test_a_backups_path_that_is_a_file_is_refused_with_a_message(
        project: Path, command: tuple[str, ...]) -> None:
    """(The coding UI takes its backup in the background and says when it fails.)"""
    import shutil

    copy = project.parent / "copy" / "p.db"
    copy.parent.mkdir()
    shutil.copyfile(project, copy)
    (project.parent / "backups").write_text("not a folder")
    output = run(*[a.format(p=project, c=copy) for a in command], ok=False)
    assert "backups" in output and "is a file" in output and "hint:" in output
    assert (project.parent / "backups").read_text() == "not a folder"


def test_an_output_hard_linked_to_the_project_is_refused(project: Path) -> None:
    link = project.parent / "innocent.md"
    os.link(project, link)
    before = project.read_bytes()
    output = run("export", project, "--format", "md", "--out", link, ok=False)
    assert "Refusing" in output and "hint:" in output
    assert project.read_bytes() == before


@pytest.mark.parametrize("name", ["../escape", "a/b", "x\x1b[2J", ".."])
def test_handout_coder_names_never_become_paths(project: Path, name: str) -> None:
    run("sample", project, "--fraction", "1", "--seed", "1")
    out = project.parent / "copies"
    out.mkdir()
    output = run("handout", project, "--coders", f"amy,{name}", "--out", out, ok=False)
    assert "file name" in output and "hint:" in output
    assert list(out.iterdir()) == [] and not (project.parent / "p-escape.db").exists()
    assert events(project, "handout") == 0


def test_a_name_that_is_not_text_is_refused_with_a_message(project: Path) -> None:
    """A name with bytes that are not UTF-8 reaches Python as lone surrogates."""
    output = run("codebook", "add", project, "Label", "--coder", "amy\udcff", ok=False)
    assert "not valid text" in output and "hint:" in output


def test_a_project_that_cannot_be_opened_for_writing_says_so(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only folder keeps SQLite from making the -shm file (simulated: tests run as root)."""
    import sqlite3

    import themecode.store.database as database

    def refuse(path: Path) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(database, "connect", refuse)
    output = run("status", project, ok=False)
    assert "cannot be opened for writing" in output and "permissions" in output


def test_restore_warns_when_the_project_is_open_elsewhere(project: Path) -> None:
    from themecode.team.backup import backup_project

    backup_project(project)
    with Store.open(project):  # a coding session holding the project open
        output = run("restore", project, "--yes", "--coder", "lead")
    assert "looks open in another program" in output
    assert "looks open" not in run("restore", project, "--yes", "--coder", "lead")
