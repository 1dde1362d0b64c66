"""Saturation per subgroup: strata in natural order, the project's coding order kept within each,
small strata flagged, the CLI's --by table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from themecode.cli import main
from themecode.errors import ThemecodeError
from themecode.saturation.analysis import SaturationConfig
from themecode.saturation.data import load_units
from themecode.saturation.subgroups import analyse_subgroups
from themecode.store import Store


@pytest.fixture
def project(gold_db: Path) -> Path:
    return gold_db


def test_strata_partition_the_units_in_coding_order(project: Path) -> None:
    units, _ = load_units(project, unit="case")
    with Store.open(project) as store:
        rosh = {c: json.loads(m)["rosh"] for c, m in store.conn.execute("SELECT id, metadata FROM cases")}
    strata = analyse_subgroups(project, "rosh")
    assert [s.value for s in strata][:3] == ["low", "medium", "high/very high"]
    assert sum(s.n_units for s in strata) == len(units)
    for s in strata:
        expected = [u.unit_id for u in units if (rosh[u.unit_id] or "unknown") == s.value]
        assert s.levels["code"].unit_ids == expected  # the project's order, filtered
        assert s.too_small == (s.n_units < SaturationConfig().confirm_run)
    assert any(s.too_small for s in strata) and "too small to judge" in next(
        s for s in strata if s.too_small).note(SaturationConfig())


def test_cli_by_column_and_unknown_column(project: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["saturation", str(project), "--by", "case_type", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [s["value"] for s in data["strata"]][:2] == ["community", "post-custody"]
    assert all("saturated_at" in s["levels"]["code"] for s in data["strata"])
    res = runner.invoke(main, ["saturation", str(project), "--by", "shoe_size"])
    assert res.exit_code != 0 and "No case has a metadata column 'shoe_size'" in res.output
    assert "rosh" in res.output  # the hint names the columns there are
    with pytest.raises(ThemecodeError):
        analyse_subgroups(project, "shoe_size")
