"""Pilot tests of the audit queue: open it from the coding screen, code a candidate with a new
inductive code, dismiss another, undo; every decision lands in the database as an event."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit_helpers import NOVEL, build_audit_project  # noqa: E402

from themecode.audit.decisions import decision, summary  # noqa: E402
from themecode.store import Store  # noqa: E402
from themecode.tui.app import ThemecodeApp  # noqa: E402
from themecode.tui.screens.audit import AuditScreen  # noqa: E402

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


async def open_queue(pilot: object, app: ThemecodeApp) -> AuditScreen:
    await pilot.press("ctrl+r")  # type: ignore[attr-defined]
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        if isinstance(app.screen, AuditScreen) and app.screen.rows:
            return app.screen
    raise AssertionError("the audit queue did not fill")


async def test_code_with_a_new_code_then_dismiss_and_undo(tmp_path: Path) -> None:
    db = build_audit_project(tmp_path)
    store = Store.open(db)
    app = ThemecodeApp(store, "amy", background=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, app)
        assert [r.candidate.doc_id for r in screen.rows][0] == "U2-I"
        shown = str(screen.query_one("#audit-text").render())
        assert "imam" in shown and "words the coded sample never uses" in shown
        await pilot.press("c")  # nothing coded yet: refused, nothing written
        await pilot.pause()
        assert decision(store, "U2-I") is None
        assert "no audit codings yet" in str(screen.query_one("#audit-status").render())
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press(*"Faith support", "enter")
        await pilot.pause()
        (c,) = store.codings("U2-I", "amy")
        assert c.code_id == "faith_support"
        assert store.document("U2-I").text[c.start:c.end] == NOVEL  # the unusual sentence
        assert store.conn.execute("SELECT audit FROM codings WHERE id = ?", (c.id,)).fetchone()[0]
        await pilot.press("c")
        await pilot.pause()
        assert decision(store, "U2-I") == "coded"
        assert screen.current() is not None and screen.current().candidate.doc_id == "U1-A"
        await pilot.press("x")
        await pilot.pause()
        assert decision(store, "U1-A") == "dismissed"
        s = summary(store)
        assert (s.reviewed, s.coded, s.dismissed, [n.code_id for n in s.new_codes]) == (
            2, 1, 1, ["faith_support"])
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert decision(store, "U1-A") is None
        assert [e.action for e in store.events(coder="amy")][-4:] == [
            "code", "audit_decision", "audit_decision", "undo"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AuditScreen)
        assert "faith_support" in app.screen.codes  # type: ignore[attr-defined]
    store.close()
