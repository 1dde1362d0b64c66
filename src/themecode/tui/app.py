"""The Textual coding app: `themecode code study.db --coder NAME` runs `run(...)`.

The store is injected (`ThemecodeApp(store, coder)`), so tests build the app on a fixture
project and drive it with `App.run_test()`.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
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


def review_bindings() -> list[tuple[str, list[Binding]]]:
    """The review screens' bindings, screen by screen (imported only when asked for)."""
    from themecode.tui.screens.browser import BROWSER_BINDINGS
    from themecode.tui.screens.compare import COMPARE_BINDINGS
    from themecode.tui.screens.memos import MEMO_BINDINGS
    from themecode.tui.screens.review_modals import CODER_PICKER_BINDINGS, EDITOR_BINDINGS
    from themecode.tui.screens.themes import THEME_BINDINGS

    return [("Code browser", BROWSER_BINDINGS), ("Compare coders", COMPARE_BINDINGS),
            ("Choosing the coders to compare", CODER_PICKER_BINDINGS),
            ("Themes", THEME_BINDINGS), ("Memos", MEMO_BINDINGS),
            ("Code editor", EDITOR_BINDINGS)]


def binding_ids() -> list[str]:
    """Every remappable binding id of the app (for validating a keys file and for help)."""
    review = [b for _, bs in review_bindings() for b in bs]
    return [b.id for b in [*APP_BINDINGS, *CODING_BINDINGS, *review] if b.id]


def _binding_ids_when_needed() -> Iterator[str]:
    """`binding_ids()`, computed only when iterated: only a keys file needs them, and listing
    the review screens' bindings imports those screens (and numpy) before the first paint."""
    yield from binding_ids()


class ThemecodeApp(App[None]):
    """Keyboard-first thematic coding of a project's sample."""

    CSS_PATH = ["app.tcss", "review_screens.tcss"]  # the review screens: styled once, at start
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
        browse: str | None = None,
    ) -> None:
        """`background=False` runs without the suggester and saturation workers (quick tests);
        `backup=True` takes the session's backup in a worker once the screen is painted;
        `browse` opens the code browser over the coding screen (`review-codes`): on that code
        or theme, or on the first code when it is ''."""
        super().__init__()
        # Workers (suggester, look-ahead, saturation) hold the interpreter in turns of this
        # length: 1 ms instead of 5 keeps a key's frame from waiting behind them.
        sys.setswitchinterval(0.001)
        self.browse = browse
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
        """Open the coding screen (and the code browser over it for `review-codes`)."""
        coding = CodingScreen(
            self.store, self.coder, show_others=self.show_others, background=self.background,
            session=self.session,
        )
        self.push_screen(coding)
        if self.browse is not None:
            self.call_after_refresh(coding.review.browse, self.browse or None)

    def on_ready(self) -> None:
        """The first frame is on screen (Textual's Ready event): only now start what would
        compete with it — loading the suggester's libraries, saturation, the sample count and
        the backup all run in threads that share the interpreter with the first paint."""
        # Move the thousands of long-lived start-up objects (styles, widgets, codebook) out of
        # the garbage collector's view: later collections stay short and do not stall a key.
        gc.freeze()
        for screen in self.screen_stack:
            if isinstance(screen, CodingScreen):
                screen.start_background()
        if self.backup:  # copying a large project must not delay the first paint
            self.run_worker(self._take_backup, name="backup", thread=True, exit_on_error=False)

    def _take_backup(self) -> None:
        """Back the project up unless nothing changed since the newest backup (worker thread)."""
        from themecode.errors import ThemecodeError
        from themecode.team.backup import backup_if_changed

        try:
            self.post_message(BackupDone(backup_if_changed(self.store.path)))
        except (ThemecodeError, OSError) as exc:
            self.post_message(BackupDone(None, str(exc)))

    def on_backup_done(self, message: BackupDone) -> None:
        """Say where the backup went (or why there is none) in the coding screen's status line:
        a toast would cover part of the code grid on a small terminal. A failure is also a toast
        (it asks for action) and does not hide an error already in the status line."""
        coding = next((s for s in self.screen_stack if isinstance(s, CodingScreen)), None)
        if message.error:
            text = (f"The automatic backup failed: {message.error}. Your work is saved in the "
                    "project as usual; run `themecode backup` to retry.")
            self.notify(text, severity="error", timeout=30)
            if coding is not None and not coding.last_error:
                coding.say(text, error=True)
        elif message.path is not None:
            text = f"Backed up to {message.path}"
            if coding is None:
                self.notify(text, timeout=4)
            elif not coding.last_error:  # an error the coder has not seen yet stays
                coding.say(text + ".")

    def binding_rows(self, *, review: bool = True) -> list[tuple[str, str, str]]:
        """(key as shown, description, id) for every binding, after remapping; each review
        screen's bindings follow a heading row (key '', id ''). `review=False`: only the coding
        screen's and the app's (the key bar's; importing the review screens pulls in numpy)."""
        rows = []
        sections = [("", [*CODING_BINDINGS, *APP_BINDINGS]), *(review_bindings() if review else [])]
        for heading, bindings in sections:
            if heading:
                rows.append(("", heading, ""))
            for b in bindings:
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
    browse: str | None = None,
) -> None:
    """Open a project and run the coding app until the user quits (the CLI's `code` command);
    `backup` takes the session's backup once the screen is up (none if nothing changed);
    `review-codes` opens it with the code browser on top (`browse`)."""
    keymap = load_keymap(config_path, _binding_ids_when_needed())
    store = Store.open(path)
    try:
        app = ThemecodeApp(  # raises ThemecodeError (no sample, no coder) before the screen opens
            store, coder, show_others=show_others, keymap=keymap,
            keys_path=config_path or default_keys_path(), backup=backup, browse=browse,
        )
        app.run()
    finally:
        store.close()
