"""Codebooks: load and validate YAML (every problem with its line), install into a project, and
add / rename / merge / retire codes. Codes are never hard-deleted; every change writes an event
and a new row in `codebook_versions`.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from themecode.corpus.controls import refusal
from themecode.errors import CodebookError, ThemecodeError, UnknownCodeError
from themecode.store import Code, Store, now
from themecode.store.versions import (
    codebook_snapshot,
    record_version,  # noqa: F401 - public here too (refi)
)
from themecode.store.versions import record_version as _new_version

ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# keys the coding screen uses itself: a code shortcut on one of them could never be applied
RESERVED_SHORTCUTS = frozenset("?+=/[]")
MAX_CODEBOOK_BYTES = 5_000_000
MAX_YAML_DEPTH = 50


@dataclass
class CodeSpec:
    """A code as written in a codebook file."""

    id: str
    label: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    keywords: list[str] = field(default_factory=list)
    shortcut: str | None = None
    parent: str | None = None
    origin: str = "deductive"
    line: int = 0


@dataclass
class ThemeSpec:
    """A theme (a group of codes) as written in a codebook file."""

    id: str
    label: str
    description: str = ""
    codes: list[CodeSpec] = field(default_factory=list)
    line: int = 0


@dataclass
class Codebook:
    """A whole codebook file."""

    name: str
    version: int | str
    description: str
    themes: list[ThemeSpec]
    path: str = ""

    def all_codes(self) -> list[CodeSpec]:
        """Every code of every theme, in file order."""
        return [c for t in self.themes for c in t.codes]


class _LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the line it and each of its keys started on."""

    line: int = 0
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loader whose mappings carry line numbers, refusing what a codebook never needs
    and what can exhaust memory or the stack: aliases (`*name`, the 'billion laughs'), nesting
    deeper than `MAX_YAML_DEPTH`, and a key given twice in one mapping."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a codebook: write the text out",
                self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    seen: set[Any] = set()
    for k, _ in node.value:
        if isinstance(k, yaml.ScalarNode):
            if k.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {k.value!r} is given twice in one mapping", k.start_mark)
            seen.add(k.value)
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {
        str(k.value): k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)
    }
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


_OWN_YAML_ERRORS = (yaml.composer.ComposerError, yaml.constructor.ConstructorError)


def _text(value: Any) -> str:
    """A YAML scalar as stripped text ('' for missing)."""
    if value is None:
        return ""
    return " ".join(str(value).split()) if not isinstance(value, list) else ""


