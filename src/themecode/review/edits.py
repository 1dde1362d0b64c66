"""Codebook edits made while reviewing: one transaction, one codebook version (when the codebook
changes) and one undoable event per action, through the same `codebook_versions` and `events`
mechanism as `themecode.codebook` (whose rename, retire and merge are undoable too).

Events: `code_edit` (fields of a code or theme, moving a code to a theme), `code_create` (a new
theme), `code_split` (a new code taking chosen extracts), `recode` (chosen extracts to another
code), `respan` (an extract widened or narrowed) and `theme_review` (a theme marked reviewed).
`Store.undo` reverses each from its payload.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from typing import Any

from themecode.codebook import (
    check_shortcut,
    create_code,
    insert_code,
    refuse_controls,
    refuse_taken_label,
)
from themecode.errors import ThemecodeError, UnknownCodeError
from themecode.store import Code, Store, now
from themecode.store.versions import record_version

_WORD = re.compile(r"\S+")
FIELDS = ("label", "definition", "inclusion", "exclusion", "example", "keywords", "shortcut")


def _row(store: Store, code_id: str) -> dict[str, Any]:
    """The editable columns of a code as stored (keywords as their JSON text)."""
    row = store.conn.execute(
        "SELECT label, definition, inclusion, exclusion, example, keywords, shortcut, parent "
        "FROM codes WHERE id = ?", (code_id,)).fetchone()
    if row is None:
        raise UnknownCodeError(f"Unknown code or theme {code_id!r}.")
    return dict(zip((*FIELDS, "parent"), row, strict=True))


def _normalise(field: str, value: Any) -> Any:
    if field == "keywords":
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        return json.dumps([k.strip() for k in items if str(k).strip()])
    if field == "shortcut":
        return (str(value).strip() or None) if value is not None else None
    if field == "label":
        return " ".join(str(value).split())
    return str(value).strip()


def _write_edit(store: Store, code_id: str, before: dict[str, Any], after: dict[str, Any],
                coder: str, reason: str) -> int:
    """Apply and record one `code_edit` (inside the caller's write); returns the version."""
    store.conn.execute(f"UPDATE codes SET {', '.join(f'{k} = ?' for k in after)} WHERE id = ?",
                       [*after.values(), code_id])
    version = record_version(store, coder, reason)
    store.log_event(coder, "code_edit", code_id,
                    {"code_id": code_id, "before": before, "after": after, "version": version})
    return version


def edit_code(store: Store, code_id: str, coder: str, **changes: Any) -> Code:
    """Change a code's or theme's label, definition, inclusion, exclusion, example, keywords
    (a list or comma-separated text), shortcut or (a code's) theme `parent`; only changed
    fields are recorded, in one event. A theme's description is its `definition`. No change,
    no event."""
    unknown = sorted(set(changes) - {*FIELDS, "parent"})
    if unknown:
        raise ThemecodeError(f"Cannot edit {', '.join(unknown)}; editable: {', '.join(FIELDS)}, "
                             "parent.")
    for field, value in changes.items():
        if field != "parent":
            refuse_controls(field, value)
    with store.write():
        old = _row(store, code_id)
        new = {k: v if k == "parent" else _normalise(k, v) for k, v in changes.items()}
        if new.get("parent", old["parent"]) != old["parent"]:
            _check_theme(store, code_id, new["parent"])
        after = {k: v for k, v in new.items() if v != old[k]}
        if not after:
            return store.code(code_id)
        if "label" in after:
            if not after["label"]:
                raise ThemecodeError("A label cannot be empty.")
            refuse_taken_label(store, after["label"], store.code(code_id).kind, but=code_id)
        if after.get("shortcut"):
            check_shortcut(store, after["shortcut"], code_id)
        _write_edit(store, code_id, {k: old[k] for k in after}, after, coder,
                    f"edited {', '.join(after)} of {code_id!r}")
    return store.code(code_id)


def _check_theme(store: Store, code_id: str, theme_id: str | None) -> None:
    if store.code(code_id).kind != "code":
        raise ThemecodeError(f"{code_id!r} is a theme; only codes move between themes.")
    if theme_id is not None:
        theme = store.code(theme_id)
        if theme.kind != "theme" or theme.retired:
            raise ThemecodeError(f"{theme_id!r} is not a live theme.")


def move_code(store: Store, code_id: str, theme_id: str | None, coder: str) -> Code:
    """Put a code under another theme (None: no theme, as an inductive code starts)."""
    _check_theme(store, code_id, theme_id)
    code = store.code(code_id)
    if code.parent == theme_id:
        return code
    with store.write():
        _write_edit(store, code_id, {"parent": code.parent}, {"parent": theme_id}, coder,
                    f"moved {code_id!r} to theme {theme_id!r}")
    return store.code(code_id)


def create_theme(store: Store, label: str, coder: str, description: str = "") -> Code:
    """A new, empty theme (a `code_create` event: undo retires it); codes join it by `move_code`."""
    return create_code(store, None, label, coder=coder, definition=description, kind="theme",
                       origin="inductive")


def _live_codings(store: Store, coding_ids: Sequence[int]) -> list[tuple[int, str, int, int, str, str]]:
    ids = list(dict.fromkeys(coding_ids))
    if not ids:
        raise ThemecodeError("Choose at least one extract first.")
    rows: list[tuple[int, str, int, int, str, str]] = []
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        rows += store.conn.execute(
            f'SELECT id, document_id, start, "end", coder, code_id FROM codings '
            f"WHERE deleted = 0 AND id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
    if len(rows) != len(ids):
        raise ThemecodeError(f"{len(ids) - len(rows)} of the chosen extracts no longer exist; "
                             "reload the list and choose again.")
    return rows


def _move(store: Store, rows: list[tuple[int, str, int, int, str, str]], target: str
          ) -> tuple[list[int], list[int]]:
    """Move codings to `target`; one that the same coder already has on the same span with the
    target is deleted instead of doubled. Returns (moved, deduplicated)."""
    moved, dupes = [], []
    for cid, doc, s, e, coder, _ in rows:
        twin = store.conn.execute(
            'SELECT 1 FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
            "AND coder = ? AND code_id = ? AND deleted = 0", (doc, s, e, coder, target)).fetchone()
        (dupes if twin else moved).append(cid)
    at = now()
    for ids, sql in ((moved, "UPDATE codings SET code_id = ? WHERE id IN ({})"),
                     (dupes, "UPDATE codings SET deleted = 1, deleted_at = ? WHERE id IN ({})")):
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            store.conn.execute(sql.format(",".join("?" * len(chunk))),
                               [target if "code_id" in sql else at, *chunk])
    return moved, dupes


def _one_source(rows: list[tuple[int, str, int, int, str, str]]) -> str:
    sources = {r[5] for r in rows}
    if len(sources) != 1:
        raise ThemecodeError(f"The chosen extracts carry {len(sources)} different codes; "
                             "choose extracts of one code.")
    return sources.pop()


def split_code(store: Store, source_id: str, coding_ids: Sequence[int], label: str,
               coder: str, *, code_id: str | None = None, definition: str = "") -> Code:
    """Split a code: create a new code under the same theme and move the chosen extracts of
    `source_id` to it, as one undoable action (undo moves them back and retires the new code)."""
    source = store.code(source_id)
    if source.kind != "code":
        raise ThemecodeError(f"{source_id!r} is a theme; split one of its codes.")
    with store.write():
        rows = _live_codings(store, coding_ids)
        if _one_source(rows) != source_id:
            raise ThemecodeError(f"The chosen extracts are not coded {source_id!r}.")
        new_id = insert_code(store, code_id, label, coder=coder, definition=definition,
                             parent=source.parent, origin="inductive")
        moved, dupes = _move(store, rows, new_id)
        version = record_version(store, coder, f"split {new_id!r} from {source_id!r}")
        store.log_event(coder, "code_split", source_id,
                        {"source": source_id, "target": new_id, "created": True,
                         "moved": moved, "deduplicated": dupes, "version": version})
    return store.code(new_id)


def recode(store: Store, coding_ids: Sequence[int], target_id: str, coder: str) -> int:
    """Move chosen extracts (all of one code) to another live code; returns how many moved."""
    target = store.code(target_id)
    if target.kind != "code" or target.retired:
        raise ThemecodeError(f"{target_id!r} is not a live code to recode to.")
    with store.write():
        rows = _live_codings(store, coding_ids)
        source = _one_source(rows)
        if source == target_id:
            raise ThemecodeError(f"The chosen extracts are already coded {target_id!r}.")
        moved, dupes = _move(store, rows, target_id)
        store.log_event(coder, "recode", source,
                        {"source": source, "target": target_id, "moved": moved,
                         "deduplicated": dupes})
    return len(moved) + len(dupes)


def respan(store: Store, coding_id: int, start: int, end: int, coder: str) -> int | None:
    """Widen or narrow an extract to [start, end): the old coding row is retired and a new one
    (same code, coder, date and memo) takes the new span, so every row keeps one natural key.
    Returns the id of the coding now holding the span (None: nothing changed)."""
    row = store.conn.execute(
        'SELECT document_id, start, "end", code_id, coder, created_at, memo FROM codings '
        "WHERE id = ? AND deleted = 0", (coding_id,)).fetchone()
    if row is None:
        raise ThemecodeError(f"Extract {coding_id} no longer exists; reload the list.")
    doc_id, s0, e0, code_id, owner, at, memo = row
    doc = store.document(doc_id)
    if not (0 <= start < end <= len(doc.text)):
        raise ThemecodeError(f"Span {start}-{end} is outside commentary {doc_id!r} "
                             f"(length {len(doc.text)}).")
    if (start, end) == (s0, e0):
        return None
    with store.write():
        store.conn.execute("UPDATE codings SET deleted = 1, deleted_at = ? WHERE id = ?",
                           (now(), coding_id))
        key = (doc_id, start, end, code_id, owner)
        twin = store.conn.execute(
            'SELECT id FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
            "AND code_id = ? AND coder = ? AND deleted = 0", key).fetchone()
        added: list[int] = []
        if twin is None:
            cur = store.conn.execute(
                'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at, memo) '
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (*key, at, memo))
            added = [int(cur.lastrowid or 0)]
        store.log_event(coder, "respan", doc_id,
                        {"document_id": doc_id, "code_id": code_id, "coding_ids": [coding_id],
                         "added_ids": added, "before": [s0, e0], "after": [start, end]})
    return added[0] if added else int(twin[0])


def word_step(text: str, start: int, end: int, how: str) -> tuple[int, int] | None:
    """[start, end) with one end moved by a word: `how` is start_earlier, start_later,
    end_earlier or end_later; None when that end cannot move (the span stays non-empty)."""
    starts = [m.start() for m in _WORD.finditer(text)]
    ends = [m.end() for m in _WORD.finditer(text)]
    if how == "start_earlier":
        i = bisect.bisect_left(starts, start) - 1
        return (starts[i], end) if i >= 0 else None
    if how == "start_later":
        i = bisect.bisect_right(starts, start)
        return (starts[i], end) if i < len(starts) and starts[i] < end else None
    if how == "end_earlier":
        i = bisect.bisect_left(ends, end) - 1
        return (start, ends[i]) if i >= 0 and ends[i] > start else None
    if how == "end_later":
        i = bisect.bisect_right(ends, end)
        return (start, ends[i]) if i < len(ends) else None
    raise ThemecodeError(f"Unknown span move {how!r}.")


def set_reviewed(store: Store, theme_id: str, coder: str, reviewed: bool = True) -> Code:
    """Mark a theme reviewed (or not yet), with who and when; undoable."""
    theme = store.code(theme_id)
    if theme.kind != "theme":
        raise ThemecodeError(f"{theme_id!r} is a code; only themes are marked reviewed.")
    before = {"reviewed_at": theme.reviewed_at, "reviewed_by": theme.reviewed_by}
    after = {"reviewed_at": now(), "reviewed_by": coder} if reviewed else {
        "reviewed_at": None, "reviewed_by": None}
    if bool(theme.reviewed_at) == reviewed:
        return theme
    with store.write():
        store.conn.execute("UPDATE codes SET reviewed_at = ?, reviewed_by = ? WHERE id = ?",
                           (after["reviewed_at"], after["reviewed_by"], theme_id))
        store.log_event(coder, "theme_review", theme_id,
                        {"code_id": theme_id, "before": before, "after": after})
    return store.code(theme_id)
