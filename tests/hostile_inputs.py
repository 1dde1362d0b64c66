"""Hand-made hostile input files, and the command each is given to.

Run as a script to write them into a folder (`python tests/hostile_inputs.py OUT`), or import
`cases()` (what `tests/test_hostile.py` does). Every case is a file's bytes, the `themecode`
command run on it (`{project}` is a copy of a small project, `{file}` the hostile file, `{dir}`
their folder) and the words its refusal must contain to say where the problem is (a row, line,
column, member, element, source, sheet ...). The kinds: corpus files (CSV, JSONL, XLSX),
codebooks (YAML, REFI .qdc), codings files, REFI .qdpx projects, and output paths that point at
the project, its side files or its backups. Files are kept small: a "zip bomb" is a few kB that
claims to inflate to far more than the limit, not gigabytes.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

DOC = "C0001-A"  # a commentary of the base project (tests/conftest.py write_small_corpus)
CODE = "domestic_abuse_checks"  # a code of the bundled codebook
THEME = "assessment"  # a theme of the bundled codebook
HEADER = "id,case_id,stage,text,pdu\n"


@dataclass
class Case:
    """One hostile file and the command that must refuse it."""

    name: str
    filename: str
    data: bytes
    args: list[str]
    where: tuple[str, ...]  # words the message must contain (besides the file's name)
    names_file: bool = True  # False when the refused thing is an option, not the file
    link_to: str | None = None  # make `filename` a symlink to this (relative to {dir})
    extra: dict[str, bytes] = field(default_factory=dict)  # more files beside it


def _csv(name: str, body: str, where: tuple[str, ...], *, raw: bytes | None = None) -> Case:
    data = raw if raw is not None else (HEADER + body).encode("utf-8")
    return Case(f"csv-{name}", f"{name}.csv", data, ["import", "{project}", "{file}"], where)


def _row(text: str, ident: str = "Z1", case: str = "K1", pdu: str = "Gwent") -> str:
    quoted = '"' + text.replace('"', '""') + '"'
    return f"{ident},{case},assessment,{quoted},{pdu}\n"


def csv_cases() -> list[Case]:
    out = [
        _csv("empty", "", ("empty",), raw=b""),
        _csv("header-only", "", ("no data rows",)),
        _csv("no-id-column", "", ("column 'id'",), raw=b"ident,text\nA,b\n"),
        _csv("no-text-column", "", ("column 'text'",), raw=b"id,words\nA,b\n"),
        _csv("duplicate-columns", "", ("used twice",), raw=b"id,text,text\nA,b,c\n"),
        _csv("ragged-row", "Z1,K1,assessment,text\n", ("row 1",)),
        _csv("long-row", "Z1,K1,assessment,text,Gwent,extra\n", ("row 1",)),
        _csv("unclosed-quote", _row("fine") + 'Z2,K1,assessment,"never closed,Gwent\n', ("row",)),
        _csv("nul-byte", "", ("NUL",), raw=(HEADER + "Z1,K1,assessment,a\x00b,Gwent\n").encode()),
        _csv("empty-id", _row("text", ident=""), ("row 1", "column 'id'")),
        _csv("empty-text", _row("   "), ("row 1", "column 'text'")),
        _csv("duplicate-id", _row("one") + _row("two"), ("row 2", "duplicate id")),
        _csv("id-in-project", _row("text", ident=DOC), ("row 1", "already in the project")),
        _csv("zip-as-csv", "", ("zip/XLSX",), raw=b"PK\x03\x04" + b"\x00" * 40),
        _csv(
            "latin1-in-utf8",
            "",
            ("row 2",),
            raw=(HEADER + _row("café") + "Z2,K1,assessment,caf\xe9,Gwent\n")
            .encode("latin-1")
            .replace("café".encode("latin-1"), "café".encode(), 1),
        ),
        _csv("huge-text", _row("x" * 1_000_001), ("row 1", "1,000,000")),
        _csv(
            "huge-cell",
            "",
            ("row 1", "longer than"),
            raw=(HEADER + 'Z1,K1,assessment,"' + "y" * 4_000_100 + '",Gwent\n').encode(),
        ),
        _csv("moved-case", _row("text", ident=DOC, case="OTHER"), ("row 1",)),
    ]
    controls = {
        "esc-title": "\x1b]2;pwned\x07 hidden",
        "esc-clear": "before\x1b[2Jafter",
        "bel": "ring\x07",
        "backspace": "over\x08write",
        "del": "x\x7fy",
        "c1-csi": "a\x9b31mb",
        "c1-osc": "a\x9d0;t\x9c",
        "rlo": "abc\u202eevil",
        "lre": "x\u202ay",
        "rli": "x\u2067y",
        "pdi": "x\u2069y",
        "ctrl-a": "\x01start",
        "shift-out": "a\x0eb",
        "unit-sep": "a\x1fb",
    }
    for name, text in controls.items():
        out.append(_csv(f"control-{name}", _row(text), ("row 1", "column 'text'", "U+")))
    out += [
        _csv("control-in-id", _row("text", ident="Z\x1b1"), ("row 1", "column 'id'", "ESC")),
        _csv("control-in-case", _row("text", case="K\u202e1"), ("row 1", "column 'case_id'")),
        _csv("control-in-meta", _row("text", pdu="Gw\x1b[31ment"), ("row 1", "column 'pdu'")),
        _csv(
            "control-in-header",
            "",
            ("column",),
            raw=b"id,case_id,stage,text,p\x1bdu\nZ1,K1,assessment,t,G\n",
        ),
        _csv(
            "control-row-3", _row("ok", "Z1") + _row("ok", "Z2") + _row("bad\x07", "Z3"), ("row 3",)
        ),
    ]
    return out


def _jsonl(name: str, lines: list[str], where: tuple[str, ...]) -> Case:
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    return Case(f"jsonl-{name}", f"{name}.jsonl", data, ["import", "{project}", "{file}"], where)


def _obj(**kw: object) -> str:
    base = {"id": "Z1", "case_id": "K1", "text": "A plain commentary."}
    base.update(kw)
    return json.dumps(base)


def jsonl_cases() -> list[Case]:
    ok = _obj(id="Z0")
    return [
        _jsonl("deep-array", [ok, "[" * 100_000 + "]" * 100_000], ("line 2", "nested")),
        _jsonl("deep-object", [ok, '{"a":' * 50_000 + "1" + "}" * 50_000], ("line 2",)),
        _jsonl(
            "huge-int",
            [ok, '{"id": "Z1", "text": "t", "n": ' + "9" * 5000 + "}"],
            ("line 2", "4,300 digits"),
        ),
        _jsonl("huge-int-id", ['{"id": ' + "1" * 5000 + ', "text": "t"}'], ("line 1",)),
        _jsonl("nan", ['{"id": NaN, "text": "t"}'], ("line 1", "NaN")),
        _jsonl("infinity", ['{"id": "Z1", "text": "t", "rosh": Infinity}'], ("line 1",)),
        _jsonl("minus-infinity", ['{"id": -Infinity, "text": "t"}'], ("line 1",)),
        _jsonl("duplicate-key", ['{"id": "Z1", "text": "a", "text": "b"}'], ("line 1", "twice")),
        _jsonl("nested-field", ['{"id": "Z1", "text": "t", "pdu": {"a": 1}}'], ("line 1",)),
        _jsonl("array-line", ['["Z1", "text"]'], ("line 1",)),
        _jsonl("broken", [ok, '{"id": "Z1", "text": '], ("line 2",)),
        _jsonl(
            "surrogate-text",
            [ok, '{"id": "Z1", "text": "bad \\ud800 here"}'],
            ("line 2", "surrogate"),
        ),
        _jsonl("surrogate-id", ['{"id": "Z\\udfff", "text": "t"}'], ("line 1", "surrogate")),
        _jsonl(
            "surrogate-meta",
            ['{"id": "Z1", "text": "t", "pdu": "\\ud83d"}'],
            ("line 1", "column 'pdu'"),
        ),
        _jsonl("surrogate-key", ['{"id": "Z1", "text": "t", "p\\ud800": "x"}'], ("column",)),
        _jsonl("esc-text", ['{"id": "Z1", "text": "\\u001b[2J cleared"}'], ("line 1", "ESC")),
        _jsonl("bel-text", ['{"id": "Z1", "text": "title\\u0007"}'], ("line 1", "BEL")),
        _jsonl("c1-text", ['{"id": "Z1", "text": "a\\u009bb"}'], ("line 1", "U+009B")),
        _jsonl("rlo-text", ['{"id": "Z1", "text": "\\u202etxet"}'], ("line 1", "override")),
        _jsonl("nul-text", ['{"id": "Z1", "text": "a\\u0000b"}'], ("line 1", "NUL")),
        _jsonl("empty-id", ['{"id": "", "text": "t"}'], ("line 1", "id")),
        _jsonl("missing-text", ['{"id": "Z1"}'], ("column 'text'",)),
        _jsonl("duplicate-id", [_obj(), _obj()], ("line 2", "duplicate")),
        _jsonl("huge-text", [_obj(text="w " * 500_001)], ("line 1", "1,000,000")),
        Case(
            "jsonl-not-utf8",
            "not-utf8.jsonl",
            b'{"id": "Z1", "text": "caf\xe9"}\n',
            ["import", "{project}", "{file}"],
            ("line 1", "UTF-8"),
        ),
    ]


def _xlsx(rows: list[list[object]], *, merge: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _claim_size(data: bytes, member: str, size: int) -> bytes:
    """A zip whose `member` claims (in both headers) to inflate to `size` bytes."""
    out = bytearray(data)
    raw_name = member.encode()
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (i := out.find(sig, start)) >= 0:
            name_at = i + (30 if sig == b"PK\x03\x04" else 46)
            if out[name_at : name_at + len(raw_name)] == raw_name:
                out[i + offset : i + offset + 4] = size.to_bytes(4, "little")
            start = i + 4
    return bytes(out)


def _flag_encrypted(data: bytes, member: str) -> bytes:
    """A zip whose `member` has the 'encrypted' flag set in both headers."""
    out = bytearray(data)
    raw_name = member.encode()
    for sig, flag_at, name_off in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (i := out.find(sig, start)) >= 0:
            if out[i + name_off : i + name_off + len(raw_name)] == raw_name:
                out[i + flag_at] |= 0x1
            start = i + 4
    return bytes(out)


def _bad_crc(data: bytes, member: str, payload: bytes) -> bytes:
    """A stored zip member with one byte of its data changed (the CRC no longer matches)."""
    i = data.find(payload)
    assert i >= 0, member
    return data[:i] + bytes([payload[0] ^ 0x20]) + data[i + 1 :]


def _replace(members: dict[str, bytes], old: bytes, new: bytes) -> dict[str, bytes]:
    """The members with `old` replaced by `new` wherever it occurs (cell or shared string)."""
    out = {n: d.replace(old, new) for n, d in members.items()}
    assert out != members, old
    return out


def xlsx_cases() -> list[Case]:
    rows = [
        ["id", "case_id", "text"],
        ["Z1", "K1", "one"],
        ["Z2", None, "two"],
        ["Z3", None, "three"],
    ]
    good = _xlsx(rows)

    def case(name: str, data: bytes, where: tuple[str, ...]) -> Case:
        return Case(f"xlsx-{name}", f"{name}.xlsx", data, ["import", "{project}", "{file}"], where)

    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    bomb = dict(members)
    bomb["xl/sharedStrings.xml"] = b"<sst>" + b" " * 3_000_000 + b"</sst>"
    stored = _zip(members, method=zipfile.ZIP_STORED)
    return [
        case("merged-case-id", _xlsx(rows, merge="B2:B4"), ("merged", "B2:B4", "row 1")),
        case("merged-header", _xlsx(rows, merge="A1:B1"), ("merged", "A1:B1")),
        case(
            "no-visible-sheet",
            _zip(_replace(members, b'state="visible"', b'state="hidden"')),
            ("visible",),
        ),
        case("zip-bomb-ratio", _zip(bomb), ("sharedStrings.xml", "inflate")),
        case("zip-bomb-claimed", _claim_size(good, sheet, 3_000_000_000), ("sheet1.xml",)),
        case("encrypted-member", _flag_encrypted(good, sheet), ("sheet1.xml", "encrypted")),
        case("bzip2-member", _zip(members, method=zipfile.ZIP_BZIP2), ("compression",)),
        case("lzma-member", _zip(members, method=zipfile.ZIP_LZMA), ("compression",)),
        case("bad-crc", _bad_crc(stored, sheet, members[sheet][60:]), ("sheet1.xml",)),
        case("truncated", good[: len(good) // 2], ("workbook",)),
        case("not-zip", b"id,text\nZ1,hello\n", ("not an XLSX",)),
        case("empty-sheet", _xlsx([]), ("empty",)),
        case("stray-cells", _xlsx([["id", "text"], ["Z1", "t", "stray"]]), ("row 1",)),
        case(
            "control-cell",
            _zip(_replace(members, b">one<", ">o\u009bne<".encode())),
            ("row 1", "U+009B"),
        ),
        case("bidi-cell", _zip(_replace(members, b">two<", ">\u202eowt<".encode())), ("row 2",)),
    ]


# ---------------------------------------------------------------------------------- codebooks

BOOK_HEAD = "name: hostile\nthemes:\n"


def _book(themes: str) -> str:
    return BOOK_HEAD + themes


def _theme(tid: str, codes: str, label: str | None = None) -> str:
    return f"  - id: {tid}\n    label: {label or tid.title()}\n    codes:\n{codes}"


def _code(cid: str, label: str | None = None, **extra: str) -> str:
    lines = [f"      - id: {cid}", f"        label: {label or cid.title()}"]
    lines += [f"        {k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def codebook_cases() -> list[Case]:
    def case(name: str, text: str | bytes, where: tuple[str, ...]) -> Case:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        return Case(
            f"codebook-{name}",
            f"{name}.yaml",
            data,
            ["codebook", "import", "{project}", "{file}"],
            where,
        )

    laughs = (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
            for i in range(8)
        )
        + "themes: []\n"
    )
    ok = _code("fresh_one")
    out = [
        case("billion-laughs", laughs, ("line 2", "aliases")),
        case("one-alias", _book(_theme("t_new", ok)) + "extra: &x 1\nmore: *x\n", ("aliases",)),
        case("deep-flow", "themes: " + "[" * 20_000 + "]" * 20_000 + "\n", ("line 1", "nested")),
        case(
            "deep-block",
            "themes:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 120)),
            ("nested",),
        ),
        case("duplicate-key", _book(_theme("t_new", ok)) + "themes: []\n", ("twice",)),
        case(
            "duplicate-code-key",
            _book(_theme("t_new", _code("fresh_one") + "        label: Again\n")),
            ("twice",),
        ),
        case(
            "parent-cycle",
            _book(_theme("t_new", _code("c_one", parent="c_two") + _code("c_two", parent="c_one"))),
            ("line", "ancestor"),
        ),
        case("parent-self", _book(_theme("t_new", _code("c_one", parent="c_one"))), ("ancestor",)),
        case(
            "parent-unknown",
            _book(_theme("t_new", _code("c_one", parent="nowhere"))),
            ("unknown parent",),
        ),
        case(
            "duplicate-id",
            _book(_theme("t_new", ok + ok.replace("Fresh_One", "Other"))),
            ("duplicate id",),
        ),
        case(
            "clashing-id", _book(_theme("t_new", _code(CODE, "Brand new label"))), ("already has",)
        ),
        case("bad-id", _book(_theme("t_new", _code("Bad Id"))), ("snake_case",)),
        case("no-label", _book("  - id: t_new\n    codes:\n" + ok), ("no `label`",)),
        case(
            "duplicate-label",
            _book(_theme("t_new", _code("c_one", "Same") + _code("c_two", "same"))),
            ("also used",),
        ),
        case(
            "two-char-shortcut",
            _book(_theme("t_new", _code("c_one", shortcut="ab"))),
            ("shortcut",),
        ),
        case(
            "shortcut-clash",
            _book(_theme("t_new", _code("c_one", shortcut="q") + _code("c_two", shortcut="q"))),
            ("clashes",),
        ),
        case(
            "keywords-not-list",
            _book(_theme("t_new", _code("c_one", keywords="one"))),
            ("keywords",),
        ),
        case("esc-label", _book(_theme("t_new", _code("c_one", '"C\\e[2J"'))), ("ESC",)),
        case(
            "bel-definition", _book(_theme("t_new", _code("c_one", definition='"a\\ab"'))), ("BEL",)
        ),
        case(
            "surrogate-label", _book(_theme("t_new", _code("c_one", '"C\\ud800"'))), ("surrogate",)
        ),
        case(
            "rlo-include",
            _book(_theme("t_new", _code("c_one", include='"\\u202Eabc"'))),
            ("override",),
        ),
        case(
            "c1-example", _book(_theme("t_new", _code("c_one", example='"a\\x9bb"'))), ("U+009B",)
        ),
        case("raw-control", _book(_theme("t_new", ok)).encode() + b"# \x1b\n", ("line",)),
        case("tab-indent", "themes:\n\t- id: t\n", ("line 2",)),
        case("not-mapping", "- just\n- a list\n", ("line 1",)),
        case("empty-themes", "themes: []\n", ("themes",)),
        case("not-utf8", b"themes:\n  - id: t\n    label: caf\xe9\n", ("line 3", "UTF-8")),
        case("too-big", "# " + "x" * 5_000_001 + "\nthemes: []\n", ("bytes",)),
    ]
    for key in "?+=/[]":
        label = {
            "?": "question",
            "+": "plus",
            "=": "equals",
            "/": "slash",
            "[": "lbracket",
            "]": "rbracket",
        }[key]
        out.append(
            case(
                f"reserved-shortcut-{label}",
                _book(_theme("t_new", _code("c_one", shortcut=json.dumps(key)))),
                ("shortcut", "coding screen"),
            )
        )
    return out


# ---------------------------------------------------------------------------------- codings


def codings_cases() -> list[Case]:
    def case(name: str, lines: list[str], where: tuple[str, ...]) -> Case:
        data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
        return Case(
            f"codings-{name}",
            f"{name}.jsonl",
            data,
            ["codings", "import", "{project}", "{file}", "--coder", "amy"],
            where,
        )

    def line(**kw: object) -> str:
        base: dict[str, object] = {"doc_id": DOC, "start": 0, "end": 5, "code": CODE}
        base.update(kw)
        return json.dumps(base)

    ok = line()
    return [
        case("unknown-doc", [ok, line(doc_id="NOPE")], ("line 2", "unknown document")),
        case("unknown-code", [ok, line(code="no_such_code")], ("line 2", "unknown code")),
        case("theme-code", [line(code=THEME)], ("line 1", "theme")),
        case("span-outside", [line(start=0, end=10**6)], ("line 1", "outside")),
        case("span-reversed", [line(start=5, end=2)], ("line 1",)),
        case("span-negative", [line(start=-3)], ("line 1",)),
        case("end-true", [line(end=True)], ("line 1", "whole numbers")),
        case("start-false", [line(start=False)], ("line 1",)),
        case("start-text", [line(start="5")], ("line 1",)),
        case("start-float", [line(start=1.5)], ("line 1",)),
        case(
            "start-nan",
            [f'{{"doc_id": "{DOC}", "start": NaN, "code": "{CODE}"}}'],
            ("line 1", "NaN"),
        ),
        case("doc-id-infinity", [f'{{"doc_id": Infinity, "code": "{CODE}"}}'], ("line 1",)),
        case(
            "huge-int",
            ['{{"doc_id": "{}", "end": {}, "code": "{}"}}'.format(DOC, "7" * 5000, CODE)],
            ("line 1", "digits"),
        ),
        case("deep", [ok, "[" * 100_000], ("line 2",)),
        case(
            "surrogate-doc",
            [f'{{"doc_id": "C\\ud800", "code": "{CODE}"}}'],
            ("line 1", "surrogate"),
        ),
        case(
            "surrogate-memo", [ok, line(memo="x").replace('"x"', '"\\udc00"')], ("line 2", "memo")
        ),
        case("surrogate-code", [f'{{"doc_id": "{DOC}", "code": "c\\ud800"}}'], ("line 1",)),
        case("esc-memo", [line(memo="\x1b]2;title\x07")], ("line 1", "memo")),
        case("rlo-memo", [line(memo="\u202eevil")], ("line 1", "memo")),
        case(
            "duplicate-key",
            [f'{{"doc_id": "{DOC}", "code": "{CODE}", "code": "x"}}'],
            ("line 1", "twice"),
        ),
        case("not-object", [ok, "[1, 2]"], ("line 2",)),
        case("broken", [ok, '{"doc_id": '], ("line 2",)),
        case("no-doc-id", [f'{{"code": "{CODE}"}}'], ("line 1", "doc_id")),
        case("no-code", [f'{{"doc_id": "{DOC}"}}'], ("line 1", "code")),
        Case(
            "codings-not-utf8",
            "not-utf8.jsonl",
            b'{"doc_id": "caf\xe9"}\n',
            ["codings", "import", "{project}", "{file}", "--coder", "amy"],
            ("line 1",),
        ),
    ]


# ---------------------------------------------------------------------------------- REFI

Q = "urn:QDA-XML:project:1.0"
QDC = "urn:QDA-XML:codebook:1.0"
G1, G2, G3, GS = (f"00000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3, 4))


def _codes_xml(extra: str = "") -> str:
    return (
        f'<Codes><Code guid="{G1}" name="Hostile theme" isCodable="false">'
        f'<Code guid="{G2}" name="Hostile code" isCodable="true"/>{extra}</Code></Codes>'
    )


def _qde(sources: str, codebook: str | None = None, extra: str = "") -> bytes:
    book = codebook if codebook is not None else _codes_xml()
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{Q}" name="h" '
        f'origin="hostile"><Users><User guid="{G3}" name="amy"/></Users>'
        f"<CodeBook>{book}</CodeBook><Sources>{sources}</Sources>{extra}</Project>"
    ).encode()


def _source(
    name: str = "R1",
    start: str = "0",
    end: str = "4",
    text_path: str = "r1.txt",
    inline: str | None = None,
) -> str:
    content = f"<PlainTextContent>{inline}</PlainTextContent>" if inline is not None else ""
    where = "" if inline is not None else f' plainTextPath="internal://{text_path}"'
    return (
        f'<TextSource guid="{GS}" name="{name}"{where}>{content}'
        f'<PlainTextSelection guid="{G3[:-1]}9" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{G3[:-1]}8" creatingUser="{G3}"><CodeRef targetGUID="{G2}"/>'
        f"</Coding></PlainTextSelection></TextSource>"
    )


def _qdpx(
    qde: bytes, files: dict[str, bytes] | None = None, *, method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    members = {"project.qde": qde}
    for name, data in (files if files is not None else {"r1.txt": b"Some text here."}).items():
        members[f"sources/{name}"] = data
    return _zip(members, method=method)


def refi_cases() -> list[Case]:
    def case(name: str, data: bytes, where: tuple[str, ...]) -> Case:
        return Case(
            f"refi-{name}",
            f"{name}.qdpx",
            data,
            ["refi", "import", "{project}", "{file}", "--coder", "amy"],
            where,
        )

    def qdc(name: str, data: bytes, where: tuple[str, ...]) -> Case:
        return Case(
            f"qdc-{name}", f"{name}.qdc", data, ["codebook", "import", "{project}", "{file}"], where
        )

    deep = (
        "".join(
            f'<Code guid="{i:08d}-0000-4000-8000-000000000000" name="n{i}" isCodable="true">'
            for i in range(3000)
        )
        + "</Code>" * 3000
    )
    good = _qdpx(_qde(_source()))
    stored = _qdpx(_qde(_source()), method=zipfile.ZIP_STORED)
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + f']><Project xmlns="{Q}" name="&i;"/>'
    ).encode()
    bomb_src = {"r1.txt": b"Some text here." + b" " * 3_000_000}
    return [
        case("not-zip", b"<Project/>", ("not a .qdpx",)),
        case("no-qde", _zip({"sources/r1.txt": b"x"}), ("project.qde",)),
        case("malformed-xml", _qdpx(b"<Project><unclosed></Project>"), ("line 1",)),
        case("wrong-root", _qdpx(b'<?xml version="1.0"?><Other/>'), ("root",)),
        case("entity-bomb", _qdpx(laughs), ("XML",)),
        case("position-text", _qdpx(_qde(_source(start="zero"))), ("source 'R1'", "startPosition")),
        case("position-float", _qdpx(_qde(_source(end="4.5"))), ("source 'R1'", "endPosition")),
        case("position-huge", _qdpx(_qde(_source(end="9" * 5000))), ("source 'R1'",)),
        case(
            "deep-code-tree", _qdpx(_qde(_source(), f"<Codes>{deep}</Codes>")), ("nested", "levels")
        ),
        case(
            "source-not-utf8",
            _qdpx(_qde(_source()), {"r1.txt": b"caf\xe9 au lait"}),
            ("r1.txt", "UTF-8"),
        ),
        case(
            "source-c1",
            _qdpx(_qde(_source()), {"r1.txt": "a\u009bb text".encode()}),
            ("source 'R1'", "U+009B"),
        ),
        case(
            "source-rlo",
            _qdpx(_qde(_source()), {"r1.txt": "\u202eevil text".encode()}),
            ("source 'R1'", "override"),
        ),
        case("source-name-rlo", _qdpx(_qde(_source(name="R\u202e1"))), ("source",)),
        case("inline-rlo", _qdpx(_qde(_source(inline="abc\u202edef"))), ("source 'R1'",)),
        case(
            "source-huge",
            _qdpx(
                _qde(_source()),
                {"r1.txt": " ".join(str(i * 7919 % 100_003) for i in range(200_000)).encode()},
            ),
            ("source 'R1'", "1,000,000"),
        ),
        case(
            "note-rlo",
            _qdpx(
                _qde(
                    _source(),
                    extra=(
                        f'<Notes><Note guid="{G3[:-1]}7" name="n"><PlainTextContent>\u202eno'
                        f'</PlainTextContent></Note></Notes><NoteRef targetGUID="{G3[:-1]}7"/>'
                    ),
                )
            ),
            ("note",),
        ),
        case("zip-bomb", _qdpx(_qde(_source()), bomb_src), ("r1.txt", "inflate")),
        case("claimed-bomb", _claim_size(good, "sources/r1.txt", 2_100_000_000), ("r1.txt",)),
        case("encrypted", _flag_encrypted(good, "sources/r1.txt"), ("r1.txt", "encrypted")),
        case("bzip2", _qdpx(_qde(_source()), method=zipfile.ZIP_BZIP2), ("compression",)),
        case(
            "bad-crc", _bad_crc(stored, "sources/r1.txt", b"Some text here."), ("r1.txt", "damaged")
        ),
        case("truncated", good[: len(good) - 30], ("zip",)),
        qdc("malformed", b"<CodeBook><Codes>", ("line",)),
        qdc("wrong-root", f'<Project xmlns="{Q}"/>'.encode(), ("root element",)),
        qdc("no-codes", f'<CodeBook xmlns="{QDC}"/>'.encode(), ("<Codes>",)),
        qdc(
            "deep-tree",
            f'<CodeBook xmlns="{QDC}"><Codes>{deep}</Codes></CodeBook>'.encode(),
            ("nested",),
        ),
    ]


# ---------------------------------------------------------------------------------- outputs


def _out(name: str, args: str, where: tuple[str, ...], link: str = "") -> Case:
    """An output pointed at the project (`args` split on spaces); `link` makes `{file}` a
    symlink (name=target) to one of the project's files."""
    filename, _, target = link.partition("=")
    return Case(f"out-{name}", filename or "unused.txt", b"", args.split(), where,
                names_file=False, link_to=target or None)


