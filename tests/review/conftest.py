"""Fixtures of the review tests: a fresh copy of the coded review project per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_project import coded_copy


@pytest.fixture
def coded(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Path, dict[str, list[int]]]:
    """A fresh copy of the coded review project."""
    return coded_copy(tmp_path_factory, tmp_path)
