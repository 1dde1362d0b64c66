"""Collecting an export: themes, codes, prevalence and every coded extract with its context.

`collect_extracts` reads the project in a few whole-table passes (codings, commentaries,
sentences), redacts each commentary once (in worker processes while this one reads sentences
and metadata) and cuts every extract and its context from that one redacted text. What it
returns (`ExportData`) is what every writer reads.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby, repeat
from operator import itemgetter
from typing import Any

from themecode.codebook import merge_map
from themecode.corpus.controls import has_hidden, visible, visible_keep_breaks
from themecode.errors import ExportError
from themecode.export.model import (
    MAX_CONTEXT_CHARS,
    MAX_EXTRACT_CHARS,
    CodeSection,
    ExportData,
    ExportOptions,
    Extract,
    ThemeSection,
    shorten_context,
    shorten_middle,
)
from themecode.export.redaction import ProjectRedactor
from themecode.store import STAGE_ORDER, Code, Store, now

# Columns that are not metadata but are always filterable with --where.
BUILTIN_COLUMNS = ("case_id", "document_id", "stage")


def _selected_codes(store: Store, options: ExportOptions) -> tuple[list[Code], dict[str, Code]]:
    """(themes, codes by id) selected by --code/--theme (all live codes when neither is given)."""
    all_codes = [visible_code(c) for c in store.codes()]
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
    case_meta = {r[0]: visible_meta(json.loads(r[1] or "{}"))
                 for r in conn.execute("SELECT id, metadata FROM cases")}
    parsed: dict[str, dict[str, Any]] = {}  # metadata JSON text → dict (many rows share one)

    def doc_meta(case_id: str, meta_json: str) -> dict[str, Any]:
        key = meta_json or "{}"
        own = parsed.get(key)
        if own is None:
            own = parsed[key] = visible_meta(json.loads(key))
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

    # The codings: (source, id, document, start, end, code, coder, memo, score), in this order.
    sql = (
        "SELECT 'human', c.id, c.document_id, c.start, c.\"end\", c.code_id, c.coder, c.memo, "
        "NULL FROM codings c WHERE c.deleted = 0"
    )
    args: list[Any] = []
    if options.coder:
        sql += " AND c.coder = ?"
        args.append(options.coder)
    rows: list[tuple[Any, ...]] = conn.execute(sql, args).fetchall()
    if options.include_machine:
        rows += conn.execute(
            "SELECT 'machine', m.id, m.document_id, 0, -1, m.code_id, "
            "'machine' || coalesce(' (model ' || m.model_id || ')', ''), NULL, m.score "
            "FROM machine_codings m "
            "WHERE m.model_id IS (SELECT max(model_id) FROM machine_codings)"
        ).fetchall()
    # Merged codes count as the code they went into; codes not selected are left out.
    target = {c: merged.get(c, c) for c in {r[5] for r in rows}}
    if any(t not in codes or t != c for c, t in target.items()):
        rows = [r if target[r[5]] == r[5] else (*r[:5], target[r[5]], *r[6:])
                for r in rows if target[r[5]] in codes]
    needed = {r[2] for r in rows}

    # One pass over the commentaries: the denominators' units and the texts extracts come from.
    units: list[tuple[str, str, str | None]] = []
    den_cases: set[str] = set()
    docs: dict[str, tuple[str, str | None, str, dict[str, Any]]] = {}
    n_all = 0
    for doc_id, case_id, stage, meta_json, text in conn.execute(
        "SELECT id, case_id, stage, metadata, text FROM documents"
    ):
        n_all += 1
        wanted = doc_id in needed
        unit = case_id in coded_cases and (not sampled or case_id in sampled_cases)
        if not (wanted or unit):
            continue
        meta = doc_meta(case_id, meta_json) if wanted or options.where else {}
        if options.where and not match(doc_id, case_id, stage, meta):
            continue
        if unit:
            den_cases.add(case_id)
            units.append((doc_id, case_id, stage))
        if wanted:  # a project older than the control-character policy may hold some
            docs[doc_id] = (case_id, stage, visible_keep_breaks(text), meta)
    ids = sorted(docs)
    # Commentaries in (case, stage, commentary) order: redacted and cut into extracts in it, so
    # that each code's extracts come out in that order as redactions come in.
    order = sorted(docs, key=lambda d: (docs[d][0], STAGE_ORDER.get(docs[d][1] or "", 9), d))

    pending = None if redactor is None else redactor.start_many(
        [docs[d][2] for d in order], where=[{"document_id": d, "field": "text"} for d in order],
        report_order=sorted(range(len(order)), key=order.__getitem__))  # by commentary id
    try:
        sentences = _sentence_index(store, ids, every=4 * len(ids) > n_all) if with_text else {}
        # Metadata columns to carry (all, in first-seen order, unless chosen), redacted per value.
        meta_cols: dict[str, None] = {}
        for keys in dict.fromkeys(tuple(docs[d][3]) for d in ids):
            meta_cols.update(dict.fromkeys(keys))
        chosen = (list(options.metadata_columns) if options.metadata_columns is not None
                  else list(meta_cols))
        redact_meta = _redact_metadata(chosen, redactor)

        # In coding order, as the side report lists what was redacted: coders' memos and
        # metadata, prevalence, and each commentary's codings.
        docs_with: dict[str, set[str]] = defaultdict(set)
        cases_with: dict[str, set[str]] = defaultdict(set)
        machine_docs: dict[str, set[str]] = defaultdict(set)
        shown_meta: dict[str, tuple[dict[str, Any], str]] = {}
        memos: dict[tuple[str, int], str] = {}
        by_doc: dict[str, list[tuple[Any, ...]]] = {}
        for r in rows:
            doc_id = r[2]
            info = docs.get(doc_id)
            if info is None:
                continue
            case_id, _stage, _text, meta = info
            if r[7] and has_hidden(r[7]) or has_hidden(r[6]):
                r = (*r[:6], visible(r[6]), visible_keep_breaks(r[7] or "") or r[7], *r[8:])
            if r[7] and redactor is not None:  # coders' notes can name people too
                memos[(r[0], r[1])] = redactor.redact(
                    r[7], where={"document_id": doc_id, "field": "coding memo"}).text
            items = by_doc.get(doc_id)
            if items is None:
                items = by_doc[doc_id] = []
                shown_meta[doc_id] = (redact_meta(meta), str(meta.get("judgement", "") or ""))
            items.append(r)
            if r[0] == "human":
                if not sampled or case_id in sampled_cases:
                    docs_with[r[5]].add(doc_id)
                    cases_with[r[5]].add(case_id)
            else:
                machine_docs[r[5]].add(doc_id)

        # The extracts, commentary by commentary, by start and coder within one.
        parent = {cid: c.parent for cid, c in codes.items()}
        per_code: dict[str, list[Extract]] = defaultdict(list)
        no_text = ("", "", "", 0)
        redactions = pending.each() if pending is not None else repeat(None)
        for doc_id, red in zip(order, redactions, strict=pending is not None):
            case_id, stage, text, _meta = docs[doc_id]
            shown, judgement = shown_meta[doc_id]
            items = by_doc[doc_id]
            items.sort(key=_START_CODER)
            length = len(text)
            if with_text:
                s_starts, s_ends = sentences.get(doc_id, ((), ()))
                if red is not None and not red.spans:
                    red = None  # nothing redacted: cut from the original text
                pieces_at: dict[tuple[int, int], tuple[str, str, str, int]] = {}
            # one extract per coded span: a span several coders gave one code lists them all
            same_span: dict[tuple[str, int, int, str], Extract] = {}
            for source, cid, _doc, start, end, code_id, coder, memo, score in items:
                if end < 0:  # machine codings cover the whole commentary
                    end = length
                if memo and redactor is not None:
                    memo = memos[(source, cid)]
                if not with_text:
                    pieces = no_text
                elif (pieces := pieces_at.get((start, end))) is None:  # codes on a span share it
                    lo, hi = _context_bounds(s_starts, s_ends, start, end, options.context, length)
                    if red is not None:
                        a, b = red.map_start(lo), red.map_start(start)
                        c, d = red.map_end(end), red.map_end(hi)
                        rtext = red.text
                        span_text, before, after = rtext[b:c], rtext[a:b], rtext[c:d]
                    else:
                        span_text, before, after = text[start:end], text[lo:start], text[end:hi]
                    full = 0
                    if len(span_text) > MAX_EXTRACT_CHARS:
                        full, span_text = len(span_text), shorten_middle(span_text)
                    before, after = (
                        "… " + before if lo > 0 and before else before,
                        after + " …" if hi < length and after else after)
                    if len(before) > MAX_CONTEXT_CHARS or len(after) > MAX_CONTEXT_CHARS:
                        before, after = shorten_context(before, after)
                    pieces = pieces_at[(start, end)] = (span_text, before, after, full)
                twin = same_span.get((code_id, start, end, source))
                if twin is not None:
                    twin.add_coder(coder, memo)
                    continue
                ex = same_span[(code_id, start, end, source)] = Extract(
                    code_id, parent[code_id], doc_id, case_id, stage, coder, source,
                    start, end, pieces[0], pieces[1], pieces[2], shown, judgement, score,
                    cid, memo, (coder,), pieces[3])
                per_code[code_id].append(ex)
    finally:
        if pending is not None:
            pending.cancel()

    sections: list[ThemeSection] = []
    by_theme: dict[str | None, list[CodeSection]] = defaultdict(list)
    for code in codes.values():
        by_theme[code.parent].append(
            CodeSection(code, len(docs_with[code.id]), len(cases_with[code.id]),
                        len(machine_docs[code.id]), estimates.get(code.id),
                        per_code.get(code.id, []))
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


def visible_code(code: Code) -> Code:
    """A code with hidden control characters in its texts shown visibly (`controls.visible`)."""
    fields = ("label", "definition", "inclusion", "exclusion", "example")
    if not any(has_hidden(getattr(code, f)) for f in fields) and not any(
            has_hidden(k) for k in code.keywords):
        return code
    return replace(code, **{f: visible(getattr(code, f)) for f in fields},
                   keywords=tuple(visible(k) for k in code.keywords))


def visible_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata with hidden control characters in keys and values shown visibly."""
    if not any(has_hidden(k) or isinstance(v, str) and has_hidden(v) for k, v in meta.items()):
        return meta
    return {visible(k): visible(v) if isinstance(v, str) else v for k, v in meta.items()}


