"""Build the coding-order incidence input of `themecode.saturation.analysis` from a project database.

Kept apart from the pure statistics so those can be tested without SQLite. Rules (also in
docs/saturation.md):

* Units come in sample draw order (`samples.draw_order`); commentaries within a case in stage
  order; coded units outside the sample are left out. Without any sample, coded units are taken
  in the order they were first finished.
* A unit is *coded* by a coder when the coder marked it done in `progress` (a document when its own
  row or its case's row says 'done'; a case when its row says 'done' or all its documents are
  done). Only when a coder has no progress rows at all: a unit is coded when it has one of the
  coder's live codings. Pooled (coder=None): coded by anyone, codes = union over those coders.
* Deleted codings never count, nor codings made in the audit of the unsampled commentaries
  (`codings.audit`; reported apart by `themecode audit --summary`); a code merged into
  another counts as that code; codes retired without a merge are left out (they are no longer
  part of the codebook).
* Done-times: a unit was *first finished* at the first 'done' status event in the event log
  (the time of the last coding in the no-progress fallback) and *last finished* at its current
  `progress.updated_at`; pooled units take the earliest first and the latest last time.
* Provisional codes: a code whose `created_at` is later than the first finish of the first coded
  unit arrives at position 1 + (number of units first finished before it was created). It is
  back-coded when every earlier unit was last finished after the code was created (re-opened
  and marked done again); otherwise it is provisional. This is a heuristic: re-marking a unit
  done is taken as evidence that it was re-read for the new code.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

from themecode.codebook import merge_map
from themecode.errors import ThemecodeError
from themecode.saturation.analysis import (
    CodeMeta,
    SaturationConfig,
    SaturationResult,
    Unit,
    analyse_levels,
)
from themecode.store import STAGE_ORDER, Store


def _connection(db: Any) -> tuple[sqlite3.Connection, Store | None]:
    """The connection to read, and the Store opened here (to close afterwards), if any."""
    if isinstance(db, str | Path):
        store = Store.open(db)
        return store.conn, store
    if isinstance(db, sqlite3.Connection):
        return db, None
    conn = getattr(db, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        return conn, None
    raise ThemecodeError(
        f"cannot read a project database from {type(db).__name__}",
        hint="pass the path of a themecode project, a Store or an sqlite3 connection",
    )



def themes_of_codes(conn: sqlite3.Connection) -> tuple[dict[str, str | None], dict[str, tuple[str, bool]]]:
    """(code -> nearest theme ancestor or None, code -> (created_at, retired))."""
    rows = {r[0]: (r[1], r[2], r[3], bool(r[4])) for r in conn.execute(
        "SELECT id, kind, parent, created_at, retired FROM codes")}
    theme: dict[str, str | None] = {}
    for cid, (kind, _parent, _at, _ret) in rows.items():
        if kind != "code":
            continue
        seen, node = {cid}, rows[cid][1]
        found = None
        while node is not None and node in rows and node not in seen:
            if rows[node][0] == "theme":
                found = node
                break
            seen.add(node)
            node = rows[node][1]
        theme[cid] = found
    return theme, {cid: (v[2], v[3]) for cid, v in rows.items()}


def coders(db: Any) -> list[str]:
    """Everyone with a live coding or a progress row, sorted."""
    conn, store = _connection(db)
    try:
        return sorted(
            {r[0] for r in conn.execute(
                "SELECT DISTINCT coder FROM codings WHERE deleted = 0 AND audit = 0")}
            | {r[0] for r in conn.execute("SELECT DISTINCT coder FROM progress")}
        )
    finally:
        if store is not None:
            store.close()


def population_size(db: Any, unit: str = "case") -> int:
    """How many units (cases or commentaries) the project holds: the ceiling of any extension."""
    conn, store = _connection(db)
    try:
        table = "cases" if unit == "case" else "documents"
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        if store is not None:
            store.close()


def drawn_size(db: Any, unit: str = "case") -> int:
    """How many units the drawn sample holds (cases, or their commentaries)."""
    conn, store = _connection(db)
    try:
        sql = ("SELECT count(*) FROM samples" if unit == "case" else
               "SELECT count(*) FROM documents d JOIN samples s ON s.case_id = d.case_id")
        return int(conn.execute(sql).fetchone()[0])
    finally:
        if store is not None:
            store.close()


def _first_done_events(conn: sqlite3.Connection, coder: str) -> dict[tuple[str, str], str]:
    """When the coder first marked each unit done, from the event log (progress keeps only the
    latest time, and a unit re-opened and marked done again must still count as done early)."""
    rows = conn.execute(
        "SELECT json_extract(payload, '$.unit_type'), json_extract(payload, '$.unit_id'), min(at) "
        "FROM events WHERE coder = ? AND action = 'status' "
        "AND json_extract(payload, '$.after') = 'done' GROUP BY 1, 2",
        (coder,),
    )
    return {(r[0], r[1]): r[2] for r in rows if r[0] is not None}


def load_units(
    db_path_or_store: Any, *, coder: str | None = None, unit: str = "case"
) -> tuple[list[Unit], dict[str, CodeMeta]]:
    """Coded units in coding order with their codes, and per-code metadata, for one coder or all.

    `db_path_or_store` is a project path, a `Store` or an sqlite3 connection; `unit` is "case" or
    "commentary". The rules are in this module's docstring.
    """
    if unit not in ("case", "commentary"):
        raise ThemecodeError(f"unknown unit {unit!r}", hint="use unit 'case' or 'commentary'")
    conn, store = _connection(db_path_or_store)
    try:
        return _load(conn, coder, unit)
    finally:
        if store is not None:
            store.close()


def _load(conn: sqlite3.Connection, coder: str | None, unit: str) -> tuple[list[Unit], dict[str, CodeMeta]]:
    """The body of `load_units` on an open connection."""
    all_coders = sorted(
        {r[0] for r in conn.execute(
            "SELECT DISTINCT coder FROM codings WHERE deleted = 0 AND audit = 0")}
        | {r[0] for r in conn.execute("SELECT DISTINCT coder FROM progress")}
    )
    if coder is not None and coder not in all_coders:
        raise ThemecodeError(
            f"no codings or progress recorded for coder {coder!r}",
            hint="coders in this project: " + (", ".join(all_coders) or "none yet"),
        )
    wanted = [coder] if coder is not None else all_coders

    doc_case: dict[str, str] = dict(conn.execute("SELECT id, case_id FROM documents"))
    case_docs: dict[str, list[str]] | None = None  # built only if some document is marked done
    if unit == "case":
        drawn = [r[0] for r in conn.execute("SELECT case_id FROM samples ORDER BY draw_order")]
    else:
        stage_rank = " ".join(f"WHEN '{k}' THEN {v}" for k, v in STAGE_ORDER.items())
        drawn = [
            r[0]
            for r in conn.execute(
                "SELECT d.id FROM documents d JOIN samples s ON s.case_id = d.case_id "
                f"ORDER BY s.draw_order, CASE d.stage {stage_rank} ELSE 9 END, d.id"
            )
        ]

    merged = merge_map(conn)
    theme_of, code_info = themes_of_codes(conn)

    def live(code: str) -> str | None:
        code = merged.get(code, code)
        info = code_info.get(code)
        return None if info is None or info[1] else code

    live_code = {c: live(c) for c in code_info}

    # unit id -> (first done-time, last done-time) over the wanted coders; unit id -> codes
    done_at: dict[str, tuple[str, str]] = {}
    applied: dict[str, set[str]] = defaultdict(set)
    for who in wanted:
        progress = conn.execute(
            "SELECT unit_type, unit_id, status, updated_at FROM progress WHERE coder = ?", (who,)
        ).fetchall()
        doc_done: dict[str, tuple[str, str]] = {}
        case_done: dict[str, tuple[str, str]] = {}
        if progress:
            first_event = _first_done_events(conn, who)
            for unit_type, unit_id, status, at in progress:
                if status == "done":
                    first = min(first_event.get((unit_type, unit_id), at), at)
                    (doc_done if unit_type == "document" else case_done)[unit_id] = (first, at)
            doc_done = {d: t for d, t in doc_done.items() if d in doc_case}
            if doc_done:  # a case whose every document is done is done
                if case_docs is None:
                    case_docs = defaultdict(list)
                    for d, c in doc_case.items():
                        case_docs[c].append(d)
                for c in {doc_case[d] for d in doc_done} - set(case_done):
                    ds = case_docs[c]
                    if all(d in doc_done for d in ds):
                        case_done[c] = (max(doc_done[d][0] for d in ds), max(doc_done[d][1] for d in ds))
            if unit == "commentary" and case_done:  # a document of a done case is done
                for d, c in doc_case.items():
                    span = case_done.get(c)
                    if span is not None:
                        own = doc_done.get(d)
                        doc_done[d] = span if own is None else (min(own[0], span[0]), max(own[1], span[1]))
        else:  # no progress rows: coded = has a live coding, finished at its last coding
            for doc_id, at in conn.execute(
                "SELECT document_id, max(created_at) FROM codings WHERE coder = ? AND deleted = 0 "
                "AND audit = 0 "
                "GROUP BY document_id",
                (who,),
            ):
                c = doc_case.get(doc_id)
                if c is None:
                    continue
                doc_done[doc_id] = (at, at)
                if c not in case_done or case_done[c][1] < at:
                    case_done[c] = (at, at)
        coded = case_done if unit == "case" else doc_done
        if not done_at:
            done_at.update(coded)
        else:
            for uid, span in coded.items():
                old = done_at.get(uid)
                done_at[uid] = span if old is None else (min(old[0], span[0]), max(old[1], span[1]))
        sql = (
            "SELECT DISTINCT d.case_id, c.code_id FROM codings c JOIN documents d ON d.id = c.document_id "
            "WHERE c.coder = ? AND c.deleted = 0 AND c.audit = 0"
            if unit == "case"
            else "SELECT document_id, code_id FROM codings "
            "WHERE coder = ? AND deleted = 0 AND audit = 0"
        )
        for uid, code in conn.execute(sql, (who,)):
            code_id = live_code.get(code)
            if code_id is not None and uid in coded:
                applied[uid].add(code_id)

    if drawn:
        order = [u for u in drawn if u in done_at]
    else:
        order = sorted(done_at, key=lambda u: (done_at[u][0], u))
    # one frozenset object per distinct code set: its hash is computed once, and later
    # per-code-set caches (incidence, theme mapping) hit it cheaply
    canon: dict[frozenset[str], frozenset[str]] = {}
    empty: frozenset[str] = frozenset()
    units = []
    for u in order:
        codes = applied.get(u)
        fs = empty if not codes else frozenset(codes)
        units.append(Unit._make((u, canon.setdefault(fs, fs))))

    first_done = [done_at[u][0] for u in order]
    last_done = [done_at[u][1] for u in order]
    first_sorted = sorted(first_done)
    origin = dict(conn.execute("SELECT id, origin FROM codes"))
    meta: dict[str, CodeMeta] = {}
    for code_id, (created_at, retired) in code_info.items():
        if retired or code_id not in theme_of:
            continue
        position = 1 + bisect.bisect_left(first_sorted, created_at)
        back = position > 1 and all(t > created_at for t in last_done[: position - 1])
        meta[code_id] = CodeMeta(
            theme=theme_of[code_id],
            added_at_position=position if position > 1 else None,
            back_coded=back,
            origin=origin.get(code_id, "deductive"),
        )
    return units, meta


def _project_name(db: Any) -> str | None:
    """The project path to quote in suggested commands: the given path or the Store's file."""
    if isinstance(db, str | Path):
        return str(db)
    path = getattr(db, "path", None)
    return str(path) if path is not None else None


