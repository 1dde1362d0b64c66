"""Security: private files, an audit trail of who did what, no network, no untrusted pickles."""

from __future__ import annotations

import json
import re
import socket
import stat
from datetime import datetime
from pathlib import Path

import pytest
from by_path import root_conftest
from click.testing import CliRunner

from themecode.cli import main
from themecode.store import Store

_conf = root_conftest()
CODEBOOK, write_small_corpus = _conf.CODEBOOK, _conf.write_small_corpus
SRC = Path(__file__).resolve().parent.parent / "src" / "themecode"


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_project_wal_shm_and_backups_are_private(tmp_path: Path, open_umask: None) -> None:
    """The project file, its -wal and -shm, the backups folder and backups: owner-only."""
    from themecode.team.backup import backup_project

    db = tmp_path / "study.db"
    _run("init", str(db), "--corpus", str(write_small_corpus(tmp_path / "c.csv", 8)),
         "--codebook", str(CODEBOOK), "--coder", "lead")
    with Store.open(db) as store:
        store.add_memo("project", "p", "amy", "kept open so -wal and -shm exist")
        for suffix in ("", "-wal", "-shm"):
            f = Path(str(db) + suffix)
            assert f.exists(), f
            assert _mode(f) == 0o600, (f, oct(_mode(f)))
        copy = backup_project(db)
    assert _mode(copy) == 0o600
    assert _mode(copy.parent) == 0o700
    other = Store.create(tmp_path / "direct.db")
    other.close()
    assert _mode(tmp_path / "direct.db") == 0o600


def test_events_record_who_did_what_and_when(tmp_path: Path) -> None:
    """Each command leaves events naming the coder and a UTC time, unredacted exports included."""
    db = tmp_path / "study.db"
    corpus = write_small_corpus(tmp_path / "c.csv", 12)
    _run("init", str(db), "--corpus", str(corpus), "--codebook", str(CODEBOOK), "--coder", "lead")
    _run("sample", str(db), "--fraction", "0.5", "--seed", "1", "--coder", "lead")
    with Store.open(db) as store:
        doc = store.case_documents(store.sample()[0].case_id)[0].id
        code = store.codes(kind="code")[0].id
    lines = tmp_path / "codings.jsonl"
    lines.write_text(json.dumps({"doc_id": doc, "code": code}) + "\n")
    _run("codings", "import", str(db), str(lines), "--coder", "amy")
    _run("codebook", str(db), "add", "Interpreter needs", "--coder", "ben")
    _run("export", str(db), "--format", "csv", "--out", str(tmp_path / "x.csv"),
         "--no-redact", "--yes", "--as", "cat")
    with Store.open(db) as store:
        events = store.events()
    who = {(e.coder, e.action) for e in events}
    for expected in [("lead", "codebook_install"), ("lead", "import"), ("lead", "sample_draw"),
                     ("amy", "codings_import"), ("ben", "code_create"),
                     ("cat", "export_unredacted"), ("cat", "export")]:
        assert expected in who, (expected, sorted(who))
    for e in events:
        assert e.coder, e
        at = datetime.strptime(e.at, "%Y-%m-%dT%H:%M:%S.%fZ")
        assert at.year >= 2024
    unredacted = next(e for e in events if e.action == "export_unredacted")
    assert unredacted.target == str(tmp_path / "x.csv")


class NetworkUsed(AssertionError):
    """Raised by the disabled socket functions."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every way to open a connection raises; attempts are also recorded (in case one is caught)."""
    attempts: list[str] = []

    def refuse(name: str):  # noqa: ANN202 - a factory of stand-ins
        def stand_in(*args: object, **kwargs: object) -> None:
            attempts.append(f"{name}{args!r}")
            raise NetworkUsed(f"network access attempted: {name}{args!r}")
        return stand_in

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname", "socketpair"):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts


