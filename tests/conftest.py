"""Shared fixtures: real project files under tmp_path, built the way a user would build them."""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CODEBOOK = REPO / "codebooks" / "public-protection.yaml"
DEMO_CSV = REPO / "corpus" / "demo" / "commentaries.csv"
DEMO_GOLD = REPO / "corpus" / "demo" / "gold-codings.jsonl"
STAGES = ("assessment", "planning", "implementation", "reviewing")

_SENTENCES = [
    "No domestic abuse call-out checks were requested from the police.",
    "The probation officer saw him weekly and followed up every missed appointment.",
    "There were two children in the household but children's services were not contacted.",
    "The contingency plan was generic and named no warning signs.",
    "The SPO countersigned the assessment without comment.",
    "A home visit would have shown who else lived at the address.",
    "MAPPA level 2 meetings were well attended and information was shared.",
    "The risk summary relied on his own account of the offence.",
    "His caseload of over sixty left little time for checks.",
    "The termination review was not completed when the order ended.",
]


def write_small_corpus(path: Path, n_cases: int = 40, seed: int = 7) -> Path:
    """A small, varied CSV in the demo's column layout (used when the demo corpus is absent)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "case_id", "stage", "judgement", "text", "pdu", "rosh", "case_type"])
        for c in range(1, n_cases + 1):
            pdu = rng.choice(["Gwent", "Dorset", "Sheffield"])
            rosh = rng.choice(["low", "medium", "high/very high"])
            ctype = rng.choice(["community", "post-custody"])
            for s in STAGES:
                text = " ".join(rng.sample(_SENTENCES, rng.randint(1, 4)))
                w.writerow([f"C{c:04d}-{s[0].upper()}", f"C{c:04d}", s, rng.choice(["yes", "no"]),
                            text, pdu, rosh, ctype])
    return path


def demo_head(path: Path, n_cases: int) -> Path:
    """The first `n_cases` cases of the demo corpus as a CSV."""
    with DEMO_CSV.open(newline="", encoding="utf-8") as src, path.open(
        "w", newline="", encoding="utf-8"
    ) as dst:
        reader = csv.reader(src)
        w = csv.writer(dst)
        header = next(reader)
        w.writerow(header)
        case_idx = header.index("case_id")
        seen: list[str] = []
        for row in reader:
            if row[case_idx] not in seen:
                if len(seen) == n_cases:
                    break
                seen.append(row[case_idx])
            w.writerow(row)
    return path


def build_sampled_project(directory: Path, n_cases: int, first_coder: str) -> Path:
    """A project of `n_cases` small cases with a 50% sample (seed 2025) and one coding by
    `first_coder`, checkpointed into one file so it can be copied per test or per trial."""
    from themecode.project.create import init_project
    from themecode.sample.draw import draw_sample
    from themecode.store import Store

    db = directory / "study.db"
    init_project(db, write_small_corpus(directory / "c.csv", n_cases), codebook=CODEBOOK,
                 coder="lead")
    with Store.open(db) as store:
        draw_sample(store, 0.5, 2025, coder="lead")
        store.add_coding(store.case_documents(store.sample()[0].case_id)[0].id, None, None,
                         store.codes(kind="code")[0].id, first_coder)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture
def codebook_path() -> Path:
    """The bundled public-protection codebook."""
    return CODEBOOK


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a real project file (codebook + corpus + 25% sample, seed 2025) under tmp_path."""
    from themecode.project.create import init_project
    from themecode.sample.draw import draw_sample
    from themecode.store import Store

    counter = iter(range(1000))

    def make(n_cases: int = 40, *, fraction: float = 0.25, name: str | None = None) -> Path:
        i = next(counter)
        src = tmp_path / f"corpus{i}.csv"
        if DEMO_CSV.exists():
            demo_head(src, n_cases)
        else:
            write_small_corpus(src, n_cases)
        db = tmp_path / (name or f"project{i}.db")
        init_project(db, src, codebook=CODEBOOK, coder="lead")
        with Store.open(db) as store:
            draw_sample(store, fraction, 2025, coder="lead")
        return db

    return make


@pytest.fixture
def small_project(make_project: Callable[..., Path]) -> Path:
    """A 40-case project with its sample drawn."""
    return make_project()


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    """A small corpus CSV file (not yet imported)."""
    return write_small_corpus(tmp_path / "small.csv")


def gold_project(directory: Path, n_cases: int = 120, fraction: float = 0.5, *,
                 second: str | None = None, drop: float = 0.15, seed: int = 3) -> Path:
    """`n_cases` demo cases, a `fraction` sample (seed 2025), gold codings of the sampled cases
    imported as coder "gold" (new codes created); with `second`, that coder gets the same lines
    with a share `drop` left out at random (a disagreeing second coder)."""
    import json
    import random

    from themecode.project.codings import import_codings
    from themecode.project.create import init_project
    from themecode.sample.draw import draw_sample
    from themecode.store import Store

    db = directory / "gold.db"
    init_project(db, demo_head(directory / "head.csv", n_cases), codebook=CODEBOOK, coder="lead")
    with Store.open(db) as store:
        draw_sample(store, fraction, 2025, coder="lead")
        docs = {r[0] for r in store.conn.execute("SELECT id FROM documents")}
        lines = [line for line in DEMO_GOLD.read_text(encoding="utf-8").splitlines()
                 if line.strip() and json.loads(line)["doc_id"] in docs]
        src = directory / "gold.jsonl"
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_codings(store, src, coder="gold", sample_only=True, create_codes=True)
        if second:
            rng = random.Random(seed)
            kept = [line for line in lines if rng.random() >= drop]
            other = directory / f"{second}.jsonl"
            other.write_text("\n".join(kept) + "\n", encoding="utf-8")
            import_codings(store, other, coder=second, sample_only=True)
    return db


@pytest.fixture(scope="session")
def gold_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session: 160 demo cases, a 75% sample, gold codings as "gold" and a noisier
    copy as "ann" (`gold_project`). Copy it before changing it."""
    return gold_project(tmp_path_factory.mktemp("gold"), 160, 0.75, second="ann")


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Run with umask 000, so only themecode's own care keeps files private."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)
