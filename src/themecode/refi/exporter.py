"""REFI-QDA (QDA-XML 1.0) export: the codebook as `.qdc`, the whole project as `.qdpx`.

Mapping (import in `refi.importer` reverses it), written the way peers read it:
- themes → non-codable parent `<Code>`s, codes → codable child `<Code>`s (codes without a theme at
  the top level); a code's definition, inclusion/exclusion rules, example, keywords, shortcut,
  origin and themecode id are written in its `<Description>` as labelled lines, its memos after a
  `Memos:` line. Two live codes with one label get the second's id appended, since peers
  (QualCoder) merge codes by name.
- coders → `<User>`s; commentaries → `<TextSource>`s with `sources/<guid>.txt` (UTF-8, the
  project's `\\n`-normalised text); codings → one `<PlainTextSelection>` per span and coder
  (start/end in Unicode code points from 0, end exclusive; QualCoder takes the coder from the
  selection) holding one `<Coding>` per code.
- cases → named `<Case>`s with `<SourceRef>`s to their commentaries. Each variable lives in one
  place for the whole export: on the `<Case>` when every commentary of every case carries its
  case's value, else on every `<TextSource>` (a peer types a variable as case or document).
- memos → `<Note>`s referenced from their source, code, coding or the project (`<NoteRef>`), and
  also as the `<Description>` of the source, case, selection, code and project, which is where
  QualCoder and others read memos. A `<Case>` cannot hold a `<NoteRef>`: case memos' notes are
  referenced from the project.
GUIDs are deterministic (uuid5 of a kind and an id), so exporting twice gives the same file.
Redaction is on by default: source texts, memos and variable values are redacted and selection
offsets are mapped onto the redacted text.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from themecode.corpus.controls import visible_keep_breaks
from themecode.errors import ExportError
from themecode.export.redaction import (
    ProjectRedactor,
    make_redactor,
    side_report_path,
    write_side_report,
)
from themecode.redact.engine import Redaction
from themecode.refi.common import (
    CODEBOOK_NS,
    DESCRIPTION_FIELDS,
    GUID_NAMESPACE,
    PROJECT_NS,
    code_description,
    guid,
    is_rgb,
    origin,
    prepare,
    serialise,
)
from themecode.refi.schema import SCHEMA_DIR_ENV, schema_dir, validate
from themecode.store import Code, Store, now
from themecode.store.outputs import check_target, project_files, safe_outputs, write_output

__all__ = [
    "CODEBOOK_NS", "DESCRIPTION_FIELDS", "GUID_NAMESPACE", "PROJECT_NS", "SCHEMA_DIR_ENV",
    "QdpxResult", "code_description", "codebook_xml", "export_qdc", "export_qdpx", "guid",
    "project_tree", "project_xml", "schema_dir", "validate",
]

VALIDATE_MAX_SOURCES = 5000

_DATETIME = re.compile(r"^-?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def _dt(ts: str | None) -> dict[str, str]:
    """{'creationDateTime': ts} when `ts` is a valid xsd:dateTime, else {} (the attribute is optional)."""
    return {"creationDateTime": ts} if ts and _DATETIME.match(ts) else {}


def export_labels(codes: list[Code]) -> dict[str, str]:
    """Each code's label as exported: unique among codes and among themes (a second code with a
    label already taken gets its id appended), so peers that key codes by name keep both."""
    out: dict[str, str] = {}
    taken: dict[str, set[str]] = {"code": set(), "theme": set()}
    for c in codes:
        label = c.label
        if label.casefold() in taken[c.kind]:
            label = f"{label} ({c.id})"
        taken[c.kind].add(label.casefold())
        out[c.id] = label
    return out


def code_guids(store: Store) -> dict[str, str]:
    """{code id: GUID}: the GUID another QDA tool gave a code (remembered at import, the
    earliest), so that tool recognises its code when the project goes back; else themecode's."""
    own = {c.id: guid("code", c.id) for c in store.codes(include_retired=True)}
    for g, cid in store.conn.execute(
            "SELECT guid, code_id FROM refi_guids ORDER BY created_at DESC, guid DESC"):
        own[cid] = g
    return own


