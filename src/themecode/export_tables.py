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

if TYPE_CHECKING:
    from themecode.export import ExportData

INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

BASE_COLUMNS = (
    "theme_id", "theme", "code_id", "code", "source", "coder", "case_id", "document_id",
    "stage", "judgement", "start", "end", "extract", "context", "score", "memo",
)


_TRIGGERS = frozenset(INJECTION_PREFIXES)


def neutralise(value: Any) -> Any:
    """A cell value safe for spreadsheets: text starting with a formula trigger gets a `'` prefix."""
    if isinstance(value, str) and value[:1] in _TRIGGERS:
        return "'" + value
    return value


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


def extract_rows(data: ExportData) -> Iterator[list[Any]]:
    """One row per extract, in `extract_columns` order, every cell already made safe (`_cell`).

    Values shared by many rows (theme and code labels, a commentary's metadata, coder names)
    are made safe once and reused, which keeps 300,000-row exports fast.
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

    meta_rows: dict[str, list[Any]] = {}
    docs: dict[str, list[Any]] = {}
    for theme in data.themes:
        head = [once(theme.id), once(theme.label if theme.theme else "")]
        for section in theme.codes:
            code = [once(section.code.id), once(section.code.label)]
            for e in section.extracts:
                meta = meta_rows.get(e.document_id)
                if meta is None:
                    meta = meta_rows[e.document_id] = [once(e.metadata.get(c)) for c in meta_cols]
                text = e.text
                context = e.before + text + e.after
                doc = docs.get(e.document_id)
                if doc is None:
                    doc = docs[e.document_id] = [once(e.case_id), once(e.document_id),
                                                 once(e.stage), once(e.judgement)]
                yield [
                    *head, *code, once(e.source), once(e.coder), *doc, e.start, e.end,
                    "'" + text if text[:1] in _TRIGGERS else text,
                    "'" + context if context[:1] in _TRIGGERS else context,
                    "" if e.score is None else e.score, "" if e.memo is None else _cell(e.memo),
                    *meta,
                ]


def write_csv(data: ExportData, out: Path) -> None:
    """The flat extract table as UTF-8 CSV (with BOM so spreadsheet programs read the accents)."""
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow([_cell(h) for h in extract_columns(data)])
        writer.writerows(extract_rows(data))


def _write_csv_rows(out: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow([_cell(h) for h in header])
        writer.writerows([_cell(v) for v in row] for row in rows)


def write_xlsx(data: ExportData, out: Path) -> None:
    """The flat extract table (sheet 'extracts'), a per-code summary ('codes') and 'about'."""
    from themecode.export_xlsx import write_workbook

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
        ("extracts", [_cell(h) for h in extract_columns(data)], extract_rows(data)),
        ("codes", ["theme_id", "theme", "code_id", "code", "definition", "cases", "of_cases",
                   "commentaries", "of_commentaries", "machine_commentaries", "extracts"], codes),
        ("about", ["key", "value"], about),
    ])


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


def write_presence(data: ExportData, out: Path) -> list[Path]:
    """0/1 code presence per commentary and per case: two sheets (.xlsx) or two CSV files."""
    doc_h, doc_rows, case_h, case_rows = presence_tables(data)
    if out.suffix.lower() == ".xlsx":
        from themecode.export_xlsx import write_workbook

        safe = lambda rows: ([_cell(v) for v in row] for row in rows)  # noqa: E731
        write_workbook(out, [("commentaries", [_cell(h) for h in doc_h], safe(doc_rows)),
                             ("cases", [_cell(h) for h in case_h], safe(case_rows))])
        return [out]
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    docs_path = out.with_name(f"{stem}-commentaries.csv")
    cases_path = out.with_name(f"{stem}-cases.csv")
    _write_csv_rows(docs_path, doc_h, doc_rows)
    _write_csv_rows(cases_path, case_h, case_rows)
    return [docs_path, cases_path]
