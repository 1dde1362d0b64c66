"""Pilot tests of the review screens (code browser, compare coders, code editor, themes, memos):
real key presses on a real project file, asserting on the database, undo included."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.store import Store
from themecode.tui.app import ThemecodeApp
from themecode.tui.screens.browser import CodeBrowserScreen
from themecode.tui.screens.coding import CodingScreen
from themecode.tui.screens.compare import CompareScreen
from themecode.tui.screens.memos import MemosScreen
from themecode.tui.screens.review_modals import CoderPicker
from themecode.tui.screens.themes import ThemesScreen

SIZE = (120, 40)
pytestmark = pytest.mark.anyio
DOCS = ("K1-A", "K1-P", "K3-A")


@pytest.fixture
def reviewed(tiny_project: Path) -> Path:
    """Every sentence of three commentaries coded domestic_abuse_checks by ann; bob coded the
    first sentence of K1-A the same and K3-A not at all; both marked the three done."""
    with Store.open(tiny_project) as s:
        for doc in DOCS:
            for sent in s.sentences(doc):
                s.add_coding(doc, sent.start, sent.end, "domestic_abuse_checks", "ann")
            for coder in ("ann", "bob"):
                s.set_status("document", doc, coder, "done")
        first = s.sentences("K1-A")[0]
        s.add_coding("K1-A", first.start, first.end, "domestic_abuse_checks", "bob")
        s.add_coding("K1-P", None, None, "contingency_planning", "bob")
    return tiny_project


def live(db: Path, code: str, coder: str | None = None) -> list[tuple[str, int, int]]:
    """The live codings of a code (on a fresh connection, as another process would see them)."""
    with Store.open(db) as s:
        return [(c.document_id, c.start, c.end) for c in s.codings(coder=coder, code_id=code)]


async def settle(pilot) -> None:  # noqa: ANN001
    """Let the screen's worker finish and its message land."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_browser(pilot, app: ThemecodeApp, code: str) -> CodeBrowserScreen:  # noqa: ANN001
    """From the coding screen: ctrl+b, then pick `code` by typing part of its id."""
    await pilot.press("ctrl+b")
    await pilot.pause()
    await pilot.press("c", *code.replace("_", " "), "enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, CodeBrowserScreen) and screen.state.target == code
    return screen


async def test_browser_filters_jumps_and_comes_back(reviewed: Path) -> None:
    app = ThemecodeApp(Store.open(reviewed), "lead", background=False)
    async with app.run_test(size=SIZE) as pilot:
        b = await open_browser(pilot, app, "domestic_abuse_checks")
        assert len(b.ids) == len(live(reviewed, "domestic_abuse_checks"))
        await pilot.press("o")  # first coder: ann
        assert b.state.coders == ("ann",) and len(b.ids) == len(live(reviewed,
                                                                    "domestic_abuse_checks", "ann"))
        await pilot.press("o", "o")  # bob, then everyone
        assert b.state.coders == ()
        await pilot.press("slash", *"risk", "enter")
        await pilot.pause()
        assert [e.span for e in b.page] == ["The risk summary relied on his account."]
        await pilot.press("x", "s")
        lengths = [e.end - e.start for e in b.page]
        assert lengths == sorted(lengths, reverse=True) and b.state.sort == "length"
        await pilot.press("down", "down")
        target = b.current()
        assert target is not None
        await pilot.press("g")  # jump to the extract in the coding screen
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        s = coding.session
        assert (s.doc.id, s.start, s.end) == (target.document_id, target.start, target.end)
        await pilot.press("ctrl+b")  # back to the same place
        await pilot.pause()
        again = app.screen
        assert isinstance(again, CodeBrowserScreen) and again.current() == target
        assert again.state.sort == "length"


async def test_split_moves_marked_extracts_and_undo_puts_them_back(reviewed: Path) -> None:
    app = ThemecodeApp(Store.open(reviewed), "lead", background=False, browse="")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        b = app.screen
        assert isinstance(b, CodeBrowserScreen)
        await pilot.press("c", *"domestic", "enter", "o")  # ann's extracts only
        await pilot.pause()
        first, second = b.page[0], b.page[1]
        await pilot.press("space", "space")
        assert b.marked == {first.coding_id, second.coding_id}
        await pilot.press("p", *"Checks relied on self report", "enter")
        await pilot.pause()
        with Store.open(reviewed) as s:
            new = s.code("checks_relied_on_self_report")
            assert new.parent == "assessment" and not new.retired
            moved = s.conn.execute("SELECT id FROM codings WHERE code_id = ? AND deleted = 0",
                                   (new.id,)).fetchall()
        assert sorted(r[0] for r in moved) == sorted([first.coding_id, second.coding_id])
        assert first.coding_id not in b.ids and not b.marked
        await pilot.press("ctrl+z")
        await pilot.pause()
        with Store.open(reviewed) as s:
            assert s.code("checks_relied_on_self_report").retired
            back = {c.id for c in s.codings(code_id="domestic_abuse_checks")}
        assert {first.coding_id, second.coding_id} <= back
        assert "Undid code_split" in str(b.query_one("#browser-status").render())


async def test_recode_remove_and_respan_extracts(reviewed: Path) -> None:
    app = ThemecodeApp(Store.open(reviewed), "lead", background=False)
    async with app.run_test(size=SIZE) as pilot:
        b = await open_browser(pilot, app, "domestic_abuse_checks")
        e = b.current()
        assert e is not None
        await pilot.press("shift+left")  # the extract ends a word earlier
        await pilot.pause()
        with Store.open(reviewed) as s:
            row = s.conn.execute('SELECT start, "end" FROM codings WHERE document_id = ? AND '
                                 "code_id = ? AND coder = ? AND deleted = 0 AND start = ?",
                                 (e.document_id, e.code_id, e.coder, e.start)).fetchone()
            text = s.document(e.document_id).text
        assert row[1] < e.end and text[row[0]:row[1]] == e.span.rsplit(" ", 1)[0]
        await pilot.press("r", *"victim", "enter")
        await pilot.pause()
        assert len(live(reviewed, "victim_focus")) == 1
        n = len(b.ids)
        await pilot.press("delete")
        await pilot.pause()
        assert len(b.ids) == n - 1
        await pilot.press("ctrl+z", "ctrl+z", "ctrl+z")  # remove, recode, respan all undone
        await pilot.pause()
        assert live(reviewed, "victim_focus") == []
        assert (e.document_id, e.start, e.end) in live(reviewed, "domestic_abuse_checks",
                                                        e.coder)


async def test_code_editor_saves_fields_as_one_undoable_event(reviewed: Path) -> None:
    app = ThemecodeApp(Store.open(reviewed), "lead", background=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot, app, "workload")
        await pilot.press("e")
        await pilot.pause()
        area = app.screen.query_one("#ed-definition")
        area.text = "Caseloads too high.\nChecks were skipped."  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        with Store.open(reviewed) as s:
            assert s.code("workload").definition == "Caseloads too high.\nChecks were skipped."
            assert s.events(action="code_edit")[-1].payload["after"] == {
                "definition": "Caseloads too high.\nChecks were skipped."}
        await pilot.press("ctrl+z")
        await pilot.pause()
        with Store.open(reviewed) as s:
            assert s.code("workload").definition.startswith("Caseload")  # the codebook's own
            assert "\n" not in s.code("workload").definition


async def test_themes_new_theme_move_between_themes_reviewed_and_undo(reviewed: Path) -> None:
    app = ThemecodeApp(Store.open(reviewed), "lead", background=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+x")
        await pilot.pause()
        t = app.screen
        assert isinstance(t, ThemesScreen)
        await settle(pilot)
        assert t.overview is not None
        da = next(cc for th in t.overview.themes for cc in th.codes
                  if cc.code.id == "domestic_abuse_checks")
        assert (da.cases, da.extracts) == (2, 8)
        await pilot.press("n", *"Information sharing", "enter")
        await pilot.pause()
        t.query_one("#themes-table").move_cursor(row=t.order.index("multi_agency"))
        await pilot.press("m", *"information", "enter")
        await pilot.pause()
        with Store.open(reviewed) as s:
            assert s.code("multi_agency").parent == "information_sharing"
        t.query_one("#themes-table").move_cursor(row=t.order.index("information_sharing"))
        await pilot.press("r")
        await pilot.pause()
        with Store.open(reviewed) as s:
            assert s.code("information_sharing").reviewed_by == "lead"
        await pilot.press("ctrl+z", "ctrl+z")  # reviewed mark, then the move between themes
        await pilot.pause()
        with Store.open(reviewed) as s:
            assert s.code("information_sharing").reviewed_at is None
            assert s.code("multi_agency").parent == "implementation"
        await pilot.press("enter")  # browse the highlighted theme's extracts
        await pilot.pause()
        assert isinstance(app.screen, CodeBrowserScreen)


async def test_compare_coders_accepts_into_consensus(reviewed: Path) -> None:
    app = ThemecodeApp(Store.open(reviewed), "lead", background=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot, app, "domestic_abuse_checks")
        await pilot.press("v")
        await settle(pilot)
        c = app.screen
        assert isinstance(c, CompareScreen)
        assert {(i.unit, i.applied, i.not_applied) for i in c.items} == {
            ("K1-A", ("ann", "bob"), ()), ("K1-P", ("ann",), ("bob",)),
            ("K3-A", ("ann",), ("bob",))}
        await pilot.press("d")  # disagreements only
        assert [i.unit for i in c.items] == ["K1-P", "K3-A"]
        await pilot.press("a")
        await settle(pilot)
        assert {d for d, *_ in live(reviewed, "domestic_abuse_checks", "consensus")} == {"K1-P"}
        assert c.items[0].decision == "accepted"


def shown(c: CompareScreen) -> tuple[set[str], set[str], set[str]]:
    """The commentaries the comparison lists as coded by both, by the first coder only and by
    the second only."""
    first, second = c.coders
    return ({i.unit for i in c.items if not i.not_applied},
            {i.unit for i in c.items if i.applied == (first,)},
            {i.unit for i in c.items if i.applied == (second,)})


async def test_compare_coders_picks_the_pair(reviewed: Path) -> None:
    """Three coders: the picker chooses bob and cat (keys), the comparison shows their sets;
    the pair is remembered, the button compares (mouse), `c` chooses another pair."""
    with Store.open(reviewed) as s:
        first = {d: s.sentences(d)[0] for d in DOCS}
        for doc in ("K1-A", "K3-A"):
            s.add_coding(doc, first[doc].start, first[doc].end, "domestic_abuse_checks", "cat")
        s.add_coding("K1-P", first["K1-P"].start, first["K1-P"].end, "domestic_abuse_checks",
                     "bob")
        for doc in DOCS:
            s.set_status("document", doc, "cat", "done")
    app = ThemecodeApp(Store.open(reviewed), "lead", background=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot, app, "domestic_abuse_checks")
        await pilot.press("v")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CoderPicker) and picker.chosen == ["ann", "bob"]
        await pilot.press("space", "enter")  # drop ann; enter needs two chosen
        assert isinstance(app.screen, CoderPicker) and picker.chosen == ["bob"]
        await pilot.press("down", "down", "space", "enter")  # choose cat, compare
        await settle(pilot)
        c = app.screen
        assert isinstance(c, CompareScreen) and c.coders == ["bob", "cat"]
        assert shown(c) == ({"K1-A"}, {"K1-P"}, {"K3-A"})
        title = str(c.query_one("#compare-title").render())
        assert "bob only: 1 · cat only: 1" in title
        await pilot.press("escape", "v")  # the browser remembers the pair
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CoderPicker) and picker.chosen == ["bob", "cat"]
        await pilot.click("#coder-compare")
        await settle(pilot)
        c = app.screen
        assert isinstance(c, CompareScreen) and c.coders == ["bob", "cat"]
        await pilot.press("c", "space", "enter")  # ann joins, bob (chosen first) drops
        await settle(pilot)
        assert c.coders == ["ann", "cat"]
        assert shown(c) == ({"K1-A", "K3-A"}, {"K1-P"}, set())


