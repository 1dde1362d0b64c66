"""The review screen, driven by real key presses on a real project file."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_consensus import double_coded  # noqa: E402

from themecode.store import Store  # noqa: E402
from themecode.tui.review import ReviewApp  # noqa: E402


def test_accept_reject_copy_and_undo_by_keyboard(small_project: Path) -> None:
    d1, d2 = double_coded(small_project)

    async def drive() -> None:
        with Store.open(small_project) as store:
            app = ReviewApp(store, ["amy", "ben"])
            async with app.run_test(size=(120, 40)) as pilot:
                assert len(app.items) == 2
                first = app.items[0]
                await pilot.press("a")
                assert app.items[0].decision == "accepted"
                live = {c.code_id for d in (d1, d2) for c in store.codings(d, "consensus")}
                assert live == {first.code}
                await pilot.press("down", "x")
                assert app.items[1].decision == "rejected"
                await pilot.press("g")
                assert "contact_level" in {c.code_id for c in store.codings(d1, "consensus")}
                await pilot.press("ctrl+z")
                assert "contact_level" not in {c.code_id for c in store.codings(d1, "consensus")}
                assert "Undid" in str(app.query_one("#status").render())

    asyncio.run(drive())
