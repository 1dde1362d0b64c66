"""A REFI code tree read into themecode's theme → code codebook, and matched to the project's.

Top-level non-codable codes (and codable ones with sub-codes) become themes; a codable parent
whose own codings are in the file also becomes a code of the same name under its theme, so
those codings are kept. A codable top-level leaf is a code without a theme. Deeper levels are
flattened under their top-level theme. Foreign codes are matched to the project's by GUID first
(themecode's own, or one remembered from an earlier import), then by label among codes only:
a code is never matched onto a theme.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from themecode.codebook import ID_RE, record_version, slugify
from themecode.refi.common import DESCRIPTION_FIELDS, MEMO_MARKER, guid, is_rgb
from themecode.store import Store, now

GUID_RE = re.compile(r"^(\{)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{12}(?(1)\})$")  # the schema's GUIDType (exported again)


@dataclass
class ParsedCode:
    """One theme or code read from the file, and (after `match_codes`) its project id."""

    guid: str
    label: str
    kind: str  # 'theme' or 'code'
    theme: ParsedCode | None
    fields: dict[str, Any]
    colour: str | None
    memo: str = ""  # the part of the <Description> after a "Memos:" line
    element: ET.Element | None = None
    id: str = ""  # project id once matched or created
    new: bool = False


@dataclass
class CodeTree:
    """Parsed themes and codes; `by_guid` finds the code a coding names."""

    items: list[ParsedCode] = field(default_factory=list)
    by_guid: dict[str, ParsedCode] = field(default_factory=dict)  # codes only
    themes_by_guid: dict[str, ParsedCode] = field(default_factory=dict)


def parse_description(text: str) -> tuple[dict[str, Any], str]:
    """(fields, memo) of a code's `<Description>`: labelled lines written by themecode, the rest
    is the definition; text after a `Memos:` line is the memo part."""
    text = text or ""
    memo = ""
    if f"\n{MEMO_MARKER}\n" in f"\n{text}":
        text, memo = (f"\n{text}").split(f"\n{MEMO_MARKER}\n", 1)
    labels = {label: key for key, label in DESCRIPTION_FIELDS}
    out: dict[str, Any] = {}
    definition: list[str] = []
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z-]+): (.*)$", line.strip())
        if m and m.group(1) in labels and labels[m.group(1)] not in out:
            out[labels[m.group(1)]] = m.group(2).strip()
        else:
            definition.append(line.rstrip())
    out["definition"] = "\n".join(definition).strip()
    out["keywords"] = [k.strip() for k in str(out.get("keywords", "")).split(";") if k.strip()]
    return out, memo.strip()


def parse_codes(codes_el: ET.Element | None, q: str, coded: set[str],
                lost: Counter[str], case_guids: frozenset[str] | set[str] = frozenset()) -> CodeTree:
    """Read the `<Codes>` tree; `coded` holds the GUIDs codings in the file name; `lost`
    counts what changes shape (keys are warning sentences with a count placeholder). Codes
    sharing a case's GUID (`case_guids`: NVivo's case nodes) are case membership, not codes."""
    tree = CodeTree()
    if codes_el is None:
        return tree
    labels: set[str] = set()

    def unique(label: str, theme: ParsedCode | None) -> str:
        if label.casefold() not in labels:
            labels.add(label.casefold())
            return label
        lost["{n} code(s) share a label with another code in the file; the theme's name "
             "(or a number) was added to tell them apart"] += 1
        base = f"{label} ({theme.label})" if theme else label
        cand, n = base, 2
        while cand.casefold() in labels:
            cand = f"{base} ({n})"
            n += 1
        labels.add(cand.casefold())
        return cand

    def item(el: ET.Element, kind: str, theme: ParsedCode | None, label: str) -> ParsedCode:
        desc = el.find(f"{q}Description")
        fields, memo = parse_description(desc.text if desc is not None else "")
        colour = el.get("color")
        p = ParsedCode(el.get("guid", ""), label, kind, theme, fields,
                       colour if colour and is_rgb(colour) else None, memo, el)
        tree.items.append(p)
        if p.guid:
            (tree.by_guid if kind == "code" else tree.themes_by_guid)[p.guid] = p
        return p

    def walk(top: ET.Element, theme: ParsedCode) -> None:
        """The codes below a theme, depth first without recursion (trees can be deep)."""
        stack = [(child, 1) for child in reversed(top.findall(f"{q}Code"))]
        while stack:
            el, depth = stack.pop()
            if el.get("guid") in case_guids:
                continue
            label = " ".join((el.get("name") or "").split()) or "(unnamed)"
            codable = el.get("isCodable", "true").lower() in ("true", "1")
            children = el.findall(f"{q}Code")
            if not codable and children:
                lost["{n} category(ies) nested inside a theme were dropped; their codes are "
                     "placed under the top-level theme"] += 1
            else:
                if depth > 1:
                    lost["{n} code(s) nested deeper than theme > code were placed directly "
                         "under their top-level theme"] += 1
                if not codable:
                    lost["{n} code(s) marked not codable were imported as codes"] += 1
                item(el, "code", theme, unique(label, theme))
            stack += [(child, depth + 1) for child in reversed(children)]

    for el in codes_el.findall(f"{q}Code"):
        label = " ".join((el.get("name") or "").split()) or "(unnamed)"
        codable = el.get("isCodable", "true").lower() in ("true", "1")
        children = el.findall(f"{q}Code")
        if el.get("guid") in case_guids or (children and not codable and all(
                c.get("guid") in case_guids for c in children)):  # a folder of case nodes
            continue
        if codable and not children:
            item(el, "code", None, unique(label, None))
            continue
        theme = item(el, "theme", None, label)
        if codable and theme.guid in coded:  # keep the parent's own codings on a code
            own = item(el, "code", theme, unique(label, theme))
            own.fields = {**theme.fields, "id": None}
            tree.by_guid[theme.guid] = own
            lost["{n} parent code(s) with codings of their own became a theme plus a code of "
                 "the same name under it"] += 1
        walk(el, theme)
    return tree


def _known_guids(store: Store) -> dict[str, str]:
    """{GUID: code id}: themecode's own GUIDs and those remembered from earlier imports."""
    out = {guid("code", c.id): c.id for c in store.codes(include_retired=True)}
    out.update(dict(store.conn.execute("SELECT guid, code_id FROM refi_guids")))
    return out


