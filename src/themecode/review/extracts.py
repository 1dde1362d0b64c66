"""A code's or theme's extracts across the project, for the code browser: the ordered ids first
(one indexed query, fast even for 30,000 extracts), then the details of one page at a time.

An extract is one live coding: its span inside the sentence(s) around it, the case, stage and
case metadata, and who coded it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from themecode.errors import ThemecodeError
from themecode.store import Store

SORTS = ("case", "length")
_STAGE_SQL = ("CASE d.stage WHEN 'assessment' THEN 0 WHEN 'planning' THEN 1 "
              "WHEN 'implementation' THEN 2 WHEN 'reviewing' THEN 3 ELSE 9 END")


@dataclass(frozen=True)
class ExtractFilter:
    """Which extracts to list and in what order.

    `metadata` pairs match a field of the case's metadata exactly; `text`
    matches inside the coded span, ignoring case; `sort` is "case" (sample draw order, then
    stage and position) or "length" (longest span first).
    """

    code_ids: tuple[str, ...]
    coders: tuple[str, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    text: str = ""
    sort: str = "case"


@dataclass(frozen=True)
class Extract:
    """One coded span with its context and the facts a researcher filters by."""

    coding_id: int
    document_id: str
    case_id: str
    stage: str | None
    code_id: str
    coder: str
    start: int
    end: int
    before: str  # the context sentence(s) before the span
    span: str
    after: str
    context_start: int  # offset of `before` in the commentary
    case_metadata: dict[str, Any] = field(default_factory=dict)
    memo: str | None = None


def theme_code_ids(store: Store, theme_id: str) -> tuple[str, ...]:
    """The live codes of a theme (or the code itself when given a code)."""
    code = store.code(theme_id)
    if code.kind == "code":
        return (code.id,)
    return tuple(c.id for c in store.codes(kind="code") if c.parent == theme_id)


def extract_ids(store: Store, flt: ExtractFilter) -> list[int]:
    """The coding ids of every live extract matching the filter, in the asked order."""
    if not flt.code_ids:
        return []
    sql, args = ids_query(flt)
    joined = store.conn.execute(sql, args).fetchone()[0]
    return list(map(int, joined.split(","))) if joined else []


def ids_query(flt: ExtractFilter) -> tuple[str, list[Any]]:
    """The SQL (and its arguments) of `extract_ids`: one row holding every id, comma-separated,
    in the subquery's order (one step of SQLite, fast for 38,000 ids)."""
    if flt.sort not in SORTS:
        raise ThemecodeError(f"Unknown sort {flt.sort!r}: use one of {', '.join(SORTS)}.")
    where = [f"k.code_id IN ({','.join('?' * len(flt.code_ids))})", "k.deleted = 0"]
    args: list[Any] = list(flt.code_ids)
    # the commentary's case and stage from the covering index (SQLite would otherwise read
    # each commentary's row, text and all, through its primary key)
    joins = ["JOIN documents d INDEXED BY idx_documents_order ON d.id = k.document_id"]
    if flt.coders:
        # unary + keeps SQLite on the code index (one coder may hold most of all codings)
        where.append(f"+k.coder IN ({','.join('?' * len(flt.coders))})")
        args.extend(flt.coders)
    if flt.metadata:
        for key, value in flt.metadata:  # the matching cases first: one pass over cases
            # unary + : test membership per row; as an index constraint SQLite would probe
            # every listed case for every extract
            where.append("+d.case_id IN (SELECT id FROM cases WHERE json_extract(metadata, ?) = ?)")
            args.extend(["$." + json.dumps(key), value])
    if flt.text.strip():
        where.append('instr(lower(substr(d.text, k.start + 1, k."end" - k.start)), ?) > 0')
        args.append(flt.text.strip().lower())
    if flt.sort == "case":
        joins.append("LEFT JOIN samples s ON s.case_id = d.case_id")
        order = f"coalesce(s.draw_order, 1 << 60), d.case_id, {_STAGE_SQL}, d.id, k.start, k.id"
    else:
        order = 'k."end" - k.start DESC, k.id'
    return (f"SELECT group_concat(id) FROM (SELECT k.id FROM codings k {' '.join(joins)} "
            f"WHERE {' AND '.join(where)} ORDER BY {order})", args)


def load_extracts(store: Store, coding_ids: list[int]) -> list[Extract]:
    """The extracts of these coding ids (one page), in the order given; gone ids are left out."""
    if not coding_ids:
        return []
    marks = ",".join("?" * len(coding_ids))
    rows = store.conn.execute(
        f'SELECT k.id, k.document_id, d.case_id, d.stage, k.code_id, k.coder, k.start, k."end", '
        f"d.text, c.metadata, k.memo FROM codings k JOIN documents d ON d.id = k.document_id "
        f"JOIN cases c ON c.id = d.case_id WHERE k.deleted = 0 AND k.id IN ({marks})",
        coding_ids,
    ).fetchall()
    docs = sorted({r[1] for r in rows})
    bounds: dict[str, list[tuple[int, int]]] = {d: [] for d in docs}
    if docs:
        dmarks = ",".join("?" * len(docs))
        for doc_id, s, e in store.conn.execute(
            f'SELECT document_id, start, "end" FROM sentences WHERE document_id IN ({dmarks}) '
            "ORDER BY document_id, idx", docs,
        ):
            bounds[doc_id].append((s, e))
    by_id = {}
    for cid, doc_id, case_id, stage, code_id, coder, start, end, text, meta, memo in rows:
        a, b = context_bounds(bounds[doc_id], start, end, len(text))
        by_id[cid] = Extract(cid, doc_id, case_id, stage, code_id, coder, start, end,
                             text[a:start], text[start:end], text[end:b], a, json.loads(meta),
                             memo)
    return [by_id[i] for i in coding_ids if i in by_id]


def context_bounds(sentences: list[tuple[int, int]], start: int, end: int,
                   length: int) -> tuple[int, int]:
    """The start of the first and end of the last sentence overlapping [start, end) (the span's
    own bounds when the commentary has no sentences recorded)."""
    a, b = start, end
    for s, e in sentences:
        if s <= start < e or (s < end and e > start):
            a, b = min(a, s), max(b, e)
    return max(a, 0), min(b, length)


def metadata_values(store: Store, limit: int = 40) -> dict[str, list[str]]:
    """Each case metadata field of the sampled cases with its distinct values (fields with more
    than `limit` values, such as free text, are left out): the filter choices."""
    out: dict[str, list[str]] = {}
    for key, values in store.conn.execute(
        "SELECT j.key, json_group_array(DISTINCT j.value) FROM samples s "
        "JOIN cases c ON c.id = s.case_id, json_each(c.metadata) j "
        "WHERE j.type IN ('text', 'integer', 'real') GROUP BY j.key ORDER BY j.key"
    ):
        vals = sorted(str(v) for v in json.loads(values))
        if 1 < len(vals) <= limit:
            out[key] = vals
    return out


def code_coders(store: Store, code_ids: tuple[str, ...]) -> list[str]:
    """Everyone with a live coding of these codes."""
    return list(coder_counts(store, code_ids))


def coder_counts(store: Store, code_ids: tuple[str, ...]) -> dict[str, int]:
    """Each coder with live codings of these codes and how many, by coder name."""
    if not code_ids:
        return {}
    marks = ",".join("?" * len(code_ids))
    return dict(store.conn.execute(
        f"SELECT coder, count(*) FROM codings WHERE code_id IN ({marks}) AND deleted = 0 "
        "GROUP BY coder ORDER BY coder", code_ids).fetchall())
