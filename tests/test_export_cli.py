"""The export, report, agreement, codebook import and refi commands, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from export_helpers import build_coded_project

from themecode.cli import main
from themecode.store import Store


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, _ = build_coded_project(tmp_path_factory.mktemp("cli"), n_cases=16, fraction=0.5)
    return db


def run(*args: str, input: str | None = None) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def test_export_and_unredacted_confirmation(coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    res = run("export", coded, "--format", "csv", "--out", out, "--where", "stage=planning",
              "--as", "lead")
    assert res.exit_code == 0, res.output
    assert "extracts" in res.output and out.exists()
    res = run("export", coded, "--format", "csv", "--out", tmp_path / "u.csv", "--no-redact",
              input="n\n")
    assert res.exit_code != 0 and not (tmp_path / "u.csv").exists()
    res = run("export", coded, "--format", "csv", "--out", tmp_path / "u.csv", "--no-redact",
              "--yes", "--as", "lead")
    assert res.exit_code == 0 and "Hollingworth" in (tmp_path / "u.csv").read_text("utf-8-sig")
    with Store.open(coded) as store:
        assert store.events(action="export_unredacted")[-1].coder == "lead"
    res = run("export", coded, "--format", "csv", "--out", out, "--where", "nonsense")
    assert res.exit_code != 0 and "COL=VALUE" in res.output


def test_report_and_agreement(coded: Path, tmp_path: Path) -> None:
    res = run("report", coded, "--out", tmp_path / "r.html")
    assert res.exit_code == 0 and (tmp_path / "r.html").exists()
    res = run("agreement", coded, "--coders", "ann,ben", "--unit", "commentary", "--json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert data["coders"] == ["ann", "ben"] and data["n_units"] > 0
    res = run("agreement", coded, "--coders", "ann,ben")
    assert res.exit_code == 0 and "kappa" in res.output


def test_refi_and_codebook_import(coded: Path, tmp_path: Path) -> None:
    res = run("refi", "export", coded, "--out", tmp_path / "p.qdpx", "--no-redact", "--yes")
    assert res.exit_code == 0, res.output
    res = run("refi", "export", coded, "--out", tmp_path / "c.qdc")
    assert res.exit_code == 0
    fresh = tmp_path / "fresh.db"
    Store.create(fresh).close()
    res = run("codebook", fresh, "import", tmp_path / "c.qdc")
    assert res.exit_code == 0 and "added" in res.output
    res = run("refi", "import", fresh, tmp_path / "p.qdpx")
    assert res.exit_code == 0, res.output
    with Store.open(coded) as a, Store.open(fresh) as b:
        assert len(b.codings()) == len(a.codings())
    res = run("refi", "export", coded, "--out", tmp_path / "p.zip")
    assert res.exit_code != 0 and ".qdpx or .qdc" in res.output
