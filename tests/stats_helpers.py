"""A real project with the demo's gold codings imported (optionally a second, noisier coder):
the fixture of the prevalence, tables, subgroup-saturation and methods tests."""

from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import CODEBOOK, DEMO_GOLD, demo_head


def gold_project(directory: Path, n_cases: int = 120, fraction: float = 0.5, *,
                 second: str | None = None, drop: float = 0.15, seed: int = 3) -> Path:
    """`n_cases` demo cases, a `fraction` sample (seed 2025), gold codings of the sampled cases
    imported as coder "gold" (new codes created); with `second`, that coder gets the same lines
    with a share `drop` left out at random (a disagreeing second coder)."""
    from themecode.project.codings import import_codings
    from themecode.project.create import init_project
    from themecode.sampling import draw_sample
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
