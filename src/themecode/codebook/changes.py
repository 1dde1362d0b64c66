"""The codebook inside a project: installing a codebook file, adding, renaming, retiring and
merging codes (each one transaction, one event and a codebook version), the merge map, the
codebook hash and the YAML export of the project's live codebook.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

import yaml

from themecode.codebook.spec import (
    ID_RE,
    Codebook,
    slugify,
)
from themecode.corpus.controls import refusal
from themecode.errors import CodebookError, ThemecodeError, UnknownCodeError
from themecode.store import Code, Store, now
from themecode.store.versions import (
    codebook_snapshot,
    record_version,  # noqa: F401 - public here too (refi)
)
from themecode.store.versions import record_version as _new_version

# ---------------------------------------------------------------------- project codebook


def merge_map(db: Store | sqlite3.Connection) -> dict[str, str]:
    """Map each merged-away code to the live code it finally ended up in (chains followed)."""
    conn = db.conn if isinstance(db, Store) else db
    merged = dict(
        conn.execute("SELECT id, merged_into FROM codes WHERE merged_into IS NOT NULL").fetchall()
    )
    out: dict[str, str] = {}
    for code, first in merged.items():
        seen, target = {code}, first
        while target in merged and target not in seen:
            seen.add(target)
            target = merged[target]
        out[code] = target
    return out


def codebook_hash(store: Store) -> str:
    """A short hash of the codebook content (changes whenever any code changes)."""
    blob = json.dumps(codebook_snapshot(store), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def refuse_controls(field: str, value: Any) -> None:
    """Refuse a code field holding a hidden control or text-direction character (the corpus
    import's policy, `corpus.controls`): typed or pasted into the editor, or from a copy."""
    texts = value if isinstance(value, (list, tuple)) else [value]
    for text in texts:
        problem = refusal(text) if isinstance(text, str) else None
        if problem:
            raise ThemecodeError(
                f"The {field} {problem}.",
                hint="remove hidden control or text-direction characters (often pasted from a "
                     "terminal or a web page) and try again.")


def refuse_taken_label(store: Store, label: str, kind: str, but: str = "") -> None:
    """Two live codes (or themes) with one label are ambiguous, and peers that key codes by
    name (QualCoder) merge them on exchange."""
    same = store.conn.execute(
        "SELECT id FROM codes WHERE lower(label) = lower(?) AND retired = 0 AND kind = ? "
        "AND id != ?", (label, kind, but)).fetchone()
    if same:
        raise ThemecodeError(f"{'Theme' if kind == 'theme' else 'Code'} {same[0]!r} already has "
                             f"the label {label!r}.", hint="choose another label.")


def _next_sort(store: Store) -> int:
    return int(store.conn.execute("SELECT coalesce(max(sort_order), 0) + 1 FROM codes").fetchone()[0])


def install_codebook(store: Store, codebook: Codebook, coder: str = "") -> int:
    """Add a codebook's themes and codes to a project (ids must be new); returns the version id."""
    existing = {c.id for c in store.codes(include_retired=True)}
    clash = [c.id for c in codebook.all_codes() if c.id in existing] + [
        t.id for t in codebook.themes if t.id in existing
    ]
    if clash:
        raise CodebookError(
            f"the project already has code(s) {', '.join(sorted(clash)[:10])}",
            path=codebook.path,
            hint="add single codes with `themecode codebook PROJECT add`.",
        )
    taken = {c.shortcut for c in store.codes() if c.shortcut}
    at = now()
    with store.write():
        order = _next_sort(store)
        for theme in codebook.themes:
            store.conn.execute(
                "INSERT INTO codes(id, label, kind, parent, definition, sort_order, origin, "
                "created_by, created_at) VALUES (?, ?, 'theme', NULL, ?, ?, 'deductive', ?, ?)",
                (theme.id, theme.label, theme.description, order, coder, at),
            )
            order += 1
            for code in theme.codes:
                shortcut = code.shortcut if code.shortcut not in taken else None
                store.conn.execute(
                    "INSERT INTO codes(id, label, kind, parent, definition, inclusion, exclusion, "
                    "example, keywords, shortcut, sort_order, origin, created_by, created_at) "
                    "VALUES (?, ?, 'code', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (code.id, code.label, theme.id, code.definition, code.include,
                     code.exclude, code.example, json.dumps(code.keywords), shortcut, order,
                     code.origin, coder, at),
                )
                order += 1
        # a parent may be a code further down the file: set once every code exists
        store.conn.executemany("UPDATE codes SET parent = ? WHERE id = ?", [
            (c.parent, c.id) for c in codebook.all_codes() if c.parent])
        version = _new_version(store, coder, f"installed codebook {codebook.name!r}")
        store.log_event(coder, "codebook_install", codebook.path,
                        {"name": codebook.name, "version": version,
                         "codes": [c.id for c in codebook.all_codes()]})
    return version


