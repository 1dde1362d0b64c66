"""The lead's HTML report: self-contained, every section present, statistics that can be checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from export_helpers import build_coded_project

from themecode.report.render import (
    cooccurrence,
    gather,
    render_report,
    write_report,
)
from themecode.report.statistics import code_prevalence_table
from themecode.store import Store


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, _ = build_coded_project(tmp_path_factory.mktemp("report"), n_cases=60, fraction=0.5,
                                plant=False)
    return db


def test_report_is_self_contained_with_every_section(coded: Path, tmp_path: Path) -> None:
    with Store.open(coded) as store:
        out = write_report(store, tmp_path / "r.html", actor="lead")
        assert store.events(action="report")[-1].payload["path"] == str(out)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # No resource is fetched from anywhere: no src/href to http(s), no external CSS/JS/fonts.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(?!#)", page)
    assert "<!DOCTYPE svg" not in page and "<?xml" not in page
    for sid in ("sample", "saturation", "saturation-by", "frequencies", "prevalence", "tables",
                "cooccurrence", "agreement", "suggester", "methods"):
        assert f"<section id='{sid}'>" in page
    assert page.count("<svg") >= 3  # saturation curves, frequencies, co-occurrence heatmap
    assert "Cohen" in page and "Krippendorff" in page  # ann and ben coded the same commentaries
    assert "Not evaluated yet" in page  # no model, no decided suggestions: says so plainly
    assert "χ²" in page and "pooled codings" in page and "Holm" in page
    saturation = page[page.index("<section id='saturation'>"):page.index("<section id='frequencies'>")]
    by = page[page.index("<section id='saturation-by'>"):page.index("<section id='frequencies'>")]
    assert "Too small to judge" in by and "saturation point (themecode" in by
    for figure in ("Chao2 estimate", "95% interval", "Q1/T", "Sample coverage", "Guest et al. sensitivity grid",
                   "6+3", "Prevalence floor: with", "meaning saturation"):
        assert figure in saturation, figure


def test_code_prevalence_chi_square_matches_scipy_with_holm_and_cramers_v(coded: Path) -> None:
    """The report's chi-square tests are at code level now, Holm-adjusted across the table,
    with Cramér's V; recounted here by hand from the coded cases."""
    import math

    from scipy.stats import chi2_contingency
    from statsmodels.stats.multitest import multipletests

    from themecode.sample.levels import case_codes, case_metadata

    with Store.open(coded) as store:
        tab = code_prevalence_table(store, "rosh")
        cases = case_codes(store.conn)
        meta = case_metadata(store.conn)
    assert tab is not None and tab["n_cases"] == len(cases)
    assert tab["values"][:2] == ["low", "medium"]
    row = next(r for r in tab["rows"] if r["test"].p is not None)
    table = []
    for v in [v for v in tab["values"] if v != "unknown"]:
        in_v = [c for c in cases if (meta[c].get("rosh") or "unknown") == v]
        yes = sum(1 for c in in_v if row["code"] in cases[c])
        assert row["counts"][v] == yes
        table.append([yes, len(in_v) - yes])
    chi2, p, dof, _ = chi2_contingency([r for r in table if sum(r)], correction=False)
    t = row["test"]
    assert t.chi2 == pytest.approx(chi2) and t.p == pytest.approx(p) and t.dof == dof
    assert t.cramers_v == pytest.approx(math.sqrt(chi2 / sum(map(sum, table))))
    tested = [r["test"].p for r in tab["rows"] if r["test"].p is not None]
    holm = multipletests(tested, method="holm")[1]
    assert [r["test"].p_adjusted for r in tab["rows"] if r["test"].p is not None] == pytest.approx(list(holm))


def test_report_for_one_coder_says_whose_codings(coded: Path, tmp_path: Path) -> None:
    with Store.open(coded) as store:
        coder = sorted(store.coders())[0]
        page = render_report(store, coder=coder)
    assert f"codings of coder {coder} only" in page and "pooled codings" not in page
    # the line under each pooled section's heading names the one coder too
    assert "Whose codings: Pooled" not in page
    assert page.count(f"Whose codings: Codings of coder {coder} only") == 4
    for sid in ("tables", "methods"):
        assert f"<section id='{sid}'>" in page
    assert "Gwet's AC1" in page and "Cramér's V" in page and "odds ratio" in page


def test_cooccurrence_counts(coded: Path) -> None:
    with Store.open(coded) as store:
        facts = gather(store)
    labels, matrix, pairs = cooccurrence(facts)
    a, b = labels[0], labels[1]
    both = sum(1 for codes in facts.case_codes.values() if a in codes and b in codes)
    assert matrix[0][1] == matrix[1][0] == both
    assert matrix[0][0] == sum(1 for codes in facts.case_codes.values() if a in codes)
    assert all(0 < j <= 1 for *_, j in pairs)


def test_report_on_an_uncoded_project(make_project, tmp_path: Path) -> None:
    db = make_project(12)
    with Store.open(db) as store:
        page = render_report(store)
    assert "No coded cases yet" in page and "Agreement needs at least two coders" in page
    assert "Not evaluated yet" in page


def test_suggester_metrics_shown_when_stored(coded: Path, tmp_path: Path) -> None:
    import json

    with Store.open(coded) as store:
        with store.write():
            store.conn.execute(
                "INSERT INTO models(created_at, kind, codebook_hash, versions, n_documents, "
                "n_codings, metrics) VALUES ('2026-01-01T00:00:00Z', 'tfidf-logreg', 'h', '{}', "
                "10, 20, ?)", (json.dumps({"micro_f1": 0.6125, "recall_at_5": 0.9}),))
        try:
            page = render_report(store)
        finally:
            with store.write():
                store.conn.execute("DELETE FROM models")
    assert "micro_f1" in page and "0.613" in page and "Not evaluated yet" not in page


def test_suggester_quality_from_out_of_fold_confusions(coded: Path) -> None:
    import json

    from themecode.report.render import oof_quality

    oof = {"workload": {"document": {"tp": 8, "fp": 2, "fn": 4, "tn": 50}},
           "home_visits": {"document": {"tp": 2, "fp": 0, "fn": 0, "tn": 60}}}
    rows, micro = oof_quality(oof)
    assert [r["code"] for r in rows] == ["home_visits", "workload"]
    assert rows[1]["precision"] == pytest.approx(0.8) and rows[1]["recall"] == pytest.approx(8 / 12)
    assert micro["f1"] == pytest.approx(2 * 10 / (2 * 10 + 2 + 4))
    with Store.open(coded) as store:
        with store.write():
            store.conn.execute(
                "INSERT INTO models(created_at, kind, codebook_hash, versions, n_documents, "
                "n_codings, metrics) VALUES ('2026-01-01T00:00:00Z', 'm', 'h', '{}', 10, 20, ?)",
                (json.dumps({"oof": oof}),))
        try:
            page = render_report(store)
        finally:
            with store.write():
                store.conn.execute("DELETE FROM models")
    assert "Workload and staffing pressure" in page and "0.769" in page  # micro F1 20/26