def match_codes(store: Store, tree: CodeTree, lost: Counter[str]) -> None:
    """Give every parsed item a project id: matched by GUID, then label (codes among codes,
    themes among themes), else a new id. Call inside the import's transaction."""
    codes = {c.id: c for c in store.codes(include_retired=True)}
    known = _known_guids(store)
    by_label = {(c.kind, c.label.casefold()): c.id for c in codes.values() if not c.retired}
    used = set(codes)
    for p in tree.items:
        hit = known.get(p.guid)
        if hit is not None and codes[hit].kind != p.kind:
            hit = None  # never a code onto a theme (or a theme onto a code)
        if hit is not None and codes[hit].label.casefold() != p.label.casefold():
            lost["{n} code(s) matched by GUID have another label in the project; the "
                 "project's label is kept"] += 1
        if hit is None:
            hit = by_label.get((p.kind, p.label.casefold()))
        if hit is not None:
            while codes[hit].merged_into:
                hit = codes[hit].merged_into
            p.id = hit
            if p.colour and not codes[hit].colour:
                store.conn.execute("UPDATE codes SET colour = ? WHERE id = ?", (p.colour, hit))
            continue
        wanted = p.fields.get("id")
        cid = wanted if isinstance(wanted, str) and ID_RE.match(wanted) else slugify(p.label)
        base, n = cid, 2
        while cid in used:
            cid = f"{base[:60]}_{n}"
            n += 1
        used.add(cid)
        p.id, p.new = cid, True
        by_label[(p.kind, p.label.casefold())] = cid


def install_new(store: Store, tree: CodeTree, coder: str, source: str) -> int:
    """Insert the new themes and codes (with colours) and remember foreign GUIDs; returns how
    many were added. Call inside the import's transaction."""
    at = now()
    order = int(store.conn.execute("SELECT coalesce(max(sort_order), 0) + 1 FROM codes").fetchone()[0])
    taken = {r[0] for r in store.conn.execute("SELECT shortcut FROM codes WHERE shortcut IS NOT NULL")}
    added = 0
    for p in tree.items:
        if p.new:
            f = p.fields
            origin = f.get("origin") if f.get("origin") in ("deductive", "inductive") else "deductive"
            shortcut = f.get("shortcut") if len(str(f.get("shortcut") or "")) == 1 else None
            if shortcut in taken:
                shortcut = None
            taken.add(shortcut)
            store.conn.execute(
                "INSERT INTO codes(id, label, kind, parent, definition, inclusion, exclusion, "
                "example, keywords, shortcut, colour, sort_order, origin, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (p.id, p.label, p.kind, p.theme.id if p.theme else None,
                 f.get("definition", ""), f.get("inclusion", ""), f.get("exclusion", ""),
                 f.get("example", ""), json.dumps(list(f.get("keywords", []))), shortcut,
                 p.colour, order, origin if p.kind == "code" else "deductive", coder, at))
            order += 1
            added += 1
        if GUID_RE.match(p.guid) and p.guid != guid("code", p.id) and (
                p.kind == "code" or p.guid not in tree.by_guid):
            store.conn.execute(
                "INSERT OR IGNORE INTO refi_guids(guid, code_id, source, created_at) "
                "VALUES (?, ?, ?, ?)", (p.guid, p.id, source, at))
    if added:  # the import's own event records the new codes
        record_version(store, coder, f"imported codes from {source}")
    return added
