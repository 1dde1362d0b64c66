"""The REFI import's sources, cases, codings and source/case/coding memos (see `refi.importer`)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from themecode.refi import guard
from themecode.refi.codetree import CodeTree
from themecode.refi.package import (
    Package,
    RefiImportResult,
    add_memo,
    mapped_text,
    text_of,
    values,
)
from themecode.refi.textmap import MappedText
from themecode.store import Store, now

Coding = tuple[str, int, int, str, str, str, str | None]


@dataclass
class _Cases:
    """What the `<Cases>` say: case of each source, case values, source values, descriptions."""

    case_of: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    source_values: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    memos: dict[str, str] = field(default_factory=dict)
    refs: list[str] = field(default_factory=list)


def _read_cases(pkg: Package, variables: dict[str, str]) -> _Cases:
    q, lost, out = pkg.q, pkg.lost, _Cases()
    coded_by: dict[str, list[str]] = defaultdict(list)  # code GUID → sources it codes
    for src in pkg.root.iter(f"{q}TextSource"):
        for g in dict.fromkeys(r.get("targetGUID", "") for r in src.iter(f"{q}CodeRef")):
            if g in pkg.case_guids:
                coded_by[g].append(src.get("guid", ""))
    for case in pkg.root.iter(f"{q}Case"):
        refs = [r.get("targetGUID", "") for r in case.findall(f"{q}SourceRef")]
        out.refs += refs
        lost["{n} case link(s) to codes or selections (<CodeRef>/<SelectionRef> in a <Case>) "
             "are not carried"] += len(case.findall(f"{q}CodeRef")) + len(
                 case.findall(f"{q}SelectionRef"))
        name = (case.get("name") or "").strip()
        if name:  # NVivo: a case is also a code, coding (part of) each of its sources
            refs += [g for g in coded_by.get(case.get("guid", ""), []) if g not in refs]
        if not name:  # MAXQDA and Quirkos: a nameless case holds one source's values
            if len(refs) == 1:
                out.source_values[refs[0]].update(values(case, q, variables))
            else:
                lost["{n} case(s) without a name and with other than one source were skipped"] += 1
            continue
        out.values[name] = values(case, q, variables)
        if text_of(case, q):
            out.memos[name] = text_of(case, q)
        for ref in refs:
            if ref in out.case_of and out.case_of[ref] != name:
                lost["{n} source(s) belong to several cases; each is kept in its first"] += 1
                continue
            out.case_of[ref] = name
    return out


def _create_document(store: Store, doc_id: str, case_id: str, stage: str | None, text: str,
                     meta: dict[str, str], source: str, at: str) -> None:
    from themecode.corpus.importer import content_hash

    store.conn.execute(
        "INSERT INTO documents(id, case_id, stage, text, content_hash, metadata, source, "
        "source_row, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        (doc_id, case_id, stage, text, content_hash(text),
         json.dumps(meta, ensure_ascii=False, sort_keys=True), source, at))


def _add_sentences(store: Store, docs: list[tuple[str, str]]) -> None:
    """Split the new commentaries into sentences (one pipeline pass), so the TUI can code them."""
    from themecode.corpus.nlp import split_sentences

    for (doc_id, _text), sents in zip(docs, split_sentences([t for _, t in docs]), strict=True):
        store.conn.executemany(
            'INSERT INTO sentences(document_id, idx, start, "end", lemmas) VALUES (?, ?, ?, ?, ?)',
            [(doc_id, s.index, s.start, s.end, s.lemmas) for s in sents])


def _ensure_case(store: Store, case_id: str, at: str, new_cases: set[str]) -> None:
    if store.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
        store.conn.execute("INSERT INTO cases(id, metadata, created_at) VALUES (?, '{}', ?)",
                           (case_id, at))
        new_cases.add(case_id)


def import_sources(store: Store, pkg: Package, tree: CodeTree, result: RefiImportResult,
                   source_name: str, create_documents: bool) -> None:
    """Commentaries, cases, codings and their memos from `<Sources>` and `<Cases>`."""
    q, lost, at = pkg.q, pkg.lost, now()
    variables = {v.get("guid", ""): v.get("name", "") for v in pkg.root.iter(f"{q}Variable")}
    lost["{n} variable description(s) are not carried"] += sum(
        1 for v in pkg.root.iter(f"{q}Variable") if text_of(v, q))
    lost["{n} variable(s) typed other than Text keep their values as text"] += sum(
        1 for v in pkg.root.iter(f"{q}Variable") if v.get("typeOfVariable", "Text") != "Text")
    cases = _read_cases(pkg, variables)
    case_notes: dict[str, list[str]] = defaultdict(list)
    for ref in pkg.root.findall(f"{q}NoteRef"):
        note = pkg.notes.get(ref.get("targetGUID", ""))
        if note is not None and (note.get("name") or "").startswith("case:"):
            case_notes[note.get("name", "")[5:]].append(pkg.note_text(note))
    sources_el = pkg.root.find(f"{q}Sources")
    children = list(sources_el) if sources_el is not None else []
    other = [el for el in children if el.tag != f"{q}TextSource"]
    lost["{n} non-text source(s) (pictures, PDFs, audio, video) are skipped: themecode codes "
         "text only"] += len(other)
    lost["{n} coding(s) in non-text sources are not carried"] += sum(
        len(list(el.iter(f"{q}Coding"))) for el in other)
    seen_guids = {el.get("guid", "") for el in children}
    lost["{n} case link(s) point at no source (dangling); skipped"] += sum(
        1 for r in cases.refs if r not in seen_guids)
    codings: list[Coding] = []
    new_cases: set[str] = set()
    names: set[str] = set()
    created: list[tuple[str, str]] = []
    for src in children:
        if src.tag != f"{q}TextSource":
            continue
        doc_id = (src.get("name") or src.get("guid", "")).strip()
        if doc_id in names:
            lost["{n} source(s) share a name with another source; a number was added"] += 1
            k = 2
            while f"{doc_id} ({k})" in names:
                k += 1
            doc_id = f"{doc_id} ({k})"
        names.add(doc_id)
        guard.check_text("source", doc_id, doc_id, pkg.path)
        n_codings = len(list(src.iter(f"{q}Coding")))
        lost["{n} rich-text version(s) of sources (richTextPath) are not carried; the plain "
             "text is imported"] += 1 if src.get("richTextPath") else 0
        mapped = mapped_text(pkg, src, doc_id)
        if mapped is None or not mapped.text:
            if mapped is not None:
                lost["{n} empty source(s) were skipped"] += 1
            lost["{n} coding(s) in skipped sources were not imported"] += n_codings
            continue
        row = store.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is not None and row[0] != mapped.text:
            lost["{n} source(s) whose text differs from the project's commentary of that name "
                 "were skipped"] += 1
            lost["{n} coding(s) in skipped sources were not imported"] += n_codings
            continue
        if row is None and not create_documents:
            lost["{n} source(s) not in the project were skipped (no new commentaries asked "
                 "for)"] += 1
            lost["{n} coding(s) in skipped sources were not imported"] += n_codings
            continue
        g = src.get("guid", "")
        if row is None:
            case_id = cases.case_of.get(g, doc_id)
            meta = {**cases.values.get(case_id, {}), **cases.source_values.get(g, {}),
                    **values(src, q, variables)}
            stage = meta.pop("stage", None)
            _ensure_case(store, case_id, at, new_cases)
            _create_document(store, doc_id, case_id, stage, mapped.text, meta,
                             source_name, src.get("creationDateTime") or at)
            created.append((doc_id, mapped.text))
            result.documents_added += 1
        else:
            result.documents_matched += 1
        _source_memos(store, pkg, src, doc_id, mapped, result)
        codings += _codings(pkg, src, doc_id, mapped, tree, store)
    if create_documents:  # cases of no source keep their values (and memos) too
        linked = set(cases.case_of.values())
        for name in cases.values:
            if name not in linked:
                _ensure_case(store, name, at, new_cases)
    _add_sentences(store, created)
    case_metadata(store, new_cases, cases.values)
    for name, memo in cases.memos.items():
        known = store.conn.execute("SELECT 1 FROM cases WHERE id = ?", (name,)).fetchone()
        if known and memo != "\n\n".join(case_notes.get(name, [])):
            result.memos_added += add_memo(store, "case", name, pkg.coder, memo, at,
                                           path=pkg.path)
    _insert_codings(store, codings, result)


def _source_memos(store: Store, pkg: Package, src: ET.Element, doc_id: str, mapped: MappedText,
                  result: RefiImportResult) -> None:
    """The source's description and notes; annotations (notes or descriptions on selections
    without codings) become document memos saying where they were."""
    q, at = pkg.q, now()
    texts = []
    for note in pkg.ref_notes(src):
        text = pkg.note_text(note)
        sel = note.find(f"{q}PlainTextSelection")
        where = _where(pkg, doc_id, mapped, sel)
        texts.append(text)
        result.memos_added += add_memo(store, "document", doc_id, pkg.who(note),
                                       f"{text}\n({where})" if where else text,
                                       note.get("creationDateTime") or at, path=pkg.path)
    desc = text_of(src, q)
    if desc and desc != "\n\n".join(texts):
        result.memos_added += add_memo(store, "document", doc_id, pkg.who(src), desc,
                                       src.get("creationDateTime") or at, path=pkg.path)
    for sel in src.findall(f"{q}PlainTextSelection"):
        if sel.find(f"{q}Coding") is not None:
            continue
        notes = [pkg.note_text(n) for n in pkg.ref_notes(sel)]
        for text in [*notes, text_of(sel, q)]:
            if text:
                where = _where(pkg, doc_id, mapped, sel)
                result.memos_added += add_memo(store, "document", doc_id, pkg.who(sel),
                                               f"{text}\n({where})", at, path=pkg.path)


def _where(pkg: Package, doc_id: str, mapped: MappedText, sel: ET.Element | None) -> str:
    if sel is None:
        return ""
    span = mapped.span(guard.position(sel, "startPosition", doc_id, pkg.path),
                       guard.position(sel, "endPosition", doc_id, pkg.path))
    return f"annotation on characters {span[0]}-{span[1]}: {mapped.text[span[0]:span[1]][:60]!r}" \
        if span else ""


def _codings(pkg: Package, src: ET.Element, doc_id: str, mapped: MappedText, tree: CodeTree,
             store: Store) -> list[Coding]:
    """The source's codings, with their offsets mapped, coders and memos."""
    q, lost, at = pkg.q, pkg.lost, now()
    live = {r[0] for r in store.conn.execute(
        "SELECT id FROM codes WHERE kind = 'code' AND retired = 0")}
    out: list[Coding] = []
    whole = ET.Element("whole", {"startPosition": "0", "endPosition": str(len(mapped.starts) - 1)})
    whole.extend(src.findall(f"{q}Coding"))  # codings of the whole source
    for sel in [*src.findall(f"{q}PlainTextSelection"), whole]:
        cods = sel.findall(f"{q}Coding")
        if not cods:
            continue
        span = mapped.span(guard.position(sel, "startPosition", doc_id, pkg.path),
                           guard.position(sel, "endPosition", doc_id, pkg.path))
        if span is None:
            lost["{n} coding(s) on selections outside their text, or on white space only, were "
                 "skipped"] += len(cods)
            continue
        per_coding = any(c.find(f"{q}NoteRef") is not None for c in cods)
        shared = "\n\n".join(t for t in [text_of(sel, q), *(
            pkg.note_text(n) for n in pkg.ref_notes(sel))] if t)
        for cod in cods:
            ref = cod.find(f"{q}CodeRef")
            g = ref.get("targetGUID", "") if ref is not None else ""
            item = tree.by_guid.get(g)
            if item is None and g in pkg.case_guids:
                continue  # a case node: the source's case membership, read with the cases
            if item is None:
                key = ("{n} coding(s) on categories (non-codable codes) were skipped"
                       if g in tree.themes_by_guid else
                       "{n} coding(s) name a code that is not in the file's codebook; skipped")
                lost[key] += 1
                continue
            if item.id not in live:
                lost["{n} coding(s) on codes retired in this project were skipped"] += 1
                continue
            memo = "\n\n".join(pkg.note_text(n) for n in pkg.ref_notes(cod)) or (
                None if per_coding else shared) or None
            out.append((doc_id, span[0], span[1], item.id, pkg.who(cod, sel),
                        cod.get("creationDateTime") or sel.get("creationDateTime") or at, memo))
    return out


def case_metadata(store: Store, case_ids: set[str], case_values: dict[str, dict[str, str]]) -> None:
    """Set new cases' metadata as a corpus import does: their case variables plus the values
    every commentary of the case shares."""
    for cid in case_ids:
        metas = [json.loads(r[0] or "{}") for r in store.conn.execute(
            "SELECT metadata FROM documents WHERE case_id = ?", (cid,))]
        shared: dict[str, Any] = {}
        if metas:
            shared = {k: v for k, v in metas[0].items() if all(m.get(k) == v for m in metas)}
        meta = {**shared, **case_values.get(cid, {})}
        store.conn.execute("UPDATE cases SET metadata = ? WHERE id = ?",
                           (json.dumps(meta, ensure_ascii=False, sort_keys=True), cid))


def _insert_codings(store: Store, rows: list[Coding], result: RefiImportResult) -> None:
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
