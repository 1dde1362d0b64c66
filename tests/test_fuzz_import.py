"""Bad input, tried hard: property-based tests of every importer (hypothesis).

Generated CSV, XLSX and JSONL corpora, codebooks and codings files mix valid rows with wrong
encodings, NUL bytes, huge fields, ragged rows, duplicate ids, formula-looking cells, markup,
right-to-left and astral-plane characters. Whatever the input, an importer either succeeds or
raises a `ThemecodeError` whose message names the file and the row, line or column (or says
the whole file is unusable), and a failed import leaves the project byte-for-byte unchanged:
the same `iterdump()` and the same file bytes after a checkpoint.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from by_path import root_conftest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from themecode.codebook import install_codebook, load_codebook, parse_codebook
from themecode.corpus.controls import REFUSED
from themecode.corpus.importer import import_corpus, normalise_text
from themecode.errors import CodebookError, InputFileError, ThemecodeError
from themecode.project.codings import import_codings
from themecode.store import Store

_conf = root_conftest()
CODEBOOK, write_small_corpus = _conf.CODEBOOK, _conf.write_small_corpus

# THEMECODE_FUZZ_SCALE=10 runs ten times as many examples (a longer hunt than CI needs).
SCALE = float(os.environ.get("THEMECODE_FUZZ_SCALE", "1"))


def fuzz(n: int) -> settings:
    """Settings for a property test: `n` examples (times SCALE), no deadline (imports split
    sentences, which is slow on huge fields)."""
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Messages about the file as a whole (no single row to point at).
WHOLE_FILE = ("is empty", "no data rows", "used twice", "not an XLSX", "zip/XLSX file",
              "cannot be opened as a workbook", "first sheet is empty", "not UTF-8",
              "a coder name is needed", "no such file", "has no visible worksheet",
              "is encrypted", "uses a compression method", "would inflate to")

SPECIAL = [
    "=HYPERLINK(\"http://x\",\"click\")", "=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2+3", "@A1",
    "<script>alert(1)</script>", "<b>bold</b> &amp; &lt;", "{{ jinja }}", "${HOME}", "%s%n",
    "\u202eevil\u202c", "النص العربي هنا", "שלום עולם", "👩\u200d👩\u200d👧 🚨 𝔘𝔫𝔦", "\U0001F600" * 3,
    "e\u0301 q\u0303", "\x00", "a\x00b", "\r\n", "\r", "line\u2028sep", "next\x85line", "\ufeff",
    '"', "'", ",", ";", "\t", " ", "", "0", "1e400", "NaN", "null", "true", "\\", "\x1b[31m",
]
cell_text = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.builds(lambda a, b: a + " " + b, st.sampled_from(SPECIAL), st.text(max_size=10)),
)
huge_text = st.builds(lambda s, n: s * n, st.sampled_from(["x", "é", "🙂", "ab "]),
                      st.integers(1000, 20_000))


@st.composite
def some_cell(draw: st.DrawFn) -> str:
    """Usually an odd cell; about one in thirty a huge one (kept rare: they are slow to split)."""
    return draw(huge_text) if draw(st.integers(0, 29)) == 0 else draw(cell_text)


ordinary_text = st.sampled_from([
    "No domestic abuse checks were made. The plan was weak.",
    "Home visits were done. Children's services were contacted.",
    "The SPO reviewed the case. Contingency plans were clear.",
])
doc_id = st.one_of(st.sampled_from(["A1", "A2", "A3", "B1", " A1 ", "a1", ""]),
                   st.text(min_size=1, max_size=12))
COLUMNS = ["id", "text", "case_id", "stage", "pdu", "rosh", "judgement", "", "id", "text",
           "=formula", "<td>", "الحالة", "🙂col"]

_counter = itertools.count()
BASE_SNAPSHOT: dict[Path, tuple[list[str], bytes]] = {}  # every example starts from this state


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny project (bundled codebook, 3 cases, sample) checkpointed into one file."""
    from themecode.project.create import init_project
    from themecode.sample.draw import draw_sample

    d = tmp_path_factory.mktemp("fuzz")
    db = d / "base.db"
    init_project(db, write_small_corpus(d / "c.csv", 3), codebook=CODEBOOK, coder="lead")
    with Store.open(db) as store:
        draw_sample(store, 0.7, 1, coder="lead")
        BASE_SNAPSHOT[db] = snapshot(store)
    return db