def create_code(
    store: Store, code_id: str | None, label: str, *, coder: str, origin: str = "inductive",
    kind: str = "code", **fields: Any,
) -> Code:
    """Add one code (inductive by default) to the project; undoable; makes a new codebook version.

    `fields` are `insert_code`'s: definition, parent, inclusion, exclusion, example, keywords,
    shortcut."""
    with store.write():
        cid = insert_code(store, code_id, label, coder=coder, origin=origin, kind=kind, **fields)
        label = store.code(cid).label
        version = _new_version(store, coder, f"added {origin} {kind} {cid!r}")
        store.log_event(coder, "code_create", cid,
                        {"code_id": cid, "label": label, "origin": origin,
                         "parent": fields.get("parent"), "version": version})
    return store.code(cid)


def insert_code(
    store: Store,
    code_id: str | None,
    label: str,
    *,
    coder: str,
    definition: str = "",
    parent: str | None = None,
    origin: str = "inductive",
    inclusion: str = "",
    exclusion: str = "",
    example: str = "",
    keywords: tuple[str, ...] | list[str] = (),
    shortcut: str | None = None,
    kind: str = "code",
) -> str:
    """Check and insert one code row inside the caller's write, without version or event (the
    caller's action records both); returns the new id."""
    label = " ".join(label.split())
    if not label:
        raise ThemecodeError("A new code needs a label.")
    for name, text in (("label", label), ("definition", definition), ("include", inclusion),
                       ("exclude", exclusion), ("example", example), ("keywords", keywords),
                       ("shortcut", shortcut)):
        refuse_controls(name, text)
    cid = code_id or slugify(label)
    if not ID_RE.match(cid):
        raise ThemecodeError(
            f"Code id {cid!r} must be snake_case (a-z, 0-9, _), starting with a letter."
        )
    if origin not in ("deductive", "inductive"):
        raise ThemecodeError("origin must be 'deductive' or 'inductive'.")
    row = store.conn.execute("SELECT retired FROM codes WHERE id = ?", (cid,)).fetchone()
    if row is not None:
        raise ThemecodeError(
            f"A code with id {cid!r} already exists{' (retired)' if row[0] else ''}.",
            hint="choose another label or id.",
        )
    refuse_taken_label(store, label, kind)
    if parent is not None:
        prow = store.conn.execute("SELECT retired FROM codes WHERE id = ?", (parent,)).fetchone()
        if prow is None:
            raise UnknownCodeError(f"Unknown parent theme or code {parent!r}.")
    if shortcut:
        check_shortcut(store, shortcut)
    store.conn.execute(
        "INSERT INTO codes(id, label, kind, parent, definition, inclusion, exclusion, example, "
        "keywords, shortcut, sort_order, origin, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cid, label, kind, parent, definition.strip(), inclusion.strip(), exclusion.strip(),
         example.strip(), json.dumps(list(keywords)), shortcut, _next_sort(store), origin,
         coder, now()),
    )
    return cid


def check_shortcut(store: Store, shortcut: str, code_id: str | None = None) -> None:
    """Refuse a shortcut that is not one character or that another live code already uses."""
    if len(shortcut) != 1 or shortcut.isspace():
        raise ThemecodeError(f"A shortcut is one printable character, not {shortcut!r}.")
    clash = store.conn.execute(
        "SELECT id FROM codes WHERE shortcut = ? AND retired = 0 AND id IS NOT ?",
        (shortcut, code_id),
    ).fetchone()
    if clash:
        raise ThemecodeError(f"Shortcut {shortcut!r} is already used by {clash[0]!r}.")


def rename_code(store: Store, code_id: str, new_label: str, coder: str) -> Code:
    """Change a code's label (its id stays, so codings are untouched)."""
    new_label = " ".join(new_label.split())
    if not new_label:
        raise ThemecodeError("The new label is empty.")
    refuse_controls("label", new_label)
    old = store.code(code_id)
    with store.write():
        refuse_taken_label(store, new_label, old.kind, but=code_id)
        store.conn.execute("UPDATE codes SET label = ? WHERE id = ?", (new_label, code_id))
        version = _new_version(store, coder, f"renamed {code_id!r}")
        store.log_event(coder, "code_rename", code_id,
                        {"code_id": code_id, "before": old.label, "after": new_label,
                         "version": version})
    return store.code(code_id)


