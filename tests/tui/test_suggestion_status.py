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
        await pilot.press("equals_sign")  # apply the top suggestion
        await pilot.pause()
        scr.work.load_suggester()  # the status is recounted whenever the suggester (re)loads
        await wait_until(pilot, app, lambda: "accepted 1/1" in str(title.render()))
        assert "1 still coded" in str(title.render())
        await app.workers.wait_for_complete()
    store.close()
