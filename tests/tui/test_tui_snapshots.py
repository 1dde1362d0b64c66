"""Snapshot tests of the coding app (pytest-textual-snapshot; update with --snapshot-update).

Most are at 120x40; `test_coding_screen_at_size` holds the responsive layout at 80x24 (one
column, compact panels), 100x30 and 120x40 (no case column) and 160x48 (three columns).

Background workers are off so the screens hold no model scores or timing-dependent text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.store import Store
from themecode.tui.app import ThemecodeApp

SIZE = (120, 40)


@pytest.fixture
def coded_project(tiny_project: Path) -> Path:
    """The tiny project with a few codings by two coders and a memo."""
    with Store.open(tiny_project) as s:
        sents = s.sentences("K1-A")
        s.add_coding("K1-A", sents[0].start, sents[0].end, "domestic_abuse_checks", "ann")
        s.add_coding("K1-A", sents[1].start, sents[1].end, "self_disclosure", "ann")
        s.add_coding("K1-A", None, None, "risk_identification", "bob")
        s.set_status("document", "K1-P", "ann", "done")
    return tiny_project


def app_for(db: Path, coder: str = "ann", **kw: object) -> ThemecodeApp:
    """An app on the project, workers off."""
    return ThemecodeApp(Store.open(db), coder, background=False, **kw)  # type: ignore[arg-type]


def test_coding_screen(snap_compare, coded_project: Path) -> None:
    keys = ["ctrl+g", "K", "1", "enter", "down", "shift+down"]
    assert snap_compare(app_for(coded_project), press=keys, terminal_size=SIZE)


def test_coding_screen_showing_others(snap_compare, coded_project: Path) -> None:
    keys = ["ctrl+g", "K", "1", "enter"]
    assert snap_compare(app_for(coded_project, show_others=True), press=keys, terminal_size=SIZE)


def test_markup_text_literal(snap_compare, coded_project: Path) -> None:
    keys = ["ctrl+g", "K", "2", "enter", "down", "ctrl+right", "ctrl+right", "p"]
    assert snap_compare(app_for(coded_project), press=keys, terminal_size=SIZE)


def test_code_picker(snap_compare, coded_project: Path) -> None:
    assert snap_compare(app_for(coded_project), press=["enter", "c", "o", "n", "t"],
                        terminal_size=SIZE)


def test_help_screen(snap_compare, coded_project: Path) -> None:
    assert snap_compare(app_for(coded_project), press=["question_mark"], terminal_size=SIZE)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (160, 48)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_coding_screen_at_size(snap_compare, coded_project: Path, size: tuple[int, int]) -> None:
    keys = ["ctrl+g", "K", "1", "enter", "down"]
    assert snap_compare(app_for(coded_project), press=keys, terminal_size=size)


def test_terminal_too_small(snap_compare, coded_project: Path) -> None:
    assert snap_compare(app_for(coded_project), terminal_size=(56, 16))