class Fresh:
    """A fresh copy of the base project and a place for the input file, removed afterwards."""

    def __init__(self, base: Path, suffix: str) -> None:
        n = next(_counter)
        self.dir = base.parent / f"ex{n}"
        self.dir.mkdir()
        self.db = self.dir / "p.db"
        shutil.copyfile(base, self.db)
        self.input = self.dir / f"input{n}{suffix}"
        self.store = Store.open(self.db)
        self.before = BASE_SNAPSHOT[base]

    def __enter__(self) -> Fresh:
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.close()
        shutil.rmtree(self.dir)


def snapshot(store: Store) -> tuple[list[str], bytes]:
    """The whole database as SQL, and the file's bytes after a full checkpoint."""
    dump = list(store.conn.iterdump())
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return dump, store.path.read_bytes()


def assert_names_place(err: ThemecodeError, path: Path) -> None:
    """The message names the file and a row, line or column (or is about the whole file)."""
    msg = str(err)
    assert str(path) in msg, msg
    assert re.search(r"\b(line|row|column)\b", msg) or any(w in msg for w in WHOLE_FILE), msg


def attempt(fresh: Fresh, run: Any) -> Any:
    """Run an import; on refusal check the message and that nothing changed; return the result."""
    before = fresh.before
    try:
        return run()
    except ThemecodeError as err:
        assert_names_place(err, fresh.input)
        after = snapshot(fresh.store)
        assert after[0] == before[0], "a failed import changed the database content"
        assert after[1] == before[1], "a failed import changed the database file"
        return None


def check_imported(store: Store, result: Any) -> None:
    """After a successful corpus import every stored text is normalised and sentences fit."""
    assert result.documents + result.updated > 0
    for (doc,) in store.conn.execute("SELECT id FROM documents"):
        d = store.document(doc)
        assert d.text and "\r" not in d.text and "\x00" not in d.text
        for s in store.sentences(doc):
            assert 0 <= s.start < s.end <= len(d.text)


# ---------------------------------------------------------------------------------- CSV


BOOL = st.booleans()
ONE_IN = {n: st.integers(0, n - 1) for n in (4, 5, 6, 7)}
SOME_CELL = some_cell()
HEADER = st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6)
RAGGED = st.sampled_from([0, 0, 0, 0, -1, 1, 3])
ROWS = st.integers(0, 6)
LINE_END = st.sampled_from(["\r\n", "\n", "\r"])
CSV_DAMAGE = st.sampled_from(['"', '"x"y', "", "\x00"])
CSV_ENCODING = st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1",
                                "mac_roman"])
JUNK = st.binary(min_size=1, max_size=4)


def encode(text: str, encoding: str) -> bytes:
    """Text in an encoding; characters it cannot hold become '?' (UTF-8 keeps lone surrogates)."""
    if encoding == "utf-8":
        return text.encode("utf-8", errors="surrogatepass")
    return text.encode(encoding, errors="replace")


ANY_INDEX = st.integers(0, 10**6)


def position(draw: st.DrawFn, length: int) -> int:
    """A position from 0 to length (one shared strategy: building strategies per draw is slow)."""
    return draw(ANY_INDEX) % (length + 1)


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    """A CSV file: a header (usually with id and text), rows (sometimes ragged), an encoding."""
    header = draw(HEADER)
    if draw(BOOL):
        header = ["id", "text", *[h for h in header if h not in ("id", "text")]]
    rows = []
    for _ in range(draw(ROWS)):
        n = len(header) + draw(RAGGED)
        row = [draw(SOME_CELL) for _ in range(max(n, 0))]
        for i, h in enumerate(header[: len(row)]):
            if h == "id" and draw(BOOL):
                row[i] = draw(doc_id)
            elif h == "text" and draw(BOOL):
                row[i] = draw(ordinary_text)
        rows.append(row)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=draw(LINE_END))
    w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue()
    if draw(ONE_IN[6]) == 0:  # hand-made damage: a stray quote, a NUL, a cut-off file
        cut = position(draw, len(text))
        text = text[:cut] + draw(CSV_DAMAGE) + text[cut:]
    data = encode(text, draw(CSV_ENCODING))
    if draw(ONE_IN[5]) == 0:  # random bytes somewhere
        at = position(draw, len(data))
        data = data[:at] + draw(JUNK) + data[at:]
    return data


