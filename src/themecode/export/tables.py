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

BASE_COLUMNS = (
    "theme_id", "theme", "code_id", "code", "source", "coder", "case_id", "document_id",
    "stage", "judgement", "start", "end", "extract", "context", "score", "memo", "note",
)


def _cell(value: Any) -> Any:
    """A value for a table cell: None → '', numbers kept, anything else text, neutralised."""
    cls = value.__class__
    if cls is str:
        return "'" + value if value[:1] in _TRIGGERS else value
    return _plain(value, neutral=True)


def _plain(value: Any, *, neutral: bool = False) -> Any:
    """A value for an XLSX cell: as `_cell` but text is not neutralised, since a string cell of
    a workbook is never read as a formula (and a visible `'` would show in it)."""
    cls = value.__class__
    if cls is str:
        return value
    if value is None:
        return ""
    if cls is bool:
        return int(value)
    if cls is int or cls is float:
        return value
    text = str(value)
    return "'" + text if neutral and text[:1] in _TRIGGERS else text


def extract_columns(data: ExportData) -> list[str]:
    """Header of the flat extract table: fixed columns then the metadata columns."""
    return list(BASE_COLUMNS) + [c for c in data.metadata_columns if c not in BASE_COLUMNS]


def extract_row_parts(
    data: ExportData, *, neutral: bool = True
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
    make = _cell if neutral else _plain
    triggers = _TRIGGERS if neutral else frozenset()

    missing = object()
    lookup = safe.get

    def once(value: Any) -> Any:
        try:
            out = lookup(value, missing)
        except TypeError:  # unhashable (a list or dict in metadata)
            return make(value)
        if out is missing:
            out = safe[value] = make(value)
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
                    "'" + text if text[:1] in triggers else text,
                    "'" + context if context[:1] in triggers else context,
                    "" if score is None else score, "" if memo is None else make(memo), e.note,
                )


def extract_rows(data: ExportData, *, neutral: bool = True) -> Iterator[list[Any]]:
    """One row per extract, in `extract_columns` order, every cell already made safe (`_cell`;
    `neutral=False`: as a workbook's string cells hold them, `_plain`)."""
    for lead, (doc, meta), own in extract_row_parts(data, neutral=neutral):
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
        for lead, doc, (start, end, text, context, score, memo, note) in extract_row_parts(data):
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
                f"{field(score) if score != '' else ''},{field(memo) if memo else ''},"
                f"{field(note) if note else ''}{got[2]}"
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


# Column widths (characters) of the extract sheet; other columns are fitted to their content.
_WIDE = {"theme": 28, "code": 30, "extract": 60, "context": 80, "memo": 30, "note": 40}
_WRAPPED = ("theme", "code", "extract", "context", "memo", "note", "definition", "value")


def write_xlsx(data: ExportData, out: Path) -> int:
    """The flat extract table (sheet 'extracts'), a per-code summary ('codes') and 'about';
    returns how many cells were cut at the spreadsheet cell limit (each cut is marked)."""
    from themecode.export.xlsx import Sheet, write_workbook

    code_header = ["theme_id", "theme", "code_id", "code", "definition", "cases", "of_cases",
                   "commentaries", "of_commentaries", "machine_commentaries", "extracts"]
    codes = [
        [_plain(v) for v in (t.id, t.label, s.code.id, s.code.label, s.code.definition,
                             s.n_cases, data.n_cases, s.n_documents, data.n_documents,
                             s.n_machine_documents, len(s.extracts))]
        for t in data.themes for s in t.codes
    ]
    about = about_rows(data)
    header = extract_columns(data)
    sample = [[*lead, *doc, *own, *meta] for (lead, (doc, meta), own), _ in
              zip(extract_row_parts(data, neutral=False), range(300), strict=False)]
    widths = fitted_widths(header, sample, _WIDE)
    return write_workbook(out, [
        Sheet("extracts", header, _xlsx_extract_rows(data, widths), widths, _wrapped(header)),
        Sheet("codes", code_header, codes,
              fitted_widths(code_header, codes, {"theme": 28, "code": 30, "definition": 60}),
              _wrapped(code_header)),
        Sheet("about", ["about this export", "value"], about, [26, 90], frozenset({1}),
              autofilter=False),
    ], title=f"Themed extracts - {data.project}", subject="Themed extracts (themecode export)",
        description=("Redacted: personal details replaced by typed placeholders." if data.redacted
                     else "NOT REDACTED: contains personal details."),
        created=data.generated_at)


def _wrapped(header: list[str]) -> frozenset[int]:
    return frozenset(i for i, h in enumerate(header) if h in _WRAPPED)


def fitted_widths(
    header: list[str], rows: list[list[Any]], fixed: dict[str, float]
) -> list[float]:
    """Column widths in characters: fixed ones for long text, else the longest of the header
    and the sample's values, between 8 and 40."""
    widths = []
    for i, h in enumerate(header):
        if h in fixed:
            widths.append(float(fixed[h]))
            continue
        longest = max([len(str(h))] + [len(str(r[i])) for r in rows if i < len(r)])
        widths.append(float(min(max(longest + 2, 8), 40)))
    return widths


