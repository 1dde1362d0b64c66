"""Append-only schema migrations for a themecode project database (sqlite-utils `Migrations`).

Never edit a migration that has shipped: add a new one below it. `tests/test_migrations.py`
pins the resulting columns of every table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations


class LazyMigrations:
    """The sqlite-utils `Migrations` set, built on first use.

    Importing sqlite-utils also imports pandas and numpy when they are installed (~0.3 s), so
    opening an up-to-date project checks the applied names with one plain SQL query
    (`pending_names`) and imports sqlite-utils only to apply a migration or when asked for the
    `Migrations` object itself (`pending`, `applied`, `apply` are passed through).
    """

    table = "_sqlite_migrations"  # sqlite-utils' own record of applied migrations

    def __init__(self, name: str) -> None:
        self.name = name
        self._registered: list[tuple[Callable[..., None], dict[str, Any]]] = []
        self._built: Migrations | None = None

    def __call__(self, **options: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
        """Register a migration (same options as `Migrations.__call__`)."""
        def register(fn: Callable[..., None]) -> Callable[..., None]:
            self._registered.append((fn, options))
            self._built = None
            return fn
        return register

    def names(self) -> list[str]:
        """Every migration's name, in order."""
        return [opts.get("name") or fn.__name__ for fn, opts in self._registered]

    def pending_names(self, conn: sqlite3.Connection) -> list[str]:
        """Names of the migrations not yet applied to the database on `conn` (read only)."""
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (self.table,)
        ).fetchone()
        applied = {r[0] for r in conn.execute(
            f"SELECT name FROM {self.table} WHERE migration_set = ?", (self.name,))} if has_table else set()
        return [n for n in self.names() if n not in applied]

    def _migrations(self) -> Migrations:
        if self._built is None:
            from sqlite_utils import Migrations

            built = Migrations(self.name)
            for fn, opts in self._registered:
                built(**opts)(fn)
            self._built = built
        return self._built

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._migrations(), attr)


migrations = LazyMigrations("themecode")

_INITIAL = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    stage TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    source TEXT,
    source_row INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX idx_documents_case ON documents(case_id);