@fuzz(400)
@given(data=csv_bytes())
def test_csv_import_never_crashes_and_refuses_cleanly(base_project: Path, data: bytes) -> None:
    """Any CSV bytes: imported, or refused with a placed message and the project unchanged."""
    with Fresh(base_project, ".csv") as f:
        f.input.write_bytes(data)
        result = attempt(f, lambda: import_corpus(f.store, f.input, coder="fuzz"))
        if result is not None:
            check_imported(f.store, result)


# ---------------------------------------------------------------------------------- XLSX


XLSX_HEADER = st.lists(st.sampled_from([*COLUMNS, None]), min_size=1, max_size=5)
XLSX_VALUE = st.one_of(SOME_CELL, st.none(), st.integers(), st.floats(allow_nan=True), BOOL,
                       st.datetimes())
XLSX_RAGGED = st.sampled_from([0, 0, -1, 2])
XLSX_ROWS = st.integers(0, 4)
XLSX_DAMAGE = st.sampled_from(["none", "none", "sheet", "truncate", "flip"])
XML_DAMAGE = st.sampled_from([b"", b"<row>", b"\x00", b"</x>", b"&bogus;",
                              b"<c r='ZZZ9'><v>x</v></c>"])


@st.composite
def xlsx_bytes(draw: st.DrawFn) -> bytes:
    """A workbook of mixed cell types, or one whose zip or sheet XML has been damaged."""
    wb = Workbook()
    ws = wb.active
    header = draw(XLSX_HEADER)
    if draw(BOOL):
        header = ["id", "text", *[h for h in header if h not in ("id", "text")]]
    ws.append(header)
    for _ in range(draw(XLSX_ROWS)):
        row = [draw(XLSX_VALUE) for _ in range(len(header) + draw(XLSX_RAGGED))]
        for i, h in enumerate(header[: len(row)]):
            if h == "id" and draw(BOOL):
                row[i] = draw(doc_id)
            elif h == "text" and draw(BOOL):
                row[i] = draw(ordinary_text)
        try:
            ws.append(row)
        except Exception:  # noqa: BLE001 - openpyxl refuses control characters: leave them out
            ws.append([v if not isinstance(v, str) else re.sub(r"[\x00-\x1f]", "", v)
                       for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    damage = draw(XLSX_DAMAGE)
    if damage == "sheet":  # valid zip, damaged worksheet XML
        src = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                content = src.read(item.filename)
                if item.filename.startswith("xl/worksheets/"):
                    cut = position(draw, len(content))
                    content = content[:cut] + draw(XML_DAMAGE) + content[cut:]
                dst.writestr(item, content)
        data = out.getvalue()
    elif damage == "truncate":
        data = data[: 4 + position(draw, len(data) - 4)]  # (workbook sizes vary by a byte)
    elif damage == "flip":
        at = 4 + position(draw, len(data) - 5)
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
    return data


@fuzz(150)
@given(data=xlsx_bytes())
def test_xlsx_import_never_crashes_and_refuses_cleanly(base_project: Path, data: bytes) -> None:
    """Any workbook, damaged or not: imported, or refused with a placed message, unchanged."""
    with Fresh(base_project, ".xlsx") as f:
        f.input.write_bytes(data)
        result = attempt(f, lambda: import_corpus(f.store, f.input, coder="fuzz"))
        if result is not None:
            check_imported(f.store, result)


# ---------------------------------------------------------------------------------- JSONL

json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), cell_text),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=5,
)


JSONL_KIND = st.sampled_from(["doc", "doc", "doc", "value", "broken", "blank"])
JSONL_ID = st.one_of(doc_id, st.integers())
JSONL_TEXT = st.one_of(ordinary_text, SOME_CELL, st.none())
JSONL_EXTRA = st.dictionaries(st.sampled_from(COLUMNS), json_value, max_size=3)
JSONL_BROKEN = st.sampled_from(['{"id": "A1", "text": ', "{'id': 1}", "[1,",
                                '{"id": NaN, "text": "x"}', "\x00"])
BLANK = st.sampled_from(["", "   ", "\t"])
NEWLINE = st.sampled_from(["\n", "\r\n"])
JSONL_ENCODING = st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"])


