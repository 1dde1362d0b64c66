"""The project database: one private SQLite file, opened, migrated and read/written through `Store`.

Every user action is one short `BEGIN IMMEDIATE` transaction that writes the change *and* its row
in the append-only `events` table, so a crash never leaves half an action and undo/redo can be
rebuilt from the events after a restart. The connection runs in autocommit mode
(`isolation_level=None`); transactions are explicit.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from themecode.errors import ProjectError, ThemecodeError, UnknownCodeError
from themecode.store.actions import ActionsMixin
from themecode.store.migrations import migrations
from themecode.store.records import (
    STAGE_ORDER,
    Case,
    Code,
    Coding,
    Document,
    Event,
    Memo,
    SampleRow,
    SentenceSpan,
    now,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

APP_ID = 0x54484D43  # "THMC": marks a file as a themecode project (PRAGMA application_id)
BUSY_TIMEOUT_MS = 30_000

def _create_private(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (mode 0600)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def connect(path: Path) -> sqlite3.Connection:
    """Open a connection in autocommit mode with WAL, a busy timeout and foreign keys on."""
    conn = sqlite3.connect(
        str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Store(ActionsMixin):
    """A themecode project file. Use `Store.create` or `Store.open`; close with `close()`.

    A `Store` holds one connection; give each thread its own `Store` (`store.reopen()`).
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = Path(path)
        self.conn = conn
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        """The sqlite-utils view of the connection, made on first use (importing sqlite-utils
        costs ~0.3 s, which opening the coding screen does not need to pay)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: str | Path) -> Store:
        """Create a new, empty, migrated project file (mode 0600); refuse to overwrite one."""
        path = Path(path)
        if path.exists():
            raise ProjectError(
                f"{path} already exists; themecode will not overwrite a project.",
                hint="choose another file name, or use `themecode import` to add documents to it.",
            )
        if not path.parent.exists():
            raise ProjectError(f"The folder {path.parent} does not exist; create it first.")
        _create_private(path)
        conn = connect(path)
        conn.execute(f"PRAGMA application_id = {APP_ID}")
        store = cls(path, conn)
        migrations.apply(store.db)
        store.set_meta("created_at", now())
        store.set_meta("schema", "themecode")
        return store

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open an existing project, applying any pending migrations."""
        path = Path(path)
        if not path.exists():
            raise ProjectError(
                f"No project at {path}.",
                hint=f"create one with `themecode init {path} --corpus FILE.csv`.",
            )
        try:
            conn = connect(path)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "readonly" in text or "unable to open" in text:
                raise ProjectError(
                    f"{path} cannot be opened for writing ({text}).",
                    hint="check the permissions of the file and of its folder (SQLite keeps "
                    "-wal and -shm files beside it), or copy the project somewhere writable.",
                ) from exc
            raise ProjectError(f"{path} is not a themecode project ({exc}).") from exc
        if app_id != APP_ID:
            conn.close()
            raise ProjectError(
                f"{path} is an SQLite file but not a themecode project.",
                hint="give the path of a file made by `themecode init`.",
            )
        store = cls(path, conn)
        if migrations.pending_names(conn):
            migrations.apply(store.db)
        return store

    def reopen(self) -> Store:
        """A second `Store` on the same file, for use from another thread."""
        return Store.open(self.path)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Store]:
        """One write transaction (`BEGIN IMMEDIATE`), retried while another process holds the lock.

        Nested use joins the outer transaction through a savepoint.
        """
        if self.conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000 * 2
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    err = self._write_error(exc)
                    if err is exc:
                        raise
                    raise err from exc
                if time.monotonic() > deadline:
                    raise ProjectError(
                        f"{self.path} stayed locked by another program for too long; try again."
                    ) from exc
                time.sleep(0.05)
        try:
            yield self
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback()
            err = self._write_error(exc)
            if err is exc:
                raise
            raise err from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        # SQLite may already have rolled back (e.g. after a full disk): nothing was written then
        with suppress(sqlite3.OperationalError):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def _write_error(self, exc: sqlite3.OperationalError) -> Exception:
        """A write that the file system refused, as a message for people (others unchanged)."""
        text = str(exc)
        if "readonly" in text or "read-only" in text:
            return ProjectError(
                f"{self.path} is read-only: nothing was changed ({text}).",
                hint="check the file's and its folder's permissions (the folder must be "
                "writable too, for the -wal file), or copy the project somewhere writable.")
        if "full" in text or "disk I/O" in text:
            return ProjectError(
                f"Could not write to {self.path}: {text}; nothing was changed.",
                hint="free some disk space, then do it again; work saved before is safe.")
        return exc

    # ------------------------------------------------------------------ meta
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A project setting stored in `meta`."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        """Store a project setting."""
        with self.write():
            self.conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ------------------------------------------------------------------ events
    def log_event(
        self,
        coder: str,
        action: str,
        target: str | None = None,
        payload: dict[str, Any] | None = None,
        *,
        undoes: int | None = None,
        redoes: int | None = None,
    ) -> int:
        """Append one event (call inside `write()` together with the change it records)."""
        cur = self.conn.execute(
            "INSERT INTO events(at, coder, action, target, payload, undoes, redoes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (now(), coder, action, target, json.dumps(payload or {}, sort_keys=True), undoes, redoes),
        )
        return int(cur.lastrowid or 0)

    def events(self, coder: str | None = None, action: str | None = None) -> list[Event]:
        """Events in order, optionally for one coder and/or one action."""
        sql = "SELECT id, at, coder, action, target, payload, undoes, redoes FROM events"
        where, args = [], []
        if coder is not None:
            where.append("coder = ?")
            args.append(coder)
        if action is not None:
            where.append("action = ?")
            args.append(action)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        return [
            Event(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7])
            for r in self.conn.execute(sql, args)
        ]

    # ------------------------------------------------------------------ reads
    def counts(self) -> dict[str, int]:
        """Row counts of the main tables."""
        out = {}
        for table in ("cases", "documents", "sentences", "samples", "memos", "events"):
            out[table] = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        out["codes"] = self.conn.execute(
            "SELECT count(*) FROM codes WHERE kind = 'code' AND retired = 0"
        ).fetchone()[0]
        out["codings"] = self.conn.execute(
            "SELECT count(*) FROM codings WHERE deleted = 0"
        ).fetchone()[0]
        return out

    @staticmethod
    def _document(row: Sequence[Any]) -> Document:
        return Document(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))

    def document(self, doc_id: str) -> Document:
        """One document by id."""
        row = self.conn.execute(
            "SELECT id, case_id, stage, text, content_hash, metadata FROM documents WHERE id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            raise ThemecodeError(f"No document with id {doc_id!r} in {self.path}.")
        return self._document(row)

    def has_document(self, doc_id: str) -> bool:
        """Whether a document id exists."""
        return (
            self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone()
            is not None
        )

    def case_documents(self, case_id: str) -> list[Document]:
        """A case's documents in stage order (assessment, planning, implementation, reviewing)."""
        rows = self.conn.execute(
            "SELECT id, case_id, stage, text, content_hash, metadata FROM documents "
            "WHERE case_id = ?",
            (case_id,),
        ).fetchall()
        docs = [self._document(r) for r in rows]
        return sorted(docs, key=lambda d: (STAGE_ORDER.get(d.stage or "", 9), d.id))

    def case(self, case_id: str) -> Case:
        """One case with its metadata and document ids."""
        row = self.conn.execute(
            "SELECT id, metadata FROM cases WHERE id = ?", (case_id,)
        ).fetchone()
        if row is None:
            raise ThemecodeError(f"No case with id {case_id!r} in {self.path}.")
        docs = self.case_documents(case_id)
        return Case(row[0], json.loads(row[1]), tuple(d.id for d in docs))

    def sentences(self, doc_id: str) -> list[SentenceSpan]:
        """A document's sentences in order."""
        return [
            SentenceSpan(*r)
            for r in self.conn.execute(
                'SELECT document_id, idx, start, "end", lemmas FROM sentences '
                "WHERE document_id = ? ORDER BY idx",
                (doc_id,),
            )
        ]

    def sample(self) -> list[SampleRow]:
        """The sampled cases in draw (coding) order."""
        return [
            SampleRow(*r)
            for r in self.conn.execute(
                "SELECT case_id, draw_order, seed, round FROM samples ORDER BY draw_order"
            )
        ]

    @staticmethod
    def _code(row: sqlite3.Row | Sequence[Any]) -> Code:
        r = list(row)
        return Code(
            id=r[0], label=r[1], kind=r[2], parent=r[3], definition=r[4], inclusion=r[5],
            exclusion=r[6], example=r[7], keywords=tuple(json.loads(r[8])), shortcut=r[9],
            colour=r[10], sort_order=r[11], origin=r[12], created_by=r[13], created_at=r[14],
            retired=bool(r[15]), merged_into=r[16], reviewed_at=r[17], reviewed_by=r[18],
        )

    _CODE_COLS = (
        "id, label, kind, parent, definition, inclusion, exclusion, example, keywords, shortcut, "
        "colour, sort_order, origin, created_by, created_at, retired, merged_into, reviewed_at, "
        "reviewed_by"
    )

    def codes(self, *, include_retired: bool = False, kind: str | None = None) -> list[Code]:
        """Themes and codes in codebook order (themes first within their sort order)."""
        sql = f"SELECT {self._CODE_COLS} FROM codes"
        where, args = [], []
        if not include_retired:
            where.append("retired = 0")
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY sort_order, id"
        return [self._code(r) for r in self.conn.execute(sql, args)]

    def code(self, code_id: str) -> Code:
        """One code or theme by id (retired ones included)."""
        row = self.conn.execute(
            f"SELECT {self._CODE_COLS} FROM codes WHERE id = ?", (code_id,)
        ).fetchone()
        if row is None:
            raise UnknownCodeError(
                f"Unknown code {code_id!r}.",
                hint="list the codes with `themecode codebook PROJECT show`, "
                "or add it with `themecode codebook PROJECT add`.",
            )
        return self._code(row)

    def codings(
        self,
        document_id: str | None = None,
        coder: str | None = None,
        *,
        include_deleted: bool = False,
        code_id: str | None = None,
    ) -> list[Coding]:
        """Codings, filtered, ordered by document then start."""
        sql = (
            'SELECT id, document_id, start, "end", code_id, coder, created_at, deleted, memo '
            "FROM codings"
        )
        where, args = [], []
        for col, val in (("document_id", document_id), ("coder", coder), ("code_id", code_id)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(val)
        if not include_deleted:
            where.append("deleted = 0")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY document_id, start, id"
        return [
            Coding(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8])
            for r in self.conn.execute(sql, args)
        ]

    def coders(self) -> list[str]:
        """Everyone who has coded something (live codings)."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT coder FROM codings WHERE deleted = 0 ORDER BY coder"
            )
        ]

    def status(self, unit_type: str, unit_id: str, coder: str) -> str:
        """A coder's status for a document or case ('open' when never set)."""
        row = self.conn.execute(
            "SELECT status FROM progress WHERE unit_type = ? AND unit_id = ? AND coder = ?",
            (unit_type, unit_id, coder),
        ).fetchone()
        return row[0] if row else "open"

    def memos(self, target_type: str | None = None, target_id: str | None = None) -> list[Memo]:
        """Live memos, optionally on one target."""
        sql = (
            "SELECT id, target_type, target_id, coder, text, created_at, updated_at, deleted "
            "FROM memos WHERE deleted = 0"
        )
        args: list[Any] = []
        if target_type:
            sql += " AND target_type = ?"
            args.append(target_type)
        if target_id:
            sql += " AND target_id = ?"
            args.append(target_id)
        sql += " ORDER BY id"
        return [
            Memo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]))
            for r in self.conn.execute(sql, args)
        ]
