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


@pytest.fixture(scope="module")
def stratified_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 demo cases, a 25% sample stratified by RoSH, the sampled cases gold-coded and done."""
    import csv

    from themecode.project.codings import import_codings
    from themecode.project.create import init_project
    from themecode.sample.draw import draw_sample

    repo = Path(__file__).resolve().parents[1]
    d = tmp_path_factory.mktemp("strata")
    db, head = d / "strata.db", d / "head.csv"
    with (repo / "corpus" / "demo" / "commentaries.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    first = sorted({r["case_id"] for r in rows})[:200]
    with head.open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(r for r in rows if r["case_id"] in set(first))
    init_project(db, head, codebook=repo / "codebooks" / "public-protection.yaml", coder="lead")
    with Store.open(db) as store:
        draw_sample(store, 0.25, 11, stratify="rosh", coder="lead")
        docs = {r[0] for r in store.conn.execute("SELECT id FROM documents")}
        gold = d / "gold.jsonl"
        demo_gold = repo / "corpus" / "demo" / "gold-codings.jsonl"
        gold.write_text("".join(line for line in demo_gold.open(encoding="utf-8")
                                if json.loads(line)["doc_id"] in docs), encoding="utf-8")
        import_codings(store, gold, coder="gold", sample_only=True, create_codes=True,
                       mark_done=True)
    return db


def _added_by(db: Path, tmp_path: Path, column: str, value: str, n: int) -> int:
    """Cases of `column = value` that `sample --extend n` adds, run on a copy of the project."""
    import shutil

    from themecode.sample.draw import extend_sample

    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    with Store.open(copy) as store:
        before = {r.case_id for r in store.sample()}
        added = {r.case_id for r in extend_sample(store, n)} - before
        meta = {c: json.loads(m) for c, m in store.conn.execute("SELECT id, metadata FROM cases")}
    return sum((meta[c].get(column) or "unknown") == value for c in added)


def test_stratum_advice_is_a_whole_sample_extension_that_brings_its_cases(
        stratified_db: Path, tmp_path: Path) -> None:
    """A stratum's advice names the `sample --extend` the tool can run (it extends the whole
    sample, never one stratum) and that command brings the cases the stratum needs: exactly, for
    the column the sample is stratified by; about, at the stratum's share, for another column.
    Before, each stratum was told `--extend` its own need, which adds only a share of it."""
    import re

    with Store.open(stratified_db) as store:
        meta = {c: json.loads(m) for c, m in store.conn.execute("SELECT id, metadata FROM cases")}
        sampled = {r.case_id for r in store.sample()}
    pool = [c for c in meta if c not in sampled]
    for column, stratified in (("rosh", True), ("case_type", False)):
        strata = analyse_subgroups(stratified_db, column)
        advised = [s for s in strata if s.levels["code"].advice]
        assert advised, [s.levels["code"].status for s in strata]
        for s in advised:
            r = s.levels["code"]
            assert r.verdict.endswith(r.advice + ".")
            need = int(re.search(r"needs? about (\d+) more", r.advice).group(1))
            m = int(re.search(r"--extend (\d+)`", r.advice).group(1))
            assert m == r.suggested_extension
            left = sum((meta[c].get(column) or "unknown") == s.value for c in pool)
            take = min(need, left)
            assert (take < need) == (f"but only {left} are left to sample" in r.advice)
            gets = _added_by(stratified_db, tmp_path, column, s.value, m)
            if stratified:
                said = int(re.search(r"adds (\d+) of them", r.advice).group(1))
                assert "stratified by rosh" in r.advice and said == gets >= take
                assert _added_by(stratified_db, tmp_path, column, s.value, m - 1) < take
            else:
                share = left / len(pool)
                assert m == (len(pool) if take < need else -(-need * len(pool) // left))
                assert f"of which {left:,} ({share:.0%}) are {column} = {s.value}" in r.advice
                assert gets >= take / 2  # a random draw brings about `take` of them
            if m != need:
                assert f"--extend {need}`" not in r.verdict


def test_stratum_with_no_cases_left_says_so(stratified_db: Path) -> None:
    from themecode.saturation.verdict import StratumScope, stratum_advice

    text, n = stratum_advice(30, StratumScope("rosh", "low", 0, 120), "case", "p.db")
    assert n == 0 and "every rosh = low case is already in the sample" in text
    text, n = stratum_advice(30, StratumScope("rosh", "low", 12, 120), "case", "p.db")
    assert n == 120 and "only 12 are left to sample" in text and "adds about 12 of them" in text
    text, n = stratum_advice(40, StratumScope("sex", "female", 30, 150, units_per_case=4.0),
                             "commentary", "p.db")
    assert "about 40 more sex = female commentaries (about 10 cases)" in text and n == 50


def test_cli_by_prints_each_stratums_advice(stratified_db: Path) -> None:
    res = CliRunner().invoke(main, ["saturation", str(stratified_db), "--by", "rosh"],
                             terminal_width=400)
    assert res.exit_code == 0, res.output
    assert "rosh = low: this stratum needs about" in res.output
    assert "the sample is stratified by rosh" in res.output


def test_report_shows_each_stratums_advice(stratified_db: Path) -> None:
    """The lead's report's saturation-by-subgroup table carries the same advice as the CLI."""
    from themecode.report.statistics import section_saturation_by

    with Store.open(stratified_db) as store:
        html = section_saturation_by(store, None)
    assert "Next steps, stratum by stratum" in html
    assert html.count("This stratum needs about") >= 1 and "--extend" in html
