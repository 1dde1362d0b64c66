"""Coding actions and undo/redo for `Store`: each action is one `BEGIN IMMEDIATE` transaction
that writes the change and its event together, so a crash never leaves half an action.

Kept apart from `store.py` (lifecycle and reads); `Store` inherits `ActionsMixin`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from themecode.errors import ThemecodeError, UnknownCodeError
from themecode.store.records import (
    CODEBOOK_ACTIONS,
    EDITABLE_CODE_FIELDS,
    UNDOABLE,
    Code,
    Coding,
    Document,
    Event,
    Memo,
    now,
)
from themecode.store.versions import record_version

if TYPE_CHECKING:
    import sqlite3
    from contextlib import AbstractContextManager


@dataclass(frozen=True)
class SpanRemoval:
    """What `uncode_span` did: codings removed whole, codings trimmed, and the pieces left."""

    removed: int  # codings that lay inside the span: deleted
    trimmed: int  # codings that reached outside it: replaced by their parts outside
    pieces: tuple[Coding, ...] = ()  # the coding rows now holding those parts
    event_id: int | None = None  # the `uncode` event, None when nothing overlapped

    @property
    def changed(self) -> bool:
        """Whether any coding was touched."""
        return bool(self.removed or self.trimmed)


def _cut(text: str, start: int, end: int, side: str) -> tuple[int, int] | None:
    """The part [start, end) of a trimmed coding without the whitespace at its cut edge (its
    right end for the part left of the removed span, its left end for the part right of it);
    None when nothing is left."""
    if side == "left":
        while end > start and text[end - 1].isspace():
            end -= 1
    else:
        while start < end and text[start].isspace():
            start += 1
    return (start, end) if start < end else None


class ActionsMixin:
    """User actions on a project; mixed into `themecode.store.Store`."""

    conn: sqlite3.Connection

    if TYPE_CHECKING:
        def write(self) -> AbstractContextManager[Any]: ...
        def document(self, doc_id: str) -> Document: ...
        def code(self, code_id: str) -> Code: ...
        def status(self, unit_type: str, unit_id: str, coder: str) -> str: ...
        def events(self, coder: str | None = None, action: str | None = None) -> list[Event]: ...
        def log_event(self, coder: str, action: str, target: str | None = None,
                      payload: dict[str, Any] | None = None, *, undoes: int | None = None,
                      redoes: int | None = None) -> int: ...

    def _check_span(self, doc: Document, start: int | None, end: int | None) -> tuple[int, int]:
        s = 0 if start is None else start
        e = len(doc.text) if end is None else end
        if not (0 <= s < e <= len(doc.text)):
            raise ThemecodeError(
                f"Span {s}-{e} is outside document {doc.id!r} (length {len(doc.text)}).",
                hint="offsets are code points from 0; end is exclusive.",
            )
        return s, e

    def _live_code(self, code_id: str) -> Code:
        code = self.code(code_id)
        if code.kind != "code":
            raise UnknownCodeError(f"{code_id!r} is a theme; apply one of its codes instead.")
        if code.retired:
            where = f" (merged into {code.merged_into!r})" if code.merged_into else ""
            raise UnknownCodeError(f"Code {code_id!r} is retired{where}; it cannot be applied.")
        return code

    def add_coding(
        self,
        document_id: str,
        start: int | None,
        end: int | None,
        code_id: str,
        coder: str,
        *,
        memo: str | None = None,
        action: str = "code",
        extra: dict[str, Any] | None = None,
        audit: bool = False,
    ) -> Coding:
        """Apply a code to a span (None/None = the whole document); one event, one transaction.

        Applying the same code to the same span twice is a no-op that returns the existing coding.
        `audit` marks a coding made in the audit of the unsampled commentaries (`codings.audit`),
        which the sample's saturation figures leave out.
        """
        doc = self.document(document_id)
        s, e = self._check_span(doc, start, end)
        self._live_code(code_id)
        with self.write():
            row = self.conn.execute(
                'SELECT id, created_at FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
                "AND code_id = ? AND coder = ? AND deleted = 0",
                (document_id, s, e, code_id, coder),
            ).fetchone()
            if row:
                return Coding(row[0], document_id, s, e, code_id, coder, row[1], False, memo)
            at = now()
            cur = self.conn.execute(
                'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at, memo, '
                "audit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (document_id, s, e, code_id, coder, at, memo, int(audit)),
            )
            cid = int(cur.lastrowid or 0)
            payload = {"coding_id": cid, "document_id": document_id, "start": s, "end": e,
                       "code_id": code_id, **({"audit": True} if audit else {}), **(extra or {})}
            self.log_event(coder, action, document_id, payload)
        return Coding(cid, document_id, s, e, code_id, coder, at, False, memo)

    def code_whole(
        self, document_id: str, code_ids: Sequence[str], coder: str,
        *, extra: dict[str, Any] | None = None,
    ) -> list[Coding]:
        """Apply several codes to a whole commentary as one action: one transaction and one
        `code_commentary` event, so one undo takes them all off. Codes the coder already has on
        the whole commentary are left alone; returns the codings added (none: no event)."""
        doc = self.document(document_id)
        s, e = self._check_span(doc, None, None)
        for code_id in code_ids:
            self._live_code(code_id)
        added: list[Coding] = []
        with self.write():
            for code_id in dict.fromkeys(code_ids):
                if self.conn.execute(
                    'SELECT 1 FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
                    "AND code_id = ? AND coder = ? AND deleted = 0",
                    (document_id, s, e, code_id, coder),
                ).fetchone():
                    continue
                at = now()
                cur = self.conn.execute(
                    'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at) '
                    "VALUES (?, ?, ?, ?, ?, ?)", (document_id, s, e, code_id, coder, at))
                added.append(Coding(int(cur.lastrowid or 0), document_id, s, e, code_id, coder, at,
                                    False, None))
            if added:  # undone and redone as `respan` is: added_ids die and come back
                self.log_event(coder, "code_commentary", document_id, {
                    "document_id": document_id, "coding_ids": [], "added_ids": [c.id for c in added],
                    "code_ids": [c.code_id for c in added], **(extra or {})})
        return added

    def remove_codings(self, coding_ids: Sequence[int], coder: str) -> int:
        """Soft-delete codings (one event for all of them); returns how many were live."""
        ids = list(coding_ids)
        if not ids:
            return 0
        with self.write():
            marks = ",".join("?" * len(ids))
            live = [
                r[0]
                for r in self.conn.execute(
                    f"SELECT id FROM codings WHERE deleted = 0 AND id IN ({marks})", ids
                )
            ]
            if not live:
                return 0
            marks = ",".join("?" * len(live))
            self.conn.execute(
                f"UPDATE codings SET deleted = 1, deleted_at = ? WHERE id IN ({marks})",
                [now(), *live],
            )
            self.log_event(coder, "uncode", None, {"coding_ids": live})
        return len(live)

    def uncode_span(
        self, document_id: str, start: int | None, end: int | None, code_id: str, coder: str
    ) -> SpanRemoval:
        """Take a code off [start, end) only (None/None = the whole document); one event.

        Each of the coder's live codings of `code_id` overlapping the span is soft-deleted; the
        parts of it outside the span (left [c.start, start), right [end, c.end), both for a
        coding reaching past either side) stay coded as new coding rows that keep the
        original's `created_at` and memo. Whitespace at the cut is left out of a part (so the
        part left by removing a sentence is its neighbour's sentence span, and no part is only
        blanks); a part with nothing left, or of zero length, is not made. A part already coded
        identically is not duplicated, and a part that once existed and was undone is brought
        back rather than inserted again (so rows keep one natural key for `teamwork` merges).
        The `uncode` event lists the rows deleted (`coding_ids`) and made live (`added_ids`):
        undo and redo flip exactly those, also after a restart.
        """
        doc = self.document(document_id)
        s, e = self._check_span(doc, start, end)
        self.code(code_id)  # an unknown code is an error; a retired one can still be removed
        c = self.conn
        with self.write():
            hits = c.execute(
                'SELECT id, start, "end", created_at, memo, audit FROM codings WHERE document_id = ? '
                'AND code_id = ? AND coder = ? AND deleted = 0 AND start < ? AND "end" > ? '
                "ORDER BY start, id",
                (document_id, code_id, coder, e, s),
            ).fetchall()
            if not hits:
                return SpanRemoval(0, 0)
            parts: dict[tuple[int, int], tuple[str, str | None, int]] = {}
            trimmed = 0
            for _, cs, ce, at, memo, audit in hits:
                outside = [p for p in (_cut(doc.text, cs, s, "left"), _cut(doc.text, e, ce, "right"))
                           if p is not None]
                trimmed += bool(outside)
                for span in outside:
                    parts.setdefault(span, (at, memo, audit))
            ids = [h[0] for h in hits]
            marks = ",".join("?" * len(ids))
            c.execute(f"UPDATE codings SET deleted = 1, deleted_at = ? WHERE id IN ({marks})",
                      [now(), *ids])
            pieces: list[Coding] = []
            for (a, b), (at, memo, audit) in sorted(parts.items()):
                key = (document_id, a, b, code_id, coder)
                if c.execute(
                    'SELECT 1 FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
                    "AND code_id = ? AND coder = ? AND deleted = 0", key,
                ).fetchone():
                    continue  # the part is coded already (another coding of the same span)
                old = c.execute(
                    'SELECT id, memo FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
                    "AND code_id = ? AND coder = ? AND created_at = ? ORDER BY id LIMIT 1",
                    (*key, at),
                ).fetchone()
                if old is not None:  # this very piece was made before and undone: revive it
                    c.execute("UPDATE codings SET deleted = 0, deleted_at = NULL WHERE id = ?",
                              (old[0],))
                    pid, memo = int(old[0]), old[1]
                else:
                    cur = c.execute(
                        'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at, '
                        "memo, audit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (*key, at, memo, audit),
                    )
                    pid = int(cur.lastrowid or 0)
                pieces.append(Coding(pid, document_id, a, b, code_id, coder, at, False, memo))
            removed = len(hits) - trimmed
            event_id = self.log_event(
                coder, "uncode", document_id,
                {"document_id": document_id, "start": s, "end": e, "code_id": code_id,
                 "coding_ids": ids, "added_ids": [p.id for p in pieces],
                 "removed": removed, "trimmed": trimmed},
            )
        return SpanRemoval(removed, trimmed, tuple(pieces), event_id)

    def set_status(
        self, unit_type: str, unit_id: str, coder: str, status: str, note: str | None = None,
        *, documents: Sequence[str] = (),
    ) -> None:
        """Mark a document or case open/done/skipped/flagged for a coder (undoable).

        `documents` (a case's commentaries) get the same status in the same transaction and
        event, so a case marked done has its commentaries done and one undo reverts them all.
        """
        if unit_type not in ("document", "case"):
            raise ThemecodeError(f"Unknown unit type {unit_type!r}: use 'document' or 'case'.")
        if status not in ("open", "done", "skipped", "flagged"):
            raise ThemecodeError(f"Unknown status {status!r}: use open, done, skipped or flagged.")
        with self.write():
            before = self.status(unit_type, unit_id, coder)
            also = [[d, self.status("document", d, coder)] for d in documents]
            self._put_status(unit_type, unit_id, coder, status, note)
            for d, _ in also:
                self._put_status("document", d, coder, status)
            payload = {"unit_type": unit_type, "unit_id": unit_id, "before": before,
                       "after": status, "note": note}
            if also:
                payload["documents"] = also  # [document id, status before]
            self.log_event(coder, "status", unit_id, payload)

    def mark_done_bulk(self, units: Sequence[tuple[str, str]], coder: str) -> int:
        """Mark many (unit_type, unit_id) done for a coder in one transaction, without an event
        per unit: for bulk operations (a codings import with --mark-done) whose own audit event
        records what they did. Not undoable one by one; returns how many units were marked."""
        for unit_type, _ in units:
            if unit_type not in ("document", "case"):
                raise ThemecodeError(f"Unknown unit type {unit_type!r}: use 'document' or 'case'.")
        with self.write():
            for unit_type, unit_id in units:
                self._put_status(unit_type, unit_id, coder, "done")
        return len(units)

    def _put_status(
        self, unit_type: str, unit_id: str, coder: str, status: str, note: str | None = None
    ) -> None:
        self.conn.execute(
            "INSERT INTO progress(unit_type, unit_id, coder, status, note, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(unit_type, unit_id, coder) DO UPDATE SET "
            "status = excluded.status, note = excluded.note, updated_at = excluded.updated_at",
            (unit_type, unit_id, coder, status, note, now()),
        )

    def add_memo(self, target_type: str, target_id: str, coder: str, text: str) -> Memo:
        """Write a memo on a document, case, code or the project (undoable)."""
        if not text.strip():
            raise ThemecodeError("A memo cannot be empty.")
        with self.write():
            at = now()
            cur = self.conn.execute(
                "INSERT INTO memos(target_type, target_id, coder, text, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (target_type, target_id, coder, text, at, at),
            )
            mid = int(cur.lastrowid or 0)
            self.log_event(coder, "memo_add", target_id, {"memo_id": mid, "target_type": target_type})
        return Memo(mid, target_type, target_id, coder, text, at, at)

    def edit_memo(self, memo_id: int, coder: str, text: str) -> None:
        """Replace a memo's text (undoable: the old text is kept in the event)."""
        with self.write():
            row = self.conn.execute("SELECT text FROM memos WHERE id = ?", (memo_id,)).fetchone()
            if row is None:
                raise ThemecodeError(f"No memo {memo_id}.")
            self.conn.execute(
                "UPDATE memos SET text = ?, updated_at = ? WHERE id = ?", (text, now(), memo_id)
            )
            self.log_event(coder, "memo_edit", str(memo_id),
                           {"memo_id": memo_id, "before": row[0], "after": text})

    def delete_memo(self, memo_id: int, coder: str) -> None:
        """Soft-delete a memo (undoable)."""
        with self.write():
            self.conn.execute("UPDATE memos SET deleted = 1 WHERE id = ?", (memo_id,))
            self.log_event(coder, "memo_delete", str(memo_id), {"memo_id": memo_id})

    # ------------------------------------------------------------------ undo / redo
    def undo_stacks(self, coder: str) -> tuple[list[Event], list[Event]]:
        """(undo stack, redo stack) for a coder, rebuilt from the events table; last = top."""
        done: list[Event] = []
        redo: list[Event] = []

        def move(src: list[Event], dst: list[Event], event_id: int) -> None:
            for i in range(len(src) - 1, -1, -1):  # the top is the usual target: look there first
                if src[i].id == event_id:
                    dst.append(src.pop(i))
                    return

        for ev in self.events(coder=coder):
            if ev.action == "undo" and ev.undoes is not None:
                move(done, redo, ev.undoes)
            elif ev.action == "redo" and ev.redoes is not None:
                move(redo, done, ev.redoes)
            elif ev.action in UNDOABLE:
                done.append(ev)
                redo.clear()
        return done, redo

    def undo(self, coder: str) -> Event | None:
        """Reverse this coder's most recent undoable action; returns it, or None if none."""
        with self.write():
            done, _ = self.undo_stacks(coder)
            if not done:
                return None
            ev = done[-1]
            self._apply(ev, reverse=True)
            if ev.action in CODEBOOK_ACTIONS:
                record_version(self, coder, f"undid {ev.action} of {ev.target!r}")  # type: ignore[arg-type]
            self.log_event(coder, "undo", ev.target, {"action": ev.action}, undoes=ev.id)
        return ev

    def redo(self, coder: str) -> Event | None:
        """Re-apply this coder's most recently undone action; returns it, or None if none."""
        with self.write():
            _, redo = self.undo_stacks(coder)
            if not redo:
                return None
            ev = redo[-1]
            self._apply(ev, reverse=False)
            if ev.action in CODEBOOK_ACTIONS:
                record_version(self, coder, f"redid {ev.action} of {ev.target!r}")  # type: ignore[arg-type]
            self.log_event(coder, "redo", ev.target, {"action": ev.action}, redoes=ev.id)
        return ev

    def _apply(self, ev: Event, *, reverse: bool) -> None:
        """Apply (reverse=False) or reverse an undoable event's effect."""
        p = ev.payload
        c = self.conn
        if ev.action == "code":
            c.execute(
                "UPDATE codings SET deleted = ?, deleted_at = ? WHERE id = ?",
                (1 if reverse else 0, now() if reverse else None, p["coding_id"]),
            )
        elif ev.action in ("uncode", "respan", "code_commentary"):  # coding_ids deleted; added_ids live
            for ids, deleted in ((p["coding_ids"], not reverse), (p.get("added_ids", []), reverse)):
                if ids:
                    marks = ",".join("?" * len(ids))
                    c.execute(
                        f"UPDATE codings SET deleted = ?, deleted_at = ? WHERE id IN ({marks})",
                        [int(deleted), now() if deleted else None, *ids],
                    )
        elif ev.action == "status":
            self._put_status(p["unit_type"], p["unit_id"], ev.coder,
                             p["before"] if reverse else p["after"])
            for doc_id, before in p.get("documents", []):
                self._put_status("document", doc_id, ev.coder, before if reverse else p["after"])
        elif ev.action == "memo_add":
            c.execute("UPDATE memos SET deleted = ? WHERE id = ?", (1 if reverse else 0, p["memo_id"]))
        elif ev.action == "memo_delete":
            c.execute("UPDATE memos SET deleted = ? WHERE id = ?", (0 if reverse else 1, p["memo_id"]))
        elif ev.action == "memo_edit":
            c.execute(
                "UPDATE memos SET text = ?, updated_at = ? WHERE id = ?",
                (p["before"] if reverse else p["after"], now(), p["memo_id"]),
            )
        elif ev.action == "audit_decision":  # the decision row made live; the one it replaced
            c.execute("UPDATE audit_reviews SET deleted = ? WHERE id = ?",
                      (int(reverse), p["review_id"]))
            if p.get("replaced"):
                c.execute("UPDATE audit_reviews SET deleted = ? WHERE id = ?",
                          (int(not reverse), p["replaced"]))
        elif ev.action == "code_create":
            c.execute("UPDATE codes SET retired = ? WHERE id = ?", (1 if reverse else 0, p["code_id"]))
        elif ev.action in ("code_edit", "theme_review"):
            values = p["before"] if reverse else p["after"]
            cols = [k for k in values if k in EDITABLE_CODE_FIELDS]
            if cols:
                c.execute(f"UPDATE codes SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
                          [values[k] for k in cols] + [p["code_id"]])
        elif ev.action == "code_rename":
            c.execute("UPDATE codes SET label = ? WHERE id = ?",
                      (p["before"] if reverse else p["after"], p["code_id"]))
        elif ev.action == "code_retire":
            c.execute("UPDATE codes SET retired = ? WHERE id = ?", (0 if reverse else 1, p["code_id"]))
        elif ev.action in ("code_merge", "code_split", "recode"):
            self._apply_move(ev, reverse=reverse)
        else:  # pragma: no cover - UNDOABLE and this switch are kept in step
            raise ThemecodeError(f"Cannot undo action {ev.action!r}.")

    def _apply_move(self, ev: Event, *, reverse: bool) -> None:
        """Undo or redo codings moved from code `source` to `target` (a merge, split or recode):
        `moved` go back or forth, `deduplicated` (same coder, same span, already on the target)
        come back to life or die again; a merge also un-retires or retires the source, a split
        that created its target retires or revives it."""
        p = ev.payload
        c = self.conn
        moved = p.get("moved", [])
        for i in range(0, len(moved), 900):
            chunk = moved[i:i + 900]
            c.execute(f"UPDATE codings SET code_id = ? WHERE id IN ({','.join('?' * len(chunk))})",
                      [p["source"] if reverse else p["target"], *chunk])
        dupes = p.get("deduplicated", [])
        for i in range(0, len(dupes), 900):
            chunk = dupes[i:i + 900]
            c.execute(
                f"UPDATE codings SET deleted = ?, deleted_at = ? "
                f"WHERE id IN ({','.join('?' * len(chunk))})",
                [0 if reverse else 1, None if reverse else now(), *chunk])
        if ev.action == "code_merge":
            c.execute("UPDATE codes SET retired = ?, merged_into = ? WHERE id = ?",
                      (0 if reverse else 1, None if reverse else p["target"], p["source"]))
        elif ev.action == "code_split" and p.get("created"):
            c.execute("UPDATE codes SET retired = ? WHERE id = ?", (1 if reverse else 0, p["target"]))
