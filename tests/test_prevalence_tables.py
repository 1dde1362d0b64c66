"""`themecode tables`: N, n and % per level, the forced-entry logistic regression checked against
statsmodels' formula interface, Holm/BH adjustment by hand, separation, CSV/XLSX and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from click.testing import CliRunner
from openpyxl import load_workbook

from themecode.cli import main
from themecode.errors import ThemecodeError
from themecode.sample.levels import case_codes, case_metadata
from themecode.sample.regression import adjust, logistic
from themecode.sample.tables import characteristics_table, write_table
from themecode.store import Store


def test_holm_and_bh_by_hand() -> None:
    p = [0.01, 0.04, 0.03, None]
    # Holm: sorted .01,.03,.04 times 3,2,1 -> .03,.06,.06 (monotone)
    assert adjust(p, "holm") == pytest.approx([0.03, 0.06, 0.06, None])
    # BH: .04*3/3 = .04, .03*3/2 = .045 -> min from the top: .04, .04; .01*3 = .03
    assert adjust(p, "bh") == pytest.approx([0.03, 0.04, 0.04, None])


def test_table_counts_and_regression_match_statsmodels_formula(gold_db: Path) -> None:
    with Store.open(gold_db) as store:
        tab = characteristics_table(store.conn, code="domestic_abuse_checks", by=["rosh", "case_type"])
        coded = case_codes(store.conn)
        meta = case_metadata(store.conn)
    assert tab.n_coded == len(coded) and tab.scope.startswith("pooled codings")
    rosh = [r for r in tab.rows if r.characteristic == "rosh"]
    assert [r.level for r in rosh] == ["low", "medium", "high/very high", "unknown"][:len(rosh)]
    assert sum(r.share.n for r in rosh) == tab.n_coded
    assert sum(r.share.k for r in rosh) == tab.overall.k
    frame = pd.DataFrame([{"y": int("domestic_abuse_checks" in codes),
                           "rosh": meta[c].get("rosh") or None, "ct": meta[c].get("case_type") or None}
                          for c, codes in coded.items()]).dropna()
    ref = smf.logit("y ~ C(rosh, Treatment('low')) + C(ct, Treatment('community'))", frame).fit(disp=0)
    reg = tab.regression
    assert reg is not None and reg.n_cases == len(frame) and reg.n_left_out == tab.n_coded - len(frame)
    by_name = {(c.characteristic, c.level): c for c in reg.coefficients}
    for name, value in ref.params.items():
        if name == "Intercept":
            continue
        level = name.split("[T.")[1].rstrip("]")
        col = "rosh" if name.startswith("C(rosh") else "case_type"
        coef = by_name[(col, level)]
        assert coef.odds_ratio == pytest.approx(np.exp(value), rel=1e-5)
        assert coef.p == pytest.approx(ref.pvalues[name], rel=1e-4)
        assert coef.low == pytest.approx(np.exp(ref.conf_int().loc[name, 0]), rel=1e-5)
    assert [c.p_adjusted for c in reg.coefficients] == pytest.approx(adjust([c.p for c in reg.coefficients]))
    assert all(t.cramers_v is None or 0 <= t.cramers_v <= 1 for t in tab.tests)


def test_separation_is_reported_not_hidden() -> None:
    y = [True] * 10 + [False] * 10 + [True] * 5
    cols = {"x": ["a"] * 10 + ["b"] * 10 + ["c"] * 5}
    reg = logistic(y, cols, {"x": ["a", "b", "c"]})
    assert "not estimable" in reg.note or "separation" in reg.note
    flat = logistic([True] * 5, {"x": ["a"] * 5}, {"x": ["a"]})
    assert flat.note.startswith("not estimable") and flat.coefficients == []


def test_csv_xlsx_and_errors(gold_db: Path, tmp_path: Path) -> None:
    with Store.open(gold_db) as store:
        tab = characteristics_table(store.conn, theme="planning", by=["rosh"], coder="ann",
                                    adjustment="bh")
        with pytest.raises(ThemecodeError, match="no live theme 'nope'"):
            characteristics_table(store.conn, theme="nope")
        with pytest.raises(ThemecodeError, match="exactly one"):
            characteristics_table(store.conn)
    assert tab.scope == "codings of coder ann only"
    rows = list(csv.DictReader(write_table(tab, tmp_path / "t.csv").open(encoding="utf-8")))
    assert [r["level"] for r in rows][0] == "low" and rows[0]["odds_ratio"] == "reference"
    assert int(rows[0]["N"]) == tab.rows[0].share.n
    wb = load_workbook(write_table(tab, tmp_path / "t.xlsx"))
    assert wb.active.cell(1, 1).value == "item" and "notes" in wb.sheetnames
    with pytest.raises(ThemecodeError, match=".csv or .xlsx"):
        write_table(tab, tmp_path / "t.txt")


def test_cli_tables_and_prevalence(gold_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "da.xlsx"
    res = runner.invoke(main, ["tables", str(gold_db), "--code", "domestic_abuse_checks",
                               "--by", "rosh", "--by", "sex", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and "Logistic regression (forced entry of rosh, sex)" in res.output
    assert "Holm-adjusted" in res.output and "Cramér's V" in res.output
    res = runner.invoke(main, ["tables", str(gold_db), "--theme", "planning", "--json"])
    data = json.loads(res.output)
    assert data["by"][0] == "age_group" and data["regression"]["n_cases"] > 0
    res = runner.invoke(main, ["prevalence", str(gold_db), "--themes", "--by", "rosh", "--json"])
    data = json.loads(res.output)
    assert data["levels"][:3] == ["low", "medium", "high/very high"] and len(data["items"]) == 5
    res = runner.invoke(main, ["tables", str(gold_db), "--code", "domestic_abuse_checks", "--by", "x"])
    assert res.exit_code != 0 and "No case has a metadata column 'x'" in res.output
