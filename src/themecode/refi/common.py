"""What the REFI exporter and importer share: namespaces, deterministic GUIDs, the labelled
lines of a code's `<Description>`, and the XML serialisation."""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from xml.etree import ElementTree as ET

from themecode.corpus.controls import has_hidden, visible, visible_keep_breaks
from themecode.store import Code

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.UUID("6f0c9d0e-3c1b-5e0a-9a57-7468656d6563")  # themecode's own namespace

# Labelled lines of a code's <Description>, in order; the definition comes first, unlabelled.
DESCRIPTION_FIELDS = (
    ("inclusion", "Include"), ("exclusion", "Exclude"), ("example", "Example"),
    ("keywords", "Keywords"), ("shortcut", "Shortcut"), ("origin", "Origin"),
    ("id", "themecode-id"),
)
# A code's memos follow this line in its <Description> (peers show them; themecode's importer
# takes memos from the <Note>s instead, so they are not read twice).
MEMO_MARKER = "Memos:"


@lru_cache(maxsize=65536)
def guid(kind: str, key: str) -> str:
    """A deterministic GUID for an object of `kind` ('code', 'source', ...) with id `key`."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def origin() -> str:
    """The `origin` attribute themecode writes (and recognises its own files by)."""
    from themecode import __version__

    return f"themecode {__version__}"


def code_description(code: Code, memos: list[str] = ()) -> str:  # type: ignore[assignment]
    """The definition followed by labelled lines for every other field themecode keeps, then
    the code's memos after a `Memos:` line."""
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
    if memos:
        lines += ["", MEMO_MARKER, "\n\n".join(memos)]
    return "\n".join(lines)


def is_rgb(value: str) -> bool:
    """True for a REFI colour (#rrggbb or #rgb)."""
    return re.fullmatch(r"#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})", value) is not None


def prepare(root: ET.Element, ns: str) -> ET.Element:
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


def serialise(root: ET.Element, ns: str) -> bytes:
    """The document as UTF-8 XML bytes."""
    return ET.tostring(prepare(root, ns), encoding="utf-8", xml_declaration=True)
