"""The audit queue: the commentaries outside the sample most unlike the coded sample, one at a
time, each coded (existing or new inductive code, marked as audit codings) or dismissed as
nothing new. Every decision is an undoable event (`themecode.audit.decisions`).

The ranking runs in a thread worker with its own `Store` and comes back as `AuditReady`; only
the handlers touch widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from themecode.audit.decisions import audit_code, decide, decision, summary
from themecode.audit.ranking import AuditRanking, Candidate
from themecode.errors import ThemecodeError
from themecode.store import Store

AUDIT_BINDINGS: list[Binding] = [
    Binding("right,n", "sentence(1)", "Next sentence", show=False, id="audit.sentence_next"),
    Binding("left,p", "sentence(-1)", "Previous sentence", show=False, id="audit.sentence_prev"),
    Binding("enter", "pick_code", "Code sentence…", id="audit.pick_code"),
    Binding("plus", "new_code", "New code", id="audit.new_code"),
    Binding("c", "coded", "Done: coded", id="audit.coded"),
    Binding("x", "dismiss_candidate", "Nothing new", id="audit.dismiss"),
    Binding("ctrl+z", "undo", "Undo", id="audit.undo"),
    Binding("s", "summary", "What the audit found", id="audit.summary"),
    Binding("escape", "close", "Back", id="audit.close"),
]
UNUSUAL = "on #4c566a"
SELECTED = "reverse"


class AuditReady(Message):
    """The ranking finished (or failed with a message for the researcher)."""

    def __init__(self, ranking: AuditRanking | None, error: str = "") -> None:
        super().__init__()
        self.ranking = ranking
        self.error = error


class AuditProgress(Message):
    """Commentaries scored so far."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


@dataclass
class Row:
    """A queue entry: the candidate, its rank and the sentence the coder has selected."""

    rank: int
    candidate: Candidate
    sentence: int = 0


