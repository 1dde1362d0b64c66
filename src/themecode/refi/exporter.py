"""REFI-QDA (QDA-XML 1.0) export: the codebook as `.qdc`, the whole project as `.qdpx`.

Mapping (import in `refi.importer` reverses it):
- themes → non-codable parent `<Code>`s, codes → codable child `<Code>`s; a code's definition,
  inclusion/exclusion rules, example, keywords, shortcut, origin and themecode id are written in
  its `<Description>` as labelled lines, so another tool shows them and a re-import restores them.
- coders → `<User>`s; commentaries → `<TextSource>`s with `sources/<guid>.txt` (UTF-8, the
  project's `\\n`-normalised text); codings → `<PlainTextSelection>` (start/end in Unicode code
  points from 0, end exclusive) holding one `<Coding>` per code and coder;
- cases → `<Case>`s with `<VariableValue>`s from case metadata and `<SourceRef>`s to their
  commentaries; commentary metadata and stage → `<VariableValue>`s on the source;
- memos → `<Note>`s, referenced from their source, code or coding (`<NoteRef>`); case and project
  memos are referenced from the project, since a `<Case>` cannot hold a `<NoteRef>`.
GUIDs are deterministic (uuid5 of a kind and an id), so exporting twice gives the same file.
Redaction is on by default: source texts, memos and variable values are redacted and selection
offsets are mapped onto the redacted text.
"""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from themecode.controls import has_hidden, visible, visible_keep_breaks
from themecode.errors import ExportError
from themecode.export.redaction import (
    ProjectRedactor,
    make_redactor,
    side_report_path,
    write_side_report,
)
from themecode.outputs import check_target, project_files, safe_outputs, write_output
from themecode.redact.engine import Redaction
from themecode.store import Code, Store, now

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
VALIDATE_MAX_SOURCES = 5000
GUID_NAMESPACE = uuid.UUID("6f0c9d0e-3c1b-5e0a-9a57-7468656d6563")  # themecode's own namespace
SCHEMA_DIR_ENV = "THEMECODE_REFI_SCHEMAS"

# Labelled lines of a code's <Description>, in order; the definition comes first, unlabelled.
DESCRIPTION_FIELDS = (
    ("inclusion", "Include"), ("exclusion", "Exclude"), ("example", "Example"),
    ("keywords", "Keywords"), ("shortcut", "Shortcut"), ("origin", "Origin"),
    ("id", "themecode-id"),
)


@lru_cache(maxsize=65536)
def guid(kind: str, key: str) -> str:
    """A deterministic GUID for an object of `kind` ('code', 'source', ...) with id `key`."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


_DATETIME = re.compile(r"^-?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def _dt(ts: str | None) -> dict[str, str]:
    """{'creationDateTime': ts} when `ts` is a valid xsd:dateTime, else {} (the attribute is optional)."""
    return {"creationDateTime": ts} if ts and _DATETIME.match(ts) else {}


def code_description(code: Code) -> str:
    """The definition followed by labelled lines for every other field themecode keeps."""
    lines = [code.definition.strip()] if code.definition.strip() else []
    values = {
        "inclusion": code.inclusion, "exclusion": code.exclusion, "example": code.example,
        "keywords": "; ".join(code.keywords), "shortcut": code.shortcut or "",
        "origin": code.origin if code.kind == "code" else "", "id": code.id,
    }
    for key, label in DESCRIPTION_FIELDS:
        value = " ".join(str(values[key]).split())
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


def _code_elements(parent: ET.Element, ns: str, store: Store, memo_refs: dict[str, list[str]]) -> None:
    """Themes with their codes nested; codes without a theme at the top level."""
    codes = store.codes()
    children: dict[str | None, list[Code]] = defaultdict(list)
    for c in codes:
        children[c.parent if c.kind == "code" else None].append(c)
    known = {c.id for c in codes}

    def add(elem: ET.Element, code: Code) -> None:
        attrs = {"guid": guid("code", code.id), "name": code.label,
                 "isCodable": "true" if code.kind == "code" else "false"}
        if code.colour and _is_rgb(code.colour):
            attrs["color"] = code.colour
        node = ET.SubElement(elem, f"{{{ns}}}Code", attrs)
        ET.SubElement(node, f"{{{ns}}}Description").text = code_description(code)
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


def _is_rgb(value: str) -> bool:
    return re.fullmatch(r"#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})", value) is not None


def codebook_xml(store: Store) -> bytes:
    """The project's live codebook as a REFI `.qdc` document."""
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": _origin()})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _code_elements(codes, CODEBOOK_NS, store, {})
    if not len(codes):
        raise ExportError("The project has no codes to export.")
    return _serialise(root, CODEBOOK_NS)