def _code_elements(parent: ET.Element, ns: str, store: Store, memo_refs: dict[str, list[str]],
                   memo_texts: dict[str, list[str]] | None = None) -> None:
    """Themes with their codes nested; codes without a theme at the top level."""
    codes = store.codes()
    labels = export_labels(codes)
    guids = code_guids(store)
    children: dict[str | None, list[Code]] = defaultdict(list)
    for c in codes:
        children[c.parent if c.kind == "code" else None].append(c)
    known = {c.id for c in codes}

    def add(elem: ET.Element, code: Code) -> None:
        attrs = {"guid": guids[code.id], "name": labels[code.id],
                 "isCodable": "true" if code.kind == "code" else "false"}
        if code.colour and is_rgb(code.colour):
            attrs["color"] = code.colour
        node = ET.SubElement(elem, f"{{{ns}}}Code", attrs)
        memos = (memo_texts or {}).get(f"code:{code.id}", [])
        ET.SubElement(node, f"{{{ns}}}Description").text = code_description(code, memos)
        if ns == PROJECT_NS:
            for note in memo_refs.get(f"code:{code.id}", []):
                ET.SubElement(node, f"{{{ns}}}NoteRef", {"targetGUID": note})
        for child in children.get(code.id, []):
            add(node, child)

    for c in children[None]:
        add(parent, c)
    for pid, kids in children.items():  # codes whose parent is not a live theme
        if pid is not None and pid not in known:
            for c in kids:
                add(parent, c)


def codebook_xml(store: Store) -> bytes:
    """The project's live codebook as a REFI `.qdc` document."""
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin()})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _code_elements(codes, CODEBOOK_NS, store, {})
    if not len(codes):
        raise ExportError("The project has no codes to export.")
    return serialise(root, CODEBOOK_NS)


def export_qdc(store: Store, out: str | Path, *, actor: str = "") -> Path:
    """Write the codebook as a `.qdc` file (validated against Codebook.xsd when available)."""
    out = Path(out)
    check_target(out, project_files(store.path))  # before the schema is loaded
    data = codebook_xml(store)
    validate(data, "codebook")

    def log_export() -> None:
        with store.write():
            store.log_event(actor, "export", str(out), {"format": "qdc", "path": str(out)})

    write_output(out, data, protect=project_files(store.path), before_publish=log_export)
    return out


@dataclass(frozen=True)
class QdpxResult:
    """What `export_qdpx` wrote."""

    path: Path
    n_sources: int
    n_selections: int
    n_codings: int
    n_notes: int
    redacted: bool
    side_report: Path | None
    validated_sources: int = 0


def project_xml(
    store: Store,
    redactor: ProjectRedactor | None = None,
    *,
    sample_only: bool = False,
    case_codes: bool = False,
) -> tuple[ET.Element, dict[str, str], dict[str, int]]:
    """(project.qde element tree, {zip member: source text}, counts) for the whole project."""
    return project_tree(store, redactor, sample_only=sample_only, case_codes=case_codes)


def variable_placement(docs: list[tuple[str, str, dict[str, Any]]],
                       case_meta: dict[str, dict[str, Any]]) -> dict[str, str]:
    """{variable: 'case' | 'source'} for (doc id, case id, metadata) rows: a variable is a case
    variable when every commentary carrying it has its case's value, and every case carrying it
    has it on all its commentaries; otherwise it is written on the sources."""
    place: dict[str, str] = {}
    by_case: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _doc, case_id, meta in docs:
        by_case[case_id].append(meta)
    for case_id, metas in by_case.items():
        cm = case_meta.get(case_id, {})
        for k in {k for m in metas for k in m} | set(cm):
            ok = k in cm and all(k in m and m[k] == cm[k] for m in metas)
            if not ok:
                place[k] = "source"
            else:
                place.setdefault(k, "case")
    return place


def _notes(store: Store) -> tuple[dict[str, list[str]], dict[str, list[str]], list[tuple[str, Any]],
                                  list[tuple[int, str, str, str]]]:
    """(note GUIDs by target, memo texts by target, [(guid, memo)], coding memos)."""
    memo_refs: dict[str, list[str]] = defaultdict(list)
    memo_texts: dict[str, list[str]] = defaultdict(list)
    notes: list[tuple[str, Any]] = []
    for m in store.memos():
        g = guid("note", str(m.id))
        notes.append((g, m))
        memo_refs[f"{m.target_type}:{m.target_id}"].append(g)
        memo_texts[f"{m.target_type}:{m.target_id}"].append(m.text)
    coding_memos = [tuple(r) for r in store.conn.execute(
        "SELECT id, memo, coder, created_at FROM codings WHERE deleted = 0 AND memo IS NOT NULL "
        "AND memo != ''")]
    return memo_refs, memo_texts, notes, coding_memos  # type: ignore[return-value]


