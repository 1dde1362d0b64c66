"""Input limits of a REFI-QDA import: what `refi.importer` refuses before or while it reads.

Kept apart from the import's mapping so the two change independently: the zip is checked with
`themecode.corpus.inputs` (encryption, compression method, sizes, damaged members), positions must be
whole numbers, source texts UTF-8 and free of refused control characters, code trees at most
`MAX_CODE_DEPTH` deep. Every refusal is an `InputFileError` naming the file and the element; the
importer raises it inside its one transaction, so nothing is left behind.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from themecode.corpus.controls import REFUSAL_HINT, refusal
from themecode.corpus.importer import MAX_TEXT_CHARS
from themecode.corpus.inputs import check_zip
from themecode.errors import InputFileError

MAX_CODE_DEPTH = 100


def open_qdpx(p: Path) -> zipfile.ZipFile:
    """The `.qdpx` zip, its members checked (`themecode.corpus.inputs.check_zip`)."""
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise InputFileError("not a .qdpx (zip) file", path=str(p),
                             hint="a .qdpx is the zip file another QDA program exports.") from exc
    try:
        check_zip(zf, p, what="the .qdpx")
    except InputFileError:
        zf.close()
        raise
    return zf


def source_text(raw: bytes, name: str, p: Path) -> str:
    """A source file's text: UTF-8 (with or without BOM), or refused naming the member."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(f"source {name!r} is not UTF-8 text (byte {exc.start} on line "
                             f"{line})", path=str(p),
                             hint="REFI-QDA source texts are UTF-8; export the project again."
                             ) from None


def check_text(kind: str, name: str, text: str, p: Path) -> None:
    """Refuse a name or text holding characters the import policy refuses (`controls`)."""
    if len(text) > MAX_TEXT_CHARS:
        raise InputFileError(f"{kind} {name!r} has {len(text):,} characters, more than the "
                             f"{MAX_TEXT_CHARS:,} a commentary may have", path=str(p),
                             hint="split it into several sources before exporting.")
    problem = refusal(text)
    if problem:
        raise InputFileError(f"{kind} {name!r} {problem}", path=str(p), hint=REFUSAL_HINT)


def position(sel: ET.Element, attr: str, doc_id: str, p: Path) -> int:
    """A selection's start or end position as a whole number, or refused naming the source."""
    raw = sel.get(attr, "0")
    try:
        value = int(raw.strip())
    except ValueError:
        raise InputFileError(
            f"source {doc_id!r}: selection {sel.get('guid', '?')!r} has {attr}={raw[:40]!r}, "
            "not a whole number", path=str(p),
            hint="positions are character offsets (0, 1, 2, ...).") from None
    return value


def check_depth(codes_el: ET.Element, q: str, p: Path) -> None:
    """Refuse a code tree nested deeper than `MAX_CODE_DEPTH` (checked without recursion)."""
    stack = [(el, 1) for el in codes_el.findall(f"{q}Code")]
    while stack:
        el, depth = stack.pop()
        if depth > MAX_CODE_DEPTH:
            raise InputFileError(
                f"code {el.get('name', '?')!r} is nested {depth} levels deep (at most "
                f"{MAX_CODE_DEPTH})", path=str(p),
                hint="themecode keeps theme > code; flatten the code tree and export again.")
        stack.extend((child, depth + 1) for child in el.findall(f"{q}Code"))
