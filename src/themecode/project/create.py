"""Creating a project in one step: new file, codebook, corpus; removed again if anything fails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from themecode.codebook import install_codebook, load_codebook
from themecode.corpus.importer import ImportResult, Progress, import_corpus
from themecode.errors import InputFileError
from themecode.project.resources import default_codebook
from themecode.store import Store

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

    The codebook is validated before anything is written; if the import fails the half-made
    file is deleted, so a failed `init` leaves nothing behind.
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
    """Create the project file and fill it; delete the half-made file if filling fails."""
    store = Store.create(p)
    try:
        result = fill(store)
    except BaseException:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
        raise
    store.close()
    return result
