"""Build the coders' codings for `themecode.agreement.coefficients` from a project database.

Kept apart from the pure statistics so those can be tested without SQLite. Rules:

* Unit **commentary**: one document. **case**: all documents of a case (a code applied anywhere in
  the case's documents counts for the case). **sentence**: one `sentences` row; a coding counts for
  every sentence its span overlaps.
* A unit is *coded* by a coder when the coder marked it done in `progress`: a document is done
  when its own row or its case's row says 'done'; a case when its row says 'done' or every one of
  its documents is done; a sentence when its document is. Only when a coder has no progress rows
  at all does the fallback apply: a unit is coded when the coder has a live coding in it
  (`uncoded="drop"`, the default), or, with `uncoded="count"`, when it belongs to a case in
  which the coder has a live coding (so a commentary they read and left uncoded still counts).
  Units coded by some but not all compared coders drop out; the result says how many
  (`left_out`) and whose missing done-marks caused it.
* Deleted codings never count. A code retired by merging counts as the code it was merged into.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from themecode.agreement.coefficients import (
    AgreementError,
    AgreementResult,
    CoderCodings,
    UnitId,
    compute_agreement,
)
from themecode.codebook import merge_map

UnitType = Literal["case", "commentary", "sentence"]
UNIT_TYPES: tuple[str, ...] = ("case", "commentary", "sentence")


def _connection(conn_or_store: Any) -> sqlite3.Connection:
    """The sqlite3 connection of a `Store`, a sqlite-utils `Database` or a connection itself."""
    if isinstance(conn_or_store, sqlite3.Connection):
        return conn_or_store
    conn = getattr(conn_or_store, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        return conn
    raise AgreementError(
        f"cannot read a project database from {type(conn_or_store).__name__}",
        hint="pass a themecode Store or an sqlite3 connection to the project file",
    )



def coder_codings_from_store(
    conn_or_store: Any,
    coders: Sequence[str],
    unit: UnitType = "commentary",
    *,
    sample_only: bool = False,
    uncoded: str = "drop",
) -> list[CoderCodings]:
    """Each coder's coded units and applied codes at the given unit, read from the project DB."""
    if unit not in UNIT_TYPES:
        raise AgreementError(
            f"unknown unit {unit!r}", hint="use --unit case, --unit commentary or --unit sentence"
        )
    conn = _connection(conn_or_store)
    known = {r[0] for r in conn.execute("SELECT DISTINCT coder FROM codings")} | {
        r[0] for r in conn.execute("SELECT DISTINCT coder FROM progress")
    }
    unknown = [c for c in coders if c not in known]
    if unknown:
        raise AgreementError(
            f"no codings or progress recorded for coder(s) {', '.join(map(repr, unknown))}",
            hint="coders in this project: " + (", ".join(sorted(known)) or "none yet"),
        )

    doc_case: dict[str, str] = {}
    case_docs: dict[str, list[str]] = defaultdict(list)
    sql = "SELECT d.id, d.case_id FROM documents d"
    if sample_only:
        sql += " JOIN samples s ON s.case_id = d.case_id"
    for doc_id, case_id in conn.execute(sql):
        doc_case[doc_id] = case_id
        case_docs[case_id].append(doc_id)

    sentences: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    if unit == "sentence":
        for doc_id, idx, start, end in conn.execute(
            'SELECT document_id, idx, start, "end" FROM sentences ORDER BY document_id, idx'
        ):
            if doc_id in doc_case:
                sentences[doc_id].append((idx, start, end))

    merged = merge_map(conn)
    result: list[CoderCodings] = []
    for coder in coders:
        done_docs: set[str] = set()
        done_cases: set[str] = set()
        n_progress = 0
        for unit_type, unit_id, status in conn.execute(
            "SELECT unit_type, unit_id, status FROM progress WHERE coder = ?", (coder,)
        ):
            n_progress += 1
            if status == "done":
                (done_docs if unit_type == "document" else done_cases).add(unit_id)

        codings = [
            (doc_id, start, end, merged.get(code, code))
            for doc_id, start, end, code in conn.execute(
                'SELECT document_id, start, "end", code_id FROM codings '
                "WHERE coder = ? AND deleted = 0",
                (coder,),
            )
            if doc_id in doc_case
        ]

        if n_progress:
            docs_coded = {d for d in doc_case if d in done_docs or doc_case[d] in done_cases}
            cases_coded = {
                c for c, ds in case_docs.items() if c in done_cases or all(d in docs_coded for d in ds)
            }
        else:
            docs_coded = {doc_id for doc_id, *_ in codings}
            cases_coded = {doc_case[d] for d in docs_coded}
            if uncoded == "count":
                docs_coded = {d for c in cases_coded for d in case_docs[c]}

        applied: dict[UnitId, set[str]] = defaultdict(set)
        coded_units: set[UnitId]
        if unit == "commentary":
            coded_units = set(docs_coded)
            for doc_id, _s, _e, code in codings:
                applied[doc_id].add(code)
        elif unit == "case":
            coded_units = set(cases_coded)
            for doc_id, _s, _e, code in codings:
                applied[doc_case[doc_id]].add(code)
        else:
            coded_units = {(d, idx) for d in docs_coded for idx, _s, _e in sentences.get(d, [])}
            for doc_id, start, end, code in codings:
                for idx, s_start, s_end in sentences.get(doc_id, []):
                    if start < s_end and end > s_start:
                        applied[(doc_id, idx)].add(code)
        result.append(
            CoderCodings(
                coder,
                frozenset(coded_units),
                {u: frozenset(c) for u, c in applied.items()},
            )
        )
    return result


