"""Pilot tests of the coding app: real key presses on a real project file, asserting on the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from themecode.store import Store
from themecode.tui.app import ThemecodeApp, binding_ids
from themecode.tui.keymap import load_keymap
from themecode.tui.screens.coding import CodingScreen
from themecode.tui.session import position_key
from themecode.tui.widgets.commentary import CommentaryText
from themecode.tui.widgets.panels import CodingsList

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


def make_app(
    db: Path, coder: str = "ann", *, background: bool = False, at: str | None = None, **kw: object
) -> tuple[ThemecodeApp, Store]:
    """An app on its own connection (like a separate process would have).

    Background workers (suggester, saturation) are off unless a test is about them; `at` opens
    the app on a case (through the saved position it resumes from).
    """
    store = Store.open(db)
    if at is not None:
        store.set_meta(position_key(coder), json.dumps({"case_id": at}))
    return ThemecodeApp(store, coder, background=background, **kw), store  # type: ignore[arg-type]


async def wait_until(pilot: object, app: ThemecodeApp, cond: Callable[[], bool]) -> None:
    """Let timers, workers and their messages run until `cond()` holds (at most ~20 s)."""
    from contextlib import suppress

    from textual.worker import WorkerCancelled

    for _ in range(200):
        if cond():
            return
        with suppress(WorkerCancelled):  # replaced by a newer worker of its group: no failure
            await app.workers.wait_for_complete()
        await pilot.pause(0.1)  # type: ignore[attr-defined]
    raise AssertionError("condition not reached")


def screen_of(app: ThemecodeApp) -> CodingScreen:
    """The coding screen (under any modal)."""
    for s in app.screen_stack:
        if isinstance(s, CodingScreen):
            return s
    raise AssertionError("no coding screen")


async def goto(pilot: object, app: ThemecodeApp, case_id: str) -> None:
    """Jump to a case by id through the UI."""
    await pilot.press("ctrl+g", *case_id, "enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert screen_of(app).session.case_id == case_id


async def test_code_a_sentence_span(tiny_project: Path) -> None:
    app, store = make_app(tiny_project)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "K1")
        s = screen_of(app).session
        await pilot.press("down")  # second sentence
        second = store.sentences("K1-A")[1]
        await pilot.press("r")
        await pilot.pause()
        codings = store.codings("K1-A", "ann")
        assert [(c.start, c.end, c.code_id) for c in codings] == [
            (second.start, second.end, "risk_identification")
        ]
        assert s.start == second.start
        assert "Risk identification" in str(app.screen.query_one(CodingsList).content)
    store.close()


async def test_refine_selection_word_wise_and_extend(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        doc = store.document("K1-A")
        sents = store.sentences("K1-A")
        await pilot.press("ctrl+right", "ctrl+right", "shift+left", "d")
        await pilot.pause()
        (c,) = store.codings("K1-A", "ann")
        assert doc.text[c.start : c.end] == "abuse checks were"
        await pilot.press("up", "shift+down", "shift+down", "c")  # cursor back on 1st, extend to 3rd
        await pilot.pause()
        spans = {(x.start, x.end) for x in store.codings("K1-A", "ann", code_id="child_safeguarding")}
        assert spans == {(sents[0].start, sents[2].end)}
    store.close()


async def test_code_whole_commentary_and_picker(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        await pilot.press("G")  # capital = whole commentary
        await pilot.press("enter", *"safeg", "enter")
        await pilot.pause()
        doc = store.document("K1-A")
        got = {(c.code_id, c.start, c.end) for c in store.codings("K1-A", "ann")}
        first = store.sentences("K1-A")[0]
        assert got == {
            ("contingency_planning", 0, len(doc.text)),
            ("child_safeguarding", first.start, first.end),
        }
    store.close()


async def test_remove_code_from_selection(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        await pilot.press("r", "down", "d", "up")
        await pilot.pause()
        assert len(store.codings("K1-A", "ann")) == 2
        await pilot.press("delete")
        await pilot.pause()
        live = store.codings("K1-A", "ann")
        assert [c.code_id for c in live] == ["domestic_abuse_checks"]
        assert len(store.codings("K1-A", "ann", include_deleted=True)) == 2
    store.close()


async def test_remove_code_from_the_middle_sentence_keeps_the_others_coded(
    tiny_project: Path,
) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        s1, s2, s3 = store.sentences("K1-A")
        await pilot.press("shift+down", "shift+down", "r")  # three sentences coded as one span
        await pilot.pause()
        (span,) = store.codings("K1-A", "ann")
        assert (span.start, span.end) == (s1.start, s3.end)
        await pilot.press("up", "delete")  # the middle sentence alone, then remove the code
        await pilot.pause()
        assert [(c.start, c.end, c.code_id) for c in store.codings("K1-A", "ann")] == [
            (s1.start, s1.end, "risk_identification"), (s3.start, s3.end, "risk_identification")]
        assert screen_of(app).last_message == (
            "Removed Risk identification and analysis from the selection (1 coding trimmed).")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert [(c.id, c.start, c.end) for c in store.codings("K1-A", "ann")] == [
            (span.id, s1.start, s3.end)]
        assert screen_of(app).last_message.startswith(
            "Undid removal of Risk identification and analysis")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert [(c.start, c.end) for c in store.codings("K1-A", "ann")] == [
            (s1.start, s1.end), (s3.start, s3.end)]
    store.close()


async def test_add_inductive_code_applies_at_once(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K3")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K3"
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press(*"New lens", "enter")
        await pilot.pause()
        code = store.code("new_lens")
        assert (code.origin, code.created_by, code.kind) == ("inductive", "ann", "code")
        (c,) = store.codings("K3-A", "ann")
        assert c.code_id == "new_lens"
        listed = [o.id for o in app.screen.query_one("#codebook-list").options]  # type: ignore[attr-defined]
        assert "new_lens" in listed
    store.close()


async def test_undo_redo_and_they_survive_restart(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        await pilot.press("r", "ctrl+z")
        await pilot.pause()
        assert store.codings("K1-A", "ann") == []
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert [c.code_id for c in store.codings("K1-A", "ann")] == ["risk_identification"]
    store.close()
    app2, store2 = make_app(tiny_project)
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+z")  # undo after a restart, from the events table
        await pilot.pause()
        assert store2.codings("K1-A", "ann") == []
        assert "Undid" in screen_of(app2).last_message
    store2.close()


async def test_memos_on_commentary_case_and_code(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        await pilot.press("ctrl+n", *"DA", "ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+k", *"Cm", "ctrl+s")
        await pilot.pause()
        await pilot.press("r", "ctrl+l", *"Km", "ctrl+s")
        await pilot.pause()
        got = {(m.target_type, m.target_id, m.text, m.coder) for m in store.memos()}
        assert got == {
            ("document", "K1-A", "DA", "ann"),
            ("case", "K1", "Cm", "ann"),
            ("code", "risk_identification", "Km", "ann"),
        }
        await pilot.press("ctrl+n", "end", *"!", "ctrl+s")  # editing keeps one memo
        await pilot.pause()
        assert [m.text for m in store.memos("document", "K1-A")] == ["DA!"]
        await pilot.press("ctrl+n", "escape")  # cancel changes nothing
        await pilot.pause()
        assert [m.text for m in store.memos("document", "K1-A")] == ["DA!"]
    store.close()


async def test_mark_commentary_and_case_done_skip_flag(tiny_project: Path) -> None:
    app, store = make_app(tiny_project)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, app, "K1")
        s = screen_of(app).session
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert store.status("document", "K1-A", "ann") == "done"
        assert s.doc is not None and s.doc.id == "K1-P"  # moved on to the next open commentary
        await pilot.press("ctrl+e")  # nothing coded: the screen asks first
        await pilot.pause()
        assert "carry none of your codes (K1-A, K1-P)" in str(
            app.screen.query_one("#confirm-text").render())
        await pilot.press("y")
        await pilot.pause()
        assert store.status("case", "K1", "ann") == "done"
        assert store.status("document", "K1-P", "ann") == "done"  # its commentaries too
        assert s.case_id != "K1"
        await goto(pilot, app, "K2")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert store.status("case", "K2", "ann") == "flagged"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.status("case", "K2", "ann") == "skipped"
        await app.workers.wait_for_complete()
    store.close()


async def test_resume_exactly_after_restart(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        await pilot.press("right", "down", "ctrl+left")
        await pilot.pause()
        s = screen_of(app).session
        where = (s.case_id, s.doc.id if s.doc else None, s.start, s.end)
        assert where[1] == "K1-P"
    store.close()
    app2, store2 = make_app(tiny_project)
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.pause()
        s2 = screen_of(app2).session
        assert (s2.case_id, s2.doc.id if s2.doc else None, s2.start, s2.end) == where
    store2.close()
    # another coder starts at the beginning of the sample, not at ann's place
    app3, store3 = make_app(tiny_project, coder="bob")
    async with app3.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert screen_of(app3).session.case_index == 0
    store3.close()


async def test_markup_looking_text_is_shown_literally(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, at="K2")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K2"
        await pilot.press("R", "down", "d")  # coded spans and tags around markup-like text
        await pilot.pause()
        shown = str(app.screen.query_one(CommentaryText).content)
        for piece in ("[bold]urgent[/bold]", "[/]", "[link=https://example.org]click[/link]",
                      "\\[red]", "[on red]"):
            assert piece in shown
        svg = app.export_screenshot()
        assert "[bold]urgent[/bold]" in svg.replace("&#160;", " ")
        assert "[/]" in svg
    store.close()


async def test_blind_double_coding(tiny_project: Path) -> None:
    with Store.open(tiny_project) as s:
        s.add_coding("K1-A", None, None, "risk_identification", "ann")
    app, store = make_app(tiny_project, coder="bob", at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        listing = str(app.screen.query_one(CodingsList).content)
        assert "Risk identification" not in listing and "none yet" in listing
        assert "ann" not in str(app.screen.query_one(CommentaryText).content)
        await pilot.press("ctrl+o")
        await pilot.pause()
        listing = str(app.screen.query_one(CodingsList).content)
        assert "Risk identification" in listing and "ann" in listing
        await pilot.press("delete")  # bob cannot remove ann's coding
        await pilot.pause()
        assert len(store.codings("K1-A", "ann")) == 1
    store.close()


async def test_two_coders_at_once_on_one_file(tiny_project: Path) -> None:
    a, sa = make_app(tiny_project, coder="ann", at="K1")
    b, sb = make_app(tiny_project, coder="bob", at="K1")
    async with a.run_test(size=SIZE) as pa, b.run_test(size=SIZE) as pb:
        for _ in range(3):
            await pa.press("r", "down")
            await pb.press("d", "down")
        await pa.press("ctrl+z")
        await pb.press("ctrl+d")
        await pa.pause()
        await pb.pause()
    with Store.open(tiny_project) as s:
        assert len(s.codings("K1-A", "ann")) == 2
        assert len(s.codings("K1-A", "bob")) == 3
        assert s.status("document", "K1-P", "bob") == "done"  # down past the end moved on
    sa.close()
    sb.close()


async def test_search_and_jump(tiny_project: Path) -> None:
    app, store = make_app(tiny_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"home v", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        s = screen_of(app).session
        assert s.doc is not None and s.doc.id == "K3-A"
        assert s.selected_text == "A home visit was made."  # the hit's sentence, ready to code
    store.close()


async def test_goto_unknown_case_says_so(tiny_project: Path) -> None:
    app, store = make_app(tiny_project)
    async with app.run_test(size=SIZE) as pilot:
        before = screen_of(app).session.case_id
        await pilot.press("ctrl+g", *"NOPE", "enter")
        await pilot.pause()
        assert screen_of(app).session.case_id == before
        assert "No case 'NOPE'" in screen_of(app).last_message
    store.close()


async def test_help_lists_every_binding_id(tiny_project: Path) -> None:
    app, store = make_app(tiny_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").content)  # type: ignore[attr-defined]
        for bid in binding_ids():
            assert bid in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
    store.close()


async def test_keymap_remaps_a_binding(tiny_project: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text('[keys]\nundo = "ctrl+u"\nredo = "u"\n', encoding="utf-8")
    keymap = load_keymap(keys, binding_ids())
    app, store = make_app(tiny_project, keymap=keymap, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        await pilot.press("r", "ctrl+u")
        await pilot.pause()
        assert store.codings("K1-A", "ann") == []
        await pilot.press("u")  # a letter bound in keys.toml is a binding, not a code shortcut
        await pilot.pause()
        assert [c.code_id for c in store.codings("K1-A", "ann")] == ["risk_identification"]
        await pilot.press("ctrl+z")  # the old key of a remapped binding no longer undoes
        await pilot.pause()
        assert len(store.codings("K1-A", "ann")) == 1
    store.close()


def test_keymap_file_errors_name_the_problem(tmp_path: Path) -> None:
    from themecode.errors import InputFileError

    bad = tmp_path / "keys.toml"
    bad.write_text('[keys]\nundoo = "ctrl+u"\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="undoo"):
        load_keymap(bad, binding_ids())
    bad.write_text("[keys\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="TOML"):
        load_keymap(bad, binding_ids())
    with pytest.raises(InputFileError, match="does not exist"):
        load_keymap(tmp_path / "missing.toml", binding_ids())


def test_every_binding_has_a_unique_id() -> None:
    ids = binding_ids()
    assert len(ids) == len(set(ids))
    from themecode.tui.screens.coding import CODING_BINDINGS

    assert all(b.id for b in CODING_BINDINGS)


async def test_demo_like_project_opens(make_project: Callable[..., Path]) -> None:
    db = make_project(n_cases=12)
    app, store = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "r", "ctrl+d")
        await pilot.pause()
        assert len(store.codings(coder="ann")) == 1
        await app.workers.wait_for_complete()
    store.close()


async def test_suggestions_shown_logged_and_accepted(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, background=True, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        scr = screen_of(app)
        first = store.sentences("K1-A")[0]
        await wait_until(pilot, app, lambda: scr.suggestion_key == ("K1-A", first.start, first.end))
        assert scr.suggestions, "the rules should suggest something for a domestic abuse sentence"
        top = scr.suggestions[0]
        shown = store.conn.execute(
            "SELECT code_id, rank, outcome FROM suggestion_log WHERE document_id = 'K1-A' "
            "AND start = ? ORDER BY rank", (first.start,)).fetchall()
        assert [r[0] for r in shown] == [x.code_id for x in scr.suggestions]
        await pilot.press("equals_sign")
        await pilot.pause()
        (c,) = store.codings("K1-A", "ann")
        assert (c.code_id, c.start, c.end) == (top.code_id, first.start, first.end)
        accepted = store.conn.execute(
            "SELECT code_id FROM suggestion_log WHERE outcome = 'accepted'").fetchall()
        assert accepted == [(top.code_id,)]
        await app.workers.wait_for_complete()
    store.close()


async def test_saturation_indicator_and_screen(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, background=True, at="K1")
    async with app.run_test(size=SIZE) as pilot:
        assert screen_of(app).session.case_id == "K1"
        scr = screen_of(app)
        await pilot.press("r", "ctrl+e", "y")  # y: K1-P has no code, the case is done anyway
        await wait_until(pilot, app, lambda: scr.saturation is not None)
        assert scr.saturation is not None and scr.saturation["n_units"] == 1
        await pilot.press("ctrl+t")
        await pilot.pause()
        text = str(app.screen.query_one("#saturation-text").content)  # type: ignore[attr-defined]
        assert "Chao2" in text and "Verdict" in text
        # every figure the CLI shows, the sensitivity grid and the guard-rails
        for figure in ("Cases since the last new code (m)", "Q1/T", "Sample coverage", "Francis 10+3",
                       "Guest et al. sensitivity grid", "6+3", "Prevalence floor: with 1 case"):
            assert figure in text, figure
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is scr
        await app.workers.wait_for_complete()
    store.close()


async def test_the_same_coder_in_two_windows_undo_says_what_it_undid_and_goes_there(
    tiny_project: Path,
) -> None:
    """Two windows of one coder share one undo history (events table): undo in the second window
    undoes the first window's coding, names it and takes the second window to it."""
    first, store1 = make_app(tiny_project, at="K1")
    async with first.run_test(size=SIZE) as p1:
        assert screen_of(first).session.case_id == "K1"
        second, store2 = make_app(tiny_project, at="K2")  # the second window opens on K2
        async with second.run_test(size=SIZE) as p2:
            assert screen_of(second).session.case_id == "K2"
            await p1.press("r")  # coded in the first window, on case K1
            await p1.pause()
            assert [c.code_id for c in store1.codings("K1-A", "ann")] == ["risk_identification"]
            await p2.press("ctrl+z")
            await p2.pause()
            assert store2.codings("K1-A", "ann") == []
            message = screen_of(second).last_message
            assert message.startswith("Undid coding as Risk identification and analysis"), message
            assert "commentary K1-A of case K1" in message
            assert screen_of(second).session.case_id == "K1"  # the screen went to what changed
    store1.close()
    store2.close()