def retire_code(store: Store, code_id: str, coder: str) -> Code:
    """Retire a code: it stays in the database with its codings but cannot be applied."""
    code = store.code(code_id)
    if code.retired:
        raise ThemecodeError(f"Code {code_id!r} is already retired.")
    with store.write():
        store.conn.execute("UPDATE codes SET retired = 1 WHERE id = ?", (code_id,))
        version = _new_version(store, coder, f"retired {code_id!r}")
        store.log_event(coder, "code_retire", code_id, {"code_id": code_id, "version": version})
    return store.code(code_id)


def merge_codes(store: Store, source_id: str, target_id: str, coder: str) -> int:
    """Move every coding of `source_id` to `target_id` and retire the source; returns codings moved.

    A moved coding that duplicates one the same coder already has on the same span is
    soft-deleted rather than kept twice. The event lists every coding id moved.
    """
    if source_id == target_id:
        raise ThemecodeError("Cannot merge a code into itself.")
    src, tgt = store.code(source_id), store.code(target_id)
    if src.kind != "code" or tgt.kind != "code":
        raise ThemecodeError("Only codes (not themes) can be merged.")
    if tgt.retired:
        raise ThemecodeError(f"Target code {target_id!r} is retired.")
    with store.write():
        moved = [
            r[0] for r in store.conn.execute(
                "SELECT id FROM codings WHERE code_id = ? AND deleted = 0", (source_id,)
            )
        ]
        store.conn.execute(
            "UPDATE codings SET code_id = ? WHERE code_id = ? AND deleted = 0",
            (target_id, source_id),
        )
        dupes = [
            r[0] for r in store.conn.execute(
                'SELECT a.id FROM codings a JOIN codings b ON a.document_id = b.document_id '
                'AND a.start = b.start AND a."end" = b."end" AND a.coder = b.coder '
                "AND a.code_id = b.code_id AND a.id > b.id "
                "WHERE a.code_id = ? AND a.deleted = 0 AND b.deleted = 0",
                (target_id,),
            )
        ]
        if dupes:
            marks = ",".join("?" * len(dupes))
            store.conn.execute(
                f"UPDATE codings SET deleted = 1, deleted_at = ? WHERE id IN ({marks})",
                [now(), *dupes],
            )
        store.conn.execute(
            "UPDATE codes SET retired = 1, merged_into = ? WHERE id = ?", (target_id, source_id)
        )
        version = _new_version(store, coder, f"merged {source_id!r} into {target_id!r}")
        store.log_event(coder, "code_merge", source_id,
                        {"source": source_id, "target": target_id, "moved": moved,
                         "deduplicated": dupes, "version": version})
    return len(moved)


def export_yaml(store: Store, *, include_retired: bool = False) -> str:
    """The project codebook as YAML in the same format `load_codebook` reads."""
    codes = store.codes(include_retired=include_retired)
    themes = [c for c in codes if c.kind == "theme"]
    theme_ids = {t.id for t in themes}
    loose = [c for c in codes if c.kind == "code" and c.parent not in theme_ids]
    out_themes: list[dict[str, Any]] = []

    def code_dict(c: Code) -> dict[str, Any]:
        d: dict[str, Any] = {"id": c.id, "label": c.label, "definition": c.definition,
                             "include": c.inclusion, "exclude": c.exclusion,
                             "example": c.example}
        if c.keywords:
            d["keywords"] = list(c.keywords)
        if c.shortcut:
            d["shortcut"] = c.shortcut
        if c.origin != "deductive":
            d["origin"] = c.origin
        return d

    for t in themes:
        members = [code_dict(c) for c in codes if c.kind == "code" and c.parent == t.id]
        if members:
            out_themes.append({"id": t.id, "label": t.label, "description": t.definition,
                               "codes": members})
    if loose:
        out_themes.append({"id": "unthemed", "label": "Not yet in a theme",
                           "description": "Codes added without a theme.",
                           "codes": [code_dict(c) for c in loose]})
    doc = {"name": store.get_meta("codebook_name", "themecode project codebook"),
           "version": codebook_hash(store), "themes": out_themes}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