def test_no_network_on_the_main_paths(tmp_path: Path, no_network: list[str]) -> None:
    """init, import, sample, status, codebook, codings, exports, REFI, agreement, backup,
    restore, handout, merge and suggestions all work with sockets disabled."""
    db = tmp_path / "study.db"
    corpus = write_small_corpus(tmp_path / "c.csv", 30)
    more = tmp_path / "more.csv"
    more.write_text("id,case_id,stage,text\nX1,CX,assessment,An extra commentary. It has two "
                    "sentences.\n", encoding="utf-8")
    _run("codebook", "validate", str(CODEBOOK))
    _run("init", str(db), "--corpus", str(corpus), "--codebook", str(CODEBOOK), "--coder", "lead")
    _run("import", str(db), str(more), "--coder", "lead")
    _run("sample", str(db), "--fraction", "0.5", "--seed", "2025", "--coder", "lead")
    _run("status", str(db), "--json")
    _run("codebook", str(db), "show")
    _run("codebook", str(db), "add", "Interpreter needs", "--coder", "amy")
    _run("codebook", str(db), "rename", "interpreter_needs", "Language needs", "--coder", "amy")
    _run("codebook", str(db), "export", "--out", str(tmp_path / "cb.yaml"))
    with Store.open(db) as store:
        codes = [c.id for c in store.codes(kind="code")]
        docs = [d.id for r in store.sample() for d in store.case_documents(r.case_id)]
        for i, doc in enumerate(docs):
            for coder in ("amy", "ben"):
                store.add_coding(doc, None, None, codes[(i + (coder == "ben")) % 5], coder)
    _run("codings", "export", str(db), str(tmp_path / "out.jsonl"))
    _run("codings", "import", str(db), str(tmp_path / "out.jsonl"), "--coder", "cal")
    for fmt, name in (("csv", "x.csv"), ("md", "x.md"), ("docx", "x.docx"), ("json", "x.json")):
        _run("export", str(db), "--format", fmt, "--out", str(tmp_path / name), "--as", "amy")
    _run("refi", "export", str(db), "--out", str(tmp_path / "p.qdpx"), "--as", "amy")
    _run("agreement", str(db), "--coders", "amy,ben", "--unit", "case")
    _run("backup", str(db))
    _run("restore", str(db), "--list")
    handout_dir = tmp_path / "handout"
    handout_dir.mkdir()
    _run("handout", str(db), "--coders", "amy,ben", "--out", str(handout_dir), "--coder", "lead")
    _run("merge", str(db), *map(str, sorted(handout_dir.glob("*.db"))), "--coder", "lead")
    _run("restore", str(db), "--yes", "--coder", "lead")
    import themecode.suggest.suggester as suggest
    with Store.open(db) as store:
        s = suggest.fit_and_save(store)
        s = suggest.load_suggester(store)
        assert s.suggest("No domestic abuse checks were made with the police.", top=3) is not None
    assert no_network == []


def test_the_network_guard_itself_works(no_network: list[str]) -> None:
    """The guard is real: opening a socket under it fails and is recorded."""
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80))
    assert no_network


UNSAFE_LOADS = re.compile(
    r"\b(?:c?pickle|dill|cloudpickle|joblib|torch|shelve)\.(?:loads?|Unpickler|open)\b"
    r"|allow_pickle\s*=\s*True"
    r"|yaml\.(?:unsafe_load|full_load)\b|Loader\s*=\s*yaml\.(?:Unsafe|Full)?Loader\b"
)


def unsafe_loads(text: str) -> list[str]:
    """Lines that would deserialise untrusted data as code (pickles, unsafe YAML)."""
    return [line.strip() for line in text.splitlines() if UNSAFE_LOADS.search(line)]


def test_the_unsafe_load_pattern_catches_what_it_should() -> None:
    """The grep can fail: each unsafe form is caught, the safe forms used in themecode are not."""
    for bad in ("m = pickle.load(fh)", "pickle.loads(blob)", "joblib.load('m.joblib')",
                "torch.load(path)", "np.load(f, allow_pickle=True)", "yaml.unsafe_load(t)",
                "yaml.load(t, Loader=yaml.Loader)", "cloudpickle.loads(b)"):
        assert unsafe_loads(bad), bad
    for ok in ("np.load(io.BytesIO(blob), allow_pickle=False)", "yaml.safe_load(text)",
               "yaml.load(text, Loader=_LineLoader)"):
        assert not unsafe_loads(ok), ok


def test_no_untrusted_pickles_are_ever_loaded() -> None:
    """No module under src/ unpickles (pickle, joblib, torch, numpy allow_pickle) or unsafe-YAMLs."""
    found = {
        str(p.relative_to(SRC)): hits
        for p in sorted(SRC.rglob("*.py"))
        if (hits := unsafe_loads(p.read_text(encoding="utf-8")))
    }
    assert found == {}, found
