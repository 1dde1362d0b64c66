"""Themed-extract exports: every format opened with its own reader, filters, redaction, injection."""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from export_helpers import PLANTED_SECRETS, build_coded_project

from themecode.errors import ExportError
from themecode.export.extracts import ExportOptions, collect_extracts, export_extracts
from themecode.export.redaction import RedactedText, side_report_path
from themecode.export.tables import neutralise
from themecode.store import Store


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A 40-case project, sample coded by ann (and ben on half), details planted."""
    return build_coded_project(tmp_path_factory.mktemp("coded"))


def _export(db: Path, fmt: str, out: Path, **kw: object) -> object:
    opts = kw.pop("options", None)
    with Store.open(db) as store:
        return export_extracts(store, fmt, out, opts, actor="tester", **kw)  # type: ignore[arg-type]


def _all_text(paths: list[Path]) -> str:
    """Everything a reader sees in the exported files."""
    out = []
    for p in paths:
        if p.suffix == ".xlsx":
            from openpyxl import load_workbook

            wb = load_workbook(p, read_only=True)
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    out.extend(str(v) for v in row if v is not None)
        elif p.suffix == ".docx":
            import docx

            d = docx.Document(str(p))
            out.extend(par.text for par in d.paragraphs)
            out.extend(c.text for t in d.tables for r in t.rows for c in r.cells)
        else:
            out.append(p.read_text(encoding="utf-8-sig"))
    return "\n".join(out)


FORMATS = [("md", "x.md"), ("html", "x.html"), ("json", "x.json"), ("csv", "x.csv"),
           ("xlsx", "x.xlsx"), ("docx", "x.docx"), ("presence", "p.csv")]


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_redaction_on_by_default_in_every_format(coded, tmp_path: Path, fmt: str, name: str) -> None:
    db, planted = coded
    res = _export(db, fmt, tmp_path / name)
    assert res.redacted
    text = _all_text(list(res.paths))
    for secret in PLANTED_SECRETS:
        assert secret not in text, (fmt, secret)
    if fmt == "presence":  # ids and 0/1 only: nothing to redact, so no side report
        assert res.side_report is None
        return
    side = side_report_path(tmp_path / name)
    assert res.side_report == side
    report = side.read_text(encoding="utf-8")
    for secret in ("Hollingworth", "07700 900123", "Kettleworth"):
        assert secret in report  # the side report shows a human what was taken out
    assert oct(side.stat().st_mode & 0o777) == "0o600"
    if fmt in ("md", "html", "json", "csv", "xlsx"):
        assert "[NAME]" in text and "[PHONE]" in text and "[EMAIL]" in text


def test_csv_is_flat_and_readable(coded, tmp_path: Path) -> None:
    db, planted = coded
    res = _export(db, "csv", tmp_path / "x.csv")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == res.n_extracts > 50
    first = rows[0]
    for col in ("theme_id", "theme", "code_id", "code", "coder", "case_id", "document_id",
                "stage", "judgement", "extract", "context", "pdu", "rosh"):
        assert col in first
    with Store.open(db) as store:
        spans = store.conn.execute(
            'SELECT count(DISTINCT code_id || "|" || document_id || "|" || start || "|" || "end") '
            "FROM codings WHERE deleted = 0").fetchone()[0]
        doc = store.document(rows[5]["document_id"])
    assert len(rows) == spans  # one row per coded span, whoever coded it
    # The context contains the extract; the extract is a span of the (unredacted) text.
    assert all(r["extract"] in r["context"] for r in rows)
    r = rows[5]
    assert doc.text[int(r["start"]) : int(r["end"])] == r["extract"]


def test_formula_injection_neutralised_in_csv_and_xlsx(coded, tmp_path: Path) -> None:
    db, planted = coded
    _export(db, "csv", tmp_path / "x.csv")
    _export(db, "xlsx", tmp_path / "x.xlsx")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["document_id"] == planted["formula"]]
    assert rows and all(r["extract"].startswith("'=HYPERLINK") for r in rows)
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "x.xlsx")["extracts"]
    cells = [c for row in ws.iter_rows() for c in row if "HYPERLINK" in str(c.value or "")]
    assert cells
    # a string cell is never a formula, so it shows the text as written (no visible ')
    assert all(c.data_type == "s" and str(c.value).startswith("=") for c in cells)
    import zipfile

    sheet = zipfile.ZipFile(tmp_path / "x.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "=HYPERLINK" in sheet
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("ordinary") == "ordinary"
    assert neutralise(-3) == -3


def test_xlsx_sheets(coded, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db, _ = coded
    res = _export(db, "xlsx", tmp_path / "x.xlsx")
    wb = load_workbook(tmp_path / "x.xlsx", read_only=True)
    assert wb.sheetnames == ["extracts", "codes", "about"]
    assert len(list(wb["extracts"].iter_rows(values_only=True))) == res.n_extracts + 1
    codes = list(wb["codes"].iter_rows(values_only=True))
    assert codes[0][:4] == ("theme_id", "theme", "code_id", "code")


def test_json_structure_and_prevalence(coded, tmp_path: Path) -> None:
    db, _ = coded
    _export(db, "json", tmp_path / "x.json")
    data = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert data["redacted"] is True
    assert data["denominators"]["sampled_cases"] == 10  # 25% of 40 cases
    assert data["denominators"]["coded_cases"] == 10  # all of them coded
    code = data["themes"][0]["codes"][0]
    assert code["id"] == "risk_identification"
    ext = code["extracts"]
    assert code["prevalence"]["commentaries"] == len({e["document_id"] for e in ext})
    assert code["prevalence"]["cases"] == len({e["case_id"] for e in ext})
    assert {"text", "context_before", "context_after", "case_id", "stage", "judgement",
            "coder", "metadata"} <= set(ext[0])


def test_markdown_and_html_readable(coded, tmp_path: Path) -> None:
    db, _ = coded
    _export(db, "md", tmp_path / "x.md")
    _export(db, "html", tmp_path / "x.html")
    md = (tmp_path / "x.md").read_text(encoding="utf-8")
    assert "## Assessment" in md and "*Prevalence:*" in md and "> —" in md
    page = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<mark>" in page
    assert "http://evil" not in page.replace("&quot;http://evil", "")  # escaped, not a link
    assert "<script" not in page


def test_docx_chapter_quotes_vary(coded, tmp_path: Path) -> None:
    import docx

    db, _ = coded
    _export(db, "docx", tmp_path / "x.docx")
    d = docx.Document(str(tmp_path / "x.docx"))
    heads = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert heads[:2] == ["Assessment", "Planning"]
    quotes = [p for p in d.paragraphs if p.style.name == "Quote"]
    assert quotes
    assert zipfile.ZipFile(tmp_path / "x.docx").testzip() is None


def test_docx_choose_quotes_rule(coded) -> None:
    from themecode.export.docx import choose_quotes

    db, _ = coded
    with Store.open(db) as store:
        data = collect_extracts(store)
    section = next(s for s in data.sections() if len(s.extracts) > 6)
    quotes = choose_quotes(section, 3)
    assert len(quotes) == 3
    assert len({q.case_id for q in quotes}) == 3  # never two quotes from one case when avoidable
    pdus = {str(e.metadata.get("pdu")) for e in section.extracts}
    assert len({q.metadata.get("pdu") for q in quotes}) == min(3, len(pdus))


def test_presence_tables(coded, tmp_path: Path) -> None:
    db, _ = coded
    res = _export(db, "presence", tmp_path / "p.csv")
    docs, cases = res.paths
    with docs.open(encoding="utf-8-sig", newline="") as fh:
        drows = list(csv.DictReader(fh))
    with cases.open(encoding="utf-8-sig", newline="") as fh:
        crows = list(csv.DictReader(fh))
    assert len(drows) == 40 and len(crows) == 10  # every sampled commentary and case, coded or not
    with Store.open(db) as store:
        pairs = {(c.document_id, c.code_id) for c in store.codings()}
    for r in drows:
        for code, v in r.items():
            if code not in ("document_id", "case_id", "stage"):
                assert v == str(int((r["document_id"], code) in pairs))
    by_case = {r["case_id"]: r for r in crows}
    for r in drows:
        for code, v in r.items():
            if v == "1" and code not in ("document_id", "case_id", "stage"):
                assert by_case[r["case_id"]][code] == "1"
    res = _export(db, "presence", tmp_path / "p.xlsx")
    from openpyxl import load_workbook

    assert load_workbook(res.paths[0]).sheetnames == ["commentaries", "cases"]


def test_filters(coded) -> None:
    db, _ = coded
    with Store.open(db) as store:
        only = collect_extracts(store, ExportOptions(codes=("contingency_planning",)))
        assert {e.code_id for e in only.extracts()} == {"contingency_planning"}
        theme = collect_extracts(store, ExportOptions(themes=("assessment",)))
        parents = {store.code(e.code_id).parent for e in theme.extracts()}
        assert parents == {"assessment"}
        ben = collect_extracts(store, ExportOptions(coder="ben"))
        assert {e.coder for e in ben.extracts()} == {"ben"}
        where = collect_extracts(store, ExportOptions(where=(("pdu", "Gwent"), ("stage", "planning"))))
        assert where.extracts()
        assert {(e.metadata["pdu"], e.stage) for e in where.extracts()} == {("Gwent", "planning")}
        assert where.n_documents < only.n_documents
        both = collect_extracts(store, ExportOptions(where=(("pdu", "Gwent"), ("pdu", "Dorset"))))
        assert {e.metadata["pdu"] for e in both.extracts()} == {"Gwent", "Dorset"}
        with pytest.raises(ExportError, match="pdux"):
            collect_extracts(store, ExportOptions(where=(("pdux", "Gwent"),)))
        with pytest.raises(ExportError, match="nosuch"):
            collect_extracts(store, ExportOptions(codes=("nosuch",)))


def test_machine_codings_only_when_asked_and_labelled(coded, tmp_path: Path) -> None:
    db, _ = coded
    with Store.open(db) as store:
        doc = store.conn.execute("SELECT id FROM documents ORDER BY id DESC LIMIT 1").fetchone()[0]
        with store.write():
            store.conn.execute(
                "INSERT INTO machine_codings(document_id, code_id, score, model_id, created_at) "
                "VALUES (?, 'workload', 0.91, NULL, 'now')", (doc,))
        try:
            plain = collect_extracts(store)
            assert all(e.source == "human" for e in plain.extracts())
            with_m = collect_extracts(store, ExportOptions(include_machine=True))
            machine = [e for e in with_m.extracts() if e.source == "machine"]
            assert len(machine) == 1 and machine[0].coder.startswith("machine")
            _export(db, "md", tmp_path / "m.md", options=ExportOptions(include_machine=True))
            assert "MACHINE-CODED" in (tmp_path / "m.md").read_text(encoding="utf-8")
        finally:
            with store.write():
                store.conn.execute("DELETE FROM machine_codings")


def test_no_redact_needs_confirmation_and_is_logged(coded, tmp_path: Path) -> None:
    db, _ = coded
    with pytest.raises(ExportError, match="confirmation"):
        _export(db, "csv", tmp_path / "u.csv", redact=False)
    assert not (tmp_path / "u.csv").exists()
    res = _export(db, "csv", tmp_path / "u.csv", redact=False, confirmed_unredacted=True)
    assert not res.redacted and res.side_report is None
    assert "Hollingworth" in (tmp_path / "u.csv").read_text(encoding="utf-8-sig")
    with Store.open(db) as store:
        ev = store.events(action="export_unredacted")
        assert ev and ev[-1].coder == "tester" and ev[-1].payload["redacted"] is False
        exports = store.events(action="export")
        assert exports[-1].payload["path"] == str(tmp_path / "u.csv")


def test_every_export_is_an_event(coded, tmp_path: Path) -> None:
    db, _ = coded
    with Store.open(db) as store:
        before = len(store.events(action="export"))
    _export(db, "json", tmp_path / "e.json", options=ExportOptions(codes=("workload",)))
    with Store.open(db) as store:
        evs = store.events(action="export")
    assert len(evs) == before + 1
    assert evs[-1].payload["options"]["codes"] == ["workload"]
    assert evs[-1].payload["redacted"] is True


def test_errors_for_people(coded, tmp_path: Path) -> None:
    db, _ = coded
    with pytest.raises(ExportError, match="format"):
        _export(db, "pdf", tmp_path / "x.pdf")
    with pytest.raises(ExportError, match="does not exist"):
        _export(db, "csv", tmp_path / "missing" / "x.csv")


def test_redacted_text_offset_mapping() -> None:
    text = "Mr Smith met Jo Bloggs on 3 May 2022 at home."
    red = RedactedText.build(text, [(3, 8, "NAME", "Smith"), (13, 22, "NAME", "Jo Bloggs"),
                                    (26, 36, "DATE", "3 May 2022")])
    assert red.text == "Mr [NAME] met [NAME] on [DATE] at home."
    assert red.slice(0, 2) == "Mr"
    assert red.slice(9, 12) == "met"
    assert red.slice(4, 6) == "[NAME]"  # a range inside a name keeps the whole placeholder
    assert red.slice(0, len(text)) == red.text
    assert red.slice(37, 44) == "at home"
    ident = RedactedText.identity("abc")
    assert ident.slice(1, 2) == "b"


@pytest.mark.parametrize("n_sent", [1, 3])
def test_context_sentences(coded, n_sent: int, make_project: Callable[..., Path]) -> None:
    db, _ = coded
    with Store.open(db) as store:
        data = collect_extracts(store, ExportOptions(context=n_sent, codes=("workload",)))
        for e in data.extracts()[:20]:
            doc = store.document(e.document_id)
            ctx = e.context.replace("… ", "").replace(" …", "")
            assert ctx in doc.text
            assert e.text in ctx


def test_corpus_prevalence_estimate_from_autocode(coded, tmp_path: Path) -> None:
    db, _ = coded
    stored = {"at": "2026-01-01T00:00:00Z", "model_id": 1, "prevalence": {
        "workload": {"code_id": "workload", "estimate": 0.271, "low": 0.25, "high": 0.29,
                     "method": "adjusted"}}}
    with Store.open(db) as store:
        store.set_meta("prevalence", json.dumps(stored))
        try:
            data = collect_extracts(store, ExportOptions(codes=("workload",)))
        finally:
            with store.write():
                store.conn.execute("DELETE FROM meta WHERE key = 'prevalence'")
    section = data.sections()[0]
    assert section.corpus_estimate["estimate"] == 0.271
    assert "27% of all cases (95% interval 25–29%)" in section.prevalence_line(data)


@pytest.mark.slow
@pytest.mark.skipif(not (__import__("shutil").which("soffice")), reason="LibreOffice not installed")
def test_docx_opens_in_libreoffice(coded, tmp_path: Path) -> None:
    import subprocess

    db, _ = coded
    _export(db, "docx", tmp_path / "chapter.docx")
    proc = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "chapter.docx")],
        capture_output=True, text=True, timeout=180, check=False,
    )
    pdf = tmp_path / "chapter.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000
    # The streaming XLSX writer's workbook loads in Calc too (when Calc is installed).
    res = _export(db, "xlsx", tmp_path / "x.xlsx")
    proc = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", "csv", "--outdir", str(tmp_path / "lo"), str(tmp_path / "x.xlsx")],
        capture_output=True, text=True, timeout=180, check=False,
    )
    if "could not be loaded" in proc.stdout + proc.stderr and not (tmp_path / "lo").exists():
        pytest.skip("LibreOffice Calc is not installed")
    rows = (tmp_path / "lo" / "x.csv").read_text(encoding="utf-8", errors="replace").splitlines()
    assert rows[0].startswith("theme_id,theme,code_id") and len(rows) > res.n_extracts


def test_metadata_columns_seed_the_redactor(tmp_path: Path) -> None:
    from themecode.export.redaction import project_terms
    from themecode.store import now

    store = Store.create(tmp_path / "m.db")
    with store.write():
        store.conn.execute(
            "INSERT INTO cases(id, metadata, created_at) VALUES ('K1', ?, ?)",
            (json.dumps({"pdu": "Gwent", "officer_name": "Oswin Fairweather-Lamb",
                         "home_town": "Little Snoring"}), now()))
    names, places, keep = project_terms(store)
    assert names == ["Oswin Fairweather-Lamb"] and places == ["Little Snoring"]
    assert "Gwent" in keep and "Oswin Fairweather-Lamb" not in keep


def test_coding_memos_are_redacted(coded, tmp_path: Path) -> None:
    db, _ = coded
    with Store.open(db) as store:
        c = store.codings(coder="ann")[0]
        with store.write():
            store.conn.execute("UPDATE codings SET memo = ? WHERE id = ?",
                               ("Ask Mr Hollingworth on 07700 900123 about this.", c.id))
        try:
            res = export_extracts(store, "json", tmp_path / "m.json", actor="t")
        finally:
            with store.write():
                store.conn.execute("UPDATE codings SET memo = NULL WHERE id = ?", (c.id,))
    text = (tmp_path / "m.json").read_text(encoding="utf-8")
    assert "Hollingworth" not in text and "07700 900123" not in text and "Ask Mr [NAME]" in text
    assert "coding memo" in res.side_report.read_text(encoding="utf-8")
