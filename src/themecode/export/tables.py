"""Flat table exports: one row per extract (CSV/XLSX) and 0/1 code-presence tables.

Every text cell goes through `neutralise`, so a commentary that begins with `=`, `+`, `-`, `@`,
a tab or a carriage return cannot run as a spreadsheet formula (CSV/formula injection).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from themecode.export.model import _TRIGGERS, neutralise  # noqa: F401 - neutralise re-exported

if TYPE_CHECKING:
    from themecode.export.model import ExportData

_QUOTE = "'"  # what `neutralise` puts before a formula trigger

BASE_COLUMNS = (
    "theme_id", "theme", "code_id", "code", "source", "coder", "case_id", "document_id",
    "stage", "judgement", "start", "end", "extract", "context", "score", "memo",
)


def _cell(value: Any) -> Any:
    """A value for a table cell: None → '', numbers kept, anything else text, neutralised."""
    cls = value.__class__
    if cls is str:
        return "'" + value if value[:1] in _TRIGGERS else value
    if value is None:
        return ""
    if cls is bool:
        return int(value)
    if cls is int or cls is float:
        return value
    text = str(value)
    return "'" + text if text[:1] in _TRIGGERS else text


def extract_columns(data: ExportData) -> list[str]:
    """Header of the flat extract table: fixed columns then the metadata columns."""
    return list(BASE_COLUMNS) + [c for c in data.metadata_columns if c not in BASE_COLUMNS]


def extract_row_parts(
    data: ExportData,
) -> Iterator[tuple[tuple[Any, ...], tuple[tuple[Any, ...], tuple[Any, ...]], tuple[Any, ...]]]:
    """Each extract's row in parts, every cell already made safe (`_cell`): `lead` (theme, code,
    source, coder), `doc` (the commentary's cells - case, commentary, stage, judgement - and its
    metadata cells, which end the row) and `own` (offsets, texts, score, memo), in between.

    Rows of one code by one coder share one `lead` object and rows from one commentary one `doc`,
    so writers can render each once (by identity) and reuse it; that and making values shared by
    many rows safe once keep 300,000-row exports fast.
    """
    meta_cols = [c for c in data.metadata_columns if c not in BASE_COLUMNS]
    safe: dict[Any, Any] = {}

    missing = object()
    lookup = safe.get

    def once(value: Any) -> Any:
        try:
            out = lookup(value, missing)
        except TypeError:  # unhashable (a list or dict in metadata)
            return _cell(value)
        if out is missing:
            out = safe[value] = _cell(value)
        return out

    docs: dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}
    # one object per distinct metadata part (equal safe values are one object, by `once`), found
    # by the values or by the metadata dict (commentaries often share one; kept here, so its id
    # is not reused meanwhile)
    metas: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    meta_of: dict[int, tuple[dict[str, Any], tuple[Any, ...]]] = {}
    for theme in data.themes:
        head = (once(theme.id), once(theme.label if theme.theme else ""))
        for section in theme.codes:
            code = (*head, once(section.code.id), once(section.code.label))
            leads: dict[tuple[str, str], tuple[Any, ...]] = {}
            for e in section.extracts:
                doc = docs.get(e.document_id)
                if doc is None:
                    known = meta_of.get(id(e.metadata))
                    if known is None:
                        meta = tuple([once(e.metadata.get(c)) for c in meta_cols])  # hashable
                        known = meta_of[id(e.metadata)] = (e.metadata, metas.setdefault(meta, meta))
                    doc = docs[e.document_id] = (
                        (once(e.case_id), once(e.document_id), once(e.stage), once(e.judgement)),
                        known[1],
                    )
                lead = leads.get((e.source, e.coder))
                if lead is None:
                    lead = leads[(e.source, e.coder)] = (*code, once(e.source), once(e.coder))
                text = e.text
                context = e.before + text + e.after
                score, memo = e.score, e.memo
                yield lead, doc, (
                    e.start, e.end,
                    "'" + text if text[:1] in _TRIGGERS else text,
                    "'" + context if context[:1] in _TRIGGERS else context,
                    "" if score is None else score, "" if memo is None else _cell(memo),
                )


def extract_rows(data: ExportData) -> Iterator[list[Any]]:
    """One row per extract, in `extract_columns` order, every cell already made safe (`_cell`)."""
    for lead, (doc, meta), own in extract_row_parts(data):
        yield [*lead, *doc, *own, *meta]


def csv_field(value: Any) -> str:
    """One value as the `csv` module's default (Excel) dialect writes it: None as empty, numbers
    as `str`, and text with a comma, a double quote or a line break quoted, quotes doubled."""
    text = value if value.__class__ is str else "" if value is None else str(value)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _csv_cells(cells: Iterable[Any]) -> str:
    return ",".join([csv_field(v) for v in cells])


def write_csv(data: ExportData, out: Path) -> None:
    """The flat extract table as UTF-8 CSV (with BOM so spreadsheet programs read the accents).

    Written as `csv.writer` writes it, but what rows share (a code's cells, a commentary's) is
    rendered once: the csv module spent most of a 300,000-row export re-quoting them.
    """
    # by the id of a part, kept in the cache so that the id is not reused meanwhile
    leads: dict[int, tuple[Any, str]] = {}
    docs: dict[int, tuple[Any, str, str]] = {}
    metas: dict[int, tuple[Any, str]] = {}
    field = csv_field
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        fh.write(_csv_cells([_cell(h) for h in extract_columns(data)]) + "\r\n")
        lines: list[str] = []
        for lead, doc, (start, end, text, context, score, memo) in extract_row_parts(data):
            hit = leads.get(id(lead))
            if hit is None:
                hit = leads[id(lead)] = (lead, _csv_cells(lead))
            got = docs.get(id(doc))
            if got is None:
                meta = metas.get(id(doc[1]))
                if meta is None:
                    meta = metas[id(doc[1])] = (
                        doc[1], "," + _csv_cells(doc[1]) + "\r\n" if doc[1] else "\r\n")
                got = docs[id(doc)] = (doc, _csv_cells(doc[0]), meta[1])
            lines.append(
                f"{hit[1]},{got[1]},{start if start.__class__ is int else field(start)},"
                f"{end if end.__class__ is int else field(end)},{field(text)},{field(context)},"
                f"{field(score) if score != '' else ''},{field(memo) if memo else ''}{got[2]}"
            )
            if len(lines) >= 2000:
                fh.write("".join(lines))
                lines.clear()
        fh.write("".join(lines))


def _write_csv_rows(out: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow([_cell(h) for h in header])
        writer.writerows([_cell(v) for v in row] for row in rows)


def write_xlsx(data: ExportData, out: Path) -> None:
    """The flat extract table (sheet 'extracts'), a per-code summary ('codes') and 'about'."""
    from themecode.export.xlsx import write_workbook

    codes = (
        [_cell(v) for v in (t.id, t.label, s.code.id, s.code.label, s.code.definition, s.n_cases,
                            data.n_cases, s.n_documents, data.n_documents, s.n_machine_documents,
                            len(s.extracts))]
        for t in data.themes for s in t.codes
    )
    about = [[k, _cell(v)] for k, v in (
        ("project", data.project), ("generated_at", data.generated_at),
        ("redacted", "yes" if data.redacted else "NO - contains personal details"),
        *((k, str(v)) for k, v in data.options.describe().items()))]
    write_workbook(out, [
        ("extracts", [_cell(h) for h in extract_columns(data)], _xlsx_extract_rows(data)),
        ("codes", ["theme_id", "theme", "code_id", "code", "definition", "cases", "of_cases",
                   "commentaries", "of_commentaries", "machine_commentaries", "extracts"], codes),
        ("about", ["key", "value"], about),
    ])


def _xlsx_extract_rows(data: ExportData) -> Iterator[bytes]:
    """The extract rows pre-rendered for `export.xlsx.write_workbook`, shared parts once."""
    from themecode.export.xlsx import INLINE, MAX_CELL_CHARS, ROW, cell_ref, cell_text, cells_xml

    n_lead = BASE_COLUMNS.index("case_id")  # columns of a row's lead: theme_id ... coder
    at = BASE_COLUMNS.index("start")  # where its own cells start
    c_start, c_end, c_text, c_context = (cell_ref(at + i) for i in range(4))
    leads: dict[int, tuple[Any, bytes]] = {}
    docs: dict[int, tuple[Any, bytes, bytes]] = {}
    metas: dict[int, tuple[Any, bytes]] = {}
    row = f'<row r="{ROW}">'.encode()
    extracts = (e for t in data.themes for s in t.codes for e in s.extracts)  # the rows' order
    for (lead, doc, own), e in zip(extract_row_parts(data), extracts, strict=True):
        hit = leads.get(id(lead))
        if hit is None:  # the parts are kept in the caches, so their ids are not reused
            hit = leads[id(lead)] = (lead, row + cells_xml(lead, 0).encode())
        got = docs.get(id(doc))
        if got is None:
            meta = metas.get(id(doc[1]))
            if meta is None:
                meta = metas[id(doc[1])] = (
                    doc[1], cells_xml(doc[1], len(BASE_COLUMNS)).encode() + b"</row>")
            got = docs[id(doc)] = (doc, cells_xml(doc[0], n_lead).encode(), meta[1])
        start, end, text, context, score, memo = own
        if (start.__class__ is int and end.__class__ is int and text and context
                and len(context) <= MAX_CELL_CHARS):
            # the usual row, as cells_xml renders it; the extract is escaped once, for both its
            # cell and the context around it (escaping goes character by character)
            raw = e.text
            esc = cell_text(raw)
            # a cell's text starts with ' where it was neutralised (`extract_row_parts`)
            quote_ctx = "'" if len(context) > len(e.before) + len(raw) + len(e.after) else ""
            cells = (f"{c_start}><v>{start}</v></c>{c_end}><v>{end}</v></c>"
                     f"{c_text}{INLINE}{esc if text is raw else _QUOTE + esc}</t></is></c>"
                     f"{c_context}{INLINE}{quote_ctx}{cell_text(e.before)}{esc}{cell_text(e.after)}"
                     "</t></is></c>")
            if score != "" or memo != "":
                cells += cells_xml((score, memo), at + 4)
        else:
            cells = cells_xml(own, at)
        yield b"".join((hit[1], got[1], cells.encode(), got[2]))


def presence_tables(data: ExportData) -> tuple[list[str], list[list[Any]], list[str], list[list[Any]]]:
    """(commentary header, rows, case header, rows): 0/1 per code; machine codes as 'machine:ID'."""
    codes = [s.code.id for s in data.sections()]
    human: dict[str, set[str]] = defaultdict(set)
    machine: dict[str, set[str]] = defaultdict(set)
    units: dict[str, tuple[str, str | None]] = {d: (c, st) for d, c, st in data.units}
    for e in data.extracts():
        (human if e.source == "human" else machine)[e.document_id].add(e.code_id)
        units.setdefault(e.document_id, (e.case_id, e.stage))
    with_machine = data.options.include_machine
    code_cols = codes + ([f"machine:{c}" for c in codes] if with_machine else [])
    doc_rows = []
    case_h: dict[str, set[str]] = defaultdict(set)
    case_m: dict[str, set[str]] = defaultdict(set)
    case_n: dict[str, int] = defaultdict(int)
    for doc_id in sorted(units):
        case_id, stage = units[doc_id]
        h, m = human.get(doc_id, set()), machine.get(doc_id, set())
        case_h[case_id] |= h
        case_m[case_id] |= m
        case_n[case_id] += 1
        row: list[Any] = [doc_id, case_id, stage]
        row += [int(c in h) for c in codes]
        if with_machine:
            row += [int(c in m) for c in codes]
        doc_rows.append(row)
    case_rows = []
    for case_id in sorted(case_n):
        row = [case_id, case_n[case_id]] + [int(c in case_h[case_id]) for c in codes]
        if with_machine:
            row += [int(c in case_m[case_id]) for c in codes]
        case_rows.append(row)
    return (["document_id", "case_id", "stage", *code_cols], doc_rows,
            ["case_id", "commentaries", *code_cols], case_rows)


def presence_csv_paths(out: Path) -> list[Path]:
    """The two CSV files a presence export to `out` writes: commentaries, then cases."""
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return [out.with_name(f"{stem}-commentaries.csv"), out.with_name(f"{stem}-cases.csv")]


def write_presence(data: ExportData, out: Path, paths: list[Path] | None = None) -> list[Path]:
    """0/1 code presence per commentary and per case: two sheets (.xlsx) or two CSV files
    (written to `paths` when given, else to `presence_csv_paths(out)`)."""
    doc_h, doc_rows, case_h, case_rows = presence_tables(data)
    if out.suffix.lower() == ".xlsx":
        out = paths[0] if paths else out
        from themecode.export.xlsx import write_workbook

        safe = lambda rows: ([_cell(v) for v in row] for row in rows)  # noqa: E731
        write_workbook(out, [("commentaries", [_cell(h) for h in doc_h], safe(doc_rows)),
                             ("cases", [_cell(h) for h in case_h], safe(case_rows))])
        return [out]
    docs_path, cases_path = paths or presence_csv_paths(out)
    _write_csv_rows(docs_path, doc_h, doc_rows)
    _write_csv_rows(cases_path, case_h, case_rows)
    return [docs_path, cases_path]
