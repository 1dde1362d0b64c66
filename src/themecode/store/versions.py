"""Codebook versions: a snapshot of every code and theme, written to `codebook_versions` whenever
the codebook changes (by `themecode.codebook`, `themecode.review.edits`, and by undo or redo of
one of their events), so the codebook's history can be read back and models refit on change."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from themecode.store.records import now

if TYPE_CHECKING:
    from themecode.store.database import Store


def codebook_snapshot(store: Store) -> dict[str, Any]:
    """The project's whole codebook (live and retired codes) as a JSON-safe dict."""
    return {
        "codes": [
            {
                "id": c.id, "label": c.label, "kind": c.kind, "parent": c.parent,
                "definition": c.definition, "inclusion": c.inclusion, "exclusion": c.exclusion,
                "example": c.example, "keywords": list(c.keywords), "shortcut": c.shortcut,
                "origin": c.origin, "retired": c.retired, "merged_into": c.merged_into,
            }
            for c in sorted(store.codes(include_retired=True), key=lambda c: c.id)
        ]
    }


def record_version(store: Store, coder: str, reason: str) -> int:
    """Write the current codebook as a new version (inside the caller's write); returns its id."""
    blob = json.dumps(codebook_snapshot(store), sort_keys=True)
    cur = store.conn.execute(
        "INSERT INTO codebook_versions(created_at, created_by, reason, hash, snapshot) "
        "VALUES (?, ?, ?, ?, ?)",
        (now(), coder, reason, hashlib.sha256(blob.encode()).hexdigest()[:16], blob),
    )
    return int(cur.lastrowid or 0)
