"""The schema is pinned: a change to any table's columns must come with a new migration."""

from __future__ import annotations

import stat
from pathlib import Path

from themecode.store import Store
from themecode.store.migrations import migrations

EXPECTED = {
    "meta": ["key", "value"],
    "cases": ["id", "metadata", "created_at"],
    "documents": ["id", "case_id", "stage", "text", "content_hash", "metadata", "source",
                  "source_row", "created_at"],
    "sentences": ["document_id", "idx", "start", "end", "lemmas"],
    "codebook_versions": ["id", "created_at", "created_by", "reason", "hash", "snapshot"],
    "codes": ["id", "label", "kind", "parent", "definition", "inclusion", "exclusion", "example",
              "keywords", "shortcut", "colour", "sort_order", "origin", "created_by",
              "created_at", "retired", "merged_into", "reviewed_at", "reviewed_by"],
    "samples": ["case_id", "draw_order", "seed", "round", "fraction", "stratify", "drawn_at",
                "drawn_by"],
    "codings": ["id", "document_id", "start", "end", "code_id", "coder", "created_at",
                "deleted", "deleted_at", "memo", "audit"],
    "machine_codings": ["id", "document_id", "code_id", "score", "model_id", "created_at"],
    "memos": ["id", "target_type", "target_id", "coder", "text", "created_at", "updated_at",
              "deleted"],
    "progress": ["unit_type", "unit_id", "coder", "status", "note", "updated_at"],
    "events": ["id", "at", "coder", "action", "target", "payload", "undoes", "redoes"],
    "suggestion_log": ["id", "at", "coder", "document_id", "start", "end", "code_id", "score",
                       "rank", "source", "model_id", "outcome", "decided_at"],
    "models": ["id", "created_at", "kind", "codebook_hash", "versions", "n_documents",
               "n_codings", "params", "blob", "metrics"],
    "redaction_terms": ["term", "kind", "added_by", "added_at"],
    "imports": ["id", "at", "coder", "kind", "path", "sha256", "rows"],
    "refi_guids": ["guid", "code_id", "source", "created_at"],
    "audit_reviews": ["id", "document_id", "coder", "decision", "rank", "score", "method", "note",
                      "decided_at", "deleted"],
}


def test_schema_is_pinned(tmp_path: Path) -> None:
    with Store.create(tmp_path / "s.db") as store:
        tables = {
            name: [c.name for c in store.db[name].columns]
            for name in store.db.table_names()
            if not name.startswith(("_sqlite", "sqlite_"))
        }
    assert tables == EXPECTED


def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store.create(path).close()
    with Store.open(path) as store:
        assert migrations.pending(store.db) == []
        applied = [m.name for m in migrations.applied(store.db)]
    assert applied == ["m001_initial", "issue17_refi_guids", "issue19_audit",
                       "issue14_theme_review", "i14_browser_index"]


def test_pragmas_wal_foreign_keys_busy_timeout(tmp_path: Path) -> None:
    with Store.create(tmp_path / "s.db") as store:
        c = store.conn
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert c.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_project_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store.create(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_code_browser_reads_codings_from_the_covering_index(tmp_path: Path) -> None:
    """i14_browser_index: a code's live extracts (commentary, span, coder) come from the index
    alone, and the narrower index it supersedes is gone."""
    with Store.create(tmp_path / "s.db") as store:
        plan = " ".join(r[3] for r in store.conn.execute(
            'EXPLAIN QUERY PLAN SELECT id, document_id, start, "end", coder FROM codings '
            "WHERE code_id = ? AND deleted = 0", ("x",)))
        ordered = " ".join(r[3] for r in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT d.case_id, d.stage FROM documents d "
            "INDEXED BY idx_documents_order WHERE d.id = ?", ("x",)))
        indexes = {r[0] for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'codings'")}
    assert "COVERING INDEX idx_codings_code_span" in plan
    assert "COVERING INDEX idx_documents_order" in ordered
    assert "idx_codings_code_live" not in indexes


def test_open_checks_migrations_without_importing_sqlite_utils(tmp_path: Path) -> None:
    """Opening an up-to-date project reads the applied names with plain SQL: sqlite-utils (and
    the pandas/numpy it pulls in) stays unimported, which keeps the coding screen's first paint
    quick; a project missing the newest migration still gets it on open."""
    import subprocess
    import sys

    path = tmp_path / "s.db"
    Store.create(path).close()
    probe = ("import sys; from themecode.store import Store; s = Store.open(sys.argv[1]); "
             "s.conn.execute('SELECT count(*) FROM codings').fetchone(); "
             "print(sorted(m for m in ('sqlite_utils', 'pandas', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
    with Store.open(path) as store:
        assert migrations.pending_names(store.conn) == [m.name for m in migrations.pending(store.db)] == []


def test_lazy_migrations_apply_what_is_pending(tmp_path: Path) -> None:
    """A migration added later is found pending by the plain-SQL check and applied once."""
    import sqlite3

    from sqlite_utils import Database

    from themecode.store.migrations import LazyMigrations

    lazy = LazyMigrations("test-set")

    @lazy()
    def first(db: Database) -> None:
        db.execute("CREATE TABLE a (x)")

    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    assert lazy.pending_names(conn) == ["first"]
    lazy.apply(Database(conn))

    @lazy()
    def second(db: Database) -> None:
        db.execute("CREATE TABLE b (y)")

    assert lazy.pending_names(conn) == ["second"]
    lazy.apply(Database(conn))
    assert lazy.pending_names(conn) == []
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} >= {"a", "b"}
    conn.close()
