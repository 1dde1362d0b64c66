"""Where the coder goes on the coding screen: sentences, commentaries, cases, go-to and search.

`Navigator` moves the `CodingSession` (which holds the place and the selection) and asks the
screen (a `CodingView`) to re-render what changed. It writes nothing but the saved position.
"""

from __future__ import annotations

from pathlib import Path

from themecode.errors import ThemecodeError
from themecode.store import Store
from themecode.tui import queries
from themecode.tui.screens.coding_view import CodingView, one_line
from themecode.tui.session import CodingSession

# Modal screens are imported when first opened: it keeps start-up quicker.


class Navigator:
    """Moves through the sample and the selection, from keys."""

    def __init__(self, store_path: Path, session: CodingSession, view: CodingView) -> None:
        self.store_path = store_path
        self.session = session
        self.view = view

    def move(self, delta: int) -> None:
        """Sentence cursor up/down (down past the last sentence goes to the next commentary)."""
        if self.session.move(delta):
            self.view.refresh_text()
        elif delta > 0 and self.session.doc_index + 1 < len(self.session.docs):
            self.session.next_doc()
            self.view.moved()

    def extend(self, delta: int) -> None:
        """Extend/shrink the selection by sentences."""
        if self.session.extend(delta):
            self.view.refresh_text()

    def refine(self, how: str) -> None:
        """Move one end of the selection by a word (`how` names a session method)."""
        if getattr(self.session, how)():
            self.view.refresh_text()

    def select_all(self) -> None:
        """Select the whole commentary."""
        self.session.select_all()
        self.view.refresh_text()

    def doc(self, delta: int) -> None:
        """Next/previous commentary of the case."""
        moved = self.session.next_doc() if delta > 0 else self.session.prev_doc()
        if moved:
            self.view.moved()  # the position is saved by the debounced timer

    def case(self, delta: int) -> None:
        """Next/previous case of the sample."""
        moved = self.session.next_case() if delta > 0 else self.session.prev_case()
        if not moved and delta > 0:
            added = self.session.refresh_sample()  # `themecode sample --extend` may have run
            if added > 0:
                self.view.sample_extended(added)
                moved = self.session.next_case()
        if moved:
            self.view.moved(case=True)
        else:
            self.view.say("This is the last case of the sample." if delta > 0
                          else "This is the first case.", error=True)

    def goto_case(self) -> None:
        """Ask for a case id and jump to it."""

        def go(case_id: str | None) -> None:
            if not case_id:
                return
            try:
                self.session.goto_case(case_id)
            except ThemecodeError as exc:
                self.view.say(one_line(exc), error=True)
                return
            self.view.moved(case=True)
            self.view.save_position()
            self.view.say(f"Case {self.session.case_id}.")  # no stale error from an earlier try

        from themecode.tui.screens.modals import PromptModal

        self.view.open_modal(PromptModal("Go to case", "case id"), go)

    def search(self) -> None:
        """Search commentaries of the sample; jump to a hit with the match selected."""
        path = self.store_path

        def search(query: str) -> list[queries.SearchHit]:
            with Store.open(path) as own:  # runs in a worker thread: its own connection
                return queries.search_sample(own, query)

        def go(hit: object) -> None:
            if not isinstance(hit, queries.SearchHit):
                return
            try:
                self.session.goto_doc(hit.doc_id)
            except ThemecodeError as exc:
                self.view.say(one_line(exc), error=True)
                return
            self.session.select_sentence_at(hit.start)  # the hit's sentence: ready to code
            self.view.moved(case=True)
            self.view.save_position()
            self.view.say(f"Found in commentary {hit.doc_id} of case {hit.case_id}.")

        from themecode.tui.screens.modals import SearchModal

        self.view.open_modal(SearchModal(search), go)
