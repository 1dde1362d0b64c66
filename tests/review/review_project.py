"""The review package tests' project: a small real project coded by two coders, built once per
test process and copied for each test (each test gets its own file to change). Not a conftest:
`from conftest import ...` elsewhere must keep finding the root one."""

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


_TEMPLATE: dict[str, tuple[Path, dict[str, list[int]]]] = {}


def coded_copy(factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Path, dict[str, list[int]]]:
    """A fresh copy, for one test, of six demo cases, all sampled (seed 2025), coded by
    `code_project` (built once per test process)."""
    from themecode.project.create import init_project
    from themecode.sample.draw import draw_sample

    if "coded" not in _TEMPLATE:
        conf = root_conftest()
        d = factory.mktemp("review-template")
        src = d / "c.csv"
        if conf.DEMO_CSV.exists():
            conf.demo_head(src, 6)
        else:
            conf.write_small_corpus(src, 6)
        db = d / "coded.db"
        init_project(db, src, codebook=conf.CODEBOOK, coder="lead")
        with Store.open(db) as store:
            draw_sample(store, 1.0, 2025, coder="lead")
        _TEMPLATE["coded"] = (db, code_project(db))
    template, ids = _TEMPLATE["coded"]
    db = tmp_path / "coded.db"
    shutil.copy(template, db)
    db.chmod(0o600)
    return db, ids
