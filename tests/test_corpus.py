"""Corpus import: encodings, formats, normalisation, and every bad input refused with nothing changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from themecode.corpus.importer import import_corpus, normalise_text
from themecode.errors import InputFileError
from themecode.project.create import init_project
from themecode.store import Store

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "public-protection.yaml"

HEADER = "id,case_id,stage,judgement,text,pdu,rosh\n"


def _project(tmp_path: Path, csv_text: str = HEADER + 'A1,C1,assessment,no,"First text.",Gwent,low\n') -> Path:
    src = tmp_path / "first.csv"
    src.write_text(csv_text, encoding="utf-8")
    db = tmp_path / "p.db"
    init_project(db, src, codebook=CODEBOOK)
    return db


def _dump(db: Path) -> list[str]:
    with Store.open(db) as store:
        return list(store.conn.iterdump())


def _refused(tmp_path: Path, name: str, data: bytes, match: str) -> InputFileError:
    db = _project(tmp_path)
    before = _dump(db)
    bad = tmp_path / name
    bad.write_bytes(data)
    with Store.open(db) as store, pytest.raises(InputFileError, match=match) as err:
        import_corpus(store, bad)
    assert _dump(db) == before, "a failed import must change nothing"
    assert str(bad) in str(err.value)
    return err.value


def test_utf8_bom_and_windows_1252_both_import(tmp_path: Path) -> None:
    db = _project(tmp_path)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (HEADER + 'B1,C2,planning,yes,"Café visit – done.",Gwent,low\n').encode())
    cp = tmp_path / "excel.csv"
    cp.write_bytes((HEADER + 'B2,C3,planning,yes,"Café visit – “done”.",Dorset,low\n').encode("cp1252"))
    with Store.open(db) as store:
        r1 = import_corpus(store, bom)
        r2 = import_corpus(store, cp)
        assert (r1.encoding, r2.encoding) == ("utf-8", "windows-1252")
        assert store.document("B1").text == "Café visit – done."
        assert store.document("B2").text == "Café visit – “done”."
        assert store.case("C2").metadata == {"judgement": "yes", "pdu": "Gwent", "rosh": "low"}


def test_text_is_normalised_and_sentences_are_offsets(tmp_path: Path) -> None:
    decomposed = "Cafe\u0301 check.\r\nSecond line here. 😀 Third!"
    db = _project(tmp_path)
    src = tmp_path / "n.jsonl"
    src.write_text(json.dumps({"id": "J1", "case_id": "C9", "text": decomposed}) + "\n", encoding="utf-8")
    with Store.open(db) as store:
        import_corpus(store, src)
        doc = store.document("J1")
        assert doc.text == normalise_text(decomposed)
        assert "\r" not in doc.text and "\u0301" not in doc.text
        sents = store.sentences("J1")
        assert [doc.text[s.start:s.end] for s in sents] == [
            "Café check.", "Second line here.", "😀 Third!"]


def test_xlsx_import(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "case_id", "stage", "text", "previous_sanctions"])
    ws.append(["X1", "C5", "Reviewing", "Reviewed after arrest.", 3])
    ws.append([None, None, None, None, None])
    ws.append(["X2", "C5", "assessment", "Risk was analysed.", 3])
    path = tmp_path / "w.xlsx"
    wb.save(path)
    db = _project(tmp_path)
    with Store.open(db) as store:
        res = import_corpus(store, path)
        assert res.documents == 2
        assert store.document("X1").stage == "reviewing"
        assert store.case("C5").metadata == {"previous_sanctions": "3"}
        # the file is read once and the audit trail hashes exactly those bytes
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert store.conn.execute("SELECT sha256 FROM imports WHERE path LIKE '%w.xlsx'").fetchone() == (digest,)
        assert store.events(action="import")[-1].payload["sha256"] == digest


def test_update_refreshes_metadata_but_not_coded_text(tmp_path: Path) -> None:
    db = _project(tmp_path)
    with Store.open(db) as store:
        store.add_coding("A1", 0, 5, "contact_level", "amy")
    changed = tmp_path / "changed.csv"
    changed.write_text(HEADER + 'A1,C1,assessment,no,"First text.",Dorset,high\n', encoding="utf-8")
    edited = tmp_path / "edited.csv"
    edited.write_text(HEADER + 'A1,C1,assessment,no,"Edited text.",Gwent,low\n', encoding="utf-8")
    with Store.open(db) as store:
        import_corpus(store, changed, update=True)
        assert store.case("C1").metadata["pdu"] == "Dorset"
        with pytest.raises(InputFileError, match="never edited"):
            import_corpus(store, edited, update=True)


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("noid.csv", b"key,text\nA,hello\n", "no 'id' column"),
        ("notext.csv", b"id,body\nA,hello\n", "no 'text' column"),
        ("empty.csv", (HEADER + 'Z1,C1,assessment,no,"   ",Gwent,low\n').encode(), "empty"),
        ("dupe.csv", (HEADER + 'Z1,C1,a,no,"x.",G,l\nZ1,C2,a,no,"y.",G,l\n').encode(), "duplicate id 'Z1'"),
        ("clash.csv", (HEADER + 'A1,C1,assessment,no,"First text.",Gwent,low\n').encode(), "already in the project"),
        ("ragged.csv", (HEADER + 'Z1,C1,assessment,no,"x.",Gwent\n').encode(), "has 6 cells"),
        ("zip.csv", b"PK\x03\x04\x14\x00rest-of-a-zip", "not CSV"),
        ("fake.xlsx", HEADER.encode(), "not an XLSX workbook"),
        ("nul.csv", (HEADER + 'Z1,C1,a,no,"x\x00y",G,l\n').encode(), "NUL"),
        ("badjson.jsonl", b'{"id": "Z1", "text": "ok"}\n{"id": \n', "not valid JSON"),
        ("headeronly.csv", HEADER.encode(), "no data rows"),
        ("empty_file.csv", b"", "empty"),
        ("table.ods", b"whatever", "unsupported file type"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(tmp_path: Path, name: str, data: bytes, match: str) -> None:
    _refused(tmp_path, name, data, match)


def test_error_names_the_row(tmp_path: Path) -> None:
    err = _refused(tmp_path, "rows.csv",
                   (HEADER + 'Z1,C1,a,no,"ok.",G,l\nZ2,C1,a,no,"",G,l\n').encode(), "empty")
    assert err.row == 2 and err.column == "text"
    assert "row 2" in str(err)


def test_broken_utf8_names_the_row(tmp_path: Path) -> None:
    data = (HEADER + 'Z1,C1,a,no,"café ok.",G,l\nZ2,C1,a,no,"bad ').encode() + b"\xff" + b' byte.",G,l\n'
    err = _refused(tmp_path, "broken.csv", data, "cannot be read")
    assert err.row == 2


def test_failed_init_leaves_no_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\nA,\n", encoding="utf-8")
    db = tmp_path / "new.db"
    with pytest.raises(InputFileError):
        init_project(db, bad, codebook=CODEBOOK)
    assert not db.exists()
