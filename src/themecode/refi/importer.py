"""REFI-QDA import: a `.qdc` codebook, or a `.qdpx` project's codebook, commentaries and codings.

The reverse of `themecode.refi.exporter`. What themecode cannot hold is reported as warnings (the REFI
standard asks importers to say what they could not carry): codes nested deeper than theme → code
are flattened under their top-level theme, codable top-level codes without children go under an
"Ungrouped codes" theme, codings on non-codable codes, picture/PDF/audio/video sources, sets,
graphs and links are skipped, and text whose offsets cannot be trusted is not coded.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from themecode.codebook import (
    ID_RE,
    Codebook,
    CodeSpec,
    ThemeSpec,
    create_code,
    install_codebook,
    slugify,
)
from themecode.errors import CodebookError, InputFileError
from themecode.inputs import read_member
from themecode.refi import guard
from themecode.refi.exporter import CODEBOOK_NS, DESCRIPTION_FIELDS, PROJECT_NS
from themecode.store import Store, now

UNGROUPED_ID = "ungrouped"
REFI_HINT = "export the project (or codebook) again from the QDA program as REFI-QDA 1.0."


@dataclass
class RefiImportResult:
    """What an import added, matched and could not carry."""

    path: str
    codes_added: int = 0
    codes_matched: int = 0
    documents_added: int = 0
    documents_matched: int = 0
    codings_added: int = 0
    codings_present: int = 0
    memos_added: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (for the CLI and the event log)."""
        return dict(self.__dict__)


@dataclass
class _ParsedCode:
    guid: str
    id: str
    label: str
    codable: bool
    theme: str | None  # None for a theme
    fields: dict[str, Any]


def _parse_description(text: str) -> dict[str, Any]:
    """Split a `<Description>` written by themecode into its fields (others: all definition)."""
    labels = {label: key for key, label in DESCRIPTION_FIELDS}
    out: dict[str, Any] = {}
    definition: list[str] = []
    for line in (text or "").splitlines():
        m = re.match(r"^([A-Za-z-]+): (.*)$", line.strip())
        if m and m.group(1) in labels and labels[m.group(1)] not in out:
            out[labels[m.group(1)]] = m.group(2).strip()
        else:
            definition.append(line.rstrip())
    out["definition"] = "\n".join(definition).strip()
    out["keywords"] = [k.strip() for k in str(out.get("keywords", "")).split(";") if k.strip()]
    return out


def _parse_codes(codes_el: ET.Element, ns: str, warnings: list[str]) -> list[_ParsedCode]:
    """Flatten a REFI code tree into themecode themes and codes, warning where it must change it."""
    q = f"{{{ns}}}"
    out: list[_ParsedCode] = []
    used: set[str] = set()

    def new_id(wanted: str | None, label: str) -> str:
        cid = wanted if wanted and ID_RE.match(wanted) else slugify(label)
        base, n = cid, 2
        while cid in used:
            cid = f"{base[:60]}_{n}"
            n += 1
        used.add(cid)
        return cid

    def parse(el: ET.Element, theme: str | None, depth: int, path: str) -> None:
        label = " ".join((el.get("name") or "").split()) or "(unnamed)"
        codable = el.get("isCodable", "false").lower() in ("true", "1")
        desc = el.find(f"{q}Description")
        fields = _parse_description(desc.text if desc is not None else "")
        children = el.findall(f"{q}Code")
        if depth == 0 and (children or not codable):
            tid = new_id(fields.get("id"), label)
            if codable:
                warnings.append(
                    f"code {label!r} has sub-codes, so it becomes the theme {tid!r}; themes "
                    "cannot be applied in themecode, so codings on it are not imported"
                )
            out.append(_ParsedCode(el.get("guid", ""), tid, label, False, None, fields))
            for child in children:
                parse(child, tid, 1, label)
            return
        if depth == 0:
            if not any(p.id == UNGROUPED_ID for p in out):
                used.add(UNGROUPED_ID)
                out.append(_ParsedCode("", UNGROUPED_ID, "Ungrouped codes", False, None,
                                       {"definition": "Codes imported without a parent code."}))
            theme = UNGROUPED_ID
            warnings.append(f"code {label!r} has no parent; it is placed under 'Ungrouped codes'")
        elif depth > 1:
            warnings.append(
                f"code {path} > {label!r} is nested {depth + 1} levels deep; themecode keeps "
                "theme > code only, so it is placed directly under its top-level theme"
            )
        if not codable:
            warnings.append(f"code {label!r} is marked not codable; it is imported as a code")
        out.append(_ParsedCode(el.get("guid", ""), new_id(fields.get("id"), label), label, True,
                               theme, fields))
        for child in children:
            parse(child, theme, depth + 1, f"{path} > {label!r}")

    for el in codes_el.findall(f"{q}Code"):
        parse(el, None, 0, "")
    return out