def agreement_from_store(
    conn_or_store: Any,
    coders: Sequence[str],
    unit: UnitType = "commentary",
    *,
    include_unused_codes: bool = False,
    sample_only: bool = False,
    alpha_units: str = "common",
    uncoded: str = "drop",
    bootstrap: int = 0,
    seed: int = 0,
) -> AgreementResult:
    """Agreement between `coders` at `unit` level, computed from the project database.

    With `include_unused_codes`, every live code of the codebook is reported (unused ones with
    kappa undefined); otherwise only the codes some coder applied on a compared unit.
    `sample_only` restricts units to sampled cases; `alpha_units` is passed to
    `compute_agreement` ("pairable": alpha over units coded by two or more of the coders);
    `uncoded` is "drop" or "count" (see the module docstring); `bootstrap` resamples (seeded by
    `seed`) give the 95% intervals.
    """
    if uncoded not in ("drop", "count"):
        raise AgreementError(f"unknown choice {uncoded!r} for uncoded units",
                             hint="use --uncoded drop or --uncoded count")
    per_coder = coder_codings_from_store(conn_or_store, coders, unit, sample_only=sample_only,
                                         uncoded=uncoded)
    codes = None
    if include_unused_codes:
        conn = _connection(conn_or_store)
        codes = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM codes WHERE kind = 'code' AND retired = 0 ORDER BY sort_order, id"
            )
        ]
        used = {c for cc in per_coder for u in cc.coded_units for c in cc.applied(u)}
        codes += sorted(used - set(codes))
    result = compute_agreement(per_coder, codes, unit_type=unit, alpha_units=alpha_units,
                               bootstrap=bootstrap, seed=seed)
    conn = _connection(conn_or_store)
    union = frozenset().union(*(c.coded_units for c in per_coder))
    common = frozenset.intersection(*(frozenset(c.coded_units) for c in per_coder))
    silent = [c for c in coders
              if conn.execute("SELECT 1 FROM progress WHERE coder = ? LIMIT 1", (c,)).fetchone() is None]
    return replace(result, left_out={"units": len(union - common), "coders_without_done_marks": silent,
                                     "uncoded": uncoded})
