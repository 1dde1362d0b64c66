"""The memo listing: every live memo with what it is written on, filtered by kind, coder and
text; and which commentaries, cases and codes carry a memo (the coding screen's markers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from themecode.errors import ThemecodeError
from themecode.store import Memo, Store

KINDS = ("document", "case", "code", "project")


@dataclass(frozen=True)
class MemoRow:
    """A memo and a short name of its target (a code's label, a commentary's case and stage)."""

    memo: Memo
    target_label: str


def list_memos(store: Store, kind: str | None = None, coder: str | None = None,
               text: str = "") -> list[MemoRow]:
    """Live memos, newest edit first, optionally of one kind, by one coder, containing `text`."""
    if kind is not None and kind not in KINDS:
        raise ThemecodeError(f"Unknown memo kind {kind!r}: use one of {', '.join(KINDS)}.")
    sql = ("SELECT m.id, m.target_type, m.target_id, m.coder, m.text, m.created_at, m.updated_at, "
           "coalesce(c.label, d.case_id || ' ' || coalesce(d.stage, ''), m.target_id) "
           "FROM memos m LEFT JOIN codes c ON m.target_type = 'code' AND c.id = m.target_id "
           "LEFT JOIN documents d ON m.target_type = 'document' AND d.id = m.target_id "
           "WHERE m.deleted = 0")
    args: list[str] = []
    if kind:
        sql += " AND m.target_type = ?"
        args.append(kind)
    if coder:
        sql += " AND m.coder = ?"
        args.append(coder)
    if text.strip():
        sql += " AND instr(lower(m.text), ?) > 0"
        args.append(text.strip().lower())
    sql += " ORDER BY m.updated_at DESC, m.id DESC"
    return [MemoRow(Memo(*r[:7]), r[7]) for r in store.conn.execute(sql, args)]


def memo_targets(store: Store, kind: str, ids: Sequence[str]) -> set[str]:
    """Which of these commentaries, cases or codes (`kind`) have at least one live memo."""
    if not ids:
        return set()
    found: set[str] = set()
    ids = list(ids)
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        found |= {r[0] for r in store.conn.execute(
            f"SELECT DISTINCT target_id FROM memos WHERE deleted = 0 AND target_type = ? "
            f"AND target_id IN ({','.join('?' * len(chunk))})", [kind, *chunk])}
    return found
