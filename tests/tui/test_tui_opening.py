"""Opening the coding app: the session backup runs after the first paint and costs no disk when
nothing changed since the last one; reopening lands on the next case still to code."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.store import Store
from themecode.team.backup import list_backups
from themecode.tui.app import ThemecodeApp

pytestmark = pytest.mark.anyio


async def open_once(db: Path, *, code: bool = False, size: tuple[int, int] = (120, 40)) -> list[str]:
    """Open the app with its backup, optionally code one sentence, quit; the notices shown
    (toasts, then the status line once the backup finished)."""
    store = Store.open(db)
    app = ThemecodeApp(store, "ann", background=False, backup=True)
    async with app.run_test(size=size) as pilot:
        assert app.screen.query_one("#commentary-text")  # painted before the backup finished
        for _ in range(100):
            await pilot.pause(0.05)
            if not any(w.name == "backup" and w.is_running for w in app.workers):
                break
        await pilot.pause()
        shown = [n.message for n in app._notifications] + [app.screen.last_message]  # type: ignore[attr-defined]
        if code:
            await pilot.press("r")
            await pilot.pause()
    store.close()
    return shown


async def test_backup_after_paint_and_only_when_changed(tiny_project: Path) -> None:
    first = await open_once(tiny_project, code=True)
    assert len(list_backups(tiny_project)) == 1 and any("Backed up to" in m for m in first)
    await open_once(tiny_project)  # ann coded a sentence since that backup: a new one
    assert len(list_backups(tiny_project)) == 2
    again = await open_once(tiny_project)  # nothing changed: no third copy
    assert len(list_backups(tiny_project)) == 2 and not any("Backed up" in m for m in again)


async def test_backup_notice_covers_nothing_at_80x24(tiny_project: Path) -> None:
    """The backup's notice goes to the status line, not a toast over the grid of code keys."""
    shown = await open_once(tiny_project, size=(80, 24))
    assert shown == [f"Backed up to {list_backups(tiny_project)[0].path}."]


async def test_reopening_goes_to_the_next_open_case(tiny_project: Path) -> None:
    store = Store.open(tiny_project)
    app = ThemecodeApp(store, "ann", background=False)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await pilot.press("ctrl+g", "K", "1", "enter")
        ids = scr.session.case_ids  # type: ignore[attr-defined]
        following = ids[(ids.index("K1") + 1) % len(ids)]
        await pilot.press("R", "right", "P", "ctrl+e")  # both commentaries coded: no question
        await pilot.pause()
        assert store.status("case", "K1", "ann") == "done"
        assert scr.session.case_id == following  # type: ignore[attr-defined]
        await pilot.press("ctrl+g", "K", "1", "enter")  # back on the done case, then quit
    store.close()
    store = Store.open(tiny_project)
    app = ThemecodeApp(store, "ann", background=False)
    async with app.run_test(size=(120, 40)):
        assert app.screen.session.case_id == following  # type: ignore[attr-defined]
    store.close()
