"""Import commentaries from CSV, XLSX or JSONL into a project: validate everything first, then
write it all in one transaction, so a bad file changes nothing.

Text is normalised once here (`\\r\\n`/`\\r` → `\\n`, Unicode NFC) and never edited afterwards;
sentences are stored as code-point offsets with their lemmas.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from themecode.corpus.controls import REFUSAL_HINT, line_breaks, refusal
from themecode.corpus.inputs import (
    check_workbook_zip,
    decode_csv,
    parse_json_line,
    refuse_merged_cells,
    visible_sheet,
)
from themecode.errors import InputFileError
from themecode.store import Store, now

Progress = Callable[[int, int], None]
# spaCy's own limit for one text; a commentary is a sentence to a few paragraphs
MAX_TEXT_CHARS = 1_000_000
# the csv module's default limit (131,072) is below MAX_TEXT_CHARS: a longer commentary should
# get the message about its length, not about quoting
CSV_FIELD_LIMIT = 4 * MAX_TEXT_CHARS



@dataclass
class RawRow:
    """One data row of an input file: where it came from and its cells by column name."""

    number: int  # 1-based data row number (CSV/XLSX: header is row 0; JSONL: line number)
    values: dict[str, str]


@dataclass
class ImportResult:
    """What an import did."""

    path: str
    documents: int = 0
    updated: int = 0
    cases: int = 0
    sentences: int = 0
    seconds: float = 0.0
    encoding: str = ""
    columns: list[str] = field(default_factory=list)


def normalise_text(text: str) -> str:
    """Line endings (and vertical tab, form feed, NEL) to `\\n`, Unicode NFC, surrounding white
    space removed (see `themecode.corpus.controls` for the control-character policy)."""
    text = line_breaks(text.replace("\r\n", "\n").replace("\r", "\n"))
    try:
        return unicodedata.normalize("NFC", text).strip()
    except UnicodeError:  # lone surrogates: left as they are for `check_chars` to name
        return text.strip()


def content_hash(text: str) -> str:
    """sha256 of the normalised text (identifies a document's content across copies)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _read_csv(p: Path, raw: bytes) -> tuple[list[str], list[RawRow], str]:
    if raw.startswith(b"PK\x03\x04"):
        raise InputFileError(
            "this is a zip/XLSX file, not CSV", path=str(p),
            hint="rename it to .xlsx, or export it from the spreadsheet as CSV.",
        )
    text, encoding = decode_csv(raw, str(p))
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputFileError(
            f"contains a NUL byte (line {line}): this looks like a binary file, not CSV",
            path=str(p), row=max(line - 1, 1),
            hint="export the data again as plain CSV text.",
        )
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[RawRow] = []
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise InputFileError("the file is empty (no header row)", path=str(p),
                                 hint="the first row must name the columns, e.g. id,case_id,text.")
        header = [unicodedata.normalize("NFC", h.strip()) for h in header]
        for number, record in enumerate(reader, start=1):
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != len(header):
                raise InputFileError(
                    f"has {len(record)} cells but the header has {len(header)} columns",
                    path=str(p), row=number,
                    hint="check for an unquoted comma or a missing cell in that row; "
                    "text containing commas must be in double quotes.",
                )
            rows.append(RawRow(number, dict(zip(header, record, strict=True))))
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise InputFileError(
                f"a cell is longer than {CSV_FIELD_LIMIT:,} characters", path=str(p),
                row=max(reader.line_num - 1, 1),
                hint="check for a quote that is opened and never closed (it joins rows), or "
                "split the text.") from exc
        raise InputFileError(
            f"is not valid CSV ({exc})", path=str(p), row=max(reader.line_num - 1, 1),
            hint="check the quoting on that line: a quote inside a quoted cell is written \"\".",
        ) from exc
    return header, rows, encoding


def _read_xlsx(p: Path, raw: bytes) -> tuple[list[str], list[RawRow], str]:
    if raw[:4] != b"PK\x03\x04":
        raise InputFileError(
            "is not an XLSX workbook (it is not a zip file)", path=str(p),
            hint="if it is CSV text, rename it to .csv; old .xls files must be re-saved as .xlsx.",
        )
    from openpyxl import load_workbook

    check_workbook_zip(p, raw)
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputFileError(f"cannot be opened as a workbook ({exc})", path=str(p),
                             hint="open it in a spreadsheet program, save it again as .xlsx "
                             "and retry.") from exc
    number = 0
    try:
        ws = visible_sheet(wb, p)
        refuse_merged_cells(raw, getattr(ws, "_worksheet_path", ""), ws.title, p)
        it = ws.iter_rows(values_only=True)
        header_cells = next(it, None)
        if not header_cells or not any(c is not None for c in header_cells):
            raise InputFileError(f"the first sheet is empty (no header row): sheet {ws.title!r}",
                                 path=str(p), hint="put the column names (id, text, ...) in "
                                 "the first row of the sheet that is shown on opening.")
        header = [unicodedata.normalize("NFC", _cell(h).strip()) for h in header_cells]
        while header and not header[-1]:
            header.pop()
        rows: list[RawRow] = []
        for number, cells in enumerate(it, start=1):
            values = [_cell(c) for c in cells]
            if not any(v.strip() for v in values):
                continue
            extra = [v for v in values[len(header):] if v.strip()]
            if extra:
                raise InputFileError(
                    f"has cells beyond the {len(header)} named columns",
                    path=str(p), row=number, hint="give every column a header, or delete the stray cells.",
                )
            values = (values + [""] * len(header))[: len(header)]
            rows.append(RawRow(number, dict(zip(header, values, strict=True))))
    except InputFileError:
        raise
    except Exception as exc:  # sheets are parsed lazily: damaged XML surfaces while iterating
        raise InputFileError(
            f"the worksheet is damaged and cannot be read ({type(exc).__name__}: {exc})",
            path=str(p), row=number + 1,
            hint="open the file in a spreadsheet program, save it again as .xlsx, and retry.",
        ) from exc
    finally:
        wb.close()
    return header, rows, "xlsx"


def read_jsonl_objects(
    p: Path, *, hint: str = "each line must be one JSON object.", raw: bytes | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line of a UTF-8 JSON Lines file.

    Only `\\n` ends a line (JSON strings may hold U+2028, U+0085 or form feeds unescaped); a line
    that is not a JSON object is an `InputFileError` naming it. `raw` is the file's content when
    the caller has already read it (to hash exactly the bytes that were parsed); `p` then only
    names the file in messages.
    """
    if raw is None:
        raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError("is not UTF-8 text", path=str(p), line=line,
                             hint="JSON Lines files must be UTF-8.") from exc
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        obj = parse_json_line(line, p, number)
        if not isinstance(obj, dict):
            raise InputFileError("is not a JSON object", path=str(p), line=number, hint=hint)
        yield number, obj


def _read_jsonl(p: Path, raw: bytes) -> tuple[list[str], list[RawRow], str]:
    header: list[str] = []
    rows: list[RawRow] = []
    for number, obj in read_jsonl_objects(
        p, hint='each line must look like {"id": "...", "text": "..."}.', raw=raw
    ):
        values: dict[str, str] = {}
        for k, v in obj.items():
            if isinstance(v, dict | list):
                raise InputFileError(f"field {k!r} is nested; only plain values are allowed",
                                     path=str(p), line=number,
                                     hint="write the value as plain text or a number.")
            key = unicodedata.normalize("NFC", str(k).strip())
            values[key] = _cell(v)
            if key not in header:
                header.append(key)
        rows.append(RawRow(number, values))
    return header, rows, "utf-8"


class RowsRead(NamedTuple):
    """A corpus file as read: its columns, rows, encoding and the sha256 of the bytes parsed."""

    header: list[str]
    rows: list[RawRow]
    encoding: str
    sha256: str


def read_rows(path: str | Path) -> RowsRead:
    """Read a CSV, XLSX or JSONL file into columns, rows and encoding, without validating
    content. The file is read once; its sha256 (for the audit log) is of exactly those bytes."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError("no such file", path=str(p))
    ext = p.suffix.lower()
    readers = {".csv": _read_csv, ".txt": _read_csv, ".xlsx": _read_xlsx,
               ".jsonl": _read_jsonl, ".ndjson": _read_jsonl}
    reader = readers.get(ext)
    if reader is None:
        raise InputFileError(
            f"unsupported file type {ext or '(none)'!r}", path=str(p),
            hint="use .csv (UTF-8 or Windows-1252), .xlsx or .jsonl.",
        )
    raw = p.read_bytes()
    header, rows, encoding = reader(p, raw)
    return RowsRead(header, rows, encoding, hashlib.sha256(raw).hexdigest())


@dataclass
class _Doc:
    id: str
    case_id: str
    stage: str | None
    text: str
    hash: str
    metadata: dict[str, str]
    row: int


def _validate(
    path: Path, header: list[str], rows: list[RawRow], *, id_col: str, text_col: str,
    case_col: str, stage_col: str,
) -> list[_Doc]:
    loc = str(path)
    kind = "line" if path.suffix.lower() in (".jsonl", ".ndjson") else "row"
    for col in (id_col, text_col):
        if col not in header:
            raise InputFileError(
                f"has no {col!r} column (columns found: {', '.join(header) or 'none'})",
                path=loc, column=col,
                hint=f"rename the column, or name it with --{'id' if col == id_col else 'text'}-col.",
            )
    for h in header:
        if refusal(h):
            raise InputFileError(f"a column name {refusal(h)}", path=loc, column=h,
                                 hint=REFUSAL_HINT)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputFileError(f"column name(s) used twice: {', '.join(dupes)}", path=loc,
                             hint="give every column a different name.")
    if not rows:
        raise InputFileError("has a header but no data rows", path=loc,
                             hint="add one row per commentary below the header.")
    meta_cols = [h for h in header if h and h not in (id_col, text_col, case_col, stage_col)]
    seen: dict[str, int] = {}
    docs: list[_Doc] = []
    for r in rows:
        where = {"line": r.number} if kind == "line" else {"row": r.number}
        doc_id = unicodedata.normalize("NFC", r.values.get(id_col, "").strip())
        if not doc_id:
            raise InputFileError("the id is empty", path=loc, column=id_col, **where,
                                 hint="every commentary needs a unique id.")
        if doc_id in seen:
            raise InputFileError(
                f"duplicate id {doc_id!r} (also in {kind} {seen[doc_id]})",
                path=loc, column=id_col, **where, hint="ids must be unique within the file.",
            )
        seen[doc_id] = r.number
        text = normalise_text(r.values.get(text_col, ""))
        if not text:
            raise InputFileError(
                f"the text of {doc_id!r} is empty", path=loc, column=text_col, **where,
                hint="remove the row, or fill in the commentary.",
            )
        if len(text) > MAX_TEXT_CHARS:
            raise InputFileError(
                f"the text of {doc_id!r} has {len(text):,} characters, more than the "
                f"{MAX_TEXT_CHARS:,} a commentary may have", path=loc, column=text_col, **where,
                hint="split the text into several commentaries of one case, or check the file "
                "is not damaged (a missing closing quote joins rows).")
        case_id = r.values.get(case_col, "").strip() if case_col in header else ""
        stage = r.values.get(stage_col, "").strip() if stage_col in header else ""
        meta = {c: r.values.get(c, "").strip() for c in meta_cols}
        for col, value in ((id_col, doc_id), (text_col, text), (case_col, case_id),
                           (stage_col, stage), *meta.items()):
            problem = refusal(value)
            if problem:
                if "\x00" in value:  # CSV refuses NUL bytes when reading; JSON can escape one
                    problem += " (a NUL character, often left by a broken export)"
                raise InputFileError(f"the {col} value {problem}", path=loc, column=col,
                                     **where, hint=REFUSAL_HINT)
        meta = {c: unicodedata.normalize("NFC", v) for c, v in meta.items()}
        docs.append(_Doc(doc_id, unicodedata.normalize("NFC", case_id) or doc_id,
                         stage.lower() or None, text, content_hash(text), meta, r.number))
    return docs


def import_corpus(
    store: Store,
    path: str | Path,
    *,
    id_col: str = "id",
    text_col: str = "text",
    case_col: str = "case_id",
    stage_col: str = "stage",
    update: bool = False,
    coder: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Validate a file and add its commentaries (and their cases and sentences) to the project.

    All or nothing: any problem raises `InputFileError` naming file, row/line and column, and the
    project is left exactly as it was. With `update`, documents whose id already exists get their
    metadata refreshed; their text may change only if nobody has coded them yet.
    """
    from themecode.corpus.nlp import split_sentences

    started = time.perf_counter()
    p = Path(path)
    header, rows, encoding, digest = read_rows(p)
    docs = _validate(p, header, rows, id_col=id_col, text_col=text_col, case_col=case_col,
                     stage_col=stage_col)
    loc = str(p)
    existing: dict[str, str] = {}
    ids = [d.id for d in docs]
    for i in range(0, len(ids), 900):
        chunk = ids[i: i + 900]
        marks = ",".join("?" * len(chunk))
        existing.update(
            store.conn.execute(
                f"SELECT id, content_hash FROM documents WHERE id IN ({marks})", chunk
            ).fetchall()
        )
    if existing and not update:
        first = next(d for d in docs if d.id in existing)
        raise InputFileError(
            f"{len(existing)} id(s) already in the project, e.g. {first.id!r}",
            path=loc, row=first.row, column=id_col,
            hint="use `themecode import --update` to refresh them, or give new ids.",
        )
    changed_text = [d for d in docs if d.id in existing and existing[d.id] != d.hash]
    for d in changed_text:
        coded = store.conn.execute(
            "SELECT count(*) FROM codings WHERE document_id = ? AND deleted = 0", (d.id,)
        ).fetchone()[0]
        if coded:
            raise InputFileError(
                f"the text of {d.id!r} differs from the project's copy, which has {coded} coding(s)",
                path=loc, row=d.row, column=text_col,
                hint="coded text is never edited (offsets would break); import it under a new id.",
            )
    # Documents must not move between cases: that would silently re-sample them.
    for d in docs:
        if d.id in existing:
            old_case = store.conn.execute(
                "SELECT case_id FROM documents WHERE id = ?", (d.id,)
            ).fetchone()[0]
            if old_case != d.case_id:
                raise InputFileError(
                    f"{d.id!r} belongs to case {old_case!r} in the project but {d.case_id!r} here",
                    path=loc, row=d.row, column=case_col,
                    hint="a commentary cannot move to another case.",
                )

    to_split = [d for d in docs if d.id not in existing or d in changed_text]
    sentences: dict[str, list[tuple[int, int, int, str]]] = {}
    total = len(to_split)
    if progress:
        progress(0, total)
    for i, (d, sents) in enumerate(
        zip(to_split, split_sentences(d.text for d in to_split), strict=True), start=1
    ):
        sentences[d.id] = [(s.index, s.start, s.end, s.lemmas) for s in sents]
        if progress and (i % 200 == 0 or i == total):
            progress(i, total)

    # Case metadata: the extra columns whose value is the same on every row of the case.
    by_case: dict[str, list[_Doc]] = {}
    for d in docs:
        by_case.setdefault(d.case_id, []).append(d)
    case_meta: dict[str, dict[str, str]] = {}
    for case_id, members in by_case.items():
        keys = members[0].metadata.keys()
        case_meta[case_id] = {
            k: members[0].metadata[k] for k in keys
            if all(m.metadata.get(k) == members[0].metadata[k] for m in members)
        }

    result = ImportResult(path=loc, encoding=encoding, columns=header)
    at = now()
    with store.write():
        for case_id, meta in case_meta.items():
            row = store.conn.execute("SELECT metadata FROM cases WHERE id = ?", (case_id,)).fetchone()
            if row is None:
                store.conn.execute(
                    "INSERT INTO cases(id, metadata, created_at) VALUES (?, ?, ?)",
                    (case_id, json.dumps(meta, ensure_ascii=False, sort_keys=True), at),
                )
                result.cases += 1
            else:
                merged = json.loads(row[0])
                merged.update(meta) if update else merged.update(
                    {k: v for k, v in meta.items() if k not in merged}
                )
                store.conn.execute(
                    "UPDATE cases SET metadata = ? WHERE id = ?",
                    (json.dumps(merged, ensure_ascii=False, sort_keys=True), case_id),
                )
        new_docs = [d for d in docs if d.id not in existing]
        store.conn.executemany(
            "INSERT INTO documents(id, case_id, stage, text, content_hash, metadata, source, "
            "source_row, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(d.id, d.case_id, d.stage, d.text, d.hash,
              json.dumps(d.metadata, ensure_ascii=False, sort_keys=True), p.name, d.row, at)
             for d in new_docs],
        )
        for d in docs:
            if d.id in existing:
                store.conn.execute(
                    "UPDATE documents SET stage = ?, text = ?, content_hash = ?, metadata = ? "
                    "WHERE id = ?",
                    (d.stage, d.text, d.hash,
                     json.dumps(d.metadata, ensure_ascii=False, sort_keys=True), d.id),
                )
                result.updated += 1
        for doc_id in sentences:
            if doc_id in existing:
                store.conn.execute("DELETE FROM sentences WHERE document_id = ?", (doc_id,))
        store.conn.executemany(
            'INSERT INTO sentences(document_id, idx, start, "end", lemmas) VALUES (?, ?, ?, ?, ?)',
            [(doc_id, *s) for doc_id, sents in sentences.items() for s in sents],
        )
        result.documents = len(new_docs)
        result.sentences = sum(len(s) for s in sentences.values())
        store.conn.execute(
            "INSERT INTO imports(at, coder, kind, path, sha256, rows) VALUES (?, ?, 'corpus', ?, ?, ?)",
            (at, coder, loc, digest, len(docs)),
        )
        store.log_event(coder, "import", loc,
                        {"documents": result.documents, "updated": result.updated,
                         "cases": result.cases, "sha256": digest, "encoding": encoding})
    result.seconds = time.perf_counter() - started
    return result
