"""The `suggest`, `evaluate` and `autocode` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from suggest_helpers import build_project

from themecode.cli import main


@pytest.fixture(scope="module")
def sampled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 24-case project whose sample (6 cases) is gold-coded and a model fitted."""
    return build_project(tmp_path_factory.mktemp("cli"), "cli", 24, coded="all", fit=True)


def test_suggest_reads_stdin_and_writes_json_lines(sampled_db: Path) -> None:
    lines = "\n".join([
        json.dumps({"id": "a", "text": "No police call-out check was requested."}),
        json.dumps({"id": "b", "text": "The SPO countersigned the plan without comment."}),
    ])
    res = CliRunner().invoke(main, ["suggest", str(sampled_db), "--input", "-", "--top", "3"],
                             input=lines + "\n")
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.output.strip().splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    for o in out:
        scores = [s["score"] for s in o["suggestions"]]
        assert 1 <= len(scores) <= 3 and scores == sorted(scores, reverse=True)
        assert all(0 <= s <= 1 for s in scores)
        assert {s["source"] for s in o["suggestions"]} <= {"model", "rules"}


def test_suggest_bad_line_is_a_clean_error(sampled_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "in.jsonl"
    bad.write_text('{"id": 1, "text": "fine"}\nnot json\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["suggest", str(sampled_db), "--input", str(bad)])
    assert res.exit_code == 2
    assert "line 2" in res.output and "Traceback" not in res.output


def test_evaluate_json_keys(sampled_db: Path) -> None:
    res = CliRunner().invoke(main, ["evaluate", str(sampled_db), "--json", "--folds", "3",
                                    "--no-textcat"])
    assert res.exit_code == 0, res.output
    result = json.loads(res.output[res.output.index("{"):])
    assert {"methods", "learning_curve", "acceptance", "codes", "folds"} <= result.keys()
    assert set(result["methods"]) == {"themecode", "rules", "tfidf_similarity"}
    assert {"micro_f1", "macro_f1", "p_at_1", "r_at_3", "per_code"} <= \
        result["methods"]["themecode"]["commentary"].keys()


def test_autocode_prints_prevalence(sampled_db: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "copy.db"
    shutil.copy(sampled_db, db)
    from themecode.store import Store

    with Store.open(db) as store:  # leave only the sample's coding
        sampled = [r[0] for r in store.conn.execute("SELECT case_id FROM samples")]
        marks = ",".join("?" * len(sampled))
        store.conn.execute(
            f"UPDATE codings SET deleted = 1 WHERE document_id IN (SELECT id FROM documents "
            f"WHERE case_id NOT IN ({marks}))", sampled)
        store.conn.execute("DELETE FROM progress")
    res = CliRunner().invoke(main, ["autocode", str(db), "--json"])
    assert res.exit_code == 0, res.output
    result = json.loads(res.output[res.output.index("{"):])
    assert result["n_documents"] == 4 * (24 - len(sampled))
    # both phases show progress: machine-coding, then the bootstrap refits of the interval
    assert "machine-coding" in res.stderr and "bootstrap refits" in res.stderr
    assert f"{result['refits']}/{result['refits']}" in res.stderr
    assert all(0 <= p["low"] <= p["estimate"] <= p["high"] <= 1
               for p in result["prevalence"].values())