class AuditScreen(Screen[None]):
    """Review the top candidates of the audit of the unsampled commentaries."""

    BINDINGS = AUDIT_BINDINGS

    def __init__(self, store: Store, coder: str, top: int = 50) -> None:
        super().__init__()
        self.store = store
        self.coder = coder
        self.top = top
        self.rows: list[Row] = []
        self.ranking: AuditRanking | None = None

    def compose(self) -> ComposeResult:
        """Title, queue, commentary, status line."""
        yield Static(Text("Audit of the unsampled commentaries: scoring…", "bold"),
                     id="audit-title")
        yield DataTable(id="audit-queue", cursor_type="row", zebra_stripes=True)
        yield Static(id="audit-text")
        yield Static(id="audit-status")
        yield Footer()

    def on_mount(self) -> None:
        """Start the ranking in a worker."""
        self.query_one(DataTable).add_columns("#", "commentary", "case", "score", "decision")
        self.rank_worker()

    @work(thread=True, exclusive=True, group="audit")
    def rank_worker(self) -> None:
        """Rank the candidates on a private connection (slow work off the UI thread)."""
        from themecode.audit.ranking import rank_unsampled

        store = self.store.reopen()
        try:
            ranking = rank_unsampled(
                store, top=self.top,
                progress=lambda d, t: self.post_message(AuditProgress(d, t)))
            self.post_message(AuditReady(ranking))
        except ThemecodeError as exc:
            self.post_message(AuditReady(None, str(exc)))
        finally:
            store.close()

    def on_audit_progress(self, message: AuditProgress) -> None:
        """Show how far the scoring is."""
        self.query_one("#audit-title", Static).update(Text(
            f"Audit of the unsampled commentaries: scoring {message.done} of {message.total}…",
            "bold"))

    def on_audit_ready(self, message: AuditReady) -> None:
        """Fill the queue."""
        if message.ranking is None:
            self.query_one("#audit-title", Static).update(Text(message.error, "#bf616a"))
            return
        r = self.ranking = message.ranking
        self.rows = [Row(i + 1, c) for i, c in enumerate(r.candidates)]
        for row in self.rows:
            row.sentence = _best_sentence(row.candidate, self.spans(row))
        self.query_one("#audit-title", Static).update(Text(
            f"Audit: the {len(self.rows)} of {r.n_candidates} commentaries outside the sample "
            f"most unlike the {r.n_reference} coded ones. Highlighted: sentences with words the "
            "coded sample never uses.", "bold"))
        table = self.query_one(DataTable)
        for row in self.rows:
            table.add_row(str(row.rank), row.candidate.doc_id, row.candidate.case_id,
                          f"{row.candidate.score:.2f}", self._decision(row), key=row.candidate.doc_id)
        table.focus()
        self.show()

    # ------------------------------------------------------------------ display
    def _decision(self, row: Row) -> str:
        found = decision(self.store, row.candidate.doc_id)
        if found:
            return found
        n = len([c for c in self.store.codings(row.candidate.doc_id) if c.coder == self.coder])
        return f"{n} coded, open" if n else "open"

    def current(self) -> Row | None:
        """The highlighted candidate."""
        table = self.query_one(DataTable)
        return self.rows[table.cursor_row] if 0 <= table.cursor_row < len(self.rows) else None

    def spans(self, row: Row) -> list[tuple[int, int]]:
        """The commentary's sentences as (start, end)."""
        return [(s.start, s.end) for s in self.store.sentences(row.candidate.doc_id)]

    def show(self) -> None:
        """The commentary literally, unusual sentences shaded, the selected one reversed, and
        the codings made on it."""
        row = self.current()
        if row is None:
            return
        doc = self.store.document(row.candidate.doc_id)
        text = Text(doc.text)
        for s in row.candidate.sentences:
            if s.score > 0:
                text.stylize(UNUSUAL, s.start, s.end)
        spans = self.spans(row)
        if spans:
            a, b = spans[min(row.sentence, len(spans) - 1)]
            text.stylize(SELECTED, a, b)
        out = Text(f"{doc.id} ({doc.stage or ''}, case {doc.case_id})\n", "bold") + text
        words = sorted({t for s in row.candidate.sentences for t in s.terms})
        if words:
            out.append("\n\nwords the coded sample never uses: ", "dim")
            out.append(", ".join(words), "dim italic")
        labels = {c.id: c.label for c in self.store.codes(include_retired=True)}
        for c in self.store.codings(doc.id):
            out.append(f"\n■ {labels.get(c.code_id, c.code_id)} ({c.coder}): ", "#88c0d0")
            out.append(" ".join(doc.text[c.start:c.end].split()))
        self.query_one("#audit-text", Static).update(out)

    def say(self, message: str, error: bool = False) -> None:
        """One line of feedback."""
        self.query_one("#audit-status", Static).update(
            Text(message, "#bf616a" if error else ""))

    def refresh_row(self, row: Row) -> None:
        """Re-read a candidate's decision into its queue row."""
        table = self.query_one(DataTable)
        table.update_cell(row.candidate.doc_id, table.ordered_columns[4].key, self._decision(row))
        self.show()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted candidate."""
        self.show()

    # ------------------------------------------------------------------ actions
    def action_sentence(self, delta: int) -> None:
        """Select the next / previous sentence of the commentary."""
        row = self.current()
        if row is not None:
            n = len(self.spans(row))
            row.sentence = max(0, min(n - 1, row.sentence + delta))
            self.show()

    def _selected_span(self, row: Row) -> tuple[int, int]:
        spans = self.spans(row)
        return spans[min(row.sentence, len(spans) - 1)]

    def action_pick_code(self) -> None:
        """Apply a code to the selected sentence (an audit coding)."""
        row = self.current()
        if row is None:
            return
        from themecode.tui.screens.modals import CodePicker

        def chosen(code_id: object) -> None:
            if isinstance(code_id, str):
                self._apply(row, code_id)
        self.app.push_screen(CodePicker(self.store.codes(kind="code"),
                                        "Apply code to the sentence (audit coding)"), chosen)

    def _apply(self, row: Row, code_id: str) -> None:
        a, b = self._selected_span(row)
        try:
            audit_code(self.store, row.candidate.doc_id, a, b, code_id, self.coder)
        except ThemecodeError as exc:
            self.say(f"Not coded: {exc}", error=True)
            return
        self.say(f"Coded {code_id} on {row.candidate.doc_id} (audit coding). "
                 "Press c when the commentary is done.")
        self.refresh_row(row)

    def action_new_code(self) -> None:
        """Add a new inductive code and apply it to the selected sentence."""
        row = self.current()
        if row is None:
            return
        from themecode.tui.screens.modals import NewCodeModal

        codes = self.store.codes()
        themes = [c for c in codes if c.kind == "theme"]
        used = {c.shortcut.lower() for c in codes if c.shortcut}
        free = "".join(ch for ch in "abcdefghijklmnopqrstuvwxyz" if ch not in used)

        def created(form: Any) -> None:
            if form is None:
                return
            from themecode.codebook import create_code

            try:
                code = create_code(self.store, form.code_id, form.label, coder=self.coder,
                                   definition=form.definition, parent=form.theme,
                                   origin="inductive", shortcut=form.shortcut)
            except ThemecodeError as exc:
                self.say(f"Code not added: {exc}", error=True)
                return
            if form.apply:
                self._apply(row, code.id)
            else:
                self.say(f"Added code {code.id}.")
        self.app.push_screen(NewCodeModal(themes, free, None), created)

    def _decide(self, what: str) -> None:
        row = self.current()
        if row is None:
            return
        try:
            decide(self.store, row.candidate.doc_id, self.coder, what, rank=row.rank,
                   score=round(row.candidate.score, 4),
                   method=self.ranking.method if self.ranking else "")
        except ThemecodeError as exc:
            self.say(str(exc), error=True)
            return
        self.refresh_row(row)
        self.say(f"{row.candidate.doc_id}: {what}.")
        self._next_open()

    def _next_open(self) -> None:
        table = self.query_one(DataTable)
        for i in range(table.cursor_row + 1, len(self.rows)):
            if decision(self.store, self.rows[i].candidate.doc_id) is None:
                table.move_cursor(row=i)
                return

    def action_coded(self) -> None:
        """This candidate is done: it carries audit codings."""
        self._decide("coded")

    def action_dismiss_candidate(self) -> None:
        """Nothing new in this candidate."""
        self._decide("dismissed")

    def action_undo(self) -> None:
        """Undo this coder's last action (a decision, a coding, a new code)."""
        ev = self.store.undo(self.coder)
        for row in self.rows:
            if ev is not None and ev.target == row.candidate.doc_id:
                self.refresh_row(row)
        self.show()
        self.say(f"Undid {ev.action}." if ev else "Nothing to undo.")

    def action_close(self) -> None:
        """Back to where the queue was opened from (which re-reads the codebook)."""
        self.dismiss(None)

    def action_summary(self) -> None:
        """What the audit lets a lead say, so far."""
        self.say(summary(self.store).statement)


def _best_sentence(c: Candidate, spans: list[tuple[int, int]]) -> int:
    """Index (in text order) of the candidate's most unusual sentence, 0 if none."""
    if not c.sentences:
        return 0
    best = max(c.sentences, key=lambda s: s.score)
    return next((i for i, span in enumerate(spans) if span == (best.start, best.end)), 0)
