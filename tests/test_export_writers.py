"""The fast export paths give exactly what the plain ones give: CSV as the csv module writes it,
JSON as json.dumps writes it, XLSX rows as the generic row writer renders them, and redaction in
worker processes as redaction in this one."""

from __future__ import annotations

import csv
import gc
import io
import json
import zipfile
from pathlib import Path

import pytest
from export_helpers import build_coded_project
from hypothesis import given, settings
from hypothesis import strategies as st

import themecode.export.redaction as export_redaction
from themecode.export.extracts import ExportData, collect_extracts, export_extracts
from themecode.export.model import ExportOptions
from themecode.export.redaction import make_redactor
from themecode.export.tables import _cell, csv_field, extract_columns, extract_rows, write_csv
from themecode.export.text import write_json
from themecode.export.xlsx import write_workbook
from themecode.store import Store, now


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A coded project with what the fast paths must get right: memos naming people, formula
    triggers, quotes, commas and line breaks, numbers, booleans and lists in metadata, machine
    codings, overlapping spans and several codes on one span."""
    db, _ = build_coded_project(tmp_path_factory.mktemp("rich"))
    memos = ["Spoke to Mr Bartholomew Quince about it", "=SUM(A1)", "note, with comma",
             'a "quoted" word']
    with Store.open(db) as store, store.write():
        c = store.conn
        ids = [r[0] for r in c.execute("SELECT id FROM codings WHERE deleted = 0 ORDER BY id")]
        for k, cid in enumerate(ids[::5]):
            c.execute("UPDATE codings SET memo = ? WHERE id = ?", (memos[k % 4], cid))
        docs = [r[0] for r in c.execute(
            "SELECT DISTINCT document_id FROM codings ORDER BY document_id")]
        odd = [1, 1.0, True, None, [1, 2], "-3", "seen, \"ok\"\nline two", "=cmd|' /C calc'!A0"]
        for k, doc in enumerate(docs):
            meta = json.loads(c.execute("SELECT metadata FROM documents WHERE id = ?",
                                        (doc,)).fetchone()[0])
            meta.update({"officer_name": ["Ann Smith", "Zed Quill", ""][k % 3],
                         "odd": odd[k % len(odd)]})
            c.execute("UPDATE documents SET metadata = ? WHERE id = ?", (json.dumps(meta), doc))
            c.execute("INSERT INTO machine_codings(document_id, code_id, score, model_id, "
                      "created_at) VALUES (?, 'workload', ?, NULL, 'now')", (doc, 0.5 + k / 997))
            start, end = c.execute('SELECT start, "end" FROM sentences WHERE document_id = ? '
                                   "ORDER BY idx LIMIT 1", (doc,)).fetchone()
            c.execute('INSERT INTO codings(document_id, start, "end", code_id, coder, created_at, '
                      "memo) VALUES (?, ?, ?, 'contact_level', 'cat', ?, "
                      "'Phoned Jo Bloggs on 07700 900456')", (doc, start + 2, end, now()))
    return db


def _data(db: Path, redact: bool = True) -> ExportData:
    with Store.open(db) as store:
        return collect_extracts(store, ExportOptions(include_machine=True, context=2),
                                redactor=make_redactor(store) if redact else None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.none(), st.integers(), st.floats(), st.text(alphabet=st.sampled_from(
        list('ab ,"\n\r\t\x00é…\'=;\\\u2028\x0b\x85')), max_size=8)), min_size=2, max_size=6))
def test_csv_field_writes_what_the_csv_module_writes(row: list[object]) -> None:
    buf = io.StringIO()
    csv.writer(buf).writerow(row)
    assert ",".join(csv_field(v) for v in row) + "\r\n" == buf.getvalue()


@pytest.mark.parametrize("redact", [True, False])
def test_csv_is_what_the_csv_module_writes(rich: Path, tmp_path: Path, redact: bool) -> None:
    data = _data(rich, redact)
    write_csv(data, tmp_path / "fast.csv")
    with (tmp_path / "plain.csv").open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow([_cell(h) for h in extract_columns(data)])
        writer.writerows(extract_rows(data))
    fast = (tmp_path / "fast.csv").read_bytes()
    assert fast == (tmp_path / "plain.csv").read_bytes()
    assert b"MACHINE" not in fast and b"machine" in fast and b"'=SUM(A1)" in fast


@pytest.mark.parametrize("redact", [True, False])
def test_json_is_what_json_dumps_writes(rich: Path, tmp_path: Path, redact: bool) -> None:
    data = _data(rich, redact)
    write_json(data, tmp_path / "x.json")
    text = (tmp_path / "x.json").read_text(encoding="utf-8")
    assert text == json.dumps(data.to_dict(), ensure_ascii=False, default=str) + "\n"
    assert ("Bartholomew" in text) is not redact


def test_xlsx_rows_are_what_the_row_writer_renders(rich: Path, tmp_path: Path) -> None:
    from themecode.export.tables import _wrapped, write_xlsx
    from themecode.export.xlsx import Sheet

    data = _data(rich)
    write_xlsx(data, tmp_path / "fast.xlsx")
    header = [_cell(h) for h in extract_columns(data)]
    from themecode.export.tables import _WIDE, fitted_widths

    sample = list(extract_rows(data, neutral=False))[:300]
    write_workbook(tmp_path / "plain.xlsx",
                   [Sheet("extracts", header, extract_rows(data, neutral=False),
                          fitted_widths(header, sample, _WIDE), _wrapped(header))])
    with zipfile.ZipFile(tmp_path / "fast.xlsx") as fast, \
            zipfile.ZipFile(tmp_path / "plain.xlsx") as plain:
        sheet = "xl/worksheets/sheet1.xml"
        rows = [z.read(sheet).split(b"<sheetData>")[1] for z in (fast, plain)]
        assert rows[0] == rows[1]


def test_writer_errors_reach_the_caller(tmp_path: Path) -> None:
    def rows():  # noqa: ANN202 - a generator failing half-way
        yield ["a"]
        raise RuntimeError("broken row")

    with pytest.raises(RuntimeError, match="broken row"):
        write_workbook(tmp_path / "x.xlsx", [("s", ["h"], rows())])


def test_redaction_in_worker_processes_is_redaction_here(
    rich: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _data(rich)
    monkeypatch.setattr(export_redaction, "PARALLEL_MIN_TEXTS", 2)
    if export_redaction._worker_count(10) < 2:
        pytest.skip("one CPU (or no fork): redaction runs in this process")
    parallel = _data(rich)
    assert parallel.to_dict()["themes"] == serial.to_dict()["themes"]
    assert parallel.redactions == serial.redactions  # the side report, in the same order


def test_export_leaves_the_garbage_collector_as_it_was(rich: Path, tmp_path: Path) -> None:
    assert gc.isenabled()
    with Store.open(rich) as store:
        export_extracts(store, "csv", tmp_path / "x.csv", actor="t")
        assert gc.isenabled()
        gc.disable()
        try:
            export_extracts(store, "csv", tmp_path / "y.csv", actor="t")
            assert not gc.isenabled()
        finally:
            gc.enable()
