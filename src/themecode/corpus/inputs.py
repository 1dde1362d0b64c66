"""Reading hostile input files safely: bounds and checks that keep a reader from exhausting
memory, crashing, or misreading silently.

Zip containers (`.xlsx` workbooks, `.qdpx` projects) are checked member by member before any
is inflated: encrypted members, unknown compression methods, members that inflate beyond a
size limit or by an implausible ratio (a "zip bomb") are refused with a message naming the file
and the member; reading a member turns a damaged one (bad CRC, broken deflate stream) into the
same kind of message. Workbooks are read from the sheet a person sees (the active visible
one) and refused when cells are merged. A JSON line that is too deep, holds a 4,300-digit
number, NaN or a key twice is refused naming the line.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from themecode.errors import InputFileError

MAX_MEMBER_BYTES = 512 * 1024 * 1024  # one inflated member (a worksheet, a source text)
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all members together
MAX_RATIO = 200  # inflated / compressed, for members over 1 MB (text compresses ~10x)
_KNOWN_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def check_zip(zf: zipfile.ZipFile, path: str | Path, *, what: str = "the zip file") -> None:
    """Refuse a zip whose members are encrypted, oddly compressed or would inflate too far."""
    total = 0
    for info in zf.infolist():
        where = f"member {info.filename!r} of {what}"
        if info.flag_bits & 0x1:
            raise InputFileError(f"{where} is encrypted", path=str(path),
                                 hint="save the file again without a password.")
        if info.compress_type not in _KNOWN_METHODS:
            raise InputFileError(
                f"{where} uses a compression method themecode cannot read "
                f"(method {info.compress_type})", path=str(path),
                hint="save the file again from the program that made it (plain deflate).")
        if info.file_size > MAX_MEMBER_BYTES or (
                info.file_size > 1024 * 1024
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise InputFileError(
                f"{where} would inflate to {info.file_size:,} bytes from "
                f"{info.compress_size:,} (limit {MAX_MEMBER_BYTES:,} bytes, or {MAX_RATIO}x)",
                path=str(path), hint="this looks like a zip bomb or a damaged file; "
                "check where it came from.")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise InputFileError(
                f"{what} would inflate to more than {MAX_TOTAL_BYTES:,} bytes", path=str(path),
                hint="split the data into smaller files.")


def read_member(zf: zipfile.ZipFile, name: str, path: str | Path) -> bytes:
    """A member's bytes (after `check_zip`), with a damaged member refused by name."""
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError) as exc:
        raise InputFileError(f"member {name!r} is damaged and cannot be read ({exc})",
                             path=str(path),
                             hint="the file was cut short or corrupted; make it again.") from exc


def check_workbook_zip(p: Path, raw: bytes) -> None:
    """Refuse a workbook whose zip would inflate too far or cannot be read (`inputs.check_zip`)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            check_zip(zf, p, what="the workbook")
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise InputFileError(f"cannot be opened as a workbook ({exc})", path=str(p),
                             hint="open it in a spreadsheet program, save it again as .xlsx "
                             "and retry.") from exc


def visible_sheet(wb: Any, p: Path) -> Any:
    """The sheet a person sees on opening the workbook: the active one if it is a visible
    worksheet, else the first visible worksheet."""
    sheets = [w for w in wb.worksheets if getattr(w, "sheet_state", "visible") == "visible"]
    if not sheets:
        raise InputFileError("has no visible worksheet", path=str(p),
                             hint="unhide the sheet holding the commentaries and save again.")
    try:
        active = wb.active
    except (IndexError, AttributeError):
        active = None
    return active if active in sheets else sheets[0]


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def refuse_merged_cells(raw: bytes, member: str, title: str, p: Path) -> None:
    """Refuse merged cells: only the first cell of a merged range holds its value, so a merged
    `case_id` would silently turn one case into several (the sampling unit would change)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        name = member.lstrip("/")
        if name not in zf.namelist():
            return
        m = _MERGE_RE.search(read_member(zf, name, p))
    if m:
        cells = m.group(1).decode()
        first_row = int(re.sub(r"[A-Z]+", "", cells.split(":")[0]))
        raise InputFileError(
            f"sheet {title!r} has merged cells ({cells}); only the first cell of a merged range "
            "holds a value, so the other rows would lose theirs", path=str(p),
            row=max(first_row - 1, 1),
            hint="unmerge the cells and fill the value into every row (in Excel: Merge & "
            "Centre → Unmerge, then fill down), then import again.")


def parse_json_line(line: str, p: Path, number: int) -> Any:
    """One line of JSON, with what `json` cannot take (too deep, numbers too long, NaN,
    duplicate keys) refused as an `InputFileError` naming the file and line."""
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for k, v in pairs:
            if k in obj:
                raise InputFileError(f"the key {k!r} appears twice in one object", path=str(p),
                                     line=number, hint="give each key once per line.")
            obj[k] = v
        return obj

    def no_constant(name: str) -> Any:
        raise InputFileError(f"{name} is not a number JSON allows", path=str(p), line=number,
                             hint="write the value as a string or a finite number.")

    try:
        return json.loads(line, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"is not valid JSON ({exc.msg})", path=str(p), line=number,
                             hint="each line must be one JSON object.") from exc
    except RecursionError:
        raise InputFileError("is nested too deeply to be read", path=str(p), line=number,
                             hint="each line must be one flat JSON object.") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        what = ("holds a number with more than 4,300 digits" if "digits" in str(exc)
                else f"cannot be read ({exc})")
        raise InputFileError(what, path=str(p), line=number,
                             hint="write very long numbers as strings.") from None


def decode_csv(raw: bytes, path: str) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (BOM or not), UTF-16/32 with a BOM (Excel's 'Unicode text'),
    or, failing that, Windows-1252 (Excel's export)."""
    for bom, encoding in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                          (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise _undecodable(raw, exc.start, path, encoding.upper()) from None
    try:
        return raw.decode("utf-8-sig").lstrip("\ufeff"), "utf-8"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    # Real UTF-8 elsewhere in the file means this byte is damage, not another encoding.
    if _UTF8_MULTIBYTE.search(raw):
        raise _undecodable(raw, bad_at, path, "UTF-8")
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise _undecodable(raw, exc.start, path, "UTF-8 or Windows-1252") from None


def _undecodable(raw: bytes, pos: int, path: str, tried: str) -> InputFileError:
    prefix = raw[:pos].decode("utf-8", errors="replace")
    line = prefix.count("\n") + 1
    try:
        row = sum(1 for _ in csv.reader(io.StringIO(prefix))) - 1
    except csv.Error:
        row = line - 1
    return InputFileError(
        f"byte 0x{raw[pos]:02x} at line {line} cannot be read as {tried}",
        path=path, row=max(row, 1),
        hint="re-save the file as 'CSV UTF-8' (in Excel: Save As → CSV UTF-8), then import again.",
    )
