"""The plain records a project holds (documents, codes, codings, memos, events, ...) and the
timestamp format; shared by `store` and `store.actions` without importing either."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Actions that undo/redo can reverse; anything else in `events` is audit only.
UNDOABLE = frozenset(
    {"code", "code_commentary", "uncode", "status", "memo_add", "memo_edit", "memo_delete", "code_create",
     "audit_decision",
     # codebook changes (themecode.codebook and themecode.review.edits) and extract edits
     "code_rename", "code_retire", "code_merge", "code_edit", "code_split", "recode", "respan",
     "theme_review"}
)
# The undoable actions that change the codebook: undoing or redoing one writes a codebook version.
CODEBOOK_ACTIONS = frozenset(
    {"code_create", "code_rename", "code_retire", "code_merge", "code_edit", "code_split"}
)
# Columns of `codes` a `code_edit` / `theme_review` event may set (its payload's before/after).
EDITABLE_CODE_FIELDS = (
    "label", "definition", "inclusion", "exclusion", "example", "keywords", "shortcut", "parent",
    "sort_order", "reviewed_at", "reviewed_by",
)


def now() -> str:
    """UTC timestamp with microseconds, sortable as text."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Document:
    """One commentary: immutable, `\\n`-normalised NFC text; offsets are code points into it."""

    id: str
    case_id: str
    stage: str | None
    text: str
    content_hash: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence of a document as code-point offsets, with its cached lemmas."""

    document_id: str
    idx: int
    start: int
    end: int
    lemmas: str


@dataclass(frozen=True)
class Case:
    """A case: its id, its metadata and the ids of its documents in stage order."""

    id: str
    metadata: dict[str, Any]
    document_ids: tuple[str, ...]


@dataclass(frozen=True)
class Code:
    """A theme or a code of the project codebook."""

    id: str
    label: str
    kind: str
    parent: str | None
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    keywords: tuple[str, ...] = ()
    shortcut: str | None = None
    colour: str | None = None
    sort_order: int = 0
    origin: str = "deductive"
    created_by: str = ""
    created_at: str = ""
    retired: bool = False
    merged_into: str | None = None
    reviewed_at: str | None = None  # themes: when the theme was marked reviewed (None: not yet)
    reviewed_by: str | None = None


@dataclass(frozen=True)
class Coding:
    """A code applied by a coder to [start, end) of a document."""

    id: int
    document_id: str
    start: int
    end: int
    code_id: str
    coder: str
    created_at: str
    deleted: bool = False
    memo: str | None = None


@dataclass(frozen=True)
class Memo:
    """A note on a document, case, code or the project."""

    id: int
    target_type: str
    target_id: str
    coder: str
    text: str
    created_at: str
    updated_at: str
    deleted: bool = False


@dataclass(frozen=True)
class Event:
    """One row of the append-only audit/undo log."""

    id: int
    at: str
    coder: str
    action: str
    target: str | None
    payload: dict[str, Any]
    undoes: int | None = None
    redoes: int | None = None


@dataclass(frozen=True)
class SampleRow:
    """A sampled case with its place in the coding order."""

    case_id: str
    draw_order: int
    seed: int
    round: int


STAGE_ORDER = {"assessment": 0, "planning": 1, "implementation": 2, "reviewing": 3}