@st.composite
def jsonl_bytes(draw: st.DrawFn) -> bytes:
    """JSON Lines: objects with id/text and odd extra fields, broken lines, odd encodings."""
    lines = []
    for _ in range(draw(ROWS)):
        kind = draw(JSONL_KIND)
        if kind == "doc":
            obj = {"id": draw(JSONL_ID), "text": draw(JSONL_TEXT)}
            obj.update(draw(JSONL_EXTRA))
            lines.append(json.dumps(obj, ensure_ascii=draw(BOOL)))
        elif kind == "value":
            lines.append(json.dumps(draw(json_value), ensure_ascii=False))
        elif kind == "broken":
            lines.append(draw(JSONL_BROKEN))
        else:
            lines.append(draw(BLANK))
    return encode(draw(NEWLINE).join(lines), draw(JSONL_ENCODING))


@fuzz(300)
@given(data=jsonl_bytes())
def test_jsonl_import_never_crashes_and_refuses_cleanly(base_project: Path, data: bytes) -> None:
    """Any JSON Lines bytes: imported, or refused with a placed message, project unchanged."""
    with Fresh(base_project, ".jsonl") as f:
        f.input.write_bytes(data)
        result = attempt(f, lambda: import_corpus(f.store, f.input, coder="fuzz"))
        if result is not None:
            check_imported(f.store, result)


VALID_TEXT = st.text(  # what the control-character policy accepts (themecode.corpus.controls)
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1, max_size=200,
).map(lambda t: REFUSED.sub("", t)).filter(lambda t: normalise_text(t) != "")
XLSX_SAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@fuzz(100)
@given(texts=st.lists(VALID_TEXT, min_size=1, max_size=5),
       suffix=st.sampled_from([".csv", ".jsonl", ".xlsx"]))
def test_well_formed_files_always_import(base_project: Path, texts: list[str], suffix: str) -> None:
    """No false refusals: any non-empty texts (RTL, astral, U+2028, CR, markup...) with unique
    ids import from every format, stored exactly as `normalise_text` makes them."""
    if suffix == ".xlsx":  # a spreadsheet cannot hold control characters at all
        texts = [XLSX_SAFE.sub("", t) for t in texts]
        texts = [t for t in texts if normalise_text(t)] or ["x"]
    rows = [{"id": f"N{i}", "case_id": f"K{i // 2}", "text": t} for i, t in enumerate(texts)]
    with Fresh(base_project, suffix) as f:
        if suffix == ".csv":
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=["id", "case_id", "text"])
            w.writeheader()
            w.writerows(rows)
            f.input.write_text(buf.getvalue(), encoding="utf-8", newline="")
        elif suffix == ".jsonl":
            f.input.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                               encoding="utf-8")
        else:
            wb = Workbook()
            wb.active.append(["id", "case_id", "text"])
            for i, r in enumerate(rows, start=2):
                for j, value in enumerate(r.values(), start=1):
                    cell = wb.active.cell(i, j, value)
                    cell.data_type = "s"  # typed text, not a formula, even if it starts with "="
            wb.save(f.input)
        result = import_corpus(f.store, f.input, coder="fuzz")
        assert result.documents == len(rows)
        for r in rows:
            assert f.store.document(r["id"]).text == normalise_text(r["text"])


def test_jsonl_lines_split_only_at_newlines(base_project: Path) -> None:
    """U+2028, U+0085 and form feeds inside a JSON string do not end the line (JSON allows them);
    NEL and form feed become line breaks of the stored text (the control-character policy)."""
    with Fresh(base_project, ".jsonl") as f:
        f.input.write_text(json.dumps({"id": "Z1", "text": "one\u2028two\x85three\x0cfour."},
                                      ensure_ascii=False) + "\n", encoding="utf-8")
        import_corpus(f.store, f.input, coder="fuzz")
        assert f.store.document("Z1").text == "one\u2028two\nthree\nfour."


# ---------------------------------------------------------------------------------- codebook

code_id_st = st.one_of(st.sampled_from(["risk_id", "da_checks", "x", "Bad Id", "1abc", "a" * 70,
                                        "home_visits", "risk_id"]),
                       st.from_regex(r"\A[a-z][a-z0-9_]{0,8}\Z"))


SCALAR = st.one_of(cell_text, st.none(), st.integers(), BOOL,
                   st.lists(st.text(max_size=5), max_size=2))
ID_OR_SCALAR = st.one_of(code_id_st, SCALAR)
LABEL = st.one_of(cell_text, st.none())
CODE_KEYS = st.lists(st.sampled_from(["definition", "include", "exclude", "example", "keywords",
                                      "shortcut", "parent", "origin", "extra"]), max_size=4)
