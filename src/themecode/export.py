"""Themed extracts leave themecode here: collect, redact, and write md/csv/xlsx/docx/html/json/presence.

`collect_extracts` gathers, for each theme and code, its definition, how many sampled cases and
commentaries carry it and every coded extract with its sentence context and metadata;
`export_extracts` redacts (on by default), writes one format, writes the redaction side report and
logs the export in the events table. Writers for tables live in `export_tables`, the DOCX chapter
in `export_docx`, Markdown/HTML/JSON in `export_text`.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from themecode.codebook import merge_map
from themecode.errors import ExportError
from themecode.export_model import (
    CodeSection,
    ExportData,
    ExportOptions,
    ExportResult,
    Extract,
    ThemeSection,
)
from themecode.export_redaction import (
    ProjectRedactor,
    make_redactor,
    side_report_path,
    write_side_report,
)
from themecode.redact import Redaction
from themecode.store import STAGE_ORDER, Code, Store, now

__all__ = [
    "FORMATS", "CodeSection", "ExportData", "ExportOptions", "ExportResult", "Extract",
    "ThemeSection", "collect_extracts", "export_extracts", "merge_map", "write_format",
]

FORMATS = ("md", "csv", "xlsx", "docx", "html", "json", "presence")
# Columns that are not metadata but are always filterable with --where.
BUILTIN_COLUMNS = ("case_id", "document_id", "stage")


# --------------------------------------------------------------------------- collecting



def _selected_codes(store: Store, options: ExportOptions) -> tuple[list[Code], dict[str, Code]]:
    """(themes, codes by id) selected by --code/--theme (all live codes when neither is given)."""
    all_codes = store.codes()
    by_id = {c.id: c for c in all_codes}
    for cid in options.codes:
        if cid not in by_id or by_id[cid].kind != "code":
            raise ExportError(
                f"--code {cid!r} is not a live code of this project.",
                hint="list codes with `themecode codebook PROJECT show`.",
            )
    for tid in options.themes:
        if tid not in by_id or by_id[tid].kind != "theme":
            raise ExportError(
                f"--theme {tid!r} is not a theme of this project.",
                hint="list themes with `themecode codebook PROJECT show`.",
            )
    codes = {
        c.id: c
        for c in all_codes
        if c.kind == "code"
        and (not options.codes and not options.themes
             or c.id in options.codes or (c.parent in options.themes))
    }
    themes = [c for c in all_codes if c.kind == "theme"]
    return themes, codes


def _where_matcher(options: ExportOptions) -> Any:
    """A predicate over (document row values + metadata) implementing the --where filters."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for col, val in options.where:
        wanted[col].add(val)

    def match(doc_id: str, case_id: str, stage: str | None, meta: dict[str, Any]) -> bool:
        for col, vals in wanted.items():
            if col == "document_id":
                got: Any = doc_id
            elif col == "case_id":
                got = case_id
            elif col == "stage":
                got = stage
            else:
                got = meta.get(col)
            if got is None or str(got) not in vals:
                return False
        return True

    return match


def _check_where_columns(store: Store, options: ExportOptions) -> None:
    """Refuse a --where column no document has, so a typo does not silently export nothing."""
    known = set(BUILTIN_COLUMNS)
    for (meta,) in store.conn.execute("SELECT DISTINCT metadata FROM documents LIMIT 5000"):
        known |= set(json.loads(meta or "{}"))
    for (meta,) in store.conn.execute("SELECT DISTINCT metadata FROM cases LIMIT 5000"):
        known |= set(json.loads(meta or "{}"))
    bad = sorted({col for col, _ in options.where} - known)
    if bad:
        raise ExportError(
            f"--where column(s) {', '.join(bad)} not found in the project's metadata.",
            hint="known columns: " + ", ".join(sorted(known)),
        )


def _prevalence_estimates(store: Store) -> dict[str, dict[str, Any]]:
    """Per-code corpus estimates stored by autocode in meta 'prevalence' (empty when absent)."""
    raw = store.get_meta("prevalence")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if isinstance(data, dict):  # autocode stores {"at", ..., "prevalence": {code: {...}}}
        for key in ("prevalence", "codes"):
            if isinstance(data.get(key), (dict, list)):
                data = data[key]
                break
    out: dict[str, dict[str, Any]] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out[str(k)] = v if isinstance(v, dict) else {"value": v}
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and ("code" in item or "code_id" in item):
                out[str(item.get("code", item.get("code_id")))] = item
    return out