def output_cases() -> list[Case]:
    """Outputs pointed at the project, its side files or its backups: refused, nothing written."""
    out = [_out(f"export-{fmt}-onto-project", f"export {{project}} --format {fmt} --out {{project}}",
                ("Refusing", "project file"))
           for fmt in ("md", "csv", "xlsx", "docx", "html", "json")]
    refused = ("Refusing",)
    out += [
        _out("export-onto-wal", "export {project} --format md --out {project}-wal",
             ("Refusing", "side file")),
        _out("export-onto-shm", "export {project} --format csv --out {project}-shm", refused),
        _out("export-into-backups", "export {project} --format md --out {dir}/backups/p-x.db",
             ("Refusing", "backups")),
        _out("presence-via-symlink", "export {project} --format presence --out {file}", refused,
             "link.xlsx=p.db"),
        _out("docx-via-symlink-to-wal", "export {project} --format docx --out {file}", refused,
             "link.docx=p.db-wal"),
        _out("report-onto-project", "report {project} --out {project}", refused),
        _out("codings-onto-project", "codings export {project} {project}", refused),
        _out("codebook-onto-project", "codebook export {project} --out {project}", refused),
        _out("plot-onto-project", "saturation {project} --plot {project}", refused),
        _out("refi-via-symlink", "refi export {project} --out {file} --yes --no-redact", refused,
             "link.qdpx=p.db"),
        _out("qdc-via-symlink", "refi export {project} --out {file}", refused, "link.qdc=p.db"),
        _out("report-via-symlink", "report {project} --out {file}", refused, "link.html=p.db"),
    ]
    return out


def cases() -> list[Case]:
    """Every hostile case, in a stable order with unique names."""
    found = [
        *csv_cases(),
        *jsonl_cases(),
        *xlsx_cases(),
        *codebook_cases(),
        *codings_cases(),
        *refi_cases(),
        *output_cases(),
    ]
    names = [c.name for c in found]
    assert len(names) == len(set(names)), "case names must be unique"
    return found


def write_all(folder: Path) -> list[Path]:
    """Write every case's file (and a manifest.json of the commands) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    manifest = []
    for c in cases():
        d = folder / c.name
        d.mkdir(exist_ok=True)
        (d / c.filename).write_bytes(c.data)
        written.append(d / c.filename)
        manifest.append(
            {"name": c.name, "file": c.filename, "args": c.args, "where": list(c.where)}
        )
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return written


if __name__ == "__main__":
    paths = write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-inputs"))
    print(f"Wrote {len(paths)} hostile input files.")