def project_tree(
    store: Store,
    redactor: ProjectRedactor | None = None,
    *,
    sample_only: bool = False,
    case_codes: bool = False,
) -> tuple[ET.Element, dict[str, str], dict[str, int]]:
    """(project.qde element tree, {zip member: source text}, counts), schema-checked.

    With `case_codes`, each case is also a code (with the case's GUID, in a "Cases" folder)
    coding its commentaries whole: NVivo's way, and the only case membership QualCoder's
    importer reads."""
    q = f"{{{PROJECT_NS}}}"
    conn = store.conn
    root = ET.Element(f"{q}Project", {
        "name": store.path.stem, "origin": origin(), **_dt(store.get_meta("created_at")),
        "modifiedDateTime": now(),
    })
    red = redactor

    def redact(text: str, where: dict[str, str]) -> Redaction:
        return red.redact(text, where=where) if red else Redaction.identity(text)

    memo_cache: dict[tuple[str, str], str] = {}

    def memo_text(text: str, doc: str, field: str) -> str:
        if (text, field) not in memo_cache:
            memo_cache[(text, field)] = redact(text, {"document_id": doc, "field": field}).text
        return memo_cache[(text, field)]

    memo_refs, memo_texts, notes, coding_memos = _notes(store)
    red_memos = {k: [memo_text(t, k.split(":", 1)[1], "memo") for t in v]
                 for k, v in memo_texts.items()}
    coding_notes = {cid: guid("coding-note", str(cid)) for cid, *_ in coding_memos}
    coding_memo = {cid: memo for cid, memo, *_ in coding_memos}

    coders = sorted({r[0] for r in conn.execute("SELECT DISTINCT coder FROM codings WHERE deleted = 0")}
                    | {m.coder for _, m in notes})
    if coders:
        users = ET.SubElement(root, f"{q}Users")
        for name in coders:
            ET.SubElement(users, f"{q}User", {"guid": guid("user", name), "name": name, "id": name})
    codes_el = ET.SubElement(ET.SubElement(root, f"{q}CodeBook"), f"{q}Codes")
    _code_elements(codes_el, PROJECT_NS, store, memo_refs, red_memos)
    if not len(codes_el):
        raise ExportError("The project has no codes to export.")

    sampled = {r[0] for r in conn.execute("SELECT case_id FROM samples")}
    if sample_only and not sampled:
        raise ExportError("--sample-only was asked for but no sample has been drawn.")
    docs = [
        (d_id, case_id, stage, text, json.loads(meta or "{}"), created_at)
        for d_id, case_id, stage, text, meta, created_at in conn.execute(
            "SELECT id, case_id, stage, text, metadata, created_at FROM documents ORDER BY case_id, id"
        )
        if not sample_only or case_id in sampled
    ]
    case_rows = {r[0]: json.loads(r[1] or "{}") for r in conn.execute("SELECT id, metadata FROM cases")}
    case_ids = sorted({d[1] for d in docs})
    place = variable_placement([(d[0], d[1], d[4]) for d in docs],
                               {c: case_rows.get(c, {}) for c in case_ids})
    var_names = [*({"stage"} if any(d[2] is not None for d in docs) else set()),
                 *sorted(k for k in place if k != "stage")]
    value_cache: dict[str, str] = {}

    def value(v: Any, field: str) -> str:
        text = "" if v is None else str(v)
        if red is None or not text.strip():
            return text
        if text not in value_cache:
            value_cache[text] = redact(text, {"document_id": "", "field": field}).text
        return value_cache[text]

    def add_values(elem: ET.Element, meta: dict[str, Any]) -> None:
        for k, v in meta.items():
            if v is None:
                continue
            vv = ET.SubElement(elem, f"{q}VariableValue")
            ET.SubElement(vv, f"{q}VariableRef", {"targetGUID": guid("variable", k)})
            ET.SubElement(vv, f"{q}TextValue").text = value(v, k)

    def add_description(elem: ET.Element, texts: list[str]) -> None:
        if texts:
            ET.SubElement(elem, f"{q}Description").text = "\n\n".join(texts)

    if var_names:
        variables = ET.SubElement(root, f"{q}Variables")
        for k in var_names:
            ET.SubElement(variables, f"{q}Variable", {
                "guid": guid("variable", k), "name": k, "typeOfVariable": "Text"})
    if case_codes and case_ids:
        folder = ET.SubElement(codes_el, f"{q}Code", {
            "guid": guid("case-folder", "cases"), "name": "Cases", "isCodable": "false"})
        for cid in case_ids:
            ET.SubElement(folder, f"{q}Code", {"guid": guid("case", cid), "name": cid,
                                                "isCodable": "true"})
    docs_by_case: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        docs_by_case[d[1]].append(d[0])
    if case_ids:
        cases_el = ET.SubElement(root, f"{q}Cases")
        for cid in case_ids:
            case_el = ET.SubElement(cases_el, f"{q}Case", {"guid": guid("case", cid), "name": cid})
            add_description(case_el, red_memos.get(f"case:{cid}", []))
            cm = case_rows.get(cid, {})
            add_values(case_el, {k: cm[k] for k in sorted(cm) if place.get(k) == "case"})
            for doc_id in docs_by_case[cid]:
                ET.SubElement(case_el, f"{q}SourceRef", {"targetGUID": guid("source", doc_id)})

    codings: dict[str, list[tuple[int, int, int, str, str, str]]] = defaultdict(list)
    for cid, doc_id, s, e, code_id, coder, at in conn.execute(
        'SELECT id, document_id, start, "end", code_id, coder, created_at FROM codings '
        "WHERE deleted = 0 ORDER BY document_id, start, \"end\", coder, code_id"
    ):
        codings[doc_id].append((cid, s, e, code_id, coder, at))
    merged = {r[0]: r[1] for r in conn.execute(
        "SELECT id, merged_into FROM codes WHERE merged_into IS NOT NULL")}
    live_codes = {c.id for c in store.codes(kind="code")}
    cguid = code_guids(store)
    files: dict[str, str] = {}
    n_sel = n_cod = 0
    if docs:
        sources = ET.SubElement(root, f"{q}Sources")
    redacted_texts = (
        red.redact_many([d[3] for d in docs],
                        where=[{"document_id": d[0], "field": "text"} for d in docs])
        if red is not None else [Redaction.identity(d[3]) for d in docs]
    )
    for (doc_id, case_id, stage, _text, meta, created_at), rt in zip(
        docs, redacted_texts, strict=True
    ):
        sg = guid("source", doc_id)
        files[f"sources/{sg}.txt"] = rt.text
        src = ET.SubElement(sources, f"{q}TextSource", {
            "guid": sg, "name": doc_id, "plainTextPath": f"internal://{sg}.txt", **_dt(created_at)})
        add_description(src, red_memos.get(f"document:{doc_id}", []))
        # One selection per span and coder: peers take the coder from the selection.
        by_span: dict[tuple[int, int, str], list[tuple[int, str, str]]] = defaultdict(list)
        for cid, s, e, code_id, coder, at in codings.get(doc_id, []):
            while code_id in merged:
                code_id = merged[code_id]
            if code_id in live_codes:
                by_span[(s, e, coder)].append((cid, code_id, at))
        for (s, e, coder), items in sorted(by_span.items()):
            sel = ET.SubElement(src, f"{q}PlainTextSelection", {
                "guid": guid("selection", f"{doc_id}:{s}:{e}:{coder}"),
                "name": rt.slice(s, e)[:60],
                "startPosition": str(rt.map_start(s)), "endPosition": str(rt.map_end(e)),
                "creatingUser": guid("user", coder), **_dt(items[0][2])})
            n_sel += 1
            sel_memos = list(dict.fromkeys(
                memo_text(coding_memo[cid], doc_id, f"coding memo {cid}")
                for cid, _, _ in items if cid in coding_memo))
            add_description(sel, sel_memos)
            seen: set[str] = set()
            for cid, code_id, at in items:
                if code_id in seen:  # a merged code can repeat a coding
                    continue
                seen.add(code_id)
                cod = ET.SubElement(sel, f"{q}Coding", {
                    "guid": guid("coding", str(cid)), "creatingUser": guid("user", coder),
                    **_dt(at)})
                ET.SubElement(cod, f"{q}CodeRef", {"targetGUID": cguid[code_id]})
                if cid in coding_notes:
                    ET.SubElement(cod, f"{q}NoteRef", {"targetGUID": coding_notes[cid]})
                n_cod += 1
        if case_codes:  # the whole commentary coded with its case's code
            sel = ET.SubElement(src, f"{q}PlainTextSelection", {
                "guid": guid("case-selection", doc_id), "name": case_id,
                "startPosition": "0", "endPosition": str(len(rt.text))})
            ET.SubElement(ET.SubElement(sel, f"{q}Coding", {"guid": guid("case-coding", doc_id)}),
                          f"{q}CodeRef", {"targetGUID": guid("case", case_id)})
        for note in memo_refs.get(f"document:{doc_id}", []):
            ET.SubElement(src, f"{q}NoteRef", {"targetGUID": note})
        own = {k: meta[k] for k in sorted(meta) if place.get(k) == "source"}
        add_values(src, {"stage": stage, **own} if stage is not None else own)

    n_notes = 0
    if notes or coding_memos:
        notes_el = ET.SubElement(root, f"{q}Notes")
        for g, m in notes:
            note = ET.SubElement(notes_el, f"{q}Note", {
                "guid": g, "name": f"{m.target_type}:{m.target_id}",
                "creatingUser": guid("user", m.coder), **_dt(m.created_at)})
            ET.SubElement(note, f"{q}PlainTextContent").text = memo_text(m.text, m.target_id, "memo")
            n_notes += 1
        for cid, memo, coder, at in coding_memos:
            note = ET.SubElement(notes_el, f"{q}Note", {
                "guid": coding_notes[cid], "name": f"coding:{cid}",
                "creatingUser": guid("user", coder), **_dt(at)})
            ET.SubElement(note, f"{q}PlainTextContent").text = memo_text(
                memo, "", f"coding memo {cid}")
            n_notes += 1
    desc = ET.SubElement(root, f"{q}Description")
    desc.text = "\n\n".join([
        f"Exported by {origin()} from {store.path.name}; "
        + ("redacted." if red else "NOT redacted: contains personal details."),
        *red_memos.get("project:project", [])])
    for key in ("project:project", *[f"case:{c}" for c in case_ids]):
        for g in memo_refs.get(key, []):
            ET.SubElement(root, f"{q}NoteRef", {"targetGUID": g})
    counts = {"sources": len(docs), "selections": n_sel, "codings": n_cod, "notes": n_notes}
    checked = _validate_project(root, sources if docs else None, cases_el if case_ids else None)
    counts["validated_sources"] = checked
    return root, files, counts


