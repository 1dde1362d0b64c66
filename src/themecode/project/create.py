"""Creating a project in one step: new file, codebook, corpus; removed again if anything fails."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from themecode.codebook import install_codebook, load_codebook
from themecode.corpus.importer import ImportResult, Progress, import_corpus
from themecode.errors import InputFileError, ProjectError
from themecode.project.resources import default_codebook
from themecode.store import Store
from themecode.store.outputs import PARTIAL_SUFFIX, clean_partials

if TYPE_CHECKING:
    from themecode.refi.package import RefiImportResult

R = TypeVar("R")


def init_project(
    path: str | Path,
    corpus: str | Path,
    *,
    codebook: str | Path | None = None,
    coder: str = "",
    progress: Progress | None = None,
    **columns: str,
) -> ImportResult:
    """Create `path` with a codebook (the bundled one by default) and import `corpus` into it.

    The codebook is validated before anything is written; the project is built under a hidden
    temporary name and renamed when complete, so a failed or killed `init` leaves nothing that
    blocks the next one (leftovers of a killed one are cleaned up then).
    """
    cb = load_codebook(codebook or default_codebook())

    def fill(store: Store) -> ImportResult:
        store.set_meta("codebook_name", cb.name)
        install_codebook(store, cb, coder)
        return import_corpus(store, corpus, coder=coder, progress=progress, **columns)

    return _new_project(Path(path), fill)


def init_from_qdpx(path: str | Path, qdpx: str | Path, *, coder: str = "") -> RefiImportResult:
    """Create `path` holding a REFI-QDA `.qdpx` project alone: its own codebook (not the
    bundled one), sources, cases, codings and memos. A failed import leaves no file."""
    from themecode.refi.importer import import_qdpx

    p = Path(path)
    if p.exists():
        raise InputFileError("a file of that name already exists; choose a new project name",
                             path=str(p))
    if not Path(qdpx).exists():
        raise InputFileError("file not found", path=str(qdpx))

    def fill(store: Store) -> RefiImportResult:
        store.set_meta("codebook_name", Path(qdpx).stem)
        return import_qdpx(store, qdpx, coder=coder, create_documents=True)

    return _new_project(p, fill)


def _new_project(p: Path, fill: Callable[[Store], R]) -> R:
    """Create the project file and fill it. It is built under a hidden temporary name and
    renamed when complete, so a failed or killed build leaves nothing under the real name
    (leftovers of a killed one are cleaned up by the next)."""
    if p.exists():
        raise ProjectError(
            f"{p} already exists; themecode will not overwrite a project.",
            hint="choose another file name, or use `themecode import` to add documents to it.")
    if p.parent.is_dir():
        clean_partials(p.parent, f"{p.name}.init")
    tmp = p.with_name(f".{p.name}.init.{os.getpid()}{PARTIAL_SUFFIX}")
    _remove(tmp)
    store = Store.create(tmp)
    try:
        result = fill(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        try:
            os.link(tmp, p)  # fails if `p` appeared meanwhile: never replace a project
        except FileExistsError:
            raise ProjectError(f"{p} appeared while the project was being built; not replaced.",
                               hint="choose another file name.") from None
        except OSError:
            if p.exists():
                raise
            os.replace(tmp, p)  # a file system without hard links
    except BaseException:
        store.close()
        _remove(tmp)
        raise
    _remove(tmp)
    return result


def _remove(db: Path) -> None:
    """Delete a database file and its SQLite side files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