def _context_bounds(
    starts: list[int], ends: list[int], start: int, end: int, n: int, length: int
) -> tuple[int, int]:
    """Original offsets of the sentences a span touches, widened by `n` sentences each side."""
    if not starts:
        return start, end
    first = max(0, bisect_right(ends, start) if start < ends[-1] else len(ends) - 1)
    first = min(first, len(starts) - 1)
    last = max(first, bisect_left(starts, end) - 1)
    first = max(0, first - n)
    last = min(len(starts) - 1, last + n)
    return min(start, starts[first]), max(end, min(length, ends[last]))


def collect_extracts(
    store: Store,
    options: ExportOptions | None = None,
    *,
    redactor: ProjectRedactor | None = None,
    with_text: bool = True,
) -> ExportData:
    """Gather themes, codes, prevalence and extracts (redacted when `redactor` is given).

    `with_text=False` leaves extract texts empty (presence tables need only which code is where).
    """
    options = options or ExportOptions()
    if options.context < 0:
        raise ExportError("--context must be 0 or more sentences.")
    if options.where:
        _check_where_columns(store, options)
    themes, codes = _selected_codes(store, options)
    merged = merge_map(store)
    match = _where_matcher(options)
    estimates = _prevalence_estimates(store)
    conn = store.conn

    sampled_cases = {r[0] for r in conn.execute("SELECT case_id FROM samples")}
    sampled = bool(sampled_cases)
    case_meta = {r[0]: json.loads(r[1] or "{}") for r in conn.execute("SELECT id, metadata FROM cases")}
    parsed: dict[str, dict[str, Any]] = {}  # metadata JSON text → dict (many rows share one)

    def doc_meta(case_id: str, meta_json: str) -> dict[str, Any]:
        key = meta_json or "{}"
        own = parsed.get(key)
        if own is None:
            own = parsed[key] = json.loads(key)
        return {**case_meta.get(case_id, {}), **own}

    # Denominators: the commentaries of coded cases (in the sample, if drawn) passing --where.
    # A case is coded when it has a live coding or a done mark (by --coder, if given).
    who = " AND coder = ?" if options.coder else ""
    who_args = [options.coder] if options.coder else []
    coded_cases = {r[0] for r in conn.execute(
        "SELECT DISTINCT d.case_id FROM codings c JOIN documents d ON d.id = c.document_id "
        f"WHERE c.deleted = 0{who.replace('coder', 'c.coder')} UNION "
        f"SELECT unit_id FROM progress WHERE unit_type = 'case' AND status = 'done'{who} UNION "
        "SELECT d.case_id FROM progress p JOIN documents d ON d.id = p.unit_id "
        f"WHERE p.unit_type = 'document' AND p.status = 'done'{who.replace('coder', 'p.coder')}",
        who_args * 3)}
    units: list[tuple[str, str, str | None]] = []
    den_cases: set[str] = set()
    for doc_id, case_id, stage, meta_json in conn.execute(
        "SELECT id, case_id, stage, metadata FROM documents"
    ):
        if case_id not in coded_cases or (sampled and case_id not in sampled_cases):
            continue
        if options.where and not match(doc_id, case_id, stage, doc_meta(case_id, meta_json)):
            continue
        den_cases.add(case_id)
        units.append((doc_id, case_id, stage))

    rows: list[tuple[Any, ...]] = []
    sql = (
        'SELECT c.id, c.document_id, c.start, c."end", c.code_id, c.coder, c.memo '
        "FROM codings c WHERE c.deleted = 0"
    )
    args: list[Any] = []
    if options.coder:
        sql += " AND c.coder = ?"
        args.append(options.coder)
    for r in conn.execute(sql, args):
        rows.append(("human", *r, None))
    if options.include_machine:
        for r in conn.execute(
            "SELECT m.id, m.document_id, 0, -1, m.code_id, "
            "'machine' || coalesce(' (model ' || m.model_id || ')', ''), NULL, m.score "
            "FROM machine_codings m "
            "WHERE m.model_id IS (SELECT max(model_id) FROM machine_codings)"
        ):
            rows.append(("machine", *r))
    rows = [r for r in rows if merged.get(r[5], r[5]) in codes]

    # The documents the extracts come from, their sentences and (redacted) texts.
    needed = sorted({r[2] for r in rows})
    docs: dict[str, tuple[str, str | None, str, dict[str, Any]]] = {}
    for i in range(0, len(needed), 900):
        chunk = needed[i : i + 900]
        marks = ",".join("?" * len(chunk))
        for doc_id, case_id, stage, meta_json, text in conn.execute(
            f"SELECT id, case_id, stage, metadata, text FROM documents WHERE id IN ({marks})", chunk
        ):
            meta = doc_meta(case_id, meta_json)
            if options.where and not match(doc_id, case_id, stage, meta):
                continue
            docs[doc_id] = (case_id, stage, text, meta)
    sentences = _sentence_index(store, sorted(docs)) if with_text else {}
    redacted_docs: dict[str, Redaction] = {}
    if redactor is not None:
        ids = sorted(docs)
        for doc_id, red in zip(ids, redactor.redact_many(
            [docs[d][2] for d in ids], where=[{"document_id": d, "field": "text"} for d in ids]
        ), strict=True):
            redacted_docs[doc_id] = red

    # Metadata columns to carry (all, in first-seen order, unless chosen), redacted per value.
    meta_cols: list[str] = []
    for _case, _stage, _text, meta in docs.values():
        for k in meta:
            if k not in meta_cols:
                meta_cols.append(k)
    chosen = list(options.metadata_columns) if options.metadata_columns is not None else meta_cols
    redact_meta = _redact_metadata(chosen, redactor)
    shown_meta: dict[str, dict[str, Any]] = {}

    per_code: dict[str, list[Extract]] = defaultdict(list)
    docs_with: dict[str, set[str]] = defaultdict(set)
    cases_with: dict[str, set[str]] = defaultdict(set)
    machine_docs: dict[str, set[str]] = defaultdict(set)
    spans: dict[tuple[str, int, int], tuple[str, str, str]] = {}
    judgements: dict[str, str] = {}
    for source, cid, doc_id, start, end, code_id, coder, memo, score in rows:
        info = docs.get(doc_id)
        if info is None:
            continue
        case_id, stage, text, meta = info
        if memo and redactor is not None:  # coders' notes can name people too
            memo = redactor.redact(memo, where={"document_id": doc_id, "field": "coding memo"}).text
        code_id = merged.get(code_id, code_id)
        if end < 0:  # machine codings cover the whole commentary
            end = len(text)
        if source == "human":
            if not sampled or case_id in sampled_cases:
                docs_with[code_id].add(doc_id)
                cases_with[code_id].add(case_id)
        else:
            machine_docs[code_id].add(doc_id)
        key = (doc_id, start, end)
        pieces = spans.get(key) if with_text else ("", "", "")
        if pieces is None:  # several codes on one span share its text and context
            s_starts, s_ends = sentences.get(doc_id, ([], []))
            lo, hi = _context_bounds(s_starts, s_ends, start, end, options.context, len(text))
            red = redacted_docs.get(doc_id)
            if red is not None:
                a, b = red.map_start(lo), red.map_start(start)
                c, d = red.map_end(end), red.map_end(hi)
                span_text, before, after = red.text[b:c], red.text[a:b], red.text[c:d]
            else:
                span_text, before, after = text[start:end], text[lo:start], text[end:hi]
            pieces = spans[key] = (span_text, _ellipsis(before, lo > 0, left=True),
                                   _ellipsis(after, hi < len(text), left=False))
        shown = shown_meta.get(doc_id)
        if shown is None:
            shown = shown_meta[doc_id] = redact_meta(meta)
            judgements[doc_id] = str(meta.get("judgement", "") or "")
        per_code[code_id].append(
            Extract(code_id, codes[code_id].parent, doc_id, case_id, stage, coder, source, start,
                    end, pieces[0], pieces[1], pieces[2], shown, judgements[doc_id], score, cid,
                    memo)
        )

    sections: list[ThemeSection] = []
    by_theme: dict[str | None, list[CodeSection]] = defaultdict(list)
    for code in codes.values():
        exts = per_code.get(code.id, [])
        exts.sort(key=lambda e: (e.case_id, STAGE_ORDER.get(e.stage or "", 9), e.document_id,
                                 e.start, e.coder))
        by_theme[code.parent].append(
            CodeSection(code, len(docs_with[code.id]), len(cases_with[code.id]),
                        len(machine_docs[code.id]), estimates.get(code.id), exts)
        )
    for theme in themes:
        if theme.id in by_theme:
            sections.append(ThemeSection(theme, by_theme.pop(theme.id)))
    loose = [cs for key in list(by_theme) for cs in by_theme.pop(key)]
    if loose:
        sections.append(ThemeSection(None, loose))
    return ExportData(
        project=str(store.path.name), generated_at=now(), options=options,
        redacted=redactor is not None, sampled=sampled, n_cases=len(den_cases),
        n_documents=len(units), metadata_columns=chosen, themes=sections,
        redactions=redactor.log if redactor is not None else [], units=units,
        n_sampled_cases=len(sampled_cases),
    )


