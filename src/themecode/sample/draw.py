"""Reproducible random samples of cases (all of a case's commentaries come with it).

The draw order is the coding order. The same seed gives the same cases in the same order on any
machine: cases are sorted by id before drawing and Python's `random.Random(int)` is stable.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict

from themecode.errors import SampleError
from themecode.store import SampleRow, Store, now

MISSING = "(missing)"


def _cases(store: Store) -> list[tuple[str, dict[str, str]]]:
    return [
        (r[0], json.loads(r[1]))
        for r in store.conn.execute("SELECT id, metadata FROM cases ORDER BY id")
    ]


def _allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Split n across groups in proportion to their sizes (largest remainder, ties by name)."""
    total = sum(sizes.values())
    exact = {g: n * s / total for g, s in sizes.items()}
    alloc = {g: int(v) for g, v in exact.items()}
    rest = n - sum(alloc.values())
    for g in sorted(exact, key=lambda g: (-(exact[g] - alloc[g]), g))[:rest]:
        alloc[g] += 1
    return {g: min(a, sizes[g]) for g, a in alloc.items()}


def _draw(
    pool: list[tuple[str, dict[str, str]]], n: int, rng: random.Random, stratify: str | None
) -> list[str]:
    if not stratify:
        return [c for c, _ in rng.sample(pool, n)]
    groups: dict[str, list[str]] = defaultdict(list)
    for case_id, meta in pool:
        groups[meta.get(stratify) or MISSING].append(case_id)
    alloc = _allocate({g: len(v) for g, v in groups.items()}, n)
    chosen: list[str] = []
    for g in sorted(groups):
        chosen.extend(rng.sample(groups[g], alloc[g]))
    rng.shuffle(chosen)
    return chosen


def _coded_in_sample(store: Store) -> int:
    return store.conn.execute(
        "SELECT count(*) FROM codings c JOIN documents d ON d.id = c.document_id "
        "JOIN samples s ON s.case_id = d.case_id WHERE c.deleted = 0"
    ).fetchone()[0]


def draw_sample(
    store: Store,
    fraction: float,
    seed: int,
    *,
    stratify: str | None = None,
    replace: bool = False,
    coder: str = "",
) -> list[SampleRow]:
    """Draw round 1 of the sample: `fraction` of all cases, optionally stratified by a metadata column."""
    if not 0 < fraction <= 1:
        raise SampleError(f"--fraction must be between 0 and 1 (got {fraction}).")
    existing = store.conn.execute("SELECT count(*) FROM samples").fetchone()[0]
    if existing and not replace:
        raise SampleError(
            f"This project already has a sample of {existing} cases.",
            hint="use `themecode sample --extend N` to add cases, or --replace if nothing is coded.",
        )
    if existing and _coded_in_sample(store):
        raise SampleError(
            "The sample cannot be replaced: cases in it have been coded.",
            hint="use `themecode sample --extend N` to add more cases instead.",
        )
    pool = _cases(store)
    if not pool:
        raise SampleError("The project has no cases yet; import a corpus first.")
    if stratify and not any(stratify in meta for _, meta in pool):
        keys = sorted({k for _, m in pool for k in m})
        raise SampleError(
            f"No case has a metadata column {stratify!r}.",
            hint=f"choose one of: {', '.join(keys) or '(none)'}.",
        )
    n = max(1, round(fraction * len(pool)))
    chosen = _draw(pool, n, random.Random(seed), stratify)
    at = now()
    with store.write():
        store.conn.execute("DELETE FROM samples")
        store.conn.executemany(
            "INSERT INTO samples(case_id, draw_order, seed, round, fraction, stratify, drawn_at, "
            "drawn_by) VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
            [(c, i, seed, fraction, stratify, at, coder) for i, c in enumerate(chosen, start=1)],
        )
        store.log_event(coder, "sample_draw", None,
                        {"fraction": fraction, "seed": seed, "stratify": stratify, "cases": n,
                         "replaced": bool(existing)})
    return store.sample()


def extend_sample(store: Store, n: int, *, seed: int | None = None, coder: str = "") -> list[SampleRow]:
    """Add a new round of `n` cases, drawn at random from the cases not yet sampled."""
    if n < 1:
        raise SampleError("--extend needs a positive number of cases.")
    rows = store.conn.execute(
        "SELECT max(draw_order), max(round), min(seed), min(stratify) FROM samples"
    ).fetchone()
    if rows[0] is None:
        raise SampleError("There is no sample to extend.", hint="draw one with `themecode sample`.")
    last_order, last_round, first_seed, stratify = rows
    sampled = {r[0] for r in store.conn.execute("SELECT case_id FROM samples")}
    pool = [c for c in _cases(store) if c[0] not in sampled]
    if not pool:
        raise SampleError("Every case is already in the sample.")
    n = min(n, len(pool))
    round_no = last_round + 1
    base = first_seed if seed is None else seed
    rng = random.Random(base * 1009 + round_no)
    chosen = _draw(pool, n, rng, stratify)
    at = now()
    with store.write():
        store.conn.executemany(
            "INSERT INTO samples(case_id, draw_order, seed, round, fraction, stratify, drawn_at, "
            "drawn_by) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
            [(c, last_order + i, base, round_no, stratify, at, coder)
             for i, c in enumerate(chosen, start=1)],
        )
        store.log_event(coder, "sample_extend", None,
                        {"round": round_no, "cases": n, "seed": base, "stratify": stratify})
    return store.sample()