async def test_memo_browser_opens_the_commentary_and_marker_shows(reviewed: Path) -> None:
    with Store.open(reviewed) as s:
        s.add_memo("document", "K3-A", "ann", "Was the partner checked?")
        s.add_memo("code", "workload", "bob", "Overlaps oversight")
    app = ThemecodeApp(Store.open(reviewed), "lead", background=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        m = app.screen
        assert isinstance(m, MemosScreen) and len(m.rows) == 2
        await pilot.press("k")  # kind: commentary memos only
        assert [r.memo.target_id for r in m.rows] == ["K3-A"]
        await pilot.press("enter")
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen) and coding.session.doc.id == "K3-A"
        assert "memo on the commentary" in str(coding.query_one("#topbar").render())
        listed = coding.query_one("#codebook-list")
        prompts = {o.id: str(o.prompt) for o in listed.options if o.id}  # type: ignore[attr-defined]
        assert prompts["workload"].endswith("✎") and not prompts["home_visits"].endswith("✎")


async def test_browser_scrolls_page_by_page(reviewed: Path, monkeypatch) -> None:  # noqa: ANN001
    import themecode.tui.screens.browser as browser

    monkeypatch.setattr(browser, "PAGE", 3)
    app = ThemecodeApp(Store.open(reviewed), "lead", background=False,
                       browse="domestic_abuse_checks")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        b = app.screen
        assert isinstance(b, CodeBrowserScreen) and len(b.page) == 3 and len(b.ids) == 8
        await pilot.press("down", "down", "down")  # past the page's last row: the next page
        assert b.first == 3 and b.current_row == 3 and b.current().coding_id == b.ids[3]
        await pilot.press("up")  # back above its first row: the previous page, last row
        assert b.first == 0 and b.current_row == 2
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert b.first == 6 and len(b.page) == 2  # the last page holds the rest