CREATE TABLE sentences (
    document_id TEXT NOT NULL REFERENCES documents(id),
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    lemmas TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (document_id, idx)
);
CREATE TABLE codebook_versions (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    hash TEXT NOT NULL,
    snapshot TEXT NOT NULL
);
CREATE TABLE codes (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'code' CHECK (kind IN ('theme', 'code')),
    parent TEXT REFERENCES codes(id),
    definition TEXT NOT NULL DEFAULT '',
    inclusion TEXT NOT NULL DEFAULT '',
    exclusion TEXT NOT NULL DEFAULT '',
    example TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]',
    shortcut TEXT,
    colour TEXT,
    sort_order INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT 'deductive' CHECK (origin IN ('deductive', 'inductive')),
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0,
    merged_into TEXT REFERENCES codes(id)
);
CREATE TABLE samples (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    draw_order INTEGER NOT NULL UNIQUE,
    seed INTEGER NOT NULL,
    round INTEGER NOT NULL,
    fraction REAL,
    stratify TEXT,
    drawn_at TEXT NOT NULL,
    drawn_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE codings (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    code_id TEXT NOT NULL REFERENCES codes(id),
    coder TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    deleted_at TEXT,
    memo TEXT,
    CHECK (start >= 0 AND "end" > start)
);
CREATE INDEX idx_codings_doc ON codings(document_id);
CREATE INDEX idx_codings_code ON codings(code_id);
CREATE INDEX idx_codings_coder ON codings(coder);
CREATE TABLE machine_codings (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    code_id TEXT NOT NULL REFERENCES codes(id),
    score REAL NOT NULL,
    model_id INTEGER REFERENCES models(id),
    created_at TEXT NOT NULL
);
CREATE INDEX idx_machine_codings_doc ON machine_codings(document_id);
CREATE TABLE memos (
    id INTEGER PRIMARY KEY,
    target_type TEXT NOT NULL CHECK (target_type IN ('document', 'case', 'code', 'project')),
    target_id TEXT NOT NULL,
    coder TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_memos_target ON memos(target_type, target_id);
CREATE TABLE progress (
    unit_type TEXT NOT NULL CHECK (unit_type IN ('document', 'case')),
    unit_id TEXT NOT NULL,
    coder TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'skipped', 'flagged')),
    note TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_type, unit_id, coder)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    coder TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    payload TEXT NOT NULL DEFAULT '{}',
    undoes INTEGER REFERENCES events(id),
    redoes INTEGER REFERENCES events(id)
);
CREATE INDEX idx_events_coder ON events(coder, id);
CREATE TABLE suggestion_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    coder TEXT NOT NULL,
    document_id TEXT NOT NULL,
    start INTEGER,
    "end" INTEGER,
    code_id TEXT NOT NULL,
    score REAL NOT NULL,
    rank INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('model', 'rules')),
    model_id INTEGER,
    outcome TEXT NOT NULL DEFAULT 'shown'
        CHECK (outcome IN ('shown', 'accepted', 'edited', 'rejected')),
    decided_at TEXT
);
CREATE INDEX idx_suggestion_log_doc ON suggestion_log(document_id);
CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    codebook_hash TEXT NOT NULL,
    versions TEXT NOT NULL,
    n_documents INTEGER NOT NULL,
    n_codings INTEGER NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    blob BLOB,
    metrics TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE redaction_terms (
    term TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('NAME', 'PLACE', 'KEEP')),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (term, kind)
);
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    coder TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL
);
"""


@migrations()
def m001_initial(db: Database) -> None:
    """Create every table of the first schema."""
    for statement in _INITIAL.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations()
def issue17_refi_guids(db: Database) -> None:
    """GUIDs other QDA tools gave to themecode's codes, so a later REFI import matches them."""
    db.execute(
        "CREATE TABLE refi_guids ("
        " guid TEXT PRIMARY KEY,"
        " code_id TEXT NOT NULL REFERENCES codes(id),"
        " source TEXT NOT NULL DEFAULT '',"
        " created_at TEXT NOT NULL)"
    )


@migrations()
def issue19_audit(db: Database) -> None:
    """The audit of the unsampled commentaries: codings made in the audit are marked
    (`codings.audit` = 1, kept out of the sample's saturation figures), and each audit decision
    on a candidate commentary ('coded' or 'dismissed': nothing new) is a row of `audit_reviews`
    (soft-deleted on undo) written together with its event."""
    db.execute("ALTER TABLE codings ADD COLUMN audit INTEGER NOT NULL DEFAULT 0")
    db.execute("""
CREATE TABLE audit_reviews (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    coder TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('coded', 'dismissed')),
    rank INTEGER,
    score REAL,
    method TEXT NOT NULL DEFAULT '',
    note TEXT,
    decided_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
)""")
    db.execute("CREATE INDEX idx_audit_reviews_doc ON audit_reviews(document_id)")


@migrations()
def issue14_theme_review(db: Database) -> None:
    """Record when and by whom a theme was marked reviewed (theme development, issue 14), and
    index codings by code and liveness so a code's extracts are listed fast."""
    db.execute("ALTER TABLE codes ADD COLUMN reviewed_at TEXT")
    db.execute("ALTER TABLE codes ADD COLUMN reviewed_by TEXT")
    db.execute("CREATE INDEX IF NOT EXISTS idx_codings_code_live ON codings(code_id, deleted)")


@migrations()
def i14_browser_index(db: Database) -> None:
    """Covering indexes for the code browser (issue 14): a code's live extracts with their
    commentary, span and coder, and each commentary's case and stage (the list's order), are
    read from indexes alone, so the ordered list of a code with 38,000 extracts is read in a
    third of the time. `idx_codings_code_span` supersedes `idx_codings_code_live`, whose
    columns are its first two."""
    db.execute('CREATE INDEX IF NOT EXISTS idx_codings_code_span ON codings(code_id, deleted, '
               'document_id, start, "end", coder)')
    db.execute("DROP INDEX IF EXISTS idx_codings_code_live")
    db.execute("CREATE INDEX IF NOT EXISTS idx_documents_order ON documents(id, case_id, stage)")
