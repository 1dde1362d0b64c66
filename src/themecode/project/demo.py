"""The bundled demo project: 1,748 synthetic cases, the public-protection codebook, a 25% sample."""

from __future__ import annotations

from pathlib import Path

from themecode.corpus.importer import Progress
from themecode.project.create import init_project
from themecode.project.resources import data_path, default_codebook
from themecode.sample.draw import draw_sample
from themecode.store import Store

DEMO_SEED = 2025
DEMO_FRACTION = 0.25


def build_demo(directory: str | Path, *, progress: Progress | None = None) -> Path:
    """Build `demo.db` in `directory` unless it is already there; return its path."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    db = d / "demo.db"
    if db.exists():
        return db
    tmp = d / "demo.db.building"
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    init_project(tmp, data_path("demo", "commentaries.csv"), codebook=default_codebook(),
                 coder="demo", progress=progress)
    with Store.open(tmp) as store:
        draw_sample(store, DEMO_FRACTION, DEMO_SEED, coder="demo")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    tmp.rename(db)
    return db
