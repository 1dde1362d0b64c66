"""Snapshot tests of the review screens at 120x40 (update with --snapshot-update)."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.store import Store
from themecode.tui.app import ThemecodeApp

SIZE = (120, 40)


@pytest.fixture
def reviewed(tiny_project: Path) -> Path:
    """Two coders' codings of domestic_abuse_checks and one of contingency_planning."""
    with Store.open(tiny_project) as s:
        for doc in ("K1-A", "K1-P", "K3-A"):
            for sent in s.sentences(doc):
                s.add_coding(doc, sent.start, sent.end, "domestic_abuse_checks", "ann")
            s.set_status("document", doc, "ann", "done")
            s.set_status("document", doc, "bob", "done")
        first = s.sentences("K1-A")[0]
        s.add_coding("K1-A", first.start, first.end, "domestic_abuse_checks", "bob")
        s.add_coding("K1-P", None, None, "contingency_planning", "bob")
    return tiny_project


def app_on(db: Path, browse: str | None = None) -> ThemecodeApp:
    """The app, workers of the coding screen off, optionally opened in the browser."""
    return ThemecodeApp(Store.open(db), "lead", background=False, browse=browse)


async def settle(pilot) -> None:  # noqa: ANN001
    """Let the themes screen's counting worker finish and its message land."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_code_browser(snap_compare, reviewed: Path) -> None:
    assert snap_compare(app_on(reviewed, "domestic_abuse_checks"), press=["down", "space"],
                        terminal_size=SIZE)


def test_themes_screen(snap_compare, reviewed: Path) -> None:
    async def open_themes(pilot) -> None:  # noqa: ANN001
        await pilot.press("ctrl+x")
        await settle(pilot)

    assert snap_compare(app_on(reviewed), run_before=open_themes, press=["down"],
                        terminal_size=SIZE)


def test_code_editor(snap_compare, reviewed: Path) -> None:
    assert snap_compare(app_on(reviewed, "contingency_planning"), press=["e"],
                        terminal_size=SIZE)


def test_coder_picker(snap_compare, reviewed: Path) -> None:
    """Three coders used the code: `v` asks which two to compare (ann and bob chosen first)."""
    with Store.open(reviewed) as s:
        for doc in ("K1-A", "K3-A"):
            first = s.sentences(doc)[0]
            s.add_coding(doc, first.start, first.end, "domestic_abuse_checks", "cat")
    assert snap_compare(app_on(reviewed, "domestic_abuse_checks"), press=["v", "down", "down"],
                        terminal_size=SIZE)
