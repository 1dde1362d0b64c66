"""The Textual coding app: `themecode code study.db --coder NAME` runs `run(...)`.

The store is injected (`ThemecodeApp(store, coder)`), so tests build the app on a fixture
project and drive it with `App.run_test()`.
"""

from __future__ import annotations

import gc
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.message import Message

from themecode.store import Store
from themecode.tui.keymap import default_keys_path, load_keymap
from themecode.tui.screens.coding import CODING_BINDINGS, CodingScreen
from themecode.tui.session import CodingSession


class BackupDone(Message):
    """The session's automatic backup finished (`path` None: nothing changed since the last)."""

    def __init__(self, path: Path | None, error: str = "") -> None:
        super().__init__()
        self.path = path
        self.error = error


APP_BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit", priority=True)]


def binding_ids() -> list[str]:
    """Every remappable binding id of the app (for validating a keys file and for help)."""
    return [b.id for b in [*APP_BINDINGS, *CODING_BINDINGS] if b.id]


class ThemecodeApp(App[None]):
    """Keyboard-first thematic coding of a project's sample."""

    CSS_PATH = "app.tcss"
    TITLE = "themecode"
    BINDINGS = APP_BINDINGS
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        store: Store,
        coder: str,
        *,
        show_others: bool = False,
        keymap: dict[str, str] | None = None,
        keys_path: Path | None = None,
        background: bool = True,
        backup: bool = False,
    ) -> None:
        """`background=False` runs without the suggester and saturation workers (quick tests);
        `backup=True` takes the session's backup in a worker once the screen is painted."""
        super().__init__()
        self.background = background
        self.backup = backup
        self.store = store
        self.coder = coder
        self.session = CodingSession(store, coder)  # fails here, cleanly, with no sample
        self.show_others = show_others
        self.keymap_overrides = dict(keymap or {})
        self.keys_path = keys_path or default_keys_path()
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        self.theme = "nord"  # before mounting: styles are computed once, not twice

    def on_mount(self) -> None:
        """Open the coding screen."""
        self.push_screen(
            CodingScreen(
                self.store, self.coder, show_others=self.show_others, background=self.background,
                session=self.session,
            )
        )
        # After the first screen, move the thousands of long-lived start-up objects (styles,
        # widgets, codebook) out of the garbage collector's view: later collections stay short
        # and do not stall a key press.
        self.call_after_refresh(gc.freeze)
        if self.backup:  # after the first paint: copying a large project must not delay it
            self.call_after_refresh(self.run_worker, self._take_backup, name="backup", thread=True,
                                    exit_on_error=False)

    def _take_backup(self) -> None:
        """Back the project up unless nothing changed since the newest backup (worker thread)."""
        from themecode.errors import ThemecodeError
        from themecode.team.backup import backup_if_changed

        try:
            self.post_message(BackupDone(backup_if_changed(self.store.path)))
        except (ThemecodeError, OSError) as exc:
            self.post_message(BackupDone(None, str(exc)))

    def on_backup_done(self, message: BackupDone) -> None:
        """Say where the backup went (or why there is none) without covering the work."""
        if message.error:
            self.notify(f"The automatic backup failed: {message.error}. Your work is saved in the "
                        "project as usual; run `themecode backup` to retry.", severity="error",
                        timeout=30)
        elif message.path is not None:
            self.notify(f"Backed up to {message.path}", timeout=4)

    def binding_rows(self) -> list[tuple[str, str, str]]:
        """(key as shown, description, id) for every binding, after remapping."""
        rows = []
        for b in [*CODING_BINDINGS, *APP_BINDINGS]:
            key = self.keymap_overrides.get(b.id or "", b.key)
            shown = ", ".join(
                self.get_key_display(Binding(k.strip(), b.action)) for k in key.split(",")
            )
            rows.append((shown, b.description, b.id or ""))
        return rows

    def action_show_help_screen(self) -> None:
        """The help screen: every binding and its id."""
        from themecode.tui.screens.modals import HelpScreen

        self.push_screen(HelpScreen(self.binding_rows(), str(self.keys_path)))


def run(
    path: Path,
    coder: str,
    *,
    show_others: bool = False,
    config_path: Path | None = None,
    backup: bool = False,
) -> None:
    """Open a project and run the coding app until the user quits (the CLI's `code` command);
    `backup` takes the session's backup once the screen is up (none if nothing changed)."""
    keymap = load_keymap(config_path, binding_ids())
    store = Store.open(path)
    try:
        app = ThemecodeApp(  # raises ThemecodeError (no sample, no coder) before the screen opens
            store, coder, show_others=show_others, keymap=keymap,
            keys_path=config_path or default_keys_path(), backup=backup,
        )
        app.run()
    finally:
        store.close()
