"""Exported documents as their readers meet them: one extract per coded span, long extracts
shortened with a note, the DOCX page set-up and quotes, the XLSX layout (widths, wrap, filter,
about sheet, properties, cut cells)."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest
from export_helpers import build_coded_project, replace_text, sampled_documents

from themecode.export.extracts import collect_extracts, export_extracts
from themecode.export.model import MAX_EXTRACT_CHARS
from themecode.store import Store

LONG_SENTENCE = "The contingency plan was not reviewed after the incident in the hostel. "
LONG_MEMO = "Whole commentary coded; the plan is missing throughout. " * 700  # > 32,767 chars


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The coded export project, plus one very long commentary coded whole by ann and ben."""
    db, _planted = build_coded_project(tmp_path_factory.mktemp("docs"))
    with Store.open(db) as store:
        doc_id = sampled_documents(store)[3]
        with store.write():
            store.conn.execute("UPDATE codings SET deleted = 1 WHERE document_id = ?", (doc_id,))
        text = LONG_SENTENCE * 600
        replace_text(store, doc_id, text)
        store.add_coding(doc_id, 0, len(text), "contingency_planning", "ann", memo=LONG_MEMO)
        store.add_coding(doc_id, 0, len(text), "contingency_planning", "ben")
    return db, doc_id


def _export(db: Path, fmt: str, out: Path):  # noqa: ANN202
    with Store.open(db) as store:
        return export_extracts(store, fmt, out, actor="tester")


def test_one_extract_per_coded_span(project: tuple[Path, str], tmp_path: Path) -> None:
    db, _ = project
    with Store.open(db) as store:
        spans = store.conn.execute(
            "SELECT code_id, document_id, start, \"end\", group_concat(coder) FROM codings "
            "WHERE deleted = 0 GROUP BY code_id, document_id, start, \"end\"").fetchall()
        data = collect_extracts(store)
    double = [s for s in spans if "," in s[4]]
    assert double, "the fixture has spans coded alike by two coders"
    keys = [(e.code_id, e.document_id, e.start, e.end) for e in data.extracts()]
    assert len(keys) == len(set(keys)) == len(spans)
    by_key = {(e.code_id, e.document_id, e.start, e.end): e for e in data.extracts()}
    for code, doc, s, e, who in double:
        ex = by_key[(code, doc, s, e)]
        assert sorted(ex.coders) == sorted(who.split(",")) and ex.coder == ", ".join(ex.coders)
    # every format shows it once, naming both coders
    _export(db, "csv", tmp_path / "x.csv")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(spans)
    assert any(r["coder"] == "ann, ben" for r in rows)
    _export(db, "json", tmp_path / "x.json")
    doc = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    extracts = [x for t in doc["themes"] for c in t["codes"] for x in c["extracts"]]
    assert len(extracts) == len(spans)
    assert any(x["coders"] == ["ann", "ben"] for x in extracts)
    _export(db, "md", tmp_path / "x.md")
    md = (tmp_path / "x.md").read_text(encoding="utf-8")
    assert md.count("> —") == len(spans) and "coder: ann, ben" in md