def _origin() -> str:
    from themecode import __version__

    return f"themecode {__version__}"


def _prepare(root: ET.Element, ns: str) -> ET.Element:
    """Make `ns` the default namespace (ElementTree's own option rejects unqualified
    attributes, so tags are made unprefixed under an explicit xmlns) and indent."""
    prefix = f"{{{ns}}}"
    for el in root.iter():
        if el.tag.startswith(prefix):
            el.tag = el.tag[len(prefix):]
        # XML cannot hold most control characters: a project older than the control-character
        # policy may have some, shown visibly (one for one, so offsets stay right)
        if has_hidden(el.text):
            el.text = visible_keep_breaks(el.text)  # type: ignore[arg-type]
        for k, v in el.attrib.items():
            if has_hidden(v):
                el.set(k, visible(v))
    root.set("xmlns", ns)
    ET.indent(root, space=" ")
    return root


def _serialise(root: ET.Element, ns: str) -> bytes:
    """The document as UTF-8 XML bytes."""
    return ET.tostring(_prepare(root, ns), encoding="utf-8", xml_declaration=True)


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
) -> tuple[bytes, dict[str, str], dict[str, int]]:
    """(project.qde bytes, {zip member: source text}, counts) for the whole project."""
    root, files, counts = project_tree(store, redactor, sample_only=sample_only)
    return root, files, counts