def about_rows(data: ExportData) -> list[list[Any]]:
    """The 'about' sheet: what the workbook holds, in words."""
    o = data.options
    rows: list[list[Any]] = [
        ["Project", data.project],
        ["Exported", data.generated_at.replace("T", " ")[:19] + " (UTC)"],
        ["Redaction", "on: personal details are replaced by typed placeholders such as [NAME]; "
         "check the redaction report before sharing" if data.redacted
         else "OFF: this workbook contains personal details"],
        ["Codes", ", ".join(o.codes) if o.codes else "all codes"],
        ["Themes", ", ".join(o.themes) if o.themes else "all themes"],
        ["Filters", "; ".join(f"{k} = {v}" for k, v in o.where) if o.where else "none"],
        ["Whose codings", f"coder {o.coder} only" if o.coder
         else "every coder's (a span coded alike by several coders is one row naming them all)"],
        ["Machine codings", "included, source 'machine'" if o.include_machine
         else "not included"],
        ["Context", f"{o.context} sentence{'s' if o.context != 1 else ''} each side of the "
         "coded span"],
        ["Denominators", f"{data.n_cases:,} coded cases"
         + (f" (of {data.n_sampled_cases:,} sampled)" if data.sampled else "")
         + f" and their {data.n_documents:,} commentaries"],
        ["Sheet 'extracts'", "one row per coded span: the extract, its context, the case, "
         "commentary and metadata; 'note' says when a very long extract was shortened"],
        ["Sheet 'codes'", "one row per code: cases and commentaries carrying it, and extracts"],
    ]
    return [[_plain(k), _plain(v)] for k, v in rows]


def _xlsx_extract_rows(data: ExportData, widths: list[float] | None = None) -> Iterator[bytes]:
    """The extract rows pre-rendered for `export.xlsx.write_workbook`, shared parts once; the
    extract and context cells are wrapped."""
    from themecode.export.xlsx import (
        INLINE,
        MAX_CELL_CHARS,
        ROW,
        WRAP,
        cell_ref,
        cell_text,
        cells_xml,
        row_height,
    )

    header = extract_columns(data)
    wrap = _wrapped(header)
    n_lead = BASE_COLUMNS.index("case_id")  # columns of a row's lead: theme_id ... coder
    at = BASE_COLUMNS.index("start")  # where its own cells start
    c_start, c_end, c_text, c_context = (cell_ref(at + i) for i in range(4))
    leads: dict[int, tuple[Any, bytes]] = {}
    docs: dict[int, tuple[Any, bytes, bytes]] = {}
    metas: dict[int, tuple[Any, bytes]] = {}
    row_open = f'<row r="{ROW}"'.encode()
    wrap_at = sorted(i for i in wrap if widths and i < len(widths))
    extracts = (e for t in data.themes for s in t.codes for e in s.extracts)  # the rows' order
    for (lead, doc, own), e in zip(extract_row_parts(data, neutral=False), extracts, strict=True):
        hit = leads.get(id(lead))
        if hit is None:  # the parts are kept in the caches, so their ids are not reused
            hit = leads[id(lead)] = (lead, b">" + cells_xml(lead, 0, wrap).encode())
        got = docs.get(id(doc))
        if got is None:
            meta = metas.get(id(doc[1]))
            if meta is None:
                meta = metas[id(doc[1])] = (
                    doc[1], cells_xml(doc[1], len(BASE_COLUMNS), wrap).encode() + b"</row>")
            got = docs[id(doc)] = (doc, cells_xml(doc[0], n_lead, wrap).encode(), meta[1])
        start, end, text, context, score, memo, note = own
        if (start.__class__ is int and end.__class__ is int and text and context
                and len(context) <= MAX_CELL_CHARS):
            # the usual row, as cells_xml renders it; the extract is escaped once, for both its
            # cell and the context around it (escaping goes character by character)
            esc = cell_text(text)
            cells = (f"{c_start}><v>{start}</v></c>{c_end}><v>{end}</v></c>"
                     f"{c_text}{WRAP}{INLINE}{esc}</t></is></c>"
                     f"{c_context}{WRAP}{INLINE}{cell_text(e.before)}{esc}{cell_text(e.after)}"
                     "</t></is></c>")
            if score != "" or memo != "" or note:
                cells += cells_xml((score, memo, note), at + 4, wrap)
        else:
            cells = cells_xml(own, at, wrap)
        ht = ""
        if widths:  # rows grow for their wrapped cells (spreadsheets do not do it themselves)
            full = (*lead, *doc[0], *own, *doc[1])
            ht = row_height([(full[i], widths[i]) for i in wrap_at if i < len(full)])
        yield b"".join((row_open, ht.encode(), hit[1], got[1], cells.encode(), got[2]))


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
