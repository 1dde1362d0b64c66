"""REFI-QDA import: a `.qdc` codebook, or a `.qdpx` project's codebook, commentaries, cases,
codings and memos — all or nothing, in one transaction.

The reverse of `themecode.refi.exporter`, and reads what QualCoder, qc, NVivo, MAXQDA and Taguette
write: the code tree (`refi.codetree`), plain-text sources inline or in `sources/`/`Sources/`
with final newlines, CRLF or a BOM (offsets mapped exactly by `refi.textmap`), case variables on
named `<Case>`s, source variables on the `<TextSource>` or on an unnamed one-source `<Case>`,
memos as `<Description>`s and `<Note>`s (journals too), code colours. What themecode cannot hold
is counted in the warnings, as the REFI standard asks of importers.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

from themecode.corpus.inputs import read_member
from themecode.errors import CodebookError, InputFileError
from themecode.refi import guard
from themecode.refi.codetree import CodeTree, install_new, match_codes, parse_codes
from themecode.refi.common import CODEBOOK_NS, PROJECT_NS
from themecode.refi.package import Package, RefiImportResult, add_memo, text_of
from themecode.refi.sources import import_sources
from themecode.store import Store, now

__all__ = ["RefiImportResult", "import_qdc", "import_qdpx"]

REFI_HINT = "export the project (or codebook) again from the QDA program as REFI-QDA 1.0."


def _warnings(lost: Counter[str]) -> list[str]:
    return [key.format(n=n) for key, n in lost.items() if n]


def _read_xml(data: bytes, path: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputFileError(f"not well-formed XML ({exc})", path=path, hint=REFI_HINT,
                             line=exc.position[0] if exc.position else None) from exc


def _install_codes(store: Store, tree: CodeTree, coder: str, source: str,
                   result: RefiImportResult, lost: Counter[str]) -> None:
    match_codes(store, tree, lost)
    result.codes_added = install_new(store, tree, coder, source)
    result.codes_matched = sum(1 for p in tree.items if not p.new)


def import_qdc(store: Store, path: str | Path, *, coder: str) -> RefiImportResult:
    """Add a REFI `.qdc` codebook's themes and codes to the project (matched by GUID, then label)."""
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
    q = f"{{{ns}}}"
    result = RefiImportResult(str(p))
    codes_el = root.find(f"{q}Codes")
    if codes_el is None:
        raise CodebookError("the codebook has no <Codes>", path=str(p), hint=REFI_HINT)
    lost: Counter[str] = Counter()
    sets = root.find(f"{q}Sets")
    lost["{n} code set(s) (<Sets>) are not carried: themecode has no sets"] += (
        len(sets) if sets is not None else 0)
    guard.check_depth(codes_el, q, p)
    tree = parse_codes(codes_el, q, set(), lost)
    with store.write():  # one transaction, codebook included: all or nothing
        _install_codes(store, tree, coder, p.name, result, lost)
        for item in tree.items:
            if item.memo:
                result.memos_added += add_memo(store, "code", item.id, coder, item.memo, now(),
                                               path=p)
        result.warnings = _warnings(lost)
        store.log_event(coder, "refi_import", str(p),
                        {**result.to_dict(), "new_codes": [i.id for i in tree.items if i.new]})
    return result


def _open_qdpx(p: Path) -> tuple[zipfile.ZipFile, ET.Element, str]:
    """The `.qdpx` zip (members checked by `guard.open_qdpx`), its project root and .qde name."""
    zf = guard.open_qdpx(p)
    try:
        qde = next((n for n in zf.namelist() if n.lower().endswith(".qde")), None)
        if qde is None:
            raise InputFileError("the .qdpx holds no project.qde", path=str(p), hint=REFI_HINT)
        root = _read_xml(read_member(zf, qde, p), f"{p}:{qde}")
        if root.tag != f"{{{PROJECT_NS}}}Project":
            raise InputFileError(f"{qde} is not a REFI-QDA project (root {root.tag!r})",
                                 path=str(p), hint=REFI_HINT)
    except BaseException:
        zf.close()
        raise
    return zf, root, qde