def _to_codebook(parsed: list[_ParsedCode], name: str, path: str) -> Codebook:
    themes: dict[str, ThemeSpec] = {}
    for p in parsed:
        if p.theme is None:
            themes[p.id] = ThemeSpec(p.id, p.label, p.fields.get("definition", ""))
    for p in parsed:
        if p.theme is not None:
            f = p.fields
            origin = f.get("origin") if f.get("origin") in ("deductive", "inductive") else "deductive"
            shortcut = f.get("shortcut") if len(str(f.get("shortcut") or "")) == 1 else None
            themes[p.theme].codes.append(CodeSpec(
                p.id, p.label, f.get("definition", ""), f.get("inclusion", ""),
                f.get("exclusion", ""), f.get("example", ""), list(f.get("keywords", [])),
                shortcut, p.theme, origin))
    return Codebook(name, 1, "", list(themes.values()), path)


def _add_codebook(
    store: Store, book: Codebook, coder: str, result: RefiImportResult
) -> None:
    """Install themes/codes the project lacks; match the rest by id (warning on label changes)."""
    existing = {c.id: c for c in store.codes(include_retired=True)}
    new_themes = []
    for theme in book.themes:
        if theme.id in existing:
            result.codes_matched += 1
            for code in theme.codes:
                if code.id in existing:
                    result.codes_matched += 1
                    if existing[code.id].label != code.label:
                        result.warnings.append(
                            f"code {code.id!r} is called {code.label!r} in the file but "
                            f"{existing[code.id].label!r} in the project; the project's label is kept"
                        )
                else:
                    create_code(store, code.id, code.label, coder=coder, definition=code.definition,
                                parent=theme.id, origin=code.origin, inclusion=code.include,
                                exclusion=code.exclude, example=code.example,
                                keywords=code.keywords, shortcut=code.shortcut)
                    result.codes_added += 1
        else:
            clash = [c.id for c in theme.codes if c.id in existing]
            if clash:
                result.warnings.append(
                    f"code(s) {', '.join(clash)} exist in the project under another theme; "
                    f"they stay where they are"
                )
                theme.codes = [c for c in theme.codes if c.id not in existing]
                result.codes_matched += len(clash)
            new_themes.append(theme)
            result.codes_added += 1 + len(theme.codes)
    if new_themes:
        install_codebook(store, Codebook(book.name, book.version, book.description, new_themes,
                                         book.path), coder)


