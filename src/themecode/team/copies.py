"""Two copies of one project side by side: the corpus fingerprint and same-project check, the
merge's report records, and what each copy's event log says changed each coding and memo. Used by
`themecode.team.merge`; imports only the store and errors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from themecode.errors import ProjectError
from themecode.store import Store

# ------------------------------------------------------------------------------ fingerprints


def corpus_fingerprint(store: Store) -> str:
    """sha256 over every document's id and content hash: equal iff the corpora are the same."""
    h = hashlib.sha256()
    for doc_id, content in store.conn.execute(
        "SELECT id, content_hash FROM documents ORDER BY id"
    ):
        h.update(f"{doc_id}\t{content}\n".encode())
    return h.hexdigest()


def _sample_rows(store: Store) -> dict[str, tuple[int, int, int]]:
    return {r[0]: (r[1], r[2], r[3]) for r in store.conn.execute(
        "SELECT case_id, draw_order, seed, round FROM samples")}


def check_same_project(ours: Store, theirs: Store) -> None:
    """Refuse to merge copies of different projects: every commentary of theirs must be in ours
    with the same content hash (ours may have imported more since), and every sampled case of
    theirs must be sampled identically in ours (a handout copy holds a subset)."""
    if corpus_fingerprint(ours) != corpus_fingerprint(theirs):
        a = dict(ours.conn.execute("SELECT id, content_hash FROM documents").fetchall())
        b = dict(theirs.conn.execute("SELECT id, content_hash FROM documents").fetchall())
        differ = sorted(k for k, h in b.items() if a.get(k) != h)
        if differ:
            raise ProjectError(
                f"{theirs.path} is not a copy of {ours.path}: {len(differ)} of its commentaries "
                f"{'is' if len(differ) == 1 else 'are'} missing or different here "
                f"(e.g. {differ[0]!r}).",
                hint="merge only copies of the same project (same corpus); import other "
                "material with `themecode import` first.",
            )
    mine, other = _sample_rows(ours), _sample_rows(theirs)
    odd = sorted(c for c, row in other.items() if mine.get(c) != row)
    if odd:
        raise ProjectError(
            f"{theirs.path} has a different sample: {len(odd)} sampled case(s) are not sampled "
            f"the same way in {ours.path} (e.g. {odd[0]!r}).",
            hint="both copies must come from the same sample (`themecode handout` keeps it); "
            "a copy whose sample was redrawn cannot be merged.",
        )





@dataclass
class Conflict:
    """One disagreement between the copies and how it was resolved."""

    kind: str  # "label", "code_id", "renamed", "coder_diverged", "code_retired"
    what: str
    resolution: str


@dataclass
class MergeReport:
    """What one merge brought in."""

    source: str
    codes: int = 0
    codings: int = 0
    codings_updated: int = 0
    memos: int = 0
    memos_updated: int = 0
    progress: int = 0
    events: int = 0
    other: int = 0  # codebook versions, imports, redaction terms
    handout: str | None = None
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the merge changed anything."""
        return any((self.codes, self.codings, self.codings_updated, self.memos,
                    self.memos_updated, self.progress, self.events, self.other))


def _rows(store: Store, sql: str) -> list[dict[str, Any]]:
    """Query rows as dicts by column name."""
    cur = store.conn.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


EventKey = tuple[str, str, str]  # (at, coder, action): identifies an event in any copy


def _touches(store: Store) -> tuple[dict[int, EventKey], dict[int, EventKey]]:
    """The latest event that changed each coding and each memo (undo/redo included)."""
    codings: dict[int, EventKey] = {}
    memos: dict[int, EventKey] = {}
    by_id: dict[int, Any] = {}
    for ev in store.events():
        by_id[ev.id] = ev
        src = by_id.get(ev.undoes or ev.redoes or -1) if ev.action in ("undo", "redo") else ev
        if src is None:
            continue
        p, key = src.payload, (ev.at, ev.coder, ev.action)
        if src.action == "code" and isinstance(p.get("coding_id"), int):
            codings[p["coding_id"]] = key
        elif src.action in ("uncode", "code_commentary"):  # added_ids: trimmed parts, new codings
            for i in [*p.get("coding_ids", []), *p.get("added_ids", [])]:
                codings[i] = key
        elif src.action == "code_merge":
            for i in [*p.get("moved", []), *p.get("deduplicated", [])]:
                codings[i] = key
        elif src.action in ("memo_add", "memo_edit", "memo_delete") and "memo_id" in p:
            memos[int(p["memo_id"])] = key
    return codings, memos


def _last_work(store: Store) -> dict[str, str]:
    """Each coder's latest event time."""
    return dict(store.conn.execute("SELECT coder, max(at) FROM events GROUP BY coder").fetchall())

