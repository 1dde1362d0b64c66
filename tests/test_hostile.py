"""The hostile-input suite: every hand-made bad file of `tests/hostile_inputs.py` is refused.

For each case the `themecode` command (run in-process) must exit non-zero without a traceback,
print a message naming the file and where in it (row, line, column, member, element ...) and a
hint saying what to do, leave the project byte-identical (same SQL dump, same file bytes after a
checkpoint), print no progress bar and write no file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from by_path import load_by_path, root_conftest
from click.testing import CliRunner

from themecode.cli import main
from themecode.store import Store

_conf = root_conftest()
hostile = load_by_path("hostile_inputs", Path(__file__).with_name("hostile_inputs.py"))
CASES = hostile.cases()


def snapshot(path: Path) -> tuple[list[str], bytes]:
    """The database as SQL, and the file's bytes after a full checkpoint."""
    with Store.open(path) as store:
        dump = list(store.conn.iterdump())
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return dump, path.read_bytes()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[list[str], bytes]]:
    """A small project (bundled codebook, 3 cases, one coding) and its snapshot."""
    from themecode.project.create import init_project

    d = tmp_path_factory.mktemp("hostile")
    db = d / "p.db"
    init_project(db, _conf.write_small_corpus(d / "c.csv", 3), codebook=_conf.CODEBOOK,
                 coder="lead")
    with Store.open(db) as store, store.write():
        store.conn.execute(
            'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at, memo) '
            "VALUES (?, 0, 5, ?, 'lead', 'now', 'Seen by Mr John Smith')",
            (hostile.DOC, hostile.CODE))
    return db, snapshot(db)


def test_there_are_at_least_150_hostile_files() -> None:
    assert len(CASES) >= 150
    assert len({c.name.split("-")[0] for c in CASES}) >= 7  # every kind of input


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input_is_refused_cleanly(case: object, base: tuple[Path, object],
                                          tmp_path: Path) -> None:
    src, before = base
    project = tmp_path / "p.db"
    shutil.copyfile(src, project)
    os.chmod(project, 0o600)
    file = tmp_path / case.filename  # type: ignore[attr-defined]
    if case.link_to:  # type: ignore[attr-defined]
        file.symlink_to(tmp_path / case.link_to)  # type: ignore[attr-defined]
    else:
        file.write_bytes(case.data)  # type: ignore[attr-defined]
    listing = sorted(os.listdir(tmp_path))
    args = [a.format(project=project, file=file, dir=tmp_path)
            for a in case.args]  # type: ignore[attr-defined]
    result = CliRunner().invoke(main, args)
    out = result.output
    assert result.exit_code != 0, out
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in out, out
    if case.names_file:  # type: ignore[attr-defined]
        assert str(file) in out, out
    for word in case.where:  # type: ignore[attr-defined]
        assert word in out, f"{word!r} not in: {out}"
    assert "hint:" in out, out
    assert "Splitting sentences" not in out, "a progress bar before the refusal"
    after = snapshot(project)
    assert after[0] == before[0], "the refusal changed the database content"  # type: ignore[index]
    assert after[1] == before[1], "the refusal changed the database file"  # type: ignore[index]
    left = sorted(n for n in os.listdir(tmp_path) if not n.endswith(("-wal", "-shm")))
    assert left == [n for n in listing if not n.endswith(("-wal", "-shm"))], "a file was written"


def test_odd_but_valid_inputs_are_accepted(base: tuple[Path, object], tmp_path: Path) -> None:
    """The other side: a parent later in the codebook, UTF-16 and doubled-BOM CSV, a vertical
    tab (Word's soft line break) all import, as the README says."""
    src, _ = base
    project = tmp_path / "p.db"
    shutil.copyfile(src, project)
    book = tmp_path / "forward.yaml"
    book.write_text(hostile._book(hostile._theme(
        "t_new", hostile._code("c_child", parent="c_parent") + hostile._code("c_parent"))))
    result = CliRunner().invoke(main, ["codebook", "import", str(project), str(book)])
    assert result.exit_code == 0, result.output
    rows = hostile.HEADER + hostile._row("First line\x0bsecond line.", ident="V1")
    for name, data in (("utf16.csv", rows.encode("utf-16")),
                       ("bom.csv", b"\xef\xbb\xbf" + ("\ufeff" + rows.replace("V1", "V2"))
                        .encode("utf-8"))):
        (tmp_path / name).write_bytes(data)
        result = CliRunner().invoke(main, ["import", str(project), str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    with Store.open(project) as store:
        assert store.code("c_child").parent == "c_parent"
        assert store.document("V1").text == "First line\nsecond line."
        assert store.document("V2").metadata.get("pdu") == "Gwent"