def _ellipsis(text: str, cut: bool, *, left: bool) -> str:
    """Mark context that was cut out of a longer commentary with an ellipsis."""
    if not cut or not text:
        return text
    return "… " + text if left else text + " …"


def _redact_metadata(columns: Sequence[str], redactor: ProjectRedactor | None) -> Any:
    """A function keeping the chosen metadata columns, free-text values redacted (cached)."""
    cache: dict[str, str] = {}

    def apply(meta: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k in columns:
            v = meta.get(k)
            if redactor is not None and isinstance(v, str) and v.strip():
                if v not in cache:
                    cache[v] = redactor.redact(v, where={"document_id": "", "field": k}).text
                v = cache[v]
            out[k] = v
        return out

    return apply


def _sentence_index(store: Store, doc_ids: list[str]) -> dict[str, tuple[list[int], list[int]]]:
    """Sentence starts and ends per document, fetched in chunks."""
    out: dict[str, tuple[list[int], list[int]]] = {}
    for i in range(0, len(doc_ids), 900):
        chunk = doc_ids[i : i + 900]
        marks = ",".join("?" * len(chunk))
        for doc_id, start, end in store.conn.execute(
            f'SELECT document_id, start, "end" FROM sentences WHERE document_id IN ({marks}) '
            "ORDER BY document_id, idx",
            chunk,
        ):
            starts, ends = out.setdefault(doc_id, ([], []))
            starts.append(start)
            ends.append(end)
    return out


# --------------------------------------------------------------------------- writing


def export_extracts(
    store: Store,
    fmt: str,
    out: str | Path,
    options: ExportOptions | None = None,
    *,
    actor: str,
    redact: bool = True,
    confirmed_unredacted: bool = False,
) -> ExportResult:
    """Write the themed extracts in `fmt` to `out`, redacted unless `redact=False` is confirmed.

    Every export is logged as an `export` event; an unredacted one also as `export_unredacted`.
    """
    options = options or ExportOptions()
    out = Path(out)
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}.", hint="use one of " + ", ".join(FORMATS))
    if not out.parent.exists():
        raise ExportError(f"The folder {out.parent} does not exist; create it first.")
    if not redact and not confirmed_unredacted:
        raise ExportError(
            "An unredacted export needs confirmation: it will contain personal details.",
            hint="answer the prompt, or pass --yes together with --no-redact.",
        )
    # Presence tables hold ids and 0/1 only (no text), so there is nothing to redact in them.
    redactor = make_redactor(store) if redact and fmt != "presence" else None
    data = collect_extracts(store, options, redactor=redactor, with_text=fmt != "presence")
    paths = write_format(data, fmt, out, store=store)
    side = None
    if redactor is not None:
        side = side_report_path(out)
        write_side_report(side, data.redactions)
    payload = {
        "format": fmt, "path": str(out), "files": [str(p) for p in paths],
        "options": options.describe(), "redacted": redact,
        "n_extracts": len(data.extracts()), "n_redactions": len(data.redactions),
    }
    with store.write():
        if not redact:
            store.log_event(actor, "export_unredacted", str(out), payload)
        store.log_event(actor, "export", str(out), payload)
    return ExportResult(tuple(paths), len(data.extracts()), len(data.sections()), redact,
                        len(data.redactions), side)


def write_format(
    data: ExportData, fmt: str, out: Path, *, store: Store | None = None
) -> list[Path]:
    """Write `data` as `fmt` at `out`; returns the files written (`store` lets DOCX ask the
    suggester which quotes are typical)."""
    try:
        if fmt in ("md", "html", "json"):
            from themecode.export_text import write_html, write_json, write_markdown

            {"md": write_markdown, "html": write_html, "json": write_json}[fmt](data, out)
            return [out]
        if fmt == "csv":
            from themecode.export_tables import write_csv

            write_csv(data, out)
            return [out]
        if fmt == "xlsx":
            from themecode.export_tables import write_xlsx

            write_xlsx(data, out)
            return [out]
        if fmt == "presence":
            from themecode.export_tables import write_presence

            return write_presence(data, out)
        if fmt == "docx":
            from themecode.export_docx import write_docx

            write_docx(data, out, store=store)
            return [out]
    except OSError as exc:
        raise ExportError(f"Cannot write {out}: {exc.strerror or exc}.") from exc
    raise ExportError(f"Unknown export format {fmt!r}.")
