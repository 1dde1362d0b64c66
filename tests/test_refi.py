"""REFI-QDA: .qdc/.qdpx valid against the QDA-XML 1.0 schemas, redacted, and round-tripped."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from export_helpers import PLANTED_SECRETS, build_coded_project

from themecode.codebook import codebook_snapshot, create_code
from themecode.errors import CodebookError, ExportError, InputFileError
from themecode.refi.exporter import PROJECT_NS, export_qdc, export_qdpx, guid, schema_dir
from themecode.refi.importer import import_qdc, import_qdpx
from themecode.store import Store

SCHEMAS = schema_dir()


def test_schemas_ship_with_the_package() -> None:
    # The XSDs are package data (themecode/_data/refi-qda), so validation never silently skips.
    assert SCHEMAS is not None and (SCHEMAS / "Project.xsd").exists()
Q = f"{{{PROJECT_NS}}}"


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, _ = build_coded_project(tmp_path_factory.mktemp("refi"), n_cases=24)
    with Store.open(db) as store:
        c = store.codings(coder="ann")[3]
        with store.write():
            store.conn.execute("UPDATE codings SET memo = 'borderline: ask ben' WHERE id = ?",
                               (c.id,))
        store.add_memo("case", store.document(c.document_id).case_id, "ben", "Case memo.")
        store.add_memo("case", store.document(c.document_id).case_id, "ann", "Second case memo.")
        store.add_memo("document", c.document_id, "ann", "Commentary memo.")
        store.add_memo("project", "project", "ann", "Project memo.")
        # A parentless inductive code, with a memo and a coding by a second coder.
        create_code(store, "loose_end", "Loose end", coder="ben")
        store.add_memo("code", "loose_end", "ben", "Came up twice.")
        store.add_coding(c.document_id, c.start, c.end, "loose_end", "ben")
        with store.write():  # an empty value must survive the round trip
            row = store.conn.execute("SELECT id, metadata FROM documents LIMIT 1").fetchone()
            meta = {**json.loads(row[1]), "note": ""}
            store.conn.execute("UPDATE documents SET metadata = ? WHERE id = ?",
                               (json.dumps(meta, sort_keys=True), row[0]))
    return db


def _state(store: Store) -> tuple[object, ...]:
    return (
        codebook_snapshot(store),
        sorted((c.document_id, c.start, c.end, c.code_id, c.coder, c.memo)
               for c in store.codings()),
        sorted((m.target_type, m.target_id, m.coder, m.text) for m in store.memos()),
    )


def test_qdc_valid_and_round_trips(coded: Path, tmp_path: Path) -> None:
    with Store.open(coded) as store:
        export_qdc(store, tmp_path / "book.qdc", actor="lead")
        snap = codebook_snapshot(store)
    xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd")).validate(str(tmp_path / "book.qdc"))
    root = ET.parse(tmp_path / "book.qdc").getroot()
    ns = "{urn:QDA-XML:codebook:1.0}"
    themes = root.findall(f"{ns}Codes/{ns}Code")
    assert themes[0].get("name") == "Assessment" and themes[0].get("isCodable") == "false"
    first = themes[0].find(f"{ns}Code")
    assert first.get("isCodable") == "true" and first.get("guid") == guid("code", "risk_identification")
    assert "Include:" in first.find(f"{ns}Description").text
    fresh = Store.create(tmp_path / "fresh.db")
    res = import_qdc(fresh, tmp_path / "book.qdc", coder="lead")
    assert res.warnings == [] and res.codes_added == len(snap["codes"])
    assert codebook_snapshot(fresh) == snap
    again = import_qdc(fresh, tmp_path / "book.qdc", coder="lead")  # idempotent: all matched
    assert again.codes_added == 0 and again.codes_matched == len(snap["codes"])


def test_qdpx_valid_with_positions_in_code_points(coded: Path, tmp_path: Path) -> None:
    with Store.open(coded) as store:
        res = export_qdpx(store, tmp_path / "p.qdpx", actor="lead", redact=False,
                          confirmed_unredacted=True)
        n_codings = len(store.codings())
        doc = store.codings()[0].document_id
        text = store.document(doc).text
    assert res.n_codings == n_codings and not res.redacted
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        qde = zf.read("project.qde")
        xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(qde.decode("utf-8"))
        root = ET.fromstring(qde)
        src = next(s for s in root.iter(f"{Q}TextSource") if s.get("name") == doc)
        member = "sources/" + src.get("plainTextPath").removeprefix("internal://")
        assert zf.read(member).decode("utf-8") == text
    assert {u.get("name") for u in root.iter(f"{Q}User")} >= {"ann", "ben"}
    case = next(iter(root.iter(f"{Q}Case")))
    assert case.findall(f"{Q}VariableValue") and case.findall(f"{Q}SourceRef")
    assert root.find(f"{Q}Notes") is not None
    sel = src.find(f"{Q}PlainTextSelection")
    with Store.open(coded) as store:
        spans = {(c.start, c.end) for c in store.codings(document_id=doc)}
    assert (int(sel.get("startPosition")), int(sel.get("endPosition"))) in spans


def test_qdpx_positions_count_code_points_not_bytes(tmp_path: Path) -> None:
    from export_helpers import replace_text

    from themecode.codebook import create_code

    store = Store.create(tmp_path / "u.db")
    with store.write():
        store.conn.execute("INSERT INTO cases(id, metadata, created_at) VALUES ('K1', '{}', 'x')")
        store.conn.execute(
            "INSERT INTO documents(id, case_id, stage, text, content_hash, created_at) "
            "VALUES ('K1-A', 'K1', 'assessment', '', '', 'x')")
    text = "Café naïve — 😀 emoji. Then the plan."
    replace_text(store, "K1-A", text)
    create_code(store, "t", "Theme", coder="lead", kind="theme")
    create_code(store, "plan", "Plan", coder="lead", parent="t")
    s = text.index("Then")
    store.add_coding("K1-A", s, len(text), "plan", "ann")
    export_qdpx(store, tmp_path / "u.qdpx", actor="lead", redact=False, confirmed_unredacted=True)
    with zipfile.ZipFile(tmp_path / "u.qdpx") as zf:
        root = ET.fromstring(zf.read("project.qde"))
    sel = next(root.iter(f"{Q}PlainTextSelection"))
    assert int(sel.get("startPosition")) == s  # code points (UTF-8 bytes would be larger)
    assert len(text.encode("utf-8")) > len(text)


def test_qdpx_round_trip_into_fresh_project(coded: Path, tmp_path: Path) -> None:
    with Store.open(coded) as store:
        export_qdpx(store, tmp_path / "p.qdpx", actor="lead", redact=False,
                    confirmed_unredacted=True)
        before = _state(store)
        docs = store.conn.execute(
            "SELECT id, case_id, stage, text, metadata FROM documents ORDER BY id").fetchall()
        cases = store.conn.execute("SELECT id, metadata FROM cases ORDER BY id").fetchall()
    fresh = Store.create(tmp_path / "fresh.db")
    res = import_qdpx(fresh, tmp_path / "p.qdpx", coder="lead")
    assert res.warnings == []
    assert _state(fresh) == before
    assert fresh.conn.execute(
        "SELECT id, case_id, stage, text, metadata FROM documents ORDER BY id").fetchall() == docs
    assert fresh.conn.execute("SELECT id, metadata FROM cases ORDER BY id").fetchall() == cases
    assert fresh.sentences(docs[0][0])  # sentences rebuilt, so the TUI can code the import
    # Importing again adds nothing.
    again = import_qdpx(fresh, tmp_path / "p.qdpx", coder="lead")
    assert again.codings_added == 0 and again.codings_present == res.codings_added
    assert fresh.events(action="refi_import")


def test_qdpx_redacted_by_default(coded: Path, tmp_path: Path) -> None:
    with Store.open(coded) as store:
        res = export_qdpx(store, tmp_path / "r.qdpx", actor="lead")
        ann = {(c.document_id, c.start, c.end) for c in store.codings()}
        texts = {c.document_id: store.document(c.document_id).text for c in store.codings()}
    assert res.redacted and res.side_report is not None and res.side_report.exists()
    with zipfile.ZipFile(tmp_path / "r.qdpx") as zf:
        blob = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8")
        root = ET.fromstring(zf.read("project.qde"))
        for secret in PLANTED_SECRETS:
            assert secret not in blob
        assert "[NAME]" in blob
        # Selections still point at the same words (mapped onto the redacted text).
        for src in root.iter(f"{Q}TextSource"):
            red = zf.read("sources/" + src.get("plainTextPath")[11:]).decode("utf-8")
            for sel in src.findall(f"{Q}PlainTextSelection"):
                s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
                assert 0 <= s < e <= len(red)
                doc = src.get("name")
                if "[" not in red:
                    assert (doc, s, e) in ann and red[s:e] == texts[doc][s:e]


def test_unredacted_qdpx_needs_confirmation(coded: Path, tmp_path: Path) -> None:
    with Store.open(coded) as store, pytest.raises(ExportError, match="confirmation"):
        export_qdpx(store, tmp_path / "n.qdpx", actor="lead", redact=False)
    with Store.open(coded) as store:
        export_qdpx(store, tmp_path / "n.qdpx", actor="lead", redact=False, confirmed_unredacted=True)
        assert store.events(action="export_unredacted")[-1].payload["format"] == "qdpx"


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="other tool">
 <Users><User guid="11111111-1111-1111-1111-111111111111" name="Maria"/></Users>
 <CodeBook><Codes>
  <Code guid="22222222-2222-2222-2222-222222222222" name="Risk" isCodable="true">
   <Description>Anything about risk.</Description>
   <Code guid="33333333-3333-3333-3333-333333333333" name="Missed risks" isCodable="true">
    <Code guid="44444444-4444-4444-4444-444444444444" name="Weapons" isCodable="true"/>
   </Code>
  </Code>
  <Code guid="55555555-5555-5555-5555-555555555555" name="Loose code" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="66666666-6666-6666-6666-666666666666" name="doc one">
   <PlainTextContent>He carried a knife. Nobody asked why.</PlainTextContent>
   <PlainTextSelection guid="77777777-7777-7777-7777-777777777777" startPosition="0" endPosition="19">
    <Coding guid="88888888-8888-8888-8888-888888888888" creatingUser="11111111-1111-1111-1111-111111111111">
     <CodeRef targetGUID="44444444-4444-4444-4444-444444444444"/></Coding>
    <Coding guid="99999999-9999-9999-9999-999999999999" creatingUser="11111111-1111-1111-1111-111111111111">
     <CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <PictureSource guid="aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" name="photo" path="relative://p.png"/>
 </Sources>
 <Sets><Set guid="bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb" name="s"/></Sets>
</Project>
"""


