"""Team work across machines: hand out per-coder copies of a project, and merge copies back.

`handout` (in `themecode.team.handout`, re-exported here) splits the sample between coders and
writes one private copy per coder. `merge_projects` brings other copies of the same project (same
corpus, same sample) back: codings, inductive codes, memos, progress, redaction terms and events.

Rows are matched by natural keys, never by row ids (which differ between copies):
codings by (document, start, end, code, coder, created_at); memos by (target, coder, created_at);
events by (at, coder, action, target); codes by id. So merging the same copy twice changes
nothing. Event payloads that point at rows (coding_id, memo_id, undoes/redoes, code ids) are
rewritten to the merged rows, so undo and redo keep working on the merged project.

Conflicts are reported and resolved by one rule chosen by the lead (`on_conflict`):
- a new code with the same label as one of ours but another id (two coders invented it):
  keep-ours maps theirs onto ours; keep-theirs adds theirs and merges ours into it; rename keeps
  both, theirs labelled "label (creator)".
- a code with the same id but another label, created independently on both sides: keep-ours
  maps theirs onto ours, keep-theirs relabels ours, rename adds theirs as `id_creator`.
- the same code with fields edited since the copies split (label, definition, include, exclude,
  example, keywords, shortcut, theme; `themecode.team.fields`): a field changed on one side takes
  that change (one undoable `code_edit` event per code); changed on both sides differently,
  keep-theirs takes their value and the other rules keep ours, reporting code, field and both.
- a coding or memo changed on both sides since the copies split (deleted here, restored there,
  or a memo edited in both): keep-ours / keep-theirs choose the side; rename takes the later
  change. A row changed on one side only simply takes that change.
Every resolution is remembered in `meta` (`merge_resolutions`), so a second merge repeats it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from themecode.errors import ProjectError, ThemecodeError
from themecode.store import Store
from themecode.team.copies import (  # noqa: F401 - corpus_fingerprint re-exported
    Conflict,
    EventKey,
    MergeReport,
    _last_work,
    _rows,
    _touches,
    check_same_project,
    corpus_fingerprint,
)
from themecode.team.fields import FieldMerge
from themecode.team.handout import Handout, allocate, handout  # noqa: F401  (re-exported)

POLICIES = ("keep-ours", "keep-theirs", "rename")



class _Merger:
    """One merge of `theirs` into `ours` (inside ours' write transaction)."""

    def __init__(self, ours: Store, theirs: Store, policy: str, by: str) -> None:
        self.ours, self.theirs, self.policy, self.by = ours, theirs, policy, by
        self.report = MergeReport(str(theirs.path))
        self.resolutions: dict[str, str] = json.loads(
            ours.get_meta("merge_resolutions", "{}") or "{}")
        self.code_map: dict[str, str] = {}
        self.coding_map: dict[int, int] = {}
        self.memo_map: dict[int, int] = {}
        self.review_map: dict[int, int] = {}  # audit_reviews ids, theirs -> ours
        self.event_map: dict[int, int] = {}
        self.new_resolutions = False
        self.codebook_changed = False
        self.folded: set[str] = set()  # their codes recorded under a different existing code
        our_keys = {(r[0], r[1], r[2], r[3]) for r in ours.conn.execute(
            "SELECT at, coder, action, target FROM events")}
        their_events = theirs.conn.execute(
            "SELECT at, coder, action, target FROM events").fetchall()
        their_keys = {tuple(r) for r in their_events}
        self.our_last, self.their_last = _last_work(ours), _last_work(theirs)
        self.our_seen = {k[:3] for k in our_keys}
        self.their_seen = {k[:3] for k in their_keys}
        self.our_touch, self.our_memo_touch = _touches(ours)
        self.their_touch, self.their_memo_touch = _touches(theirs)

    def conflict(self, kind: str, what: str, resolution: str) -> None:
        self.report.conflicts.append(Conflict(kind, what, resolution))

    def theirs_wins(self, coder: str, ours: EventKey | None, theirs: EventKey | None
                    ) -> tuple[bool, bool]:
        """Whose state wins for a row both copies hold but differ on: (theirs wins, diverged).

        `ours`/`theirs` are the latest events that changed the row on each side. The side
        whose latest change the other has not seen wins; if each has an unseen change, the
        row diverged and the conflict rule decides (rename: the later change wins). Rows no
        event touched fall back to the side where their coder worked last.
        """
        if ours is None and theirs is None:
            return self.their_last.get(coder, "") > self.our_last.get(coder, ""), False
        if theirs is None or theirs in self.our_seen:
            return False, False
        if ours is None or ours in self.their_seen:
            return True, False
        if self.policy in ("keep-ours", "keep-theirs"):
            return self.policy == "keep-theirs", True
        return theirs[0] > ours[0], True

    # -------------------------------------------------------------- codes
    def merge_codes(self) -> None:
        from themecode.codebook import merge_codes as fold_codes

        ours = {c.id: c for c in self.ours.codes(include_retired=True)}
        theirs = self.theirs.codes(include_retired=True)
        same: list[str] = []  # codes both copies hold: their fields are merged below
        # parents before children, in their codebook order
        pending = sorted(theirs, key=lambda c: (c.kind != "theme", c.sort_order, c.id))
        fold_later: list[tuple[str, str]] = []
        for code in pending:
            rkey = f"code:{code.id}@{code.created_at}"
            if rkey in self.resolutions:
                self.code_map[code.id] = self.resolutions[rkey]
                if self.resolutions[rkey] in ours and (
                        ours[self.resolutions[rkey]].created_at != code.created_at):
                    self.folded.add(code.id)
                continue
            mine = ours.get(code.id)
            if mine is not None and mine.created_at == code.created_at:
                self.code_map[code.id] = code.id
                same.append(code.id)
                continue
            if mine is not None:  # the same id invented independently on both sides
                self._same_id(mine.label, code, rkey, ours)
                continue
            same_label = next((c for c in ours.values() if not c.retired and c.kind == code.kind
                               and c.label.lower() == code.label.lower()), None)
            if same_label is not None:
                self._same_label(same_label.id, code, rkey, ours, fold_later)
                continue
            self._insert_code(code, code.id, code.label)
            ours[code.id] = self.ours.code(code.id)
            self.code_map[code.id] = code.id
        fields = FieldMerge(self.ours, self.theirs, self.policy, self.by)
        fields.run(same, self.code_map)
        self.report.conflicts += fields.conflicts
        self.report.codes += len(fields.edited)
        for at, coder, target in self.theirs.conn.execute(
                "SELECT at, coder, target FROM events WHERE action = 'code_edit'"):
            if target in fields.kept and (at, coder, "code_edit") not in self.our_seen:
                # their edit was not taken: history only here, never undone over ours
                self.resolutions[_event_key(at, coder, "code_edit", target)] = "code_edit_merged"
                self.new_resolutions = True
        for source, target in fold_later:
            fold_codes(self.ours, source, target, self.by)
        # codes retired or merged in theirs only
        for code in theirs:
            target_id = self.code_map.get(code.id, code.id)
            mine = ours.get(target_id)
            if not code.retired or mine is None or mine.retired:
                continue
            into = self.code_map.get(code.merged_into or "", code.merged_into)
            if into and into != target_id and into in ours and not ours[into].retired:
                fold_codes(self.ours, target_id, into, self.by)
            else:
                self.ours.conn.execute("UPDATE codes SET retired = 1 WHERE id = ?", (target_id,))
            self.codebook_changed = True
            self.report.codes += 1

    def _resolve(self, rkey: str, target: str) -> None:
        self.resolutions[rkey] = target
        self.code_map[rkey.split(":", 1)[1].rsplit("@", 1)[0]] = target
        self.new_resolutions = True

    def _same_id(self, our_label: str, code: Any, rkey: str, ours: dict[str, Any]) -> None:
        what = (f"code id {code.id!r} created independently: {our_label!r} here, "
                f"{code.label!r} by {code.created_by or '?'} in {self.theirs.path.name}")
        if our_label.lower() == code.label.lower():  # the same new code twice: one code
            self._resolve(rkey, code.id)
            self.folded.add(code.id)
            self.conflict("code_id", what, "same label: recorded as one code")
            return
        if self.policy == "rename":
            new_id = f"{code.id}_{_slug(code.created_by) or 'theirs'}"[:64]
            n = 2
            while new_id in ours:
                new_id = f"{code.id}_{n}"
                n += 1
            self._insert_code(code, new_id, code.label)
            ours[new_id] = self.ours.code(new_id)
            self._resolve(rkey, new_id)
            self.conflict("code_id", what, f"theirs added as {new_id!r}")
            return
        if self.policy == "keep-theirs":
            self.ours.conn.execute("UPDATE codes SET label = ? WHERE id = ?",
                                   (code.label, code.id))
            self.codebook_changed = True
            self.report.codes += 1
        self._resolve(rkey, code.id)
        self.folded.add(code.id)
        self.conflict("code_id", what, f"one code, labelled "
                      f"{(code.label if self.policy == 'keep-theirs' else our_label)!r}")

    def _same_label(self, our_id: str, code: Any, rkey: str, ours: dict[str, Any],
                    fold_later: list[tuple[str, str]]) -> None:
        what = (f"label {code.label!r} is code {our_id!r} here and {code.id!r} "
                f"(by {code.created_by or '?'}) in {self.theirs.path.name}")
        if self.policy == "keep-ours":
            self._resolve(rkey, our_id)
            self.folded.add(code.id)
            self.conflict("label", what, f"theirs recorded as {our_id!r}")
        elif self.policy == "keep-theirs":
            self._insert_code(code, code.id, code.label)
            ours[code.id] = self.ours.code(code.id)
            fold_later.append((our_id, code.id))
            self._resolve(rkey, code.id)
            self.conflict("label", what, f"ours merged into {code.id!r}")
        else:
            label = f"{code.label} ({code.created_by or 'theirs'})"
            self._insert_code(code, code.id, label)
            ours[code.id] = self.ours.code(code.id)
            self._resolve(rkey, code.id)
            self.conflict("label", what, f"both kept; theirs labelled {label!r}")

    def _insert_code(self, code: Any, new_id: str, label: str) -> None:
        parent = self.code_map.get(code.parent, code.parent) if code.parent else None
        if parent is not None and self.ours.conn.execute(
                "SELECT 1 FROM codes WHERE id = ?", (parent,)).fetchone() is None:
            parent = None
        shortcut = code.shortcut
        if shortcut and self.ours.conn.execute(
                "SELECT 1 FROM codes WHERE shortcut = ? AND retired = 0", (shortcut,)).fetchone():
            shortcut = None
        order = self.ours.conn.execute(
            "SELECT coalesce(max(sort_order), 0) + 1 FROM codes").fetchone()[0]
        self.ours.conn.execute(
            "INSERT INTO codes(id, label, kind, parent, definition, inclusion, exclusion, "
            "example, keywords, shortcut, colour, sort_order, origin, created_by, created_at, "
            "retired, merged_into) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (new_id, label, code.kind, parent, code.definition, code.inclusion, code.exclusion,
             code.example, json.dumps(list(code.keywords)), shortcut, code.colour, order,
             code.origin, code.created_by, code.created_at, int(code.retired)),
        )
        self.codebook_changed = True
        self.report.codes += 1

    # -------------------------------------------------------------- rows
    def merge_codings(self) -> None:
        cols = ('document_id, start, "end", code_id, coder, created_at, deleted, deleted_at, memo, '
                "audit")
        ours = {(r[1], r[2], r[3], r[4], r[5], r[6]): (r[0], r[7], r[8])
                for r in self.ours.conn.execute(f"SELECT id, {cols} FROM codings")}
        for r in _rows(self.theirs, f"SELECT id, {cols} FROM codings ORDER BY id"):
            code = self.code_map.get(r["code_id"], r["code_id"])
            key = (r["document_id"], r["start"], r["end"], code, r["coder"], r["created_at"])
            found = ours.get(key)
            if found is None:
                cur = self.ours.conn.execute(
                    f"INSERT INTO codings({cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, r["deleted"], r["deleted_at"], r["memo"], r["audit"]))
                new_id = int(cur.lastrowid or 0)
                ours[key] = (new_id, r["deleted"], r["deleted_at"])
                self.coding_map[r["id"]] = new_id
                self.report.codings += 1
                continue
            self.coding_map[r["id"]] = found[0]
            if found[1] == r["deleted"]:
                continue
            take, diverged = self.theirs_wins(r["coder"], self.our_touch.get(found[0]),
                                              self.their_touch.get(r["id"]))
            if take:
                self.ours.conn.execute(
                    "UPDATE codings SET deleted = ?, deleted_at = ? WHERE id = ?",
                    (r["deleted"], r["deleted_at"], found[0]))
                self.report.codings_updated += 1
            if diverged:
                self.conflict("row_diverged",
                              f"coding {key[:5]} was changed in both copies: "
                              f"{'deleted' if r['deleted'] else 'live'} in "
                              f"{self.theirs.path.name}, not here",
                              "took theirs" if take else "kept ours")

    def merge_memos(self) -> None:
        cols = "target_type, target_id, coder, text, created_at, updated_at, deleted"
        ours = {(r[1], r[2], r[3], r[5]): (r[0], r[4], r[6], r[7]) for r in
                self.ours.conn.execute(f"SELECT id, {cols} FROM memos")}
        for r in _rows(self.theirs, f"SELECT id, {cols} FROM memos ORDER BY id"):
            target = r["target_id"]
            if r["target_type"] == "code":
                target = self.code_map.get(target, target)
            key = (r["target_type"], target, r["coder"], r["created_at"])
            found = ours.get(key)
            if found is None:
                cur = self.ours.conn.execute(
                    f"INSERT INTO memos({cols}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (r["target_type"], target, r["coder"], r["text"], r["created_at"],
                     r["updated_at"], r["deleted"]))
                self.memo_map[r["id"]] = int(cur.lastrowid or 0)
                self.report.memos += 1
                continue
            self.memo_map[r["id"]] = found[0]
            if (found[1], found[3]) == (r["text"], r["deleted"]):
                continue
            take, diverged = self.theirs_wins(r["coder"], self.our_memo_touch.get(found[0]),
                                              self.their_memo_touch.get(r["id"]))
            if diverged:
                self.conflict("row_diverged", f"memo by {r['coder']} on {r['target_type']} "
                              f"{target!r} was changed in both copies",
                              "took theirs" if take else "kept ours")
            if take:
                self.ours.conn.execute(
                    "UPDATE memos SET text = ?, updated_at = ?, deleted = ? WHERE id = ?",
                    (r["text"], r["updated_at"], r["deleted"], found[0]))
                self.report.memos_updated += 1

    def merge_progress(self) -> None:
        ours = {(r[0], r[1], r[2]): (r[3], r[4], r[5]) for r in self.ours.conn.execute(
            "SELECT unit_type, unit_id, coder, status, note, updated_at FROM progress")}
        for r in _rows(self.theirs, "SELECT unit_type, unit_id, coder, status, note, updated_at "
                       "FROM progress"):
            key = (r["unit_type"], r["unit_id"], r["coder"])
            mine = ours.get(key)
            if mine == (r["status"], r["note"], r["updated_at"]):
                continue
            if mine is None or r["updated_at"] > mine[2]:
                self.ours.conn.execute(
                    "INSERT INTO progress(unit_type, unit_id, coder, status, note, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(unit_type, unit_id, coder) DO UPDATE "
                    "SET status = excluded.status, note = excluded.note, "
                    "updated_at = excluded.updated_at", (*key, r["status"], r["note"],
                                                         r["updated_at"]))
                self.report.progress += 1

    def merge_audit_reviews(self) -> None:
        """The audit's decisions: rows missing here are added (a decision is never edited, only
        replaced or undone, which the `deleted` flag of the newer copy carries)."""
        cols = "document_id, coder, decision, rank, score, method, note, decided_at, deleted"
        ours = {(r[1], r[2], r[8]): (r[0], r[9]) for r in self.ours.conn.execute(
            f"SELECT id, {cols} FROM audit_reviews")}
        for r in _rows(self.theirs, f"SELECT id, {cols} FROM audit_reviews ORDER BY id"):
            found = ours.get((r["document_id"], r["coder"], r["decided_at"]))
            if found is None:
                cur = self.ours.conn.execute(
                    f"INSERT INTO audit_reviews({cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    tuple(r[c.strip()] for c in cols.split(",")))
                self.review_map[r["id"]] = int(cur.lastrowid or 0)
                self.report.other += 1
            else:
                self.review_map[r["id"]] = found[0]

    def _payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Point an event's payload at the merged rows (ids differ between copies)."""
        p = dict(payload)
        if isinstance(p.get("coding_id"), int):
            p["coding_id"] = self.coding_map.get(p["coding_id"], p["coding_id"])
        for key in ("coding_ids", "added_ids", "moved", "deduplicated"):
            if isinstance(p.get(key), list):
                p[key] = [self.coding_map.get(i, i) for i in p[key]]
        if isinstance(p.get("memo_id"), int):
            p["memo_id"] = self.memo_map.get(p["memo_id"], p["memo_id"])
        for key in ("review_id", "replaced"):  # audit decisions
            if isinstance(p.get(key), int):
                p[key] = self.review_map.get(p[key], p[key])
        for key in ("code_id", "source", "target"):
            if isinstance(p.get(key), str):
                p[key] = self.code_map.get(p[key], p[key])
        return p

    def merge_events(self) -> None:
        ours = {(r[1], r[2], r[3], r[4]): r[0] for r in self.ours.conn.execute(
            "SELECT id, at, coder, action, target FROM events")}
        for r in _rows(self.theirs, "SELECT id, at, coder, action, target, payload, undoes, "
                       "redoes FROM events ORDER BY id"):
            original = json.loads(r["payload"])
            payload = self._payload(original)
            action, target = r["action"], r["target"]
            if action.startswith("code_") and target:
                target = self.code_map.get(target, target)
            if action in ("memo_edit", "memo_delete") and "memo_id" in payload:
                target = str(payload["memo_id"])
            if action == "code_create" and original.get("code_id") in self.folded:
                action = "code_create_merged"  # audit only: undoing it must not retire ours
            action = self.resolutions.get(_event_key(r["at"], r["coder"], action, target), action)
            key = (r["at"], r["coder"], action, target)
            found = ours.get(key)
            if found is not None:
                self.event_map[r["id"]] = found
                continue
            cur = self.ours.conn.execute(
                "INSERT INTO events(at, coder, action, target, payload, undoes, redoes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r["at"], r["coder"], action, target, json.dumps(payload, sort_keys=True),
                 self.event_map.get(r["undoes"]) if r["undoes"] else None,
                 self.event_map.get(r["redoes"]) if r["redoes"] else None))
            self.event_map[r["id"]] = ours[key] = int(cur.lastrowid or 0)
            self.report.events += 1

    def merge_other(self) -> None:
        """Codebook history, import records and redaction terms (insert what is missing)."""
        for table, key_cols, cols in (
            ("codebook_versions", ("created_at", "created_by", "hash"),
             ("created_at", "created_by", "reason", "hash", "snapshot")),
            ("imports", ("at", "path", "sha256"), ("at", "coder", "kind", "path", "sha256",
                                                     "rows")),
            ("redaction_terms", ("term", "kind"), ("term", "kind", "added_by", "added_at")),
        ):
            quoted = ", ".join(cols)
            ours = {tuple(r) for r in self.ours.conn.execute(
                f"SELECT {', '.join(key_cols)} FROM {table}")}
            for r in _rows(self.theirs, f"SELECT {quoted} FROM {table} ORDER BY rowid"):
                if tuple(r[k] for k in key_cols) in ours:
                    continue
                self.ours.conn.execute(
                    f"INSERT INTO {table}({quoted}) VALUES ({', '.join('?' * len(cols))})",
                    tuple(r[c] for c in cols))
                self.report.other += 1

    def run(self) -> MergeReport:
        from themecode.store.versions import record_version as _new_version

        self.merge_codes()
        self.merge_codings()
        self.merge_memos()
        self.merge_progress()
        self.merge_audit_reviews()
        self.merge_other()
        self.merge_events()
        hid = self.theirs.get_meta("handout_id")
        if hid:
            known = json.loads(self.ours.get_meta("handouts", "{}") or "{}")
            who = self.theirs.get_meta("handout_coder")
            self.report.handout = f"{who}'s copy of handout {hid}" + (
                "" if hid in known else " (not made from this project file)")
        if self.codebook_changed:
            _new_version(self.ours, self.by, f"merged codes from {self.theirs.path.name}")
        if self.new_resolutions:
            self.ours.conn.execute(
                "INSERT INTO meta(key, value) VALUES ('merge_resolutions', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (json.dumps(self.resolutions, sort_keys=True),))
        if self.report.changed:
            r = self.report
            self.ours.log_event(self.by, "merge", str(self.theirs.path), {
                "policy": self.policy, "codes": r.codes, "codings": r.codings,
                "codings_updated": r.codings_updated, "memos": r.memos,
                "memos_updated": r.memos_updated, "progress": r.progress, "events": r.events,
                "conflicts": [c.__dict__ for c in r.conflicts]})
        return self.report


def _event_key(at: str, coder: str, action: str, target: str | None) -> str:
    """An event's key in `merge_resolutions` (events are matched by these four in any copy)."""
    return f"event:{at}|{coder}|{action}|{target}"


def _slug(name: str) -> str:
    """A coder name as a code-id suffix."""
    return "".join(ch if ch.isalnum() and ch.isascii() else "_" for ch in name.lower()).strip("_")


def merge_projects(
    store: Store, others: list[str | Path], *, on_conflict: str = "keep-ours", by: str = ""
) -> list[MergeReport]:
    """Bring other copies of this project into it, one after another (each all or nothing).

    Copies must hold the same corpus and sample (see `check_same_project`). Merging a copy a
    second time changes nothing.
    """
    if on_conflict not in POLICIES:
        raise ThemecodeError(f"Unknown conflict rule {on_conflict!r}: use {', '.join(POLICIES)}.")
    reports = []
    for other in others:
        path = Path(other)
        if path.resolve() == store.path.resolve():
            raise ProjectError(f"{path} is the project itself; give the copies to merge in.")
        with Store.open(path) as theirs:
            check_same_project(store, theirs)
            with store.write():
                reports.append(_Merger(store, theirs, on_conflict, by).run())
    return reports
