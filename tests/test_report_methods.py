"""`themecode methods`: the paragraph's figures are the CLI's figures, in Markdown and DOCX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from themecode.cli import main
from themecode.report.methods import methods
from themecode.store import Store


@pytest.fixture(scope="module")
def figures(gold_db: Path) -> dict:
    res = CliRunner().invoke(main, ["methods", str(gold_db), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_methods_figures_agree_with_saturation_and_agreement_commands(gold_db: Path, figures: dict) -> None:
    runner = CliRunner()
    sat = json.loads(runner.invoke(main, ["saturation", str(gold_db), "--json"]).output)["pooled"]["code"]
    s = figures["saturation"]
    assert s["saturated_at"] == sat["saturated_at"] and s["n_units"] == sat["n_units"]
    assert s["guest"]["stop_at"] == sat["guest"]["stop_at"]
    assert s["francis"]["stop_at"] == sat["francis"]["stop_at"]
    for key in ("estimate", "f0", "ci_low", "ci_high", "form"):
        assert s["chao2"][key] == sat["chao2"][key]
    assert s["sample_coverage"] == sat["sample_coverage"]
    agr = json.loads(runner.invoke(main, ["agreement", str(gold_db), "--coders", "ann,gold",
                                          "--json", "--seed", "0"]).output)
    a = figures["agreement"]
    assert a["coders"] == ["ann", "gold"] and a["n_units"] == agr["n_units"]
    assert a["kappa"] == agr["pooled"]["kappa"]["value"]
    assert a["ac1"] == agr["pooled"]["ac1"]["value"]
    assert a["intervals"]["kappa"] == agr["pooled"]["intervals_95"]["kappa"]
    assert a["left_out"] == agr["left_out"]["units"]


def test_paragraph_quotes_the_figures_and_writes_docx(gold_db: Path, figures: dict, tmp_path: Path) -> None:
    with Store.open(gold_db) as store:
        m = methods(store)
    text = m.markdown()
    s = figures["saturation"]
    assert f"Guest 4+2 fired at case {s['guest']['stop_at']}" in text
    point = (f"first held at case {s['saturated_at']}" if s["saturated_at"]
             else f"had not held by case {s['n_units']}")
    assert point in text
    assert f"{s['chao2']['ci_low']}–{s['chao2']['ci_high']}" in text and "71–73%" in text
    assert f"seed {figures['sampling']['seed']}" in text
    assert "Gwet 2008" in text and "Krippendorff 2004" in text and "Fleiss, J. L. (1971)" in text
    res = CliRunner().invoke(main, ["methods", str(gold_db), "--format", "docx", "--out",
                                    str(tmp_path / "m.docx")])
    assert res.exit_code == 0, res.output
    doc = Document(str(tmp_path / "m.docx"))
    assert any("Chao2" in p.text for p in doc.paragraphs)
    bad = CliRunner().invoke(main, ["methods", str(gold_db), "--format", "docx"])
    assert bad.exit_code != 0 and "--out" in bad.output


def test_autocode_paragraph_says_whether_the_training_spread_is_in_the_interval(
        gold_db: Path, tmp_path: Path) -> None:
    import shutil

    from themecode.suggest.autocode import DEMO_COVERAGE

    db = tmp_path / "auto.db"
    shutil.copy(gold_db, db)  # the session's project stays untouched
    for refits, phrase in ((4, "over 4 bootstrap refits of the model"),
                           (0, "without the spread of the flags over refits")):
        res = CliRunner().invoke(main, ["autocode", str(db), "--refits", str(refits), "--json"])
        assert res.exit_code == 0, res.output
        assert json.loads(res.output[res.output.index("{"):])["refits"] == refits
        with Store.open(db) as store:
            m = methods(store)
        assert m.figures["autocode"]["refits"] == refits
        text = next(p for p in m.paragraphs if "machine-coded" in p)
        assert phrase in text and DEMO_COVERAGE in text
