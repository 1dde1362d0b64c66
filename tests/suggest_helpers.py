"""Helpers for the suggester tests: small projects coded with the demo's gold codings.

Building and fitting a project takes seconds, so the tests build each kind once per session
(`build_project`) and copy the file for every test that changes it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from by_path import root_conftest

from themecode.project.codings import import_codings
from themecode.project.create import init_project
from themecode.sample.draw import draw_sample
from themecode.store import Store

_conf = root_conftest()  # not `from conftest`: tests/tui/conftest.py shares the name
CODEBOOK = _conf.CODEBOOK
DEMO_CSV = _conf.DEMO_CSV
demo_head = _conf.demo_head
write_small_corpus = _conf.write_small_corpus

REPO = Path(__file__).resolve().parent.parent
DEMO_GOLD = REPO / "corpus" / "demo" / "gold-codings.jsonl"


def code_with_gold(store: Store, tmp_dir: Path, *, sample_only: bool = False,
                   coder: str = "gold") -> None:
    """Import the demo gold codings of the project's documents as `coder`."""
    ids = {r[0] for r in store.conn.execute("SELECT id FROM documents")}
    path = tmp_dir / f"gold-{store.path.stem}.jsonl"
    with DEMO_GOLD.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
        for line in src:
            if json.loads(line)["doc_id"] in ids:
                dst.write(line)
    import_codings(store, path, coder=coder, sample_only=sample_only, create_codes=True,
                   mark_done=True)


def build_project(directory: Path, name: str, n_cases: int = 40, *, coded: str = "all",
                  fit: bool = False) -> Path:
    """A demo-head project (25% sample, seed 2025), gold-coded: "all", "sample" or "none"."""
    from themecode.suggest.suggester import fit_and_save

    directory.mkdir(parents=True, exist_ok=True)
    src = directory / f"{name}.csv"
    if DEMO_CSV.exists():
        demo_head(src, n_cases)
    else:  # pragma: no cover - the demo corpus ships with the repository
        write_small_corpus(src, n_cases)
    db = directory / f"{name}.db"
    init_project(db, src, codebook=CODEBOOK, coder="lead")
    with Store.open(db) as store:
        draw_sample(store, 0.25, 2025, coder="lead")
        if coded != "none":
            code_with_gold(store, directory, sample_only=coded == "sample")
        if fit:
            fit_and_save(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def copy_project(db: Path, tmp_path: Path) -> Store:
    """A private copy of a prepared project, opened."""
    dst = tmp_path / db.name
    shutil.copy(db, dst)
    return Store.open(dst)