def parse_codebook(text: str, path: str = "<codebook>") -> Codebook:
    """Parse and validate codebook YAML; raise `CodebookError` listing every problem with its line."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        position = getattr(exc, "position", None)  # a ReaderError (e.g. a NUL) has no mark
        if line is None and isinstance(position, int):
            line = text[:position].count("\n") + 1
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(problem, str) and "\n" in problem:
            problem = problem.splitlines()[0]
        raise CodebookError(
            f"not valid YAML: {problem}",
            path=path, line=line,
            hint=("write each text out in full (no & anchors or * aliases), in a flat "
                  "themes → codes layout, each key once." if isinstance(exc, _OWN_YAML_ERRORS)
                  else "check indentation and that text containing ':' is quoted."),
            problems=[f"line {line}: {problem}"],
        ) from exc
    problems: list[str] = []

    def bad(line: int, msg: str) -> None:
        problems.append(f"line {line}: {msg}")

    if not isinstance(data, dict):
        raise CodebookError(
            "a codebook must be a mapping with a `themes:` list",
            path=path, line=1, problems=["line 1: expected a mapping with `themes:`"],
            hint="start from codebooks/public-protection.yaml: `themes:` then a list of "
            "themes, each with `codes:`.",
        )
    top = data if isinstance(data, _LineDict) else _LineDict(data)
    themes_raw = data.get("themes")
    if not isinstance(themes_raw, list) or not themes_raw:
        bad(getattr(top, "key_lines", {}).get("themes", 1), "`themes:` must be a non-empty list")
        themes_raw = []
    themes: list[ThemeSpec] = []
    seen: dict[str, int] = {}

    def check_entry(kind: str, ident: str, entry: _LineDict, line: int) -> str:
        """Report a theme's or code's missing, malformed or duplicate id and missing label;
        remember the id's line; return the label."""
        if not ident:
            bad(line, f"{kind} has no `id`")
        elif not ID_RE.match(ident):
            bad(line, f"{kind} id {ident!r} must be snake_case: a-z, 0-9 and _, starting with a letter")
        elif ident in seen:
            bad(line, f"duplicate id {ident!r} (first used on line {seen[ident]})")
        else:
            seen[ident] = line
        label = _text(entry.get("label"))
        if not label:
            bad(line, f"{kind} {ident or '?'!r} has no `label`")
        elif label.casefold() in labels:
            bad(line, f"{kind} label {label!r} is also used on line {labels[label.casefold()]}")
        else:
            labels[label.casefold()] = line
        for key, value in entry.items():
            problem = refusal(str(key)) or (refusal(value) if isinstance(value, str) else None)
            if problem:
                bad(entry.key_lines.get(str(key), line), f"`{key}` of {ident or '?'!r} {problem}")
        return label

    shortcuts: dict[str, tuple[str, int]] = {}
    labels: dict[str, int] = {}
    for t in themes_raw:
        if not isinstance(t, _LineDict):
            bad(1, f"each theme must be a mapping, got {t!r}")
            continue
        tid = _text(t.get("id"))
        line = t.line
        label = check_entry("theme", tid, t, line)
        theme = ThemeSpec(tid, label, _text(t.get("description")), [], line)
        codes_raw = t.get("codes")
        if not isinstance(codes_raw, list) or not codes_raw:
            bad(t.key_lines.get("codes", line), f"theme {tid!r} needs a non-empty `codes:` list")
            codes_raw = []
        for c in codes_raw:
            if not isinstance(c, _LineDict):
                bad(line, f"each code must be a mapping, got {c!r}")
                continue
            cl = c.line
            cid = _text(c.get("id"))
            clabel = check_entry("code", cid, c, cl)
            shortcut = c.get("shortcut")
            if shortcut is not None:
                shortcut = str(shortcut)
                if len(shortcut) != 1 or shortcut.isspace():
                    bad(c.key_lines.get("shortcut", cl),
                        f"shortcut {shortcut!r} of {cid!r} must be one printable character")
                elif shortcut in RESERVED_SHORTCUTS:
                    bad(c.key_lines.get("shortcut", cl),
                        f"shortcut {shortcut!r} of {cid!r} is a key of the coding screen "
                        f"({' '.join(sorted(RESERVED_SHORTCUTS))}); choose another")
                elif shortcut in shortcuts:
                    other, oline = shortcuts[shortcut]
                    bad(c.key_lines.get("shortcut", cl),
                        f"shortcut {shortcut!r} of {cid!r} clashes with {other!r} (line {oline})")
                else:
                    shortcuts[shortcut] = (cid, cl)
            keywords = c.get("keywords") or []
            if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
                bad(c.key_lines.get("keywords", cl), f"`keywords` of {cid!r} must be a list of text")
                keywords = []
            parent = _text(c.get("parent")) or None
            theme.codes.append(
                CodeSpec(
                    id=cid, label=clabel, definition=_text(c.get("definition")),
                    include=_text(c.get("include")), exclude=_text(c.get("exclude")),
                    example=_text(c.get("example")), keywords=[k.strip() for k in keywords],
                    shortcut=shortcut, parent=parent,
                    origin="inductive" if _text(c.get("origin")) == "inductive" else "deductive",
                    line=cl,
                )
            )
        themes.append(theme)
    by_id = {c.id: c for t in themes for c in t.codes}
    for theme in themes:
        for code in theme.codes:
            if code.parent and code.parent not in seen:
                bad(code.line, f"code {code.id!r} names unknown parent {code.parent!r}")
            chain, up = [code.id], code.parent
            while up in by_id and up not in chain:
                chain.append(up)
                up = by_id[up].parent
            if up in chain:
                bad(code.line, f"code {code.id!r} is its own ancestor through `parent` "
                               f"({' → '.join([*chain, up])})")
    if problems:
        first = problems[0]
        m = re.match(r"line (\d+): (.*)", first)
        raise CodebookError(
            f"{len(problems)} problem(s) in the codebook:\n  " + "\n  ".join(problems),
            path=path, line=int(m.group(1)) if m else None,
            hint="fix each line listed, then run `themecode codebook validate FILE` again.",
            problems=problems,
        )
    return Codebook(
        name=_text(data.get("name")) or Path(path).stem,
        version=data.get("version") or 1,
        description=_text(data.get("description")),
        themes=themes,
        path=path,
    )


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_CODEBOOK_BYTES:
            raise CodebookError(
                f"the file has {p.stat().st_size:,} bytes, more than a codebook may have "
                f"({MAX_CODEBOOK_BYTES:,})", path=str(p),
                hint="check this is the codebook file.", problems=["the file is too large"])
        raw = p.read_bytes()
    except OSError as exc:
        raise CodebookError(f"cannot read the codebook: {exc.strerror}", path=str(p)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CodebookError(
            "the codebook is not UTF-8 text", path=str(p), line=line,
            hint="save the file as UTF-8.", problems=[f"line {line}: not UTF-8"],
        ) from exc
    return parse_codebook(text, str(p))


def slugify(label: str) -> str:
    """Turn a label into a snake_case code id ('ICT / system problems' → 'ict_system_problems')."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "code_" + slug
    return slug[:64].rstrip("_")


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
