"""Fixtures of the review package tests: a small real project coded by two coders, built once per
test process and copied for each test (each test gets its own file to change)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from by_path import root_conftest

from themecode.store import Store


def code_project(db: Path) -> dict[str, list[int]]:
    """Code the first sentence of every sampled commentary `domestic_abuse_checks` by amy, every
    other one also by ben, and the second sentence (where there is one) `contingency_planning`
    by amy; returns the coding ids by (code, coder)."""
    ids: dict[str, list[int]] = {}
    with Store.open(db) as store:
        docs = [d for row in store.sample() for d in store.case_documents(row.case_id)]
        for i, doc in enumerate(docs):
            sents = store.sentences(doc.id)
            first = sents[0]
            ids.setdefault("da:amy", []).append(
                store.add_coding(doc.id, first.start, first.end, "domestic_abuse_checks", "amy").id)
            if i % 2 == 0:
                ids.setdefault("da:ben", []).append(
                    store.add_coding(doc.id, first.start, first.end, "domestic_abuse_checks",
                                     "ben").id)
            if len(sents) > 1:
                ids.setdefault("cp:amy", []).append(
                    store.add_coding(doc.id, sents[1].start, sents[1].end, "contingency_planning",
                                     "amy").id)
            store.set_status("document", doc.id, "amy", "done")
            store.set_status("document", doc.id, "ben", "done")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return ids


@pytest.fixture(scope="session")
def coded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[int]]]:
    """Six demo cases, all sampled (seed 2025), coded by `code_project`: built once."""
    from themecode.project.create import init_project
    from themecode.sampling import draw_sample

    conf = root_conftest()
    d = tmp_path_factory.mktemp("review-template")
    src = d / "c.csv"
    if conf.DEMO_CSV.exists():
        conf.demo_head(src, 6)
    else:
        conf.write_small_corpus(src, 6)
    db = d / "coded.db"
    init_project(db, src, codebook=conf.CODEBOOK, coder="lead")
    with Store.open(db) as store:
        draw_sample(store, 1.0, 2025, coder="lead")
    return db, code_project(db)


@pytest.fixture
def coded(coded_template: tuple[Path, dict[str, list[int]]],
          tmp_path: Path) -> tuple[Path, dict[str, list[int]]]:
    """A fresh copy of the coded project for one test."""
    db = tmp_path / "coded.db"
    shutil.copy(coded_template[0], db)
    db.chmod(0o600)
    return db, coded_template[1]