def project_tree(
    store: Store,
    redactor: ProjectRedactor | None = None,
    *,
    sample_only: bool = False,
) -> tuple[ET.Element, dict[str, str], dict[str, int]]:
    """(project.qde element tree, {zip member: source text}, counts), schema-checked."""
    ns = PROJECT_NS
    q = f"{{{ns}}}"
    conn = store.conn
    created = store.get_meta("created_at")
    root = ET.Element(f"{q}Project", {
        "name": store.path.stem,
        "origin": _origin(),
        **_dt(created),
        "modifiedDateTime": now(),
    })
    red = redactor

    def redact(text: str, where: dict[str, str]) -> Redaction:
        return red.redact(text, where=where) if red else Redaction.identity(text)

    # Memos → notes, and who refers to them.
    memo_refs: dict[str, list[str]] = defaultdict(list)
    notes: list[tuple[str, Any]] = []
    for m in store.memos():
        g = guid("note", str(m.id))
        notes.append((g, m))
        memo_refs[f"{m.target_type}:{m.target_id}"].append(g)
    coding_notes: dict[int, str] = {}
    coding_memos = list(conn.execute(
        "SELECT id, memo, coder, created_at FROM codings WHERE deleted = 0 AND memo IS NOT NULL "
        "AND memo != ''"
    ))
    for cid, _memo, _coder, _at in coding_memos:
        coding_notes[cid] = guid("coding-note", str(cid))

    coders = sorted({r[0] for r in conn.execute("SELECT DISTINCT coder FROM codings WHERE deleted = 0")}
                    | {m.coder for _, m in notes})
    if coders:
        users = ET.SubElement(root, f"{q}Users")
        for name in coders:
            ET.SubElement(users, f"{q}User", {"guid": guid("user", name), "name": name,
                                              "id": name})
    codebook = ET.SubElement(root, f"{q}CodeBook")
    codes_el = ET.SubElement(codebook, f"{q}Codes")
    _code_elements(codes_el, ns, store, memo_refs)
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
    case_rows = {r[0]: (json.loads(r[1] or "{}"), r[2]) for r in conn.execute(
        "SELECT id, metadata, created_at FROM cases")}
    case_ids = sorted({d[1] for d in docs})
    var_names: list[str] = []
    for cid in case_ids:
        for k in case_rows.get(cid, ({}, ""))[0]:
            if k not in var_names:
                var_names.append(k)
    for d in docs:
        for k in ["stage", *d[4]]:
            if k not in var_names:
                var_names.append(k)
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
            if v is None or k not in var_names:
                continue
            vv = ET.SubElement(elem, f"{q}VariableValue")
            ET.SubElement(vv, f"{q}VariableRef", {"targetGUID": guid("variable", k)})
            ET.SubElement(vv, f"{q}TextValue").text = value(v, k)

    if var_names:
        variables = ET.SubElement(root, f"{q}Variables")
        for k in var_names:
            ET.SubElement(variables, f"{q}Variable", {
                "guid": guid("variable", k), "name": k, "typeOfVariable": "Text"})
    docs_by_case: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        docs_by_case[d[1]].append(d[0])
    if case_ids:
        cases_el = ET.SubElement(root, f"{q}Cases")
        for cid in case_ids:
            case_el = ET.SubElement(cases_el, f"{q}Case", {"guid": guid("case", cid), "name": cid})
            add_values(case_el, case_rows.get(cid, ({}, ""))[0])
            for doc_id in docs_by_case[cid]:
                ET.SubElement(case_el, f"{q}SourceRef", {"targetGUID": guid("source", doc_id)})

    codings: dict[str, list[tuple[int, int, int, str, str, str]]] = defaultdict(list)
    for cid, doc_id, s, e, code_id, coder, at in conn.execute(
        'SELECT id, document_id, start, "end", code_id, coder, created_at FROM codings '
        "WHERE deleted = 0 ORDER BY document_id, start, \"end\", code_id, coder"
    ):
        codings[doc_id].append((cid, s, e, code_id, coder, at))
    merged = {r[0]: r[1] for r in conn.execute(
        "SELECT id, merged_into FROM codes WHERE merged_into IS NOT NULL")}
    live_codes = {c.id for c in store.codes(kind="code")}
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
            "guid": sg, "name": doc_id, "plainTextPath": f"internal://{sg}.txt",
            **_dt(created_at)})
        by_span: dict[tuple[int, int], list[tuple[int, str, str, str]]] = defaultdict(list)
        for cid, s, e, code_id, coder, at in codings.get(doc_id, []):
            code_id = merged.get(code_id, code_id)
            while code_id in merged:
                code_id = merged[code_id]
            if code_id not in live_codes:
                continue
            by_span[(s, e)].append((cid, code_id, coder, at))
        for (s, e), items in sorted(by_span.items()):
            sel = ET.SubElement(src, f"{q}PlainTextSelection", {
                "guid": guid("selection", f"{doc_id}:{s}:{e}"),
                "name": rt.slice(s, e)[:60],
                "startPosition": str(rt.map_start(s)), "endPosition": str(rt.map_end(e)),
                "creatingUser": guid("user", items[0][2]), **_dt(items[0][3])})
            n_sel += 1
            seen: set[tuple[str, str]] = set()
            for cid, code_id, coder, at in items:
                if (code_id, coder) in seen:  # a merged code can repeat a coding
                    continue
                seen.add((code_id, coder))
                cod = ET.SubElement(sel, f"{q}Coding", {
                    "guid": guid("coding", str(cid)), "creatingUser": guid("user", coder),
                    **_dt(at)})
                ET.SubElement(cod, f"{q}CodeRef", {"targetGUID": guid("code", code_id)})
                if cid in coding_notes:
                    ET.SubElement(cod, f"{q}NoteRef", {"targetGUID": coding_notes[cid]})
                n_cod += 1
        for note in memo_refs.get(f"document:{doc_id}", []):
            ET.SubElement(src, f"{q}NoteRef", {"targetGUID": note})
        # Values the case already carries are not repeated on each of its commentaries.
        cmeta = case_rows.get(case_id, ({}, ""))[0]
        own = {k: v for k, v in meta.items() if k not in cmeta or cmeta[k] != v}
        add_values(src, {"stage": stage, **own} if stage is not None else own)

    n_notes = 0
    if notes or coding_memos:
        notes_el = ET.SubElement(root, f"{q}Notes")
        for g, m in notes:
            note = ET.SubElement(notes_el, f"{q}Note", {
                "guid": g, "name": f"{m.target_type}:{m.target_id}",
                "creatingUser": guid("user", m.coder), **_dt(m.created_at)})
            ET.SubElement(note, f"{q}PlainTextContent").text = redact(
                m.text, {"document_id": m.target_id, "field": f"memo {m.id}"}).text
            n_notes += 1
        for cid, memo, coder, at in coding_memos:
            note = ET.SubElement(notes_el, f"{q}Note", {
                "guid": coding_notes[cid], "name": f"coding:{cid}",
                "creatingUser": guid("user", coder), **_dt(at)})
            ET.SubElement(note, f"{q}PlainTextContent").text = redact(
                memo, {"document_id": "", "field": f"coding memo {cid}"}).text
            n_notes += 1
    desc = ET.SubElement(root, f"{q}Description")
    desc.text = (f"Exported by {_origin()} from {store.path.name}; "
                 + ("redacted." if red else "NOT redacted: contains personal details."))
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
        validate(_serialise(root, PROJECT_NS), "project")
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
) -> QdpxResult:
    """Write the project as a `.qdpx` (zip: project.qde + sources/*.txt), validated first."""
    out = Path(out)
    if not redact and not confirmed_unredacted:
        raise ExportError(
            "An unredacted export needs confirmation: it will contain personal details.",
            hint="answer the prompt, or pass --yes together with --no-redact.",
        )
    check_target(out, project_files(store.path))  # before the slow part
    redactor = make_redactor(store) if redact else None
    root, files, counts = project_tree(store, redactor, sample_only=sample_only)
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
                ET.ElementTree(_prepare(root, PROJECT_NS)).write(
                    fh, encoding="utf-8", xml_declaration=True)
            for name, text in files.items():
                zf.writestr(name, visible_keep_breaks(text).encode("utf-8"))
        if redactor is not None:
            write_side_report(tmps[1], redactor.log)
    return QdpxResult(out, counts["sources"], counts["selections"], counts["codings"],
                      counts["notes"], redact, side, counts["validated_sources"])


