"""The suggestions panel says what the suggester is and how its suggestions have fared."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_app import make_app, screen_of, wait_until

from themecode.tui.widgets.commentary import TextPanel

pytestmark = pytest.mark.anyio


async def test_panel_heading_shows_suggester_status_and_record(tiny_project: Path) -> None:
    app, store = make_app(tiny_project, background=True, at="K1")
    async with app.run_test(size=(160, 48)) as pilot:
        scr = screen_of(app)
        first = store.sentences("K1-A")[0]
        await wait_until(pilot, app, lambda: scr.suggestion_key == ("K1-A", first.start, first.end))
        title = scr.query_one("#sugg-title", TextPanel)
        heading = str(title.render())
        assert "rules only" in heading and "nothing accepted or rejected yet" in heading
        # the long form: what it is, then the log as counted when the suggester (re)loaded
        assert str(title.tooltip).startswith("codebook rules only (keywords and definitions)")
        await pilot.press("equals_sign")  # accept the first suggestion
        await pilot.pause()
        scr.work.load_suggester()  # the status is recounted whenever the suggester (re)loads
        await wait_until(pilot, app, lambda: "accepted 1/1" in str(title.render()))
        assert "1 still coded" in str(title.render())
        assert "ann's log" in str(title.tooltip) and "1 of 1 decided accepted" in str(title.tooltip)
        await app.workers.wait_for_complete()
    store.close()
