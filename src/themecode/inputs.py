"""Bounds on what is read from a file, so a hostile input cannot exhaust memory or crash a reader.

Zip containers (`.xlsx` workbooks, `.qdpx` projects) are checked member by member before any
is inflated: encrypted members, unknown compression methods, members that inflate beyond a
size limit or by an implausible ratio (a "zip bomb") are refused with a message naming the file
and the member; reading a member turns a damaged one (bad CRC, broken deflate stream) into the
same kind of message.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from themecode.errors import InputFileError

MAX_MEMBER_BYTES = 512 * 1024 * 1024  # one inflated member (a worksheet, a source text)
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all members together
MAX_RATIO = 200  # inflated / compressed, for members over 1 MB (text compresses ~10x)
_KNOWN_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


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