# --------------------------------------------------------------------------- validation


def schema_dir() -> Path | None:
    """Where the REFI XSD files are: $THEMECODE_REFI_SCHEMAS, the package data, or the shared copy."""
    import os

    candidates = [os.environ.get(SCHEMA_DIR_ENV, ""),
                  str(Path(__file__).resolve().parents[1] / "_data" / "refi-qda"),
                  str(Path(__file__).resolve().parents[4] / "shared" / "refi-qda")]
    for c in candidates:
        if c and (Path(c) / "Project.xsd").exists() and (Path(c) / "Codebook.xsd").exists():
            return Path(c)
    return None


_SCHEMAS: dict[str, Any] = {}


def validate(xml: bytes, kind: str, *, required: bool = False) -> bool:
    """Validate a `.qde`/`.qdc` document against the REFI XSD; ExportError lists the problems.

    Returns False (without checking) when the schema files are not installed, unless `required`.
    """
    folder = schema_dir()
    if folder is None:
        if required:
            raise ExportError(
                "The REFI-QDA schema files (Project.xsd, Codebook.xsd) were not found.",
                hint=f"set {SCHEMA_DIR_ENV} to the folder holding them.",
            )
        return False
    import xmlschema

    if kind not in _SCHEMAS:
        name = "Project.xsd" if kind == "project" else "Codebook.xsd"
        _SCHEMAS[kind] = xmlschema.XMLSchema(str(folder / name))
    errors = list(_SCHEMAS[kind].iter_errors(xml.decode("utf-8")))
    if errors:
        detail = "; ".join(str(e.reason or e.message) for e in errors[:5])
        raise ExportError(f"The REFI-QDA {kind} document does not validate: {detail}")
    return True
