"""Automatic, rotated backups of a project file and restoring one of them.

A backup is a consistent copy taken with SQLite's online backup API (never a raw file copy, which
could catch the database halfway through a write or miss what is still in the `-wal` file). Copies
go to a private `backups/` folder beside the project, named `<stem>-<UTC time>.db` so they sort by
time; only the newest N are kept (`meta` key `backup_keep`, default 10). Restoring first keeps a
safety copy of the current file, so a restore can itself be undone.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from themecode.errors import ProjectError
from themecode.store import APP_ID, Store, now
from themecode.store.outputs import BACKUP_DIR, clean_partials

DEFAULT_KEEP = 10
_STAMP = "%Y%m%dT%H%M%S%fZ"
_STAMP_RE = r"(\d{8}T\d{12}Z)"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when it was taken, and how big it is."""

    path: Path
    taken_at: datetime
    size: int
    safety: bool = False  # a copy taken just before a restore (never rotated away)


def backup_dir(project: str | Path) -> Path:
    """The folder holding a project's backups (`backups/` beside the project file)."""
    return Path(project).resolve().parent / BACKUP_DIR


def _private_dir(d: Path) -> None:
    """Create `d` (mode 0700) if missing; backups hold confidential text. Leftover `.partial`
    copies of a backup or restore that was killed are removed."""
    if d.exists() and not d.is_dir():
        raise ProjectError(
            f"{d} is a file, but themecode keeps the project's backups in a folder of that name.",
            hint=f"rename or move {d} away, then try again (nothing was changed).")
    clean_partials(d)
    if not d.exists():
        d.mkdir(mode=0o700, parents=True)
        os.chmod(d, 0o700)


def _private_file(path: Path) -> None:
    """Create an empty owner-only (0600) file, failing if it exists."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _keep_setting(project: Path, keep: int | None) -> int:
    """The number of backups to keep: the argument, else `meta.backup_keep`, else 10."""
    if keep is None:
        row = _read_row(project, "SELECT value FROM meta WHERE key = 'backup_keep'")
        if row is not None:
            try:
                keep = int(row[0])
            except ValueError:
                raise ProjectError(
                    f"The project setting backup_keep is {row[0]!r}, not a whole number.",
                    hint="set it with `themecode backup PROJECT --keep N`.",
                ) from None
        else:
            keep = DEFAULT_KEEP
    if keep < 1:
        raise ProjectError(f"Keeping {keep} backups would delete them all; keep at least 1.")
    return keep


def _copy_with_backup_api(source: sqlite3.Connection, target: Path) -> None:
    """Copy the whole database behind `source` into the new private file `target`."""
    dest = sqlite3.connect(str(target), isolation_level=None)
    try:
        source.backup(dest)
        # A single self-contained file: no -wal/-shm appear when the backup is opened later.
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    os.chmod(target, 0o600)


def _fsync(path: Path) -> None:
    """Flush a file's (or a folder's) content to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_name(d: Path, stem: str, tag: str = "") -> Path:
    """A fresh, time-sortable file name in `d` (never an existing one)."""
    while True:
        stamp = datetime.now(UTC).strftime(_STAMP)
        candidate = d / f"{stem}-{tag}{stamp}.db"
        if not candidate.exists():
            return candidate


def backup_project(path: str | Path, *, keep: int | None = None) -> Path:
    """Take a consistent backup of the project at `path` and rotate old ones; return the copy.

    Safe while the project is open elsewhere (readers and writers carry on). `keep` overrides
    the project's `backup_keep` setting (default 10). Safety copies made by a restore are not
    rotated away.
    """
    project = Path(path).resolve()
    if not project.is_file():
        raise ProjectError(f"No project at {project} to back up.")
    keep_n = _keep_setting(project, keep)
    d = backup_dir(project)
    _private_dir(d)
    target = _new_name(d, project.stem)
    # Written under a hidden temporary name and renamed when complete, so a crash mid-backup
    # never leaves a half copy that looks like a backup.
    partial = d / f".{target.name}.partial"
    partial.unlink(missing_ok=True)
    _private_file(partial)
    try:
        source = sqlite3.connect(str(project), isolation_level=None)
        try:
            app_id = source.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APP_ID:
                raise ProjectError(f"{project} is not a themecode project; nothing backed up.")
            _copy_with_backup_api(source, partial)
        finally:
            source.close()
        _fsync(partial)
        os.replace(partial, target)
        _fsync(d)
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise ProjectError(f"Could not back up {project}: {exc}.") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for old in [b for b in list_backups(project) if not b.safety][:-keep_n]:
        old.path.unlink(missing_ok=True)
    return target


def _last_event(db: Path) -> tuple[int, int] | None:
    """(last event id, number of events) of a project or backup file, read-only; None if unreadable."""
    row = _read_row(db, "SELECT coalesce(max(id), 0), count(*) FROM events")
    return None if row is None else (int(row[0]), int(row[1]))


def _read_row(db: Path, sql: str) -> tuple[Any, ...] | None:
    """One row of a query on a project or backup opened read-only; None if unreadable or empty."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            row: tuple[Any, ...] | None = conn.execute(sql).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return row


def backup_if_changed(path: str | Path, *, keep: int | None = None) -> Path | None:
    """The coding session's automatic backup: taken only when the project changed since the
    newest backup (its event log grew), so opening and closing a project repeatedly costs no
    disk; returns the new copy, or None when the newest backup already holds everything."""
    project = Path(path).resolve()
    newest = [b for b in list_backups(project) if not b.safety]
    if newest:
        now_at = _last_event(project)
        if now_at is not None and now_at == _last_event(newest[-1].path):
            return None
    return backup_project(project, keep=keep)


def list_backups(path: str | Path) -> list[BackupInfo]:
    """The project's backups, oldest first (safety copies from restores included)."""
    project = Path(path).resolve()
    d = backup_dir(project)
    if not d.is_dir():
        return []
    pattern = re.compile(rf"^{re.escape(project.stem)}-(pre-restore-)?{_STAMP_RE}\.db$")
    out: list[BackupInfo] = []
    for f in d.iterdir():
        m = pattern.match(f.name)
        if m and f.is_file():
            taken = datetime.strptime(m.group(2), _STAMP).replace(tzinfo=UTC)
            out.append(BackupInfo(f, taken, f.stat().st_size, safety=bool(m.group(1))))
    return sorted(out, key=lambda b: (b.taken_at, b.path.name))


