"""The parts of an opened `.qdpx` that the REFI import steps share: users, notes and the zip,
a source's mapped text, memo insertion and what could not be carried (counted)."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from themecode.corpus.inputs import read_member
from themecode.refi import guard
from themecode.refi.textmap import MappedText, map_text, read_member_text, zip_member
from themecode.store import Store


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


def values(el: ET.Element, q: str, variables: dict[str, str]) -> dict[str, str]:
    """Variable values of a case or source; an empty value element is an empty string."""
    out = {}
    for vv in el.findall(f"{q}VariableValue"):
        ref = vv.find(f"{q}VariableRef")
        name = variables.get(ref.get("targetGUID", "")) if ref is not None else None
        if name is None:
            continue
        for child in vv:
            if child.tag != f"{q}VariableRef":
                out[name] = child.text or ""
    return out


def text_of(el: ET.Element | None, q: str) -> str:
    d = el.find(f"{q}Description") if el is not None else None
    return (d.text or "").strip() if d is not None else ""


def add_memo(store: Store, target_type: str, target_id: str, who: str, text: str,
             created: str, *, path: Path) -> int:
    """Insert a memo unless the target has it already; returns 1 when inserted. A memo or
    author holding refused characters (`guard.check_text`) refuses the import of `path`."""
    text = text.strip()
    guard.check_text(f"note on {target_type}", target_id, text + who, path)
    if not text or store.conn.execute(
            "SELECT 1 FROM memos WHERE target_type = ? AND target_id = ? AND text = ? "
            "AND deleted = 0", (target_type, target_id, text)).fetchone():
        return 0
    store.conn.execute(
        "INSERT INTO memos(target_type, target_id, coder, text, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)", (target_type, target_id, who, text, created, created))
    return 1


@dataclass
class Package:
    """The parts of an opened `.qdpx` the import steps share."""

    root: ET.Element
    q: str
    zf: zipfile.ZipFile
    names: dict[str, str]  # lower-case member name → member
    users: dict[str, str]
    notes: dict[str, ET.Element]
    coder: str
    path: Path = Path()  # the .qdpx, for messages
    case_guids: set[str] = field(default_factory=set)  # named cases (NVivo: also codes)
    lost: Counter[str] = field(default_factory=Counter)
    used_notes: set[str] = field(default_factory=set)

    def who(self, el: ET.Element | None, *fallbacks: ET.Element) -> str:
        for e in (el, *fallbacks):
            if e is not None:
                g = e.get("creatingUser") or e.get("modifyingUser")
                if g in self.users:
                    return self.users[g]
        return self.coder

    def note_text(self, note: ET.Element) -> str:
        content = note.find(f"{self.q}PlainTextContent")
        if content is not None and content.text:
            return content.text.strip()
        ptp = note.get("plainTextPath") or ""
        member = zip_member(self.names, ptp) if ptp.startswith("internal://") else None
        text = read_member_text(self.zf, member, self.path) if member else None
        if text is None and ptp:
            self.lost["{n} note(s) whose text file is missing or not UTF-8 were skipped"] += 1
        return (text or "").strip() or text_of(note, self.q)

    def ref_notes(self, el: ET.Element) -> list[ET.Element]:
        out = []
        for ref in el.findall(f"{self.q}NoteRef"):
            note = self.notes.get(ref.get("targetGUID", ""))
            if note is None:
                self.lost["{n} note reference(s) point at no note (dangling); skipped"] += 1
                continue
            self.used_notes.add(note.get("guid", ""))
            out.append(note)
        return out


def mapped_text(pkg: Package, src: ET.Element, doc_id: str) -> MappedText | None:
    """A text source's text (inline, or a `plainTextPath` file) normalised with its map."""
    q = pkg.q
    inline = src.find(f"{q}PlainTextContent")
    if inline is not None and inline.text is not None:
        raw: str = inline.text
    else:
        ptp = src.get("plainTextPath") or ""
        member = zip_member(pkg.names, ptp) if ptp.startswith("internal://") else None
        if member is None:
            key = ("{n} source(s) whose text file is missing from the .qdpx were skipped"
                   if ptp.startswith("internal://") else
                   "{n} source(s) whose text is outside the .qdpx (relative or absolute path) "
                   "were skipped")
            pkg.lost[key] += 1
            return None
        # not UTF-8 is refused naming the member (`guard.source_text`); size limits were
        # checked when the zip was opened
        raw = guard.source_text(read_member(pkg.zf, member, pkg.path), member, pkg.path)
    guard.check_text("source", doc_id, raw, pkg.path)
    return _best_map(pkg, src, raw, doc_id)


def _best_map(pkg: Package, src: ET.Element, raw: str, doc_id: str) -> MappedText | None:
    """Map the text; with CRLF line ends, positions may count a CRLF as two code points (the
    standard, NVivo) or one (ATLAS.ti; QualCoder writes its `\n` text with the platform's line
    ends): the reading under which more selection names match the text they name wins, ties
    go to the standard."""
    atlas = "atlas" in (pkg.root.get("origin") or "").lower()
    if "\r\n" not in raw or atlas:
        mapped = map_text(raw, crlf_counts_one=atlas)
    else:
        two, one = map_text(raw), map_text(raw, crlf_counts_one=True)
        mapped = two
        if two is not None and one is not None and _name_hits(pkg, src, one, doc_id) > _name_hits(
                pkg, src, two, doc_id):
            mapped = one
    if mapped is None:
        pkg.lost["{n} source(s) whose Unicode composition would move offsets were skipped"] += 1
    return mapped


def _name_hits(pkg: Package, src: ET.Element, mapped: MappedText, doc_id: str) -> int:
    """How many selections' names (peers write the selected text's start there) match."""
    hits = 0
    for sel in src.findall(f"{pkg.q}PlainTextSelection"):
        name = " ".join((sel.get("name") or "").split())[:30].rstrip(".")
        span = mapped.span(guard.position(sel, "startPosition", doc_id, pkg.path),
                           guard.position(sel, "endPosition", doc_id, pkg.path))
        if len(name) >= 3 and span and re.sub(
                r"\s+", " ", mapped.text[span[0]:span[1]]).startswith(name):
            hits += 1
    return hits