def test_import_foreign_project_warns_about_what_cannot_be_carried(tmp_path: Path) -> None:
    xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(FOREIGN)
    with zipfile.ZipFile(tmp_path / "f.qdpx", "w") as zf:
        zf.writestr("project.qde", FOREIGN)
    store = Store.create(tmp_path / "f.db")
    res = import_qdpx(store, tmp_path / "f.qdpx", coder="lead")
    assert sorted(res.warnings) == sorted([
        "1 set(s) (<Sets>) are not carried: themecode has no sets",
        "1 parent code(s) with codings of their own became a theme plus a code of the same name "
        "under it",
        "1 code(s) nested deeper than theme > code were placed directly under their top-level "
        "theme",
        "1 non-text source(s) (pictures, PDFs, audio, video) are skipped: themecode codes text "
        "only",
    ])
    assert {c.id for c in store.codes(kind="code")} == {"missed_risks", "weapons", "loose_code",
                                                         "risk_2"}
    assert store.code("weapons").parent == "risk" and store.code("risk_2").parent == "risk"
    assert store.code("loose_code").parent is None  # a top-level leaf stays a code of no theme
    codings = store.codings()
    assert sorted((c.document_id, c.start, c.end, c.code_id, c.coder) for c in codings) == [
        ("doc one", 0, 19, "risk_2", "Maria"), ("doc one", 0, 19, "weapons", "Maria")]


