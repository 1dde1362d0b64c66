"""Mouse coding, memos on screen and undo that takes the screen to what it changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_app import make_app, screen_of

from themecode.tui.widgets.commentary import CommentaryText
from themecode.tui.widgets.panels import CodingsList

pytestmark = pytest.mark.anyio


async def test_click_selects_a_sentence_and_shift_click_extends(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=(120, 40)) as pilot:
        s = screen_of(app).session
        first, second, third = store.sentences("K1-A")
        text = app.screen.query_one(CommentaryText)
        y, x = next((row, col) for row in range(5) for col in range(60)
                    if text.offset_at(col, row) == second.start + 2)
        await pilot.click(CommentaryText, offset=(x, y))
        await pilot.pause()
        assert (s.start, s.end) == (second.start, second.end)
        yy, xx = next((row, col) for row in range(5) for col in range(60)
                      if text.offset_at(col, row) == third.start + 1)
        await pilot.click(CommentaryText, offset=(xx, yy), shift=True)
        await pilot.pause()
        assert (s.start, s.end) == (second.start, third.end)
        await pilot.press("r")
        await pilot.pause()
        assert [(c.start, c.end) for c in store.codings("K1-A", "ann")] == [(second.start, third.end)]
        # the code tag after the span maps back into the text: a click there selects that sentence
        assert text.offset_at(0, 0) == first.start
    store.close()


async def test_click_a_code_in_the_grid_and_in_the_codebook(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#code-keys", offset=(0, 0))  # first code of the grid
        await pilot.pause()
        first_code = next(c for c in store.codes(kind="code") if c.shortcut)
        assert [c.code_id for c in store.codings("K1-A", "ann")] == [first_code.id]
    store.close()


async def test_memo_is_shown_and_undo_goes_to_the_changed_commentary(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=(120, 40)) as pilot:
        scr = screen_of(app)
        await pilot.press("ctrl+n", *"check DA", "ctrl+s")
        await pilot.pause()
        assert "✎ memo: check DA" in str(app.screen.query_one(CodingsList).content)
        assert scr.last_message == "Memo saved on commentary K1-A."
        await pilot.press("r", "right_square_bracket")  # code, then go to another case
        await pilot.pause()
        assert scr.session.case_id != "K1"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert store.codings("K1-A", "ann") == []
        assert scr.session.case_id == "K1" and scr.session.doc.id == "K1-A"  # type: ignore[union-attr]
        assert scr.last_message == ("Undid coding as Risk identification and analysis on "
                                    "commentary K1-A of case K1: shown here.")
    store.close()


async def test_number_keys_accept_the_nth_suggestion(tiny_project: Path) -> None:
    from test_tui_suggestions import wait_until

    app, store = make_app(tiny_project, background=True, at="K1")
    async with app.run_test(size=(120, 40)) as pilot:
        scr = screen_of(app)
        first = store.sentences("K1-A")[0]
        await wait_until(pilot, app, lambda: scr.suggestion_key == ("K1-A", first.start, first.end))
        assert len(scr.suggestions) >= 2 and all(x.score >= 0.01 for x in scr.suggestions)
        second = scr.suggestions[1]
        await pilot.press("2")
        await pilot.pause()
        assert [c.code_id for c in store.codings("K1-A", "ann")] == [second.code_id]
        await pilot.press("5" if len(scr.suggestions) < 5 else "4")
        await pilot.pause()
        if len(scr.suggestions) < 5:
            assert "only" in scr.last_message
    store.close()


async def test_star_applies_commentary_suggestions_as_one_undo_step(tiny_project: Path) -> None:
    """`*` codes the whole commentary with every commentary-level suggestion above its
    threshold in one event: one ctrl+z takes them all off, ctrl+y puts them all back."""
    from test_tui_suggestions import wait_until

    app, store = make_app(tiny_project, background=True, at="K1")
    async with app.run_test(size=(120, 40)) as pilot:
        scr = screen_of(app)
        await wait_until(pilot, app, lambda: "K1-A" in scr.work._doc_suggestions)
        above = [s.code_id for s in scr.work._doc_suggestions["K1-A"] if s.above_threshold]
        assert len(above) >= 2  # the rules find domestic abuse checks and children's services
        events_before = len(store.events("ann"))
        await pilot.press("asterisk")
        await pilot.pause()
        whole = len(store.document("K1-A").text)
        assert sorted((c.code_id, c.start, c.end) for c in store.codings("K1-A", "ann")) == sorted(
            (cid, 0, whole) for cid in above)
        new = store.events("ann")[events_before:]
        assert [e.action for e in new] == ["code_commentary"]
        assert "ctrl+z undoes them all" in scr.last_message
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert store.codings("K1-A", "ann") == []
        assert scr.last_message.startswith("Undid coding of the whole commentary as ")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert sorted(c.code_id for c in store.codings("K1-A", "ann")) == sorted(above)
        await pilot.press("asterisk")  # all applied already: said, nothing written
        await pilot.pause()
        assert "not applied" in scr.last_message and len(store.codings("K1-A", "ann")) == len(above)
    store.close()