_START_CODER = itemgetter(3, 6)  # a coding row's start and coder: its order in a commentary


def _context_bounds(
    starts: Sequence[int], ends: Sequence[int], start: int, end: int, n: int, length: int
) -> tuple[int, int]:
    """Original offsets of the sentences a span touches, widened by `n` sentences each side."""
    if not starts:
        return start, end
    last_i = len(starts) - 1
    first = bisect_right(ends, start) if start < ends[-1] else last_i
    last = bisect_left(starts, end) - 1
    if last < first:
        last = first
    first = first - n if first > n else 0
    last = last + n if last + n < last_i else last_i
    lo, hi = starts[first], ends[last]
    if hi > length:
        hi = length
    return (lo if lo < start else start), (hi if hi > end else end)


def _redact_metadata(columns: Sequence[str], redactor: ProjectRedactor | None) -> Any:
    """A function keeping the chosen metadata columns, free-text values redacted (cached by
    value); commentaries whose chosen values are the same share one dict."""
    cache: dict[str, str] = {}
    shown: dict[tuple[tuple[Any, ...], tuple[type, ...]], dict[str, Any]] = {}

    def apply(meta: dict[str, Any]) -> dict[str, Any]:
        values = tuple(map(meta.get, columns))
        key = (values, tuple(map(type, values)))  # 1, 1.0 and True are equal but not the same
        try:
            hit = shown.get(key)
        except TypeError:  # an unhashable value (a list in the metadata)
            hit = key = None
        if hit is not None:
            return hit
        out = {}
        for k, v in zip(columns, values, strict=True):
            if redactor is not None and isinstance(v, str) and v.strip():
                if v not in cache:
                    cache[v] = redactor.redact(v, where={"document_id": "", "field": k}).text
                v = cache[v]
            out[k] = v
        if key is not None:
            shown[key] = out
        return out

    return apply


def _sentence_index(
    store: Store, doc_ids: list[str], *, every: bool = False
) -> dict[str, tuple[Sequence[int], Sequence[int]]]:
    """Sentence starts and ends per document: read in chunks of ids or, when most documents are
    wanted (`every`), in one pass over the table, which is about three times faster."""
    out: dict[str, tuple[Sequence[int], Sequence[int]]] = {}
    if every:
        wanted = set(doc_ids)
        for doc_id, grp in groupby(store.conn.execute(
            'SELECT document_id, start, "end" FROM sentences ORDER BY document_id, idx'
        ), key=itemgetter(0)):
            if doc_id in wanted:
                _ids, starts, ends = zip(*grp, strict=True)
                out[doc_id] = (starts, ends)
        return out
    for i in range(0, len(doc_ids), 900):
        chunk = doc_ids[i : i + 900]
        marks = ",".join("?" * len(chunk))
        for doc_id, grp in groupby(store.conn.execute(
            f'SELECT document_id, start, "end" FROM sentences WHERE document_id IN ({marks}) '
            "ORDER BY document_id, idx",
            chunk,
        ), key=itemgetter(0)):
            _ids, starts, ends = zip(*grp, strict=True)
            out[doc_id] = (starts, ends)
    return out
