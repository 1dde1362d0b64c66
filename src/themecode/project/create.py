"""Creating a project in one step: new file, codebook, corpus; removed again if anything fails."""

from __future__ import annotations

from pathlib import Path

from themecode.codebook import install_codebook, load_codebook
from themecode.corpus import ImportResult, Progress, import_corpus
from themecode.project.resources import default_codebook
from themecode.store import Store


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
    p = Path(path)
    store = Store.create(p)
    try:
        store.set_meta("codebook_name", cb.name)
        install_codebook(store, cb, coder)
        result = import_corpus(store, corpus, coder=coder, progress=progress, **columns)
    except BaseException:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
        raise
    store.close()
    return result