def analyse_project(
    db: Any,
    config: SaturationConfig | None = None,
    *,
    coder: str | None = None,
    project: str | None = None,
) -> dict[str, SaturationResult]:
    """Saturation at code and theme level for one coder (or pooled) straight from a project."""
    config = config or SaturationConfig()
    conn, store = _connection(db)
    try:
        units, meta = _load(conn, coder, config.unit)
        population = population_size(conn, config.unit)
        drawn = drawn_size(conn, config.unit)
        cases = population_size(conn, "case")
        per_case = population / cases if config.unit == "commentary" and cases else None
    finally:
        if store is not None:
            store.close()
    if project is None:
        project = _project_name(db)
    return analyse_levels(units, config, code_meta=meta, population=population, project=project,
                          drawn=drawn, per_case=per_case)


def analyse_by_coder(
    db: Any, config: SaturationConfig | None = None, *, project: str | None = None
) -> tuple[dict[str, SaturationResult], dict[str, dict[str, SaturationResult]]]:
    """(pooled levels, {coder: levels}): everything for the team and per coder."""
    conn, store = _connection(db)
    if project is None:
        project = _project_name(db)
    try:
        pooled = analyse_project(conn, config, project=project)
        return pooled, {who: analyse_project(conn, config, coder=who, project=project) for who in coders(conn)}
    finally:
        if store is not None:
            store.close()
