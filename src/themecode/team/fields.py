"""A copy's edits to the fields of codes (the codebook editor's label, definition, include,
exclude, example, keywords, shortcut and theme), merged back field by field.

Each field is compared three ways: ours, theirs, and the codebook both copies last shared (the
newest `codebook_versions` snapshot present in both; a copy holds every version up to the moment
it was made, and a merge brings the other copy's versions along, so a second merge starts from
what the first one took). A field changed on one side only takes that side's value; a field
changed on both sides to different values is a conflict: the merge keeps ours (the rule
`keep-theirs` takes theirs) and reports the code, the field and both values. What is taken is
written as one `code_edit` event per code by the person merging, with a codebook version, so
`ctrl+z` (or `Store.undo`) takes it back like any edit. The copy's own `code_edit` events of a
code where ours was kept arrive as `code_edit_merged` (history only): undoing one in the project
would put back the value from before the edit, over ours.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from themecode.codebook import check_shortcut, refuse_controls, refuse_taken_label
from themecode.errors import ThemecodeError
from themecode.store import Store
from themecode.store.versions import record_version
from themecode.team.copies import Conflict

# The editable fields as stored in `codes` (include/exclude are `inclusion`/`exclusion`, the
# theme is `parent`), with the words a report uses for them.
FIELDS = {"label": "label", "definition": "definition", "inclusion": "include",
          "exclusion": "exclude", "example": "example", "keywords": "keywords",
          "shortcut": "shortcut", "parent": "theme"}
_SHOWN = 300  # characters of a value shown in a conflict


def shared_codebook(ours: Store, theirs: Store) -> dict[str, dict[str, Any]] | None:
    """The codes (by id, as snapshotted) of the newest codebook version both copies hold, or
    None when they share none."""
    mine = set(ours.conn.execute("SELECT created_at, created_by, hash FROM codebook_versions"))
    for at, by, digest, snapshot in theirs.conn.execute(
            "SELECT created_at, created_by, hash, snapshot FROM codebook_versions "
            "ORDER BY id DESC"):
        if (at, by, digest) in mine:
            return {c["id"]: c for c in json.loads(snapshot)["codes"]}
    return None


def _columns(store: Store, code_id: str) -> dict[str, Any]:
    """The editable columns of a code as stored (keywords as their JSON text)."""
    row = store.conn.execute(f"SELECT {', '.join(FIELDS)} FROM codes WHERE id = ?",
                             (code_id,)).fetchone()
    return dict(zip(FIELDS, row, strict=True))


def _value(field: str, value: Any) -> Any:
    """A field's value for comparing: keywords as a list, empty text and None alike."""
    if field == "keywords":
        items = json.loads(value) if isinstance(value, str) else value
        return list(items or [])
    return value or None


def _shown(value: Any) -> str:
    text = " ".join(str(value).split()) if value not in (None, "", []) else "(empty)"
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


class FieldMerge:
    """Merges the fields of codes both copies hold (the same code: same id, same creation)."""

    def __init__(self, ours: Store, theirs: Store, policy: str, by: str) -> None:
        self.ours, self.theirs, self.policy, self.by = ours, theirs, policy, by or "merge"
        self.base = shared_codebook(ours, theirs)
        self.conflicts: list[Conflict] = []
        self.edited: list[str] = []  # codes that took a field from theirs
        self.kept: set[str] = set()  # codes where a field of theirs was not taken

    def run(self, code_ids: Sequence[str], code_map: dict[str, str]) -> None:
        """Merge each code's fields, then write what was taken (one event per code, one
        codebook version for the merge's edits)."""
        edits = []
        for code_id in code_ids:
            before, after = self._code(code_id, code_map)
            if after:
                edits.append((code_id, before, after))
        if not edits:
            return
        for code_id, _, after in edits:
            self.ours.conn.execute(
                f"UPDATE codes SET {', '.join(f'{k} = ?' for k in after)} WHERE id = ?",
                [*after.values(), code_id])
        version = record_version(self.ours, self.by,
                                 f"merged code field edits from {self.theirs.path.name}")
        for code_id, before, after in edits:
            self.ours.log_event(self.by, "code_edit", code_id, {
                "code_id": code_id, "before": before, "after": after, "version": version,
                "merged_from": self.theirs.path.name})
            self.edited.append(code_id)

    def _code(self, code_id: str, code_map: dict[str, str]) -> tuple[dict[str, Any],
                                                                    dict[str, Any]]:
        """(our values, their values) of the fields to take from theirs for one code."""
        ours, theirs = _columns(self.ours, code_id), _columns(self.theirs, code_id)
        if theirs["parent"]:
            theirs["parent"] = code_map.get(theirs["parent"], theirs["parent"])
        base = (self.base or {}).get(code_id)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for field in FIELDS:
            mine, other = _value(field, ours[field]), _value(field, theirs[field])
            if mine == other:
                continue
            if base is not None:
                was = _value(field, base.get(field))
                if other == was:  # only we changed it
                    continue
                both = mine != was
            else:  # no shared codebook: who changed what cannot be told
                both = True
            if both:
                take = self.policy == "keep-theirs"
                self._conflict(code_id, field, ours[field], theirs[field], take)
                if not take:
                    self.kept.add(code_id)
                    continue
            refused = self._refused(code_id, field, theirs[field])
            if refused:
                self.conflicts.append(Conflict(
                    "field", f"code {code_id!r} {FIELDS[field]}: {_shown(theirs[field])} in "
                    f"{self.theirs.path.name} {refused}", f"kept {_shown(ours[field])}"))
                self.kept.add(code_id)
                continue
            before[field], after[field] = ours[field], theirs[field]
        return before, after

    def _conflict(self, code_id: str, field: str, mine: Any, other: Any, take: bool) -> None:
        kind = "renamed" if field == "label" else "field"
        self.conflicts.append(Conflict(
            kind, f"code {code_id!r} {FIELDS[field]} changed in both copies: "
            f"{_shown(_value(field, mine))} here, {_shown(_value(field, other))} in "
            f"{self.theirs.path.name}",
            f"took theirs {_shown(_value(field, other))}" if take
            else f"kept ours {_shown(_value(field, mine))}"))

    def _refused(self, code_id: str, field: str, value: Any) -> str:
        """Why their value cannot be taken here ('' when it can): the codebook's own checks."""
        try:
            refuse_controls(FIELDS[field], _value(field, value))
        except ThemecodeError as exc:
            return f"is refused: {exc}"
        try:
            if field == "label":
                refuse_taken_label(self.ours, value, self.ours.code(code_id).kind, but=code_id)
            elif field == "shortcut" and value:
                check_shortcut(self.ours, value, code_id)
        except ThemecodeError:
            return f"is the {field} of another code here"
        if field == "parent" and value and self.ours.conn.execute(
                "SELECT 1 FROM codes WHERE id = ? AND kind = 'theme' AND retired = 0",
                (value,)).fetchone() is None:
            return "is not a live theme here"
        return ""
