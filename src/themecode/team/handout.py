"""Handing out per-coder copies of a project: blind double-coding allocation of the sample.

A chosen share of the sampled cases goes to two coders (for agreement), the rest is spread evenly;
each coder gets a private copy of the project whose sample is just their cases. The allocation is
reproducible from its seed and recorded in the project (`meta.handouts` and a `handout` event), so
`themecode.team.merge.merge_projects` can bring the copies back.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from themecode.errors import ThemecodeError
from themecode.store import Store, now

# letters, digits, spaces and common punctuation; no path separators or control characters
SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]{1,64}$")


@dataclass
class Handout:
    """What `handout` made: the allocation and the copies."""

    handout_id: str
    seed: int
    overlap: float
    assignments: dict[str, list[str]]  # coder -> case ids in coding (draw) order
    double: list[str]  # cases given to two coders
    copies: dict[str, Path] = field(default_factory=dict)


def allocate(cases: list[str], coders: list[str], overlap: float, seed: int) -> tuple[
        dict[str, list[str]], list[str]]:
    """Blind double-coding allocation: round(overlap x n) cases to two coders (pairs in
    rotation), the rest one coder each, keeping every coder's load as even as possible.

    Returns (coder -> cases in the given order, the doubly coded cases). Same inputs, same result.
    """
    rng = random.Random(seed)
    n = len(cases)
    n_double = round(overlap * n) if len(coders) > 1 else 0
    order = rng.sample(cases, n)
    doubles, singles = order[:n_double], order[n_double:]
    pairs = list(itertools.combinations(coders, 2))
    rng.shuffle(pairs)
    load = {c: 0 for c in coders}
    given: dict[str, set[str]] = {c: set() for c in coders}
    for i, case in enumerate(doubles):
        # the pair due in rotation, unless another pair has a lighter combined load
        start = i % len(pairs)
        pair = min(pairs[start:] + pairs[:start], key=lambda p: load[p[0]] + load[p[1]])
        for c in pair:
            given[c].add(case)
            load[c] += 1
    tie = rng.sample(coders, len(coders))
    for case in singles:
        c = min(tie, key=lambda c: load[c])
        given[c].add(case)
        load[c] += 1
    position = {c: i for i, c in enumerate(cases)}
    return ({c: sorted(given[c], key=position.__getitem__) for c in coders},
            sorted(doubles, key=position.__getitem__))


def _copy_private(src: Store, target: Path) -> None:
    """A consistent private (0600) copy of a project via SQLite's online backup API."""
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    dest = sqlite3.connect(str(target), isolation_level=None)
    try:
        src.conn.backup(dest)
    finally:
        dest.close()
    os.chmod(target, 0o600)


def handout(
    store: Store,
    coders: list[str],
    out_dir: str | Path,
    *,
    overlap: float = 0.2,
    seed: int | None = None,
    by: str = "",
) -> Handout:
    """Write one copy of the project per coder into `out_dir`, each holding only that coder's
    share of the sample; record the allocation in `meta` and an event so `merge` knows them."""
    names = [c.strip() for c in coders]
    if len(names) < 1 or any(not c for c in names) or len(set(names)) != len(names):
        raise ThemecodeError(f"Give distinct, non-empty coder names (got {coders!r}).",
                             hint="e.g. --coders amy,ben,cal")
    if not 0 <= overlap <= 1:
        raise ThemecodeError(f"--overlap must be between 0 and 1 (got {overlap}).")
    sample = store.sample()
    if not sample:
        raise ThemecodeError("The project has no sample to hand out.",
                             hint="draw one first with `themecode sample PROJECT`.")
    out = Path(out_dir)
    if not out.is_dir():
        raise ThemecodeError(f"The folder {out} does not exist; create it first.")
    for c in names:  # a name becomes part of a file name: it must stay one
        if not SAFE_NAME.match(c) or c in (".", ".."):
            raise ThemecodeError(
                f"The coder name {c!r} cannot be used in a file name (it must not contain / or "
                "\\, control characters, or be . or ..).", hint="e.g. --coders amy,ben,cal")
    targets = {c: out / f"{store.path.stem}-{c}.db" for c in names}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing:
        raise ThemecodeError(f"{existing[0]} already exists; handout never overwrites a copy.",
                             hint="choose another --out folder, or move the old copies away.")
    seed = sample[0].seed if seed is None else seed
    assignments, double = allocate([r.case_id for r in sample], names, overlap, seed)
    at = now()
    hid = hashlib.sha256(f"{store.path.name}|{at}|{names}|{seed}".encode()).hexdigest()[:12]
    record = {"id": hid, "at": at, "by": by, "seed": seed, "overlap": overlap,
              "coders": names, "double": double, "assignments": assignments}
    with store.write():
        handouts = json.loads(store.get_meta("handouts", "{}") or "{}")
        handouts[hid] = record
        store.conn.execute(
            "INSERT INTO meta(key, value) VALUES ('handouts', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (json.dumps(handouts),))
        store.log_event(by, "handout", str(out),
                        {"handout_id": hid, "seed": seed, "overlap": overlap, "coders": names,
                         "cases": {c: len(v) for c, v in assignments.items()},
                         "double": len(double)})
    result = Handout(hid, seed, overlap, assignments, double)
    for coder, target in targets.items():
        _copy_private(store, target)
        with Store.open(target) as copy, copy.write():
            keep = set(assignments[coder])
            copy.conn.executemany("DELETE FROM samples WHERE case_id = ?",
                                  [(r.case_id,) for r in sample if r.case_id not in keep])
            for key, value in (("handout_id", hid), ("handout_coder", coder),
                               ("handout_source", str(store.path)),
                               ("handout_cases", json.dumps(assignments[coder]))):
                copy.conn.execute(
                    "INSERT INTO meta(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
            copy.log_event(by, "handout_copy", coder,
                           {"handout_id": hid, "cases": len(keep),
                            "double": len(keep & set(double))})
        result.copies[coder] = target
    return result
