"""Small read queries the coding screen needs that `Store` does not offer (all indexed, all cheap)."""

from __future__ import annotations

from dataclasses import dataclass

from themecode.store import Coding, Event, Store


@dataclass(frozen=True)
class Progress:
    """How much of the sample one coder has marked done."""

    cases_done: int
    cases_total: int
    docs_done: int
    docs_total: int  # -1 while not yet counted


def sample_doc_total(store: Store) -> int:
    """Number of commentaries in sampled cases."""
    return store.conn.execute(
        "SELECT count(*) FROM samples s JOIN documents d ON d.case_id = s.case_id"
    ).fetchone()[0]


def case_metadata_keys(store: Store) -> int:
    """How many distinct metadata fields the sampled cases have (sizes the case panel once)."""
    return store.conn.execute(
        "SELECT count(DISTINCT j.key) FROM samples s JOIN cases c ON c.id = s.case_id, "
        "json_each(c.metadata) j"
    ).fetchone()[0]


def progress(store: Store, coder: str, docs_total: int, cases_total: int) -> Progress:
    """Cases and commentaries of the sample this coder has marked done."""
    cases_done = store.conn.execute(
        "SELECT count(*) FROM progress p JOIN samples s ON s.case_id = p.unit_id "
        "WHERE p.unit_type = 'case' AND p.coder = ? AND p.status = 'done'",
        (coder,),
    ).fetchone()[0]
    docs_done = store.conn.execute(
        "SELECT count(*) FROM progress p JOIN documents d ON d.id = p.unit_id "
        "JOIN samples s ON s.case_id = d.case_id "
        "WHERE p.unit_type = 'document' AND p.coder = ? AND p.status = 'done'",
        (coder,),
    ).fetchone()[0]
    return Progress(cases_done, cases_total, docs_done, docs_total)


def statuses(store: Store, unit_type: str, ids: list[str], coder: str) -> dict[str, str]:
    """This coder's status of several documents or cases ('open' when never set)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    found = dict(
        store.conn.execute(
            f"SELECT unit_id, status FROM progress WHERE unit_type = ? AND coder = ? "
            f"AND unit_id IN ({marks})",
            [unit_type, coder, *ids],
        ).fetchall()
    )
    return {i: found.get(i, "open") for i in ids}


def code_counts(store: Store, coder: str | None) -> dict[str, int]:
    """Live codings per code, for one coder (or everyone when coder is None)."""
    sql = "SELECT code_id, count(*) FROM codings WHERE deleted = 0"
    args: list[str] = []
    if coder is not None:
        sql += " AND coder = ?"
        args.append(coder)
    sql += " GROUP BY code_id"
    return dict(store.conn.execute(sql, args).fetchall())


def others_coded_sample(store: Store, coder: str) -> bool:
    """Whether another coder has coded, or marked done, any commentary of the sample.

    Then a coder who codes blind must get suggestions that learnt only from their own codings
    of the sample (a model fitted on everyone's would replay the other coder's decisions).
    """
    sampled = "SELECT d.id FROM documents d JOIN samples s ON s.case_id = d.case_id"
    row = store.conn.execute(
        f"SELECT 1 FROM codings WHERE deleted = 0 AND coder != ? AND document_id IN ({sampled}) "
        f"UNION ALL SELECT 1 FROM progress WHERE coder != ? AND status = 'done' AND ("
        f"(unit_type = 'document' AND unit_id IN ({sampled})) OR "
        f"(unit_type = 'case' AND unit_id IN (SELECT case_id FROM samples))) LIMIT 1",
        (coder, coder),
    ).fetchone()
    return row is not None


def uncoded_documents(store: Store, case_id: str, coder: str) -> list[str]:
    """Ids of a case's commentaries that carry none of this coder's codings."""
    return [r[0] for r in store.conn.execute(
        "SELECT d.id FROM documents d WHERE d.case_id = ? AND NOT EXISTS (SELECT 1 FROM codings c "
        "WHERE c.document_id = d.id AND c.coder = ? AND c.deleted = 0) ORDER BY d.id",
        (case_id, coder))]


def event_place(store: Store, ev: Event) -> tuple[str | None, str | None]:
    """(case id, commentary id) an undoable event changed, where it has one."""
    p = ev.payload
    doc_id: str | None = None
    if ev.action in ("code", "code_commentary", "uncode"):
        doc_id = p.get("document_id") or ev.target
        if doc_id is None and p.get("coding_ids"):
            row = store.conn.execute("SELECT document_id FROM codings WHERE id = ?",
                                     (p["coding_ids"][0],)).fetchone()
            doc_id = row[0] if row else None
    elif ev.action == "status":
        if p.get("unit_type") == "case":
            return str(p.get("unit_id")), None
        doc_id = p.get("unit_id")
    elif ev.action.startswith("memo_"):
        row = store.conn.execute("SELECT target_type, target_id FROM memos WHERE id = ?",
                                 (p.get("memo_id"),)).fetchone()
        if row and row[0] == "case":
            return str(row[1]), None
        doc_id = row[1] if row and row[0] == "document" else None
    if doc_id is None:
        return None, None
    row = store.conn.execute("SELECT case_id FROM documents WHERE id = ?", (doc_id,)).fetchone()
    return (row[0], doc_id) if row else (None, None)


def my_memos(store: Store, coder: str, case_id: str, doc_id: str | None) -> list[tuple[str, str]]:
    """This coder's memos on the commentary and on its case: ("memo", text), ("case memo", text)."""
    rows = store.conn.execute(
        "SELECT target_type, text FROM memos WHERE deleted = 0 AND coder = ? AND ("
        "(target_type = 'document' AND target_id = ?) OR (target_type = 'case' AND target_id = ?)) "
        "ORDER BY target_type DESC, id DESC", (coder, doc_id or "", case_id)).fetchall()
    seen: dict[str, str] = {}
    for kind, text in rows:
        seen.setdefault("memo" if kind == "document" else "case memo", text)
    return list(seen.items())


def visible_codings(store: Store, doc_id: str, coder: str, show_others: bool) -> list[Coding]:
    """Codings on a commentary that this coder may see: their own, plus others' when asked."""
    return store.codings(doc_id) if show_others else store.codings(doc_id, coder)


@dataclass(frozen=True)
class SearchHit:
    """A match of a search within the sample."""

    doc_id: str
    case_id: str
    stage: str | None
    start: int
    end: int
    snippet: str
    snippet_start: int


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_sample(store: Store, query: str, limit: int = 200) -> list[SearchHit]:
    """Commentaries of sampled cases containing `query` (case-insensitive), in draw order."""
    q = query.strip()
    if not q:
        return []
    rows = store.conn.execute(
        "SELECT d.id, d.case_id, d.stage, d.text FROM samples s "
        "JOIN documents d ON d.case_id = s.case_id "
        "WHERE d.text LIKE ? ESCAPE '\\' ORDER BY s.draw_order, d.id LIMIT ?",
        (f"%{_like_escape(q)}%", limit),
    ).fetchall()
    hits = []
    needle = q.casefold()
    for doc_id, case_id, stage, text in rows:
        at = text.casefold().find(needle)
        if at < 0:  # LIKE folds ASCII only; keep the row but point at the start
            at = 0
        lo = max(0, at - 30)
        hi = min(len(text), at + len(q) + 50)
        snippet = text[lo:hi].replace("\n", " ")
        hits.append(SearchHit(doc_id, case_id, stage, at, at + len(q), snippet, lo))
    return hits
