"""Fixtures of the coding app tests: a tiny real project with known text, all cases sampled."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from themecode.store import Store

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = REPO / "codebooks" / "public-protection.yaml"

MARKUP_TEXT = (
    "The plan said [bold]urgent[/bold] but nothing followed. "
    "A note read [/] and [link=https://example.org]click[/link] here. "
    "Escapes like \\[red] and [on red]stay literal."
)


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """A corpus CSV in the demo's column layout."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["id", "case_id", "stage", "judgement", "text", "pdu", "rosh", "case_type"])
        w.writeheader()
        for r in rows:
            w.writerow({"judgement": "no", "pdu": "Gwent", "rosh": "medium", "case_type": "community", **r})
    return path


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio."""
    return "asyncio"


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """Three cases with known text, all sampled (fraction 1), codebook installed."""
    from themecode.project.create import init_project
    from themecode.sample.draw import draw_sample

    rows = [
        {"id": "K1-A", "case_id": "K1", "stage": "assessment",
         "text": "No domestic abuse checks were made. The risk summary relied on his account. "
                 "Children's services were not contacted."},
        {"id": "K1-P", "case_id": "K1", "stage": "planning", "judgement": "yes",
         "text": "The contingency plan named warning signs. It was reviewed."},
        {"id": "K2-A", "case_id": "K2", "stage": "assessment", "text": MARKUP_TEXT},
        {"id": "K3-A", "case_id": "K3", "stage": "assessment",
         "text": "A home visit was made. Curiosity about the new partner was shown."},
    ]
    src = write_csv(tmp_path / "tiny.csv", rows)
    db = tmp_path / "tiny.db"
    init_project(db, src, codebook=CODEBOOK, coder="lead")
    with Store.open(db) as store:
        draw_sample(store, 1.0, 2025, coder="lead")
    return db