CODE_VALUE = st.one_of(SCALAR, st.sampled_from(["a", "b", "k", "inductive"]))
CODES_SHAPE = st.sampled_from(["list", "list", "empty", "scalar"])
THEMES = st.integers(0, 3)
CODES_N = st.integers(1, 3)
YAML_DAMAGE = st.sampled_from(["\t", ": :", "\n  - ", "{", "&a *b",
                               "!!python/object/apply:os.system ['true']", "%", "\x00"])


@st.composite
def codebook_text(draw: st.DrawFn) -> str:
    """Codebook YAML: mostly well-formed structures with wrong types and clashes, or raw junk."""

    def code() -> dict[str, Any]:
        c: dict[str, Any] = {"id": draw(ID_OR_SCALAR), "label": draw(LABEL)}
        for key in draw(CODE_KEYS):
            c[key] = draw(CODE_VALUE)
        return c

    themes = []
    for _ in range(draw(THEMES)):
        t: dict[str, Any] = {"id": draw(ID_OR_SCALAR), "label": draw(LABEL)}
        shape = draw(CODES_SHAPE)
        t["codes"] = ([code() for _ in range(draw(CODES_N))] if shape == "list"
                      else [] if shape == "empty" else draw(SCALAR))
        themes.append(t)
    doc: Any = {"name": draw(cell_text), "version": draw(SCALAR), "themes": themes}
    if draw(ONE_IN[7]) == 0:
        doc = draw(json_value)
    text = yaml.safe_dump(doc, allow_unicode=draw(BOOL), sort_keys=False)
    if draw(ONE_IN[4]) == 0:  # textual damage: tabs, stray colons, anchors, python tags
        at = position(draw, len(text))
        text = text[:at] + draw(YAML_DAMAGE) + text[at:]
    return text


@fuzz(600)
@given(text=codebook_text())
def test_codebook_parser_never_crashes(text: str) -> None:
    """Any YAML text: a codebook, or a `CodebookError` naming the file and a line."""
    try:
        cb = parse_codebook(text, "fuzz.yaml")
    except CodebookError as err:
        assert "fuzz.yaml" in str(err)
        assert err.line is not None and err.problems, str(err)
    else:
        assert cb.themes and all(t.codes for t in cb.themes)