def test_long_extract_is_shortened_with_a_note_in_every_format(
    project: tuple[Path, str], tmp_path: Path
) -> None:
    db, doc_id = project
    with Store.open(db) as store:
        data = collect_extracts(store)
    long = [e for e in data.extracts() if e.document_id == doc_id]
    assert len(long) == 1 and long[0].full_chars == len(LONG_SENTENCE) * 600
    e = long[0]
    assert len(e.text) <= MAX_EXTRACT_CHARS and " […] " in e.text
    assert e.text.startswith("The contingency plan") and e.text.rstrip().endswith("hostel.")
    assert "Shortened" in e.note and f"{e.full_chars:,}" in e.note
    for fmt, name in (("md", "x.md"), ("html", "x.html"), ("json", "x.json"), ("csv", "x.csv")):
        res = _export(db, fmt, tmp_path / name)
        body = (tmp_path / name).read_text(encoding="utf-8-sig")
        assert "Shortened: the coded span has 43,200 characters" in body, fmt
        assert len(body) < 200_000, fmt  # the whole 43,200-character span is not in it
        assert any("shortened" in w for w in res.warnings)
    from openpyxl import load_workbook

    res = _export(db, "xlsx", tmp_path / "x.xlsx")
    ws = load_workbook(tmp_path / "x.xlsx")["extracts"]
    header = [c.value for c in ws[1]]
    notes = [r[header.index("note")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sum(1 for n in notes if n and n.startswith("Shortened")) == 1
    # the 39,200-character memo does not fit a cell: cut, marked, and warned about
    memos = [r[header.index("memo")] for r in ws.iter_rows(min_row=2, values_only=True)]
    cut = [m for m in memos if m and "more characters do not fit in one spreadsheet cell" in m]
    assert len(cut) == 1 and 32_700 < len(cut[0]) <= 32_767
    assert any("32,767" in w for w in res.warnings)


def test_docx_page_language_footer_and_properties(project: tuple[Path, str], tmp_path: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    db, _ = project
    _export(db, "docx", tmp_path / "x.docx")
    d = docx.Document(str(tmp_path / "x.docx"))
    for section in d.sections:
        assert abs(section.page_width.mm - 210) < 0.1 and abs(section.page_height.mm - 297) < 0.1
        assert "p.db" in section.header.paragraphs[0].text
        footer = section.footer.paragraphs[0]._p.xml
        assert "PAGE" in footer and "NUMPAGES" in footer
    lang = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"
    assert 'w:val="en-US"' not in d.styles.element.xml
    props = d.core_properties
    assert props.author == "themecode" and "python-docx" not in (props.comments or "")
    assert props.title == "Themes - p.db" and props.created.year >= 2025
    assert props.language == "en-GB"


def test_docx_quotes_distinct_agreed_and_without_coder_names(
    project: tuple[Path, str], tmp_path: Path
) -> None:
    import docx

    from themecode.export.docx import agreed, choose_quotes

    db, doc_id = project
    _export(db, "docx", tmp_path / "x.docx")
    d = docx.Document(str(tmp_path / "x.docx"))
    paras = [p for p in d.paragraphs]
    quotes = [p.text for p in paras if p.style.name == "Quote"]
    assert quotes and len(quotes) == len(set(quotes))
    attributions = [p.text for p in paras if p.text.startswith("— ")]
    coder = re.compile(r"\b(?:ann|ben|coder)\b")
    assert attributions and not any(coder.search(a) for a in attributions)
    with Store.open(db) as store:
        data = collect_extracts(store)
    for section in data.sections():
        chosen = choose_quotes(section, 3, several_coders=True)
        ok = agreed(section)
        if ok:  # two coders gave the code to the commentary: quotes come from those
            docs = {e.document_id for e in ok}
            assert all(q.document_id in docs for q in chosen)
        assert len({" ".join(q.text.split()) for q in chosen}) == len(chosen)


def test_xlsx_layout(project: tuple[Path, str], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db, _ = project
    _export(db, "xlsx", tmp_path / "x.xlsx")
    wb = load_workbook(tmp_path / "x.xlsx")
    ws = wb["extracts"]
    header = [c.value for c in ws[1]]
    col = {h: ws.cell(row=1, column=i + 1).column_letter for i, h in enumerate(header)}
    width = {h: ws.column_dimensions[col[h]].width for h in header}
    assert width["extract"] >= 50 and width["context"] >= 70
    assert 8 <= width["case_id"] <= 40 and width["extract"] > width["case_id"]
    assert ws.auto_filter.ref == f"A1:{col[header[-1]]}{ws.max_row}"
    assert ws["M2"].alignment.wrap_text if header[12] == "extract" else True
    assert all(ws.cell(row=2, column=header.index(h) + 1).alignment.wrap_text
               for h in ("extract", "context"))
    assert wb["codes"].auto_filter.ref
    about = {r[0]: r[1] for r in wb["about"].iter_rows(min_row=2, values_only=True)}
    assert about["Codes"] == "all codes" and about["Filters"] == "none"
    assert not any(str(v).startswith(("(", "[", "{")) or "()" in str(v) for v in about.values())
    assert wb.properties.title == "Themed extracts - p.db"
    assert wb.properties.creator == "themecode"
    names = zipfile.ZipFile(tmp_path / "x.xlsx").namelist()
    assert "docProps/core.xml" in names


def test_html_export_has_contents_and_anchors(project: tuple[Path, str], tmp_path: Path) -> None:
    db, _ = project
    _export(db, "html", tmp_path / "x.html")
    page = (tmp_path / "x.html").read_text(encoding="utf-8")
    toc = page[page.index("<nav class='toc'"):page.index("</nav>")]
    targets = re.findall(r"href='#([\w-]+)'", toc)
    assert "theme-0" in targets and "code-contingency_planning" in targets
    assert all(f"id='{t}'" in page for t in targets)
    assert "@page{size:A4" in page


def test_cli_tells_the_user_about_shortened_and_cut_text(
    project: tuple[Path, str], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from themecode.cli import main

    db, _ = project
    res = CliRunner().invoke(main, ["export", str(db), "--format", "xlsx", "--out",
                                    str(tmp_path / "x.xlsx")], catch_exceptions=False)
    assert res.exit_code == 0
    out = res.output
    assert "Note: 1 extract(s) longer than 1,500 characters are shown shortened" in out
    assert "Note: 1 cell(s) of x.xlsx held more than 32,767 characters" in out