def _validate_project(root: ET.Element, sources: ET.Element | None,
                      cases: ET.Element | None) -> int:
    """Validate the project document; for big projects, all of it but the first
    `VALIDATE_MAX_SOURCES` sources and cases (every source is built by the same code, and a
    full schema check of 100,000 sources takes minutes). Returns how many sources were checked."""
    kept_s = list(sources) if sources is not None else []
    kept_c = list(cases) if cases is not None else []
    if sources is not None and len(kept_s) > VALIDATE_MAX_SOURCES:
        sources[:] = kept_s[:VALIDATE_MAX_SOURCES]
    if cases is not None and len(kept_c) > VALIDATE_MAX_SOURCES:
        cases[:] = kept_c[:VALIDATE_MAX_SOURCES]
    try:
        validate(serialise(root, PROJECT_NS), "project")
    finally:
        if sources is not None:
            sources[:] = kept_s
        if cases is not None:
            cases[:] = kept_c
    return min(len(kept_s), VALIDATE_MAX_SOURCES)


def export_qdpx(
    store: Store,
    out: str | Path,
    *,
    actor: str,
    redact: bool = True,
    confirmed_unredacted: bool = False,
    sample_only: bool = False,
    case_codes: bool = False,
) -> QdpxResult:
    """Write the project as a `.qdpx` (zip: project.qde + sources/*.txt), validated first;
    `case_codes`: see `project_tree`."""
    out = Path(out)
    if not redact and not confirmed_unredacted:
        raise ExportError(
            "An unredacted export needs confirmation: it will contain personal details.",
            hint="answer the prompt, or pass --yes together with --no-redact.",
        )
    check_target(out, project_files(store.path))  # before the slow part
    redactor = make_redactor(store) if redact else None
    root, files, counts = project_tree(store, redactor, sample_only=sample_only,
                                      case_codes=case_codes)
    side = side_report_path(out) if redactor is not None else None
    payload = {"format": "qdpx", "path": str(out), "redacted": redact, **counts}

    def log_export() -> None:
        # before the files appear: an unredacted export never exists without its event
        with store.write():
            if not redact:
                store.log_event(actor, "export_unredacted", str(out), payload)
            store.log_event(actor, "export", str(out), payload)

    with safe_outputs([out, *([side] if side else [])], protect=project_files(store.path),
                      before_publish=log_export) as tmps:
        with zipfile.ZipFile(tmps[0], "w", compression=zipfile.ZIP_DEFLATED) as zf:
            with zf.open("project.qde", "w") as fh:  # streamed: no copy of the whole document
                ET.ElementTree(prepare(root, PROJECT_NS)).write(
                    fh, encoding="utf-8", xml_declaration=True)
            for name, text in files.items():
                zf.writestr(name, visible_keep_breaks(text).encode("utf-8"))
        if redactor is not None:
            write_side_report(tmps[1], redactor.log)
    return QdpxResult(out, counts["sources"], counts["selections"], counts["codings"],
                      counts["notes"], redact, side, counts["validated_sources"])