def _read_xml(data: bytes, path: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputFileError(f"not well-formed XML ({exc})", path=path, hint=REFI_HINT,
                             line=exc.position[0] if exc.position else None) from exc


def import_qdc(store: Store, path: str | Path, *, coder: str) -> RefiImportResult:
    """Add a REFI `.qdc` codebook's themes and codes to the project (existing ids are matched)."""
    p = Path(path)
    if not p.exists():
        raise InputFileError("file not found", path=str(p))
    root = _read_xml(p.read_bytes(), str(p))
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns != CODEBOOK_NS or not root.tag.endswith("CodeBook"):
        raise CodebookError(
            f"not a REFI-QDA codebook (root element {root.tag!r})", path=str(p),
            hint=f"a .qdc file has a <CodeBook> root in the {CODEBOOK_NS} namespace.",
        )
    result = RefiImportResult(str(p))
    codes_el = root.find(f"{{{ns}}}Codes")
    if codes_el is None:
        raise CodebookError("the codebook has no <Codes>", path=str(p), hint=REFI_HINT)
    if root.find(f"{{{ns}}}Sets") is not None:
        result.warnings.append("code sets (<Sets>) are not carried: themecode has no sets")
    guard.check_depth(codes_el, f"{{{ns}}}", p)
    parsed = _parse_codes(codes_el, ns, result.warnings)
    with store.write():  # one transaction: a failure leaves no code behind
        _add_codebook(store, _to_codebook(parsed, p.stem, str(p)), coder, result)
        store.log_event(coder, "refi_import", str(p), result.to_dict())
    return result


def _values(el: ET.Element, q: str, variables: dict[str, str]) -> dict[str, str]:
    out = {}
    for vv in el.findall(f"{q}VariableValue"):
        ref = vv.find(f"{q}VariableRef")
        name = variables.get(ref.get("targetGUID", "")) if ref is not None else None
        if name is None:
            continue
        for child in vv:
            if child.tag != f"{q}VariableRef" and child.text is not None:
                out[name] = child.text
    return out


def import_qdpx(
    store: Store, path: str | Path, *, coder: str, create_documents: bool = True
) -> RefiImportResult:
    """Import a `.qdpx` project's codebook, (missing) commentaries and cases, codings and notes.

    Commentaries are matched by name (= themecode document id) and must have the same text;
    unknown ones are created when `create_documents` (so a fresh project can receive a whole
    export). Coder names come from the file's users.
    """
    from themecode.corpus import content_hash, normalise_text

    p = Path(path)
    if not p.exists():
        raise InputFileError("file not found", path=str(p))
    zf = guard.open_qdpx(p)
    with zf:
        names = set(zf.namelist())
        qde = next((n for n in names if n.lower().endswith(".qde")), None)
        if qde is None:
            raise InputFileError("the .qdpx holds no project.qde", path=str(p), hint=REFI_HINT)
        root = _read_xml(read_member(zf, qde, p), f"{p}:{qde}")
        q = f"{{{PROJECT_NS}}}"
        if root.tag != f"{q}Project":
            raise InputFileError(f"{qde} is not a REFI-QDA project (root {root.tag!r})",
                                 path=str(p), hint=REFI_HINT)
        result = RefiImportResult(str(p))
        warn = result.warnings
        for tag in ("Sets", "Graphs", "Links"):
            if root.find(f"{q}{tag}") is not None:
                warn.append(f"<{tag}> are not carried: themecode has no {tag.lower()}")
        users = {u.get("guid", ""): (u.get("name") or u.get("id") or u.get("guid", ""))
                 for u in root.iter(f"{q}User")}
        codes_el = root.find(f"{q}CodeBook/{q}Codes")
        if codes_el is not None:
            guard.check_depth(codes_el, q, p)
        parsed = _parse_codes(codes_el, PROJECT_NS, warn) if codes_el is not None else []
        code_by_guid = {c.guid: c for c in parsed if c.guid}
        variables = {v.get("guid", ""): v.get("name", "") for v in root.iter(f"{q}Variable")}
        case_of: dict[str, tuple[str, dict[str, str]]] = {}
        for case in root.iter(f"{q}Case"):
            cname = case.get("name") or case.get("guid", "")
            meta = _values(case, q, variables)
            for ref in case.findall(f"{q}SourceRef"):
                case_of[ref.get("targetGUID", "")] = (cname, meta)
        notes = {n.get("guid", ""): n for n in root.iter(f"{q}Note")}
        sources_el = root.find(f"{q}Sources")
        other = [el.tag.split("}")[1] for el in (sources_el if sources_el is not None else [])
                 if el.tag != f"{q}TextSource"]
        if other:
            warn.append(f"{len(other)} non-text source(s) ({', '.join(sorted(set(other)))}) "
                        "are skipped: themecode codes text only")
        texts = sources_el.findall(f"{q}TextSource") if sources_el is not None else []
        fresh_codings: list[tuple[str, int, int, str, str, str, str | None]] = []
        memos: list[tuple[str, str, str, str, str]] = []
        at = now()
        with store.write():  # one transaction, codebook included: all or nothing
            if parsed:
                _add_codebook(store, _to_codebook(parsed, root.get("name", p.stem), str(p)),
                              coder, result)
            existing_codes = {c.id for c in store.codes(kind="code")}
            for src in texts:
                doc_id = src.get("name") or src.get("guid", "")
                guard.check_text("source", doc_id, doc_id, p)
                text = _source_text(src, q, zf, names, warn, doc_id, p)
                if text is None:
                    continue
                guard.check_text("source", doc_id, text, p)
                row = store.conn.execute(
                    "SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
                if row is not None:
                    if row[0] != text:
                        warn.append(f"source {doc_id!r}: its text differs from the project's "
                                    "commentary of that id; its codings are not imported")
                        continue
                    result.documents_matched += 1
                elif not create_documents:
                    warn.append(f"source {doc_id!r} is not in the project; skipped")
                    continue
                else:
                    if normalise_text(text) != text:
                        warn.append(f"source {doc_id!r}: its text is not normalised (line endings, "
                                    "Unicode form or outer spaces); not imported, offsets would move")
                        continue
                    case_id, case_meta = case_of.get(src.get("guid", ""), (doc_id, {}))
                    # A commentary carries its case's values too (as a corpus import does).
                    meta = {**case_meta, **_values(src, q, variables)}
                    stage = meta.pop("stage", None)
                    _create_document(store, doc_id, case_id, stage, text, meta, case_meta,
                                     content_hash(text), p.name, at)
                    result.documents_added += 1
                for ref in src.findall(f"{q}NoteRef"):
                    _collect_note(notes.get(ref.get("targetGUID", "")), "document", doc_id,
                                  users, memos, q)
                for sel in src.findall(f"{q}PlainTextSelection"):
                    s = guard.position(sel, "startPosition", doc_id, p)
                    e = guard.position(sel, "endPosition", doc_id, p)
                    if not 0 <= s < e <= len(text):
                        warn.append(f"source {doc_id!r}: selection {s}-{e} is outside the text; "
                                    "skipped")
                        continue
                    for cod in sel.findall(f"{q}Coding"):
                        ref = cod.find(f"{q}CodeRef")
                        pc = code_by_guid.get(ref.get("targetGUID", "") if ref is not None else "")
                        if pc is None or not pc.codable or pc.id not in existing_codes:
                            name = pc.label if pc else "an unknown code"
                            warn.append(f"source {doc_id!r}: a coding with {name} cannot be "
                                        "carried (not a codable code); skipped")
                            continue
                        user = cod.get("creatingUser") or sel.get("creatingUser") or ""
                        who = users.get(user) or coder
                        memo = None
                        nref = cod.find(f"{q}NoteRef")
                        if nref is not None and nref.get("targetGUID") in notes:
                            memo = _note_text(notes[nref.get("targetGUID", "")], q)
                        fresh_codings.append((doc_id, s, e, pc.id, who,
                                              cod.get("creationDateTime") or at, memo))
            for ref in root.findall(f"{q}NoteRef"):
                note = notes.get(ref.get("targetGUID", ""))
                name = note.get("name", "") if note is not None else ""
                target = ("case", name[5:]) if name.startswith("case:") else ("project", "project")
                _collect_note(note, target[0], target[1], users, memos, q)
            for pc in parsed:
                el = _find_code_el(codes_el, pc.guid, q) if codes_el is not None else None
                for ref in el.findall(f"{q}NoteRef") if el is not None else []:
                    _collect_note(notes.get(ref.get("targetGUID", "")), "code", pc.id, users,
                                  memos, q)
            _insert_codings(store, fresh_codings, result)
            for target_type, target_id, who, text, created in memos:
                guard.check_text(f"note on {target_type}", target_id, text + who, p)
                dup = store.conn.execute(
                    "SELECT 1 FROM memos WHERE target_type = ? AND target_id = ? AND text = ? "
                    "AND deleted = 0", (target_type, target_id, text)).fetchone()
                if dup is None:
                    store.conn.execute(
                        "INSERT INTO memos(target_type, target_id, coder, text, created_at, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (target_type, target_id, who, text, created, created))
                    result.memos_added += 1
            store.log_event(coder, "refi_import", str(p), result.to_dict())
    return result


def _source_text(src: ET.Element, q: str, zf: zipfile.ZipFile, names: set[str],
                 warn: list[str], doc_id: str, p: Path) -> str | None:
    """A text source's plain text, from inline content or the zip's sources folder."""
    inline = src.find(f"{q}PlainTextContent")
    if inline is not None and inline.text is not None:
        return inline.text
    ptp = src.get("plainTextPath") or ""
    if ptp.startswith("internal://"):
        member = "sources/" + ptp[len("internal://"):]
        if member in names:
            return guard.source_text(read_member(zf, member, p), member, p)
        warn.append(f"source {doc_id!r}: {member} is missing from the .qdpx; skipped")
        return None
    warn.append(f"source {doc_id!r}: its text is outside the .qdpx ({ptp or 'no path'}); skipped")
    return None


def _create_document(store: Store, doc_id: str, case_id: str, stage: str | None, text: str,
                     meta: dict[str, str], case_meta: dict[str, str], digest: str, source: str,
                     at: str) -> None:
    from themecode.nlp import split_sentences

    if store.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
        store.conn.execute("INSERT INTO cases(id, metadata, created_at) VALUES (?, ?, ?)",
                           (case_id, json.dumps(case_meta, ensure_ascii=False, sort_keys=True), at))
    store.conn.execute(
        "INSERT INTO documents(id, case_id, stage, text, content_hash, metadata, source, "
        "source_row, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        (doc_id, case_id, stage, text, digest, json.dumps(meta, ensure_ascii=False, sort_keys=True),
         source, at))
    sents = next(split_sentences([text]))
    store.conn.executemany(
        'INSERT INTO sentences(document_id, idx, start, "end", lemmas) VALUES (?, ?, ?, ?, ?)',
        [(doc_id, s.index, s.start, s.end, s.lemmas) for s in sents])


def _note_text(note: ET.Element, q: str) -> str:
    content = note.find(f"{q}PlainTextContent")
    return (content.text or "") if content is not None else ""


def _collect_note(note: ET.Element | None, target_type: str, target_id: str,
                  users: dict[str, str], memos: list[tuple[str, str, str, str, str]],
                  q: str) -> None:
    if note is None:
        return
    text = _note_text(note, q).strip()
    if text:
        memos.append((target_type, target_id, users.get(note.get("creatingUser", ""), ""),
                      text, note.get("creationDateTime") or now()))


def _find_code_el(codes_el: ET.Element, g: str, q: str) -> ET.Element | None:
    for el in codes_el.iter(f"{q}Code"):
        if el.get("guid") == g:
            return el
    return None


def _insert_codings(store: Store, rows: list[tuple[str, int, int, str, str, str, str | None]],
                    result: RefiImportResult) -> None:
    """Insert codings not already live (same document, span, code and coder)."""
    have = set(store.conn.execute(
        'SELECT document_id, start, "end", code_id, coder FROM codings WHERE deleted = 0'))
    fresh = []
    for r in rows:
        key = r[:5]
        if key in have:
            result.codings_present += 1
            continue
        have.add(key)
        fresh.append(r)
    store.conn.executemany(
        'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at, memo) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)", fresh)
    result.codings_added += len(fresh)