@fuzz(100)
@given(text=codebook_text(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_codebook_file_load_and_install_all_or_nothing(base_project: Path, text: str,
                                                       encoding: str) -> None:
    """A codebook file in any encoding loads or is refused with its line; installing one into a
    project that already has codes either adds them all or changes nothing."""
    with Fresh(base_project, ".yaml") as f:
        f.input.write_bytes(text.encode(encoding, errors="replace"))

        def run() -> Any:
            return install_codebook(f.store, load_codebook(f.input), "fuzz")

        attempt(f, run)


# ---------------------------------------------------------------------------------- codings


OFFSET = st.one_of(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(-5, -1),
                   st.none(), st.floats(0, 10), BOOL, st.text(max_size=3))
DOC_REF = st.sampled_from(["same", "same", "same", "other", "int", "none"])
CODE_REF = st.sampled_from(["known", "known", "known", "id", "none", "int", "theme", "bad"])
LINE_KIND = st.sampled_from(["obj", "obj", "obj", "obj", "value", "broken"])
CODER_VALUE = st.one_of(st.sampled_from(["amy", "ben"]), json_value)
BROKEN_LINE = st.sampled_from(['{"doc_id": ', "\x00", "{}", "[]", "nul"])
CODINGS_ENCODING = st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16"])


def _offset(raw: object, length: int, low: int) -> object:
    """Non-negative whole numbers mapped to mostly valid offsets; anything else as drawn."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return low + raw % max(1, length - low + 3)
    return raw


@st.composite
def codings_bytes(draw: st.DrawFn, docs: tuple[tuple[str, int], ...], codes: tuple[str, ...]
                  ) -> bytes:
    """Codings JSONL: good lines against the project's documents and codes, and bad ones."""
    lines = []
    for _ in range(draw(ROWS)):
        doc, length = docs[draw(ANY_INDEX) % len(docs)]
        start = _offset(draw(OFFSET), length, 0)
        end = _offset(draw(OFFSET), length, start + 1 if isinstance(start, int) else 1)
        ref = draw(DOC_REF)
        code = draw(CODE_REF)
        obj: dict[str, Any] = {
            "doc_id": {"same": doc, "int": 7, "none": None}.get(ref) or draw(doc_id),
            "code": {"known": codes[draw(ANY_INDEX) % len(codes)], "none": None,
                     "int": 3, "theme": "assessment", "bad": "New Code!"}.get(code)
            or draw(code_id_st),
        }
        if draw(BOOL):
            obj["start"] = start
        if draw(BOOL):
            obj["end"] = end
        if draw(BOOL):
            obj["coder"] = draw(CODER_VALUE)
        if draw(ONE_IN[4]) == 0:
            obj["memo"] = draw(json_value)
        kind = draw(LINE_KIND)
        if kind == "obj":
            lines.append(json.dumps(obj, ensure_ascii=draw(BOOL)))
        elif kind == "value":
            lines.append(json.dumps(draw(json_value), ensure_ascii=False))
        else:
            lines.append(draw(BROKEN_LINE))
    return encode("\n".join(lines), draw(CODINGS_ENCODING))


@pytest.fixture(scope="module")
def codings_strategy(base_project: Path) -> st.SearchStrategy[bytes]:
    """Codings files against the base project's documents (id, length) and live codes."""
    with Store.open(base_project) as store:
        docs = tuple((r[0], r[1]) for r in store.conn.execute(
            "SELECT id, length(text) FROM documents ORDER BY id"))
        codes = tuple(c.id for c in store.codes(kind="code"))
    return codings_bytes(docs, codes)


@fuzz(300)
@given(data=st.data(), create=st.booleans(), sample_only=st.booleans(), done=st.booleans(),
       coder=st.sampled_from(["amy", "amy", " ", "عربي", "👩"]))
def test_codings_import_never_crashes_and_is_all_or_nothing(
    base_project: Path, codings_strategy: st.SearchStrategy[bytes], data: st.DataObject,
    create: bool, sample_only: bool, done: bool, coder: str,
) -> None:
    """Any codings file: imported, or refused with its line and the project unchanged."""
    raw = data.draw(codings_strategy)
    with Fresh(base_project, ".jsonl") as f:
        f.input.write_bytes(raw)
        if not coder.strip():  # not about the file: the message asks for a coder name instead
            with pytest.raises(InputFileError, match="coder name"):
                import_codings(f.store, f.input, coder=coder)
            return
        result = attempt(f, lambda: import_codings(f.store, f.input, coder=coder,
                                                   create_codes=create, sample_only=sample_only,
                                                   mark_done=done))
        if result is not None:
            for c in f.store.codings(coder=coder):
                assert 0 <= c.start < c.end <= len(f.store.document(c.document_id).text)
            # importing the same file again changes nothing
            again = import_codings(f.store, f.input, coder=coder, create_codes=create,
                                   sample_only=sample_only, mark_done=done)
            assert again.imported == 0 and not again.created_codes


def test_refusal_messages_are_checked_for_real(base_project: Path) -> None:
    """The place check can fail: a message without file or line is rejected."""
    with Fresh(base_project, ".csv") as f:
        with pytest.raises(AssertionError):
            assert_names_place(ThemecodeError("something went wrong"), f.input)
        with pytest.raises(AssertionError):
            assert_names_place(ThemecodeError(f"{f.input}: something went wrong"), f.input)


def test_a_nul_in_jsonl_text_is_refused_with_its_line(base_project: Path) -> None:
    """JSON can carry a NUL as \\u0000; like CSV, the import refuses it and names the line."""
    with Fresh(base_project, ".jsonl") as f:
        f.input.write_text('{"id": "Z1", "text": "ok"}\n{"id": "Z2", "text": "bad\\u0000"}\n',
                           encoding="utf-8")
        with pytest.raises(InputFileError, match=r"line 2.*NUL"):
            import_corpus(f.store, f.input, coder="fuzz")
        assert snapshot(f.store) == f.before


def test_a_code_that_cannot_be_created_is_refused_with_its_line(base_project: Path) -> None:
    """--create-codes with an id that is not snake_case: the message names the line, and the
    codes created for earlier lines are rolled back with everything else."""
    with Fresh(base_project, ".jsonl") as f:
        doc = f.store.conn.execute("SELECT min(id) FROM documents").fetchone()[0]
        f.input.write_text(json.dumps({"doc_id": doc, "code": "brand_new"}) + "\n"
                           + json.dumps({"doc_id": doc, "code": "Bad Id"}) + "\n",
                           encoding="utf-8")
        with pytest.raises(InputFileError, match=r"line 2.*'Bad Id'.*snake_case"):
            import_codings(f.store, f.input, coder="amy", create_codes=True)
        assert snapshot(f.store) == f.before
