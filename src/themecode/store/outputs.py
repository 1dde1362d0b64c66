"""Writing an output file safely: never onto the project or an input, atomically, owner-only.

Every file themecode writes for people to share (exports, the report, REFI files, codings and
codebook exports, saturation plots, redaction side reports) goes through `safe_output`:

- the target may not be the project, its `-wal`/`-shm`/`-journal`, anything in its `backups/`
  folder, or a file being read (checked by path and by inode, so links do not slip through);
- the content is written to a hidden temporary file in the same folder, created 0600 whatever
  the umask, flushed, and only then renamed over the target, so an interrupted or failed write
  leaves the previous file (or nothing) in place, never half a file;
- `before_publish` runs after the content is complete and before the rename: an unredacted
  export records its audit event there, so the file never exists without its event.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from themecode.errors import ExportError

BACKUP_DIR = "backups"
PARTIAL_SUFFIX = ".partial"
_SIDE_FILES = ("-wal", "-shm", "-journal")


def project_files(project: str | Path) -> list[Path]:
    """The files an output must never replace: the project, its SQLite side files and backups."""
    p = Path(project)
    return [p, *(Path(str(p) + s) for s in _SIDE_FILES), p.resolve().parent / BACKUP_DIR]


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists() and os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_target(out: str | Path, protect: Iterable[str | Path] = ()) -> Path:
    """Refuse an output path that is a folder, or is (or is inside) a protected file or folder."""
    target = Path(out)
    for p in (Path(x) for x in protect):
        folder = p.name == BACKUP_DIR or p.is_dir()
        if folder and target.resolve().is_relative_to(p.resolve()) or _same(target, p):
            raise ExportError(
                f"Refusing to write {target}: it is {_what(p)}, which would be destroyed.",
                hint="choose another output file name.")
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name to write.",
                          hint="add a file name, e.g. FOLDER/extracts.docx.")
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist; create it first.",
                          hint=f"mkdir -p {target.parent}")
    return target


def _what(p: Path) -> str:
    if p.name == BACKUP_DIR:
        return "in the project's backups folder"
    if p.name.endswith(_SIDE_FILES):
        return f"the project's SQLite side file {p.name}"
    if p.suffix in (".db", ".sqlite", ".sqlite3", ".themecode"):
        return "the project file"
    return f"{p.name}, a file being read or written by this command"


def private_file(path: Path) -> None:
    """Create an empty owner-only (0600) file, failing if it exists (whatever the umask)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _fsync(path: Path, *, folder: bool = False) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        if not folder:  # some file systems cannot fsync a folder; a file must be flushed
            raise
    finally:
        os.close(fd)


def temp_name(target: Path) -> Path:
    """The hidden temporary name beside `target` (unique per process)."""
    return target.with_name(f".{target.name}.{os.getpid()}{PARTIAL_SUFFIX}")


@contextmanager
def safe_outputs(
    outs: Iterable[str | Path],
    *,
    protect: Iterable[str | Path] = (),
    before_publish: Callable[[], None] | None = None,
) -> Iterator[list[Path]]:
    """Yield private temporary paths, one per file of `outs`; on success publish them atomically.

    The writer may open a yielded path as often as it likes (its mode stays 0600). When the
    block fails the temporary files are removed and the targets are untouched; a disk error
    becomes an `ExportError` naming the file. `before_publish` (e.g. logging an audit event)
    runs after everything is written and flushed, just before the renames; if it fails, nothing
    is published.
    """
    protect = [Path(p) for p in protect]
    targets = [check_target(o, protect) for o in outs]
    for i, t in enumerate(targets):
        if any(_same(t, u) for u in targets[:i]):
            raise ExportError(f"{t} would be written twice by one command; choose another name.")
    temps: list[Path] = []
    for t in targets:
        clean_partials(t.parent, t.name)  # left by a write that was killed
    try:
        for t in targets:
            tmp = temp_name(t)
            tmp.unlink(missing_ok=True)
            private_file(tmp)
            temps.append(tmp)
        yield temps
        for tmp in temps:
            _fsync(tmp)
            os.chmod(tmp, 0o600)
        if before_publish is not None:
            before_publish()
        for tmp, t in zip(temps, targets, strict=True):
            os.replace(tmp, t)
        for d in {t.parent for t in targets}:
            _fsync(d, folder=True)
    except OSError as exc:
        _remove(temps)
        names = {str(tmp): t for tmp, t in zip(temps, targets, strict=False)}
        where = getattr(exc, "filename", None) or (targets[0] if targets else "")
        where = names.get(str(where), where)
        raise ExportError(f"Cannot write {where}: {exc.strerror or exc}; nothing was written.",
                          hint="check the folder is writable and the disk has space.") from exc
    except BaseException:
        _remove(temps)
        raise


def _remove(paths: Iterable[Path]) -> None:
    for p in paths:
        try:
            p.unlink(missing_ok=True)
        except OSError:
            continue  # the folder itself went away or is read-only: nothing more to clean


@contextmanager
def safe_output(
    out: str | Path,
    *,
    protect: Iterable[str | Path] = (),
    before_publish: Callable[[], None] | None = None,
) -> Iterator[Path]:
    """`safe_outputs` for a single file: yields its temporary path."""
    with safe_outputs([out], protect=protect, before_publish=before_publish) as (tmp,):
        yield tmp


def write_output(
    out: str | Path,
    data: str | bytes,
    *,
    protect: Iterable[str | Path] = (),
    before_publish: Callable[[], None] | None = None,
) -> Path:
    """Write `data` (text as UTF-8) to `out` through `safe_output`; returns the path."""
    with safe_output(out, protect=protect, before_publish=before_publish) as tmp:
        if isinstance(data, str):
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(data)
        else:
            tmp.write_bytes(data)
    return Path(out)


def clean_partials(folder: str | Path, name: str = "", *, older_than: float = 60.0) -> list[Path]:
    """Remove leftover hidden `.partial` files in `folder` (of the file `name`, or all) left by a
    process killed mid-write, if older than `older_than` seconds; returns what was removed."""
    import time

    removed: list[Path] = []
    d = Path(folder)
    if not d.is_dir():
        return removed
    limit = time.time() - older_than
    for f in d.glob(f".{glob.escape(name)}*{PARTIAL_SUFFIX}*"):
        try:
            if f.is_file() and f.stat().st_mtime < limit:
                f.unlink()
                removed.append(f)
        except OSError:
            continue  # gone meanwhile, or not ours to remove
    return removed