def test_import_errors_for_people(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "e.db")
    (tmp_path / "bad.qdc").write_text("<CodeBook><Codes>", encoding="utf-8")
    with pytest.raises(InputFileError, match="well-formed"):
        import_qdc(store, tmp_path / "bad.qdc", coder="lead")
    (tmp_path / "wrong.qdc").write_text(FOREIGN, encoding="utf-8")
    with pytest.raises(CodebookError, match="not a REFI-QDA codebook"):
        import_qdc(store, tmp_path / "wrong.qdc", coder="lead")
    (tmp_path / "nozip.qdpx").write_text("hello", encoding="utf-8")
    with pytest.raises(InputFileError, match="zip"):
        import_qdpx(store, tmp_path / "nozip.qdpx", coder="lead")


def test_big_projects_validate_a_prefix_of_sources(coded: Path, tmp_path: Path, monkeypatch) -> None:
    import themecode.refi.exporter as refi

    monkeypatch.setattr(refi, "VALIDATE_MAX_SOURCES", 5)
    with Store.open(coded) as store:
        res = export_qdpx(store, tmp_path / "b.qdpx", actor="lead")
    assert res.validated_sources == 5 and res.n_sources > 5
    with zipfile.ZipFile(tmp_path / "b.qdpx") as zf:  # the file itself is whole, and valid
        qde = zf.read("project.qde").decode("utf-8")
    assert qde.count("<TextSource ") == res.n_sources
    xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(qde)
