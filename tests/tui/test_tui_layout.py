"""The coding screen's responsive layout: what is visible at each terminal size."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.store import Store
from themecode.tui.app import ThemecodeApp
from themecode.tui.screens.coding_layout import choose_layout
from themecode.tui.widgets.compact import CodeKeys
from themecode.tui.widgets.keybar import KeyBar

pytestmark = pytest.mark.anyio


def test_choose_layout_by_size() -> None:
    assert choose_layout(160, 48, 6).mode == "wide"
    assert choose_layout(120, 40, 6).mode == "medium"
    assert choose_layout(100, 30, 6) == choose_layout(100, 30, 6)
    assert choose_layout(100, 30, 6).short and not choose_layout(120, 40, 6).short
    assert choose_layout(80, 24, 6).mode == "narrow"
    small = choose_layout(80, 20, 6)  # 14 rows besides the code grid + 6 for the grid
    assert small.mode == "too-small" and "needs at least 80x21" in small.notice
    assert choose_layout(59, 40, 6).mode == "too-small"


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (160, 48)])
async def test_every_code_key_and_quit_visible(tiny_project: Path, size: tuple[int, int]) -> None:
    store = Store.open(tiny_project)
    app = ThemecodeApp(store, "ann", background=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        scr = app.screen
        width, height = size
        shortcuts = {c.shortcut for c in store.codes(kind="code") if c.shortcut}
        if width < 100:  # one column: the grid of code keys holds every code
            grid = scr.query_one(CodeKeys)
            assert grid.display and grid.region.bottom <= height - 2
            text = str(grid.render())
            assert all(f"{k} ■" in text for k in shortcuts)
        else:  # the codebook list shows every code without scrolling
            ol = scr.query_one("#codebook-list")
            listed = {str(o.prompt)[0] for o in ol.options if o.id}  # type: ignore[attr-defined]
            assert listed == shortcuts
            assert ol.virtual_size.height <= ol.size.height  # nothing scrolled out of sight
        bar = str(scr.query_one(KeyBar).render())
        assert "Help" in bar and "Quit" in bar and len(bar.rstrip()) <= width
    store.close()


async def test_panels_toggle(tiny_project: Path) -> None:
    store = Store.open(tiny_project)
    app = ThemecodeApp(store, "ann", background=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        left = app.screen.query_one("#left")
        assert left.display and left.region.width > 0
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert left.region.width == 0 and app.screen.query_one("#case-strip").region.height == 3
    store.close()


@pytest.mark.parametrize("size", [(100, 30), (120, 40), (160, 48)])
async def test_suggestion_rows_shown_whole_when_there_is_room(tiny_project: Path,
                                                              size: tuple[int, int]) -> None:
    """At 100-160 columns the suggestion column takes a share of the width, so a suggestion's
    whole label is on screen (rules-only rows leave out the source the heading already names)."""
    from test_tui_suggestions import wait_until

    store = Store.open(tiny_project)
    app = ThemecodeApp(store, "ann", background=True)
    async with app.run_test(size=size) as pilot:
        scr = app.screen
        await wait_until(pilot, app, lambda: bool(scr.suggestions))  # type: ignore[attr-defined]
        await pilot.pause()
        ol = scr.query_one("#sugg-list")
        labels = {c.id: c.label for c in store.codes()}
        rows = [ol.render_line(y).text for y in range(len(scr.suggestions))]  # type: ignore[attr-defined]
        for sugg, row in zip(scr.suggestions, rows, strict=True):  # type: ignore[attr-defined]
            assert labels[sugg.code_id] in row and "…" not in row, row
        assert "keyword rules only" in str(scr.query_one("#sugg-title").render())
    store.close()


async def test_case_strip_lines_cut_to_its_width(tiny_project: Path) -> None:
    """The case strip cuts each line to its width with an ellipsis (not Textual, per frame), and
    cuts it again when the terminal is resized; moving to another case re-cuts it."""
    from themecode.tui.widgets.compact import CaseStrip

    store = Store.open(tiny_project)
    app = ThemecodeApp(store, "ann", background=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        strip = app.screen.query_one(CaseStrip)

        def shown() -> tuple[int, list[str], list[str]]:
            assert strip._full is not None and strip._last is not None
            return (strip.content_size.width, strip._full.plain.split("\n"),
                    strip._last.plain.split("\n"))

        for size in [(120, 40), (100, 30)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            width, full, cut = shown()
            assert width > 0 and len(full) == len(cut) == 3
            for whole, line in zip(full, cut, strict=True):
                if len(whole) <= width:
                    assert line == whole
                else:
                    assert len(line) == width and line.endswith("…") and whole.startswith(line[:-1])
            assert any(len(whole) > width for whole in full)  # the case line with its metadata
        first_case = app.screen.session.case_id  # type: ignore[attr-defined]
        await pilot.press("right_square_bracket")  # the next case
        await pilot.pause()
        width, full, cut = shown()
        case_id = app.screen.session.case_id  # type: ignore[attr-defined]
        assert case_id != first_case and f"Case {case_id}" in cut[0]
        assert all(len(line) <= width for line in cut) and len(cut[0]) == width


async def test_a_grown_codebook_still_fits_80x24(tiny_project: Path) -> None:
    """A codebook grown by inductive codes (30 codes, as the demo with gold's new codes) keeps the
    coding screen at 80x24: the grid takes narrower columns instead of the too-small notice."""
    from themecode.codebook.changes import create_code

    with Store.open(tiny_project) as store:
        n = len(store.codes(kind="code"))
        for i in range(30 - n):
            create_code(store, None, f"Emerging issue number {i}", coder="lead")
    store = Store.open(tiny_project)
    codes = store.codes(kind="code")
    assert len(codes) == 30
    app = ThemecodeApp(store, "ann", background=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scr = app.screen
        assert scr.layout_mode == "narrow"
        grid = scr.query_one(CodeKeys)
        assert grid.display and grid.region.bottom <= 24 - 2
        text = str(grid.render())
        assert text.count("■") == 30  # every code, with its key where it has one
        assert all(f"{c.shortcut} ■" in text for c in codes if c.shortcut)
    store.close()