def import_qdpx(
    store: Store, path: str | Path, *, coder: str, create_documents: bool = True
) -> RefiImportResult:
    """Import a `.qdpx` project's codebook, (missing) commentaries and cases, codings and memos.

    Commentaries are matched by name (= themecode document id) and must have the same
    normalised text; unknown ones are created when `create_documents` (so a fresh project can
    receive a whole project). Coder names come from the file's users. All or nothing.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError("file not found", path=str(p))
    zf, root, _qde = _open_qdpx(p)
    with zf:
        q = f"{{{PROJECT_NS}}}"
        users = {u.get("guid", ""): (u.get("name") or u.get("id") or u.get("guid", ""))
                 for u in root.iter(f"{q}User")}
        pkg = Package(root, q, zf, {n.lower(): n for n in zf.namelist()}, users,
                       {n.get("guid", ""): n for n in root.iter(f"{q}Note")}, coder, path=p)
        result = RefiImportResult(str(p))
        lost = pkg.lost
        for tag, what in (("Sets", "set(s)"), ("Graphs", "graph(s)"), ("Links", "link(s)")):
            el = root.find(f"{q}{tag}")
            lost[f"{{n}} {what} (<{tag}>) are not carried: themecode has no {tag.lower()}"] += (
                len(el) if el is not None else 0)
        coded = {r.get("targetGUID", "") for r in root.iter(f"{q}CodeRef")}
        pkg.case_guids = {c.get("guid", "") for c in root.iter(f"{q}Case") if c.get("name")}
        codes_el = root.find(f"{q}CodeBook/{q}Codes")
        if codes_el is not None:
            guard.check_depth(codes_el, q, p)
        tree = parse_codes(codes_el, q, coded, lost, pkg.case_guids)
        with store.write():  # one transaction, codebook included: all or nothing
            _install_codes(store, tree, coder, p.name, result, lost)
            import_sources(store, pkg, tree, result, p.name, create_documents)
            _import_loose_memos(store, pkg, tree, result)
            result.warnings = _warnings(lost)
            store.log_event(coder, "refi_import", str(p),
                            {**result.to_dict(), "new_codes": [i.id for i in tree.items if i.new]})
    return result


def _import_loose_memos(store: Store, pkg: Package, tree: CodeTree,
                        result: RefiImportResult) -> None:
    """Code memos, the project's description and notes, and journals (notes nobody refers to)."""
    q, at = pkg.q, now()
    for item in tree.items:
        if item.element is None or item.kind == "code" and item.theme is not None and \
                item.guid == item.theme.guid:
            continue
        notes = pkg.ref_notes(item.element)
        for note in notes:
            result.memos_added += add_memo(store, "code", item.id, pkg.who(note),
                                            pkg.note_text(note), note.get("creationDateTime") or at,
                                            path=pkg.path)
        if item.memo and not notes:
            result.memos_added += add_memo(store, "code", item.id, pkg.coder, item.memo, at,
                                            path=pkg.path)
    notes = pkg.ref_notes(pkg.root)
    joined = []
    for note in notes:
        name, text = note.get("name") or "", pkg.note_text(note)
        target = ("case", name[5:]) if name.startswith("case:") else ("project", "project")
        if target[0] == "project":
            joined.append(text)
        result.memos_added += add_memo(store, *target, pkg.who(note), text,
                                        note.get("creationDateTime") or at, path=pkg.path)
    desc = text_of(pkg.root, q)
    paragraphs = [t for t in desc.split("\n\n") if t.strip()
                  and not t.startswith("Exported by themecode")] if desc else []
    if paragraphs and "\n\n".join(paragraphs) not in ("\n\n".join(joined), ""):
        result.memos_added += add_memo(store, "project", "project", pkg.coder,
                                        "\n\n".join(paragraphs), at, path=pkg.path)
    for g, note in pkg.notes.items():
        if g in pkg.used_notes:
            continue
        if note.find(f"{q}PlainTextSelection") is not None:
            pkg.lost["{n} annotation note(s) that no source refers to were skipped"] += 1
            continue
        text = pkg.note_text(note)
        name = (note.get("name") or "").strip()
        if text:  # a journal: kept as a project memo headed by its name
            result.memos_added += add_memo(store, "project", "project", pkg.who(note),
                                            f"{name}\n\n{text}" if name else text,
                                            note.get("creationDateTime") or at, path=pkg.path)
