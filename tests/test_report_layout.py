"""How the lead's report reads: contents and anchors, A4 print page, whose codings each section
counts, code-level prevalence with an "unknown" row in natural order, agreement sorted and flagged,
a plain saturation summary, titled plots, unthemed codes not counted as a theme."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from export_helpers import build_coded_project

from themecode.codebook import create_code
from themecode.report.layout import no_minus_zero
from themecode.report.render import gather, render_report
from themecode.report.statistics import code_prevalence_table
from themecode.sample.levels import case_codes, natural_order
from themecode.store import Store


@pytest.fixture(scope="module")
def page_and_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    db, _ = build_coded_project(tmp_path_factory.mktemp("layout"), n_cases=40, fraction=0.5,
                                plant=False)
    with Store.open(db) as store:
        coded = sorted({r[0] for r in store.conn.execute(
            "SELECT d.case_id FROM codings c JOIN documents d ON d.id = c.document_id")})
        meta = json.loads(store.conn.execute(
            "SELECT metadata FROM cases WHERE id = ?", (coded[0],)).fetchone()[0])
        meta.pop("rosh", None)  # one coded case without a RoSH level
        with store.write():
            store.conn.execute("UPDATE cases SET metadata = ? WHERE id = ?",
                               (json.dumps(meta), coded[0]))
        create_code(store, "loose_end", "Loose end", coder="lead", definition="No theme.")
        doc = store.case(coded[1]).document_ids[0]
        store.add_coding(doc, None, None, "loose_end", "ann")
        page = render_report(store)
    return page, db


def test_contents_anchors_and_print_page(page_and_db: tuple[str, Path]) -> None:
    page, _ = page_and_db
    toc = page[page.index("<nav class='toc'"):page.index("</nav>")]
    for sid in ("sample", "saturation", "frequencies", "prevalence", "cooccurrence",
                "agreement", "suggester"):
        assert f"href='#{sid}'" in toc and f"<section id='{sid}'>" in page
    subs = re.findall(r"href='#([a-z]+-\d+)'", toc)
    assert subs and all(f"<h3 id='{a}'>" in page for a in subs)
    assert "<h2>1. Sample and progress</h2>" in page
    assert "@page{size:A4" in page and "@media print" in page


def test_each_section_says_whose_codings_it_counts(page_and_db: tuple[str, Path]) -> None:
    page, _ = page_and_db
    for sid in ("frequencies", "prevalence", "cooccurrence", "saturation", "agreement"):
        section = page[page.index(f"<section id='{sid}'>"):]
        section = section[:section.index("</section>")]
        assert "Whose codings:" in section, sid
    assert "Pooled" in page and "Each coder's own codings" in page


def test_unthemed_codes_are_not_a_theme(page_and_db: tuple[str, Path]) -> None:
    page, _ = page_and_db
    freq = page[page.index("<section id='frequencies'>"):page.index("<section id='prevalence'>")]
    row = freq[freq.index("Codes without a theme"):]
    row = row[:row.index("</tr>")]
    assert "not counted as one" in row and not re.search(r"<b>\d+</b>", row)
    assert "Loose end" in freq


def test_code_prevalence_unknown_row_and_natural_order(page_and_db: tuple[str, Path]) -> None:
    page, db = page_and_db
    assert natural_order(["high/very high", "unknown", "low", "medium"]) == [
        "low", "medium", "high/very high", "unknown"]
    assert natural_order(["post-custody", "community"]) == ["community", "post-custody"]
    with Store.open(db) as store:
        facts = gather(store)
        tab = code_prevalence_table(store, "rosh")
        coded = case_codes(store.conn)
    assert tab is not None
    assert tab["values"] == ["low", "medium", "high/very high", "unknown"]
    assert tab["n"]["unknown"] == 1 and sum(tab["n"].values()) == len(coded)
    code = tab["rows"][0]
    cases = [c for c in coded if code["code"] in coded[c]]
    assert sum(code["counts"].values()) == len(cases)
    assert {r["code"] for r in tab["rows"]} == {c.id for c in facts.codes}
    prev = page[page.index("<section id='prevalence'>"):page.index("<section id='cooccurrence'>")]
    assert "<td class='l'>N (coded cases)</td>" in prev
    rosh = prev[prev.index("Risk of serious harm (RoSH)</h3>"):]  # after the overall table
    head = rosh[rosh.index("<thead>"):rosh.index("</thead>")]
    assert head.index(">low<") < head.index(">medium<") < head.index(">high/very high<") \
        < head.index(">unknown<")
    assert "Codes without a theme" in prev


def test_agreement_sorted_flagged_and_explained(page_and_db: tuple[str, Path]) -> None:
    page, db = page_and_db
    agree = page[page.index("<section id='agreement'>"):page.index("<section id='suggester'>")]
    assert "-0.000" not in agree
    assert "kappa paradox" in agree
    with Store.open(db) as store:
        order = [c.label for t in store.codes(kind="theme") for c in sorted(
            store.codes(kind="code"), key=lambda c: c.label.lower()) if c.parent == t.id]
    table = agree[agree.index("<tbody>"):agree.index("</tbody>")]
    shown = [re.sub("<[^>]+>", "", m) for m in re.findall(r"<tr><td class='l'>(.*?)</td>", table)]
    shown = [s for s in shown if not s.startswith("overall")]
    ranks = [order.index(s) for s in shown if s in order]
    assert ranks == sorted(ranks) and len(ranks) >= 3
    kappas = re.findall(r"<span class='flag'>(-?[\d.]+) low</span>", table)
    assert all(float(k) < 0.4 for k in kappas)
    assert no_minus_zero("-0.000") == "0.000" and no_minus_zero("-0.120") == "-0.120"


def test_plain_saturation_plots_and_pointers(page_and_db: tuple[str, Path]) -> None:
    page, _ = page_and_db
    sat = page[page.index("<section id='saturation'>"):page.index("<section id='frequencies'>")]
    assert re.search(r"<p class='plain'>\d+ cases have been coded and \d+ codes seen\.", sat)
    assert "In short:" in sat
    svgs = re.findall(r"<svg\b[^>]*>", page)
    assert len(svgs) >= 3 and all('role="img"' in s and "aria-label=" in s for s in svgs)
    assert page.count("<title>") >= len(svgs) + 1  # the page's and each plot's
    assert "themecode autocode PROJECT" in page  # "not evaluated yet" names what fills it


def test_a_small_share_is_not_printed_as_zero_percent() -> None:
    from themecode.report.html import pct

    assert pct(2, 437) == "under 1%"  # 0.46% would round to "0%", which reads as none
    assert pct(0, 437) == "0%" and pct(3, 437) == "1%" and pct(1, 0) == "–"


def test_prevalence_tests_by_characteristic_are_holm_adjusted(page_and_db: tuple[str, Path]) -> None:
    page, _db = page_and_db
    prev = page[page.index("<section id='prevalence'>"):page.index("<section id='tables'>")]
    assert "p (Holm)" in prev and "Holm-adjusted" in prev and "no correction" not in prev
    for row in re.findall(r"<tr>(.*?)</tr>", prev):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        if len(cells) < 2:
            continue
        raw, adj = (re.sub(r"<[^>]+>|\*", "", c) for c in cells[-2:])
        if raw.replace(".", "").isdigit() and adj.replace(".", "").isdigit():
            assert float(adj) >= float(raw)  # an adjusted p is never below the raw one


def test_one_prevalence_and_one_agreement_section(page_and_db: tuple[str, Path]) -> None:
    """Each figure once: the prevalence section carries both the intervals and the tests by
    characteristic (N row, theme groups, Cramér's V, raw and Holm p), the agreement section
    both the sorted, flagged kappa and AC1, specific agreement and intervals."""
    from html import unescape

    page, _ = page_and_db
    assert "id='prevalence-intervals'" not in page and "id='agreement-coefficients'" not in page
    prev = unescape(page[page.index("<section id='prevalence'>"):page.index("<section id='tables'>")])
    for part in ("95% interval", "N (coded cases)", "Codes without a theme", "Cramér's V",
                 ">p<", "p (Holm)", "Whose codings:"):
        assert part in prev, part
    assert prev.count("Risk of serious harm (RoSH)</h3>") == 1
    agree = unescape(page[page.index("<section id='agreement'>"):page.index("<section id='suggester'>")])
    for part in ("code (by theme)", "Cohen's kappa", "Gwet's AC1", "positive agr.",
                 "negative agr.", "bootstrap", "kappa paradox", "Whose codings:"):
        assert part in agree, part
    assert len(re.findall(r"<h3 id='[^']+'>By commentary:", page)) == 1


def test_a_wide_prevalence_table_is_split_to_print(page_and_db: tuple[str, Path],
                                                   tmp_path: Path) -> None:
    """With 12 PDUs the PDU table prints as parts of at most MAX_VALUE_COLUMNS value columns and
    a tests part; the parts together hold every value once, in order, with the same counts."""
    import shutil
    from html import unescape as html_unescape

    from themecode.report import statistics as st

    _, db = page_and_db
    copy = tmp_path / "wide.db"
    shutil.copy(db, copy)
    with Store.open(copy) as store:
        coded = case_codes(store.conn)
        with store.write():
            for i, case in enumerate(sorted(coded)):
                meta = json.loads(store.conn.execute(
                    "SELECT metadata FROM cases WHERE id = ?", (case,)).fetchone()[0])
                meta["pdu"] = f"Unit {i % 12 + 1:02d}"
                store.conn.execute("UPDATE cases SET metadata = ? WHERE id = ?",
                                   (json.dumps(meta), case))
        html = st.section_prevalence(store, None)
        tab = st.code_prevalence_table(store, "pdu")
    assert tab is not None and len(tab["values"]) == 12
    pdu = html[html.index("Probation delivery unit</h3>"):]
    heads = [re.findall(r"<th[^>]*>(.*?)</th>", h)
             for h in re.findall(r"<thead>(.*?)</thead>", pdu)]
    value_parts = [h[1:] for h in heads if "p (Holm)" not in h]
    assert len(value_parts) >= 2 and all(len(h) <= st.MAX_VALUE_COLUMNS for h in value_parts)
    assert [v for h in value_parts for v in h] == tab["values"]
    assert [html_unescape(h) for h in heads[-1]] == ["code", "χ² (df)", "Cramér's V", "p", "p (Holm)"]
    assert "part 1 of" in pdu
    first = tab["rows"][0]
    shown = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", pdu)[:len(value_parts)]:
        row = next(r for r in re.findall(r"<tr>(.*?)</tr>", body)
                   if f"&nbsp;&nbsp;{first['label']}<" in r)
        shown += [int(c.split(" ")[0]) for c in re.findall(r"<td>(.*?)</td>", row)]
    assert shown == [first["counts"][v] for v in tab["values"]]


def test_kappa_cells_flag_the_estimate_and_keep_the_interval() -> None:
    from themecode.report.agreement import _kappa_cell

    iv = "<br><span class='iv'>(0.05–0.20)</span>"
    assert _kappa_cell("0.123 (0.05–0.20)") == (f"<span class='flag'>0.123 low</span>{iv}", True)
    assert _kappa_cell("-0.000") == ("<span class='flag'>0.000 low</span>", True)
    assert _kappa_cell("0.812 (0.05–0.20)") == (f"0.812{iv}", False)
    assert _kappa_cell("—") == ("—", False)
