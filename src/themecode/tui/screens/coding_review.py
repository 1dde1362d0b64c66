"""The coding screen's way into the review screens: code browser, themes and memos.

`ReviewLinks` opens them over the coding screen and, when one returns, re-reads the codebook
(edits made there show at once), recomputes the saturation figures in the background (and has
the suggester refit when the codebook changed), and for a
jump goes to the extract, commentary or case asked for. The browser's place is kept, so the
next visit opens where the researcher left it.
"""

from __future__ import annotations

from typing import Any

from themecode.errors import ThemecodeError
from themecode.review.memos import memo_targets
from themecode.store import Store
from themecode.tui.screens.coding_view import CodingView, one_line
from themecode.tui.session import CodingSession


class ReviewLinks:
    """Opens the review screens from the coding screen and takes their results back."""

    def __init__(self, store: Store, coder: str, session: CodingSession, view: CodingView,
                 work: Any) -> None:
        self.store = store
        self.coder = coder
        self.session = session
        self.view = view
        self.work = work
        self.state: Any = None  # the browser's BrowserState after its last visit
        self.opened_with = ""  # the codebook hash when a review screen was opened

    def browse(self, target: str | None = None) -> None:
        """Open the code browser where it was left (or on `target`)."""
        from dataclasses import replace

        from themecode.tui.screens.browser import CodeBrowserScreen
        from themecode.tui.screens.review_nav import BrowserState

        state = self.state or BrowserState()
        if target is not None:
            state = replace(state, target=target, row=0)
        self.open(CodeBrowserScreen(self.store, self.coder, state))

    def themes(self) -> None:
        """Open the themes screen; choosing a code there opens it in the browser."""
        from themecode.tui.screens.themes import ThemesScreen

        self.open(ThemesScreen(self.store, self.coder))

    def memos(self) -> None:
        """Open the memo browser; choosing a memo opens what it is written on."""
        from themecode.tui.screens.memos import MemosScreen

        self.open(MemosScreen(self.store, self.coder))

    def open(self, screen: Any) -> None:
        """Push a review screen, remembering the codebook it started from."""
        from themecode.codebook import codebook_hash  # imported here: not needed to paint

        self.opened_with = codebook_hash(self.store)
        self.view.open_modal(screen, self.back)

    def back(self, result: object) -> None:
        """A review screen closed: show its edits, and go where it asked."""
        from themecode.codebook import codebook_hash
        from themecode.tui.screens.review_nav import JumpTo

        self.view.reload_codes()
        self.view.refresh_case()
        changed = codebook_hash(self.store) != self.opened_with
        if self.work.enabled:  # codings or codes may have changed: figures and suggester follow
            self.work.compute_saturation()
            if changed:
                self.work.load_suggester()  # a changed codebook makes it refit
        if isinstance(result, str):
            self.browse(result)
        elif isinstance(result, JumpTo):
            if result.document_id:  # a memo's jump keeps the browser's last place
                self.state = result.state
            self.jump(result)

    def jump(self, to: Any) -> None:
        """Go to a commentary (selecting the extract) or a case of the sample."""
        try:
            if to.document_id:
                self.session.goto_doc(to.document_id)
                if to.start is not None and to.end is not None:
                    self.session.select_span(to.start, to.end)
            elif to.case_id:
                self.session.goto_case(to.case_id)
        except ThemecodeError as exc:
            self.view.say(one_line(exc), error=True)
            return
        self.view.moved(case=True)
        self.view.save_position()
        self.view.say("Opened from the review screens; ctrl+b goes back to the code browser.")

    def code_memos(self, code_ids: list[str]) -> set[str]:
        """The codes with a memo (marked ✎ in the codebook list)."""
        return memo_targets(self.store, "code", code_ids)

    def markers(self, doc_id: str | None, case_id: str) -> str:
        """'✎ memo on the commentary / case' for the top bar ('' without memos)."""
        on = []
        if doc_id and memo_targets(self.store, "document", [doc_id]):
            on.append("commentary")
        if memo_targets(self.store, "case", [case_id]):
            on.append("case")
        return f"✎ memo on the {' and '.join(on)}" if on else ""