def describe_backup(backup: str | Path) -> dict[str, int] | None:
    """Row counts of a backup (documents, codings, memos, events), read without changing it;
    None when the file cannot be read as a project (damaged, or cut short)."""
    try:
        conn = sqlite3.connect(f"file:{Path(backup).resolve()}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        return None
    try:
        return {
            "documents": conn.execute("SELECT count(*) FROM documents").fetchone()[0],
            "codings": conn.execute("SELECT count(*) FROM codings WHERE deleted = 0").fetchone()[0],
            "memos": conn.execute("SELECT count(*) FROM memos WHERE deleted = 0").fetchone()[0],
            "events": conn.execute("SELECT count(*) FROM events").fetchone()[0],
        }
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def resolve_backup(project: str | Path, backup: str | Path | None) -> Path:
    """Find a backup by path, by file name in `backups/`, or (None) the newest regular one."""
    found = list_backups(project)
    if backup is None:
        regular = [b for b in found if not b.safety]
        if not regular:
            raise ProjectError(
                f"{project} has no backups in {backup_dir(project)}.",
                hint="backups are taken each time the coding UI opens, or with `themecode backup`.",
            )
        return regular[-1].path
    p = Path(backup)
    if p.is_file():
        return p.resolve()
    by_name = {b.path.name: b.path for b in found}
    if str(backup) in by_name:
        return by_name[str(backup)]
    raise ProjectError(
        f"No backup {str(backup)!r} for {project}.",
        hint=f"list them with `themecode restore {project} --list`.",
    )


def _check_backup(backup: Path) -> None:
    """Refuse a file that is not an intact themecode project."""
    try:
        conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{backup} cannot be read as a database ({exc}); not restored.") from exc
    if app_id != APP_ID:
        raise ProjectError(f"{backup} is not a themecode project; not restored.")
    if check != "ok":
        raise ProjectError(f"{backup} is damaged ({check}); not restored.",
                           hint="choose an older backup from `themecode restore PROJECT --list`.")


def _safety_copy(project: Path) -> Path:
    """Keep the current project before it is overwritten (backup API, or raw bytes if damaged)."""
    d = backup_dir(project)
    _private_dir(d)
    target = _new_name(d, project.stem, "pre-restore-")
    # Written under a hidden `.partial` name and renamed when complete (like backups), so a
    # kill halfway never leaves half a copy under a backup's name.
    partial = d / f".{target.name}.partial"
    _private_file(partial)
    try:
        try:
            source = sqlite3.connect(str(project), isolation_level=None)
            try:
                _copy_with_backup_api(source, partial)
            finally:
                source.close()
        except sqlite3.DatabaseError:
            # The current file is damaged: keep its bytes (and its -wal) exactly as they are.
            shutil.copyfile(project, partial)
            wal = Path(str(project) + "-wal")
            if wal.exists():
                _private_file(Path(str(target) + "-wal"))
                shutil.copyfile(wal, Path(str(target) + "-wal"))
        _fsync(partial)
        os.replace(partial, target)
        _fsync(d)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def looks_open(project: str | Path) -> bool:
    """Whether another program seems to have the project open: SQLite removes the `-shm` file
    when the last connection closes, so one that exists means a session is open (or crashed)."""
    return Path(str(Path(project).resolve()) + "-shm").exists()


def restore_backup(
    path: str | Path, backup: str | Path | None = None, *, yes: bool = False, coder: str = ""
) -> Path:
    """Replace the project's content with a backup (newest if None); returns the safety copy.

    Needs `yes=True`: the current content is replaced (it is kept first as a `pre-restore`
    copy in `backups/`). The restored project gets a `restore` event naming the backup and who
    restored it.
    """
    project = Path(path).resolve()
    source = resolve_backup(project, backup)
    if source == project:
        raise ProjectError("A project cannot be restored from itself.")
    _check_backup(source)
    if not yes:
        raise ProjectError(
            f"Restoring replaces everything in {project} with {source.name}.",
            hint="the current file is kept as a pre-restore backup; pass --yes to go ahead.",
        )
    safety = _safety_copy(project) if project.exists() else None
    if safety is None:
        _private_file(project)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            dest = sqlite3.connect(str(project), isolation_level=None, timeout=30)
            try:
                src.backup(dest)
                dest.execute("PRAGMA journal_mode = WAL")
            finally:
                dest.close()
        except sqlite3.DatabaseError:
            # The current file is unreadable: put a fresh private copy in its place atomically.
            tmp = project.with_name(project.name + ".restoring")
            tmp.unlink(missing_ok=True)
            _private_file(tmp)
            _copy_with_backup_api(src, tmp)
            for suffix in ("-wal", "-shm"):
                Path(str(project) + suffix).unlink(missing_ok=True)
            os.replace(tmp, project)
    finally:
        src.close()
    os.chmod(project, 0o600)
    with Store.open(project) as store, store.write():
        store.log_event(coder, "restore", str(source),
                        {"backup": source.name, "safety_copy": safety.name if safety else None,
                         "at": now()})
    return safety if safety is not None else source
