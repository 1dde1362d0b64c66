"""What the coding screen writes: apply and remove codes, new codes, undo/redo, statuses, memos.

`EditController` makes one `Store` call per action (one short transaction with its event), then
asks the screen to re-render from the database and says what happened in the status line. It gets
the store, the coder, the session, the screen (as a `CodingView`) and the background work (to
refit and recompute after something is marked done) in its constructor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from themecode.errors import ThemecodeError
from themecode.store import Code, Event, Store
from themecode.tui import queries
from themecode.tui.screens.coding_view import CodingView, one_line

if TYPE_CHECKING:
    from themecode.tui.screens.coding_background import BackgroundWork
    from themecode.tui.screens.modals import NewCode
    from themecode.tui.session import CodingSession

# Modal screens are imported when first opened: it keeps start-up quicker.

__all__ = ["EditController", "describe_event", "one_line", "removal_message"]


def _codings(n: int) -> str:
    return f"{n} coding{'s' if n != 1 else ''}"


def removal_message(label: str, where: str, trimmed: int, removed: int) -> str:
    """Status line after a code was taken off a span, e.g. "Removed Professional curiosity
    from the selection (1 coding trimmed, 1 removed)."."""
    if trimmed and removed:
        detail = f"{_codings(trimmed)} trimmed, {removed} removed"
    elif trimmed:
        detail = f"{_codings(trimmed)} trimmed"
    else:
        detail = f"{_codings(removed)} removed"
    return f"Removed {label} from {where} ({detail})."


def _label(codes: Mapping[str, Code], code_id: str) -> str:
    code = codes.get(code_id)
    return code.label if code else code_id


def _describe_uncode(p: dict[str, Any], codes: Mapping[str, Code]) -> str:
    if "added_ids" not in p:  # an uncode event written before codings could be trimmed
        return f"removal of {_codings(len(p.get('coding_ids', [])))}"
    counts = [f"{p.get(k, 0)} {k}" for k in ("trimmed", "removed") if p.get(k)]
    return f"removal of {_label(codes, p.get('code_id', ''))} ({', '.join(counts)})"


def describe_event(ev: Event, codes: Mapping[str, Code] | None = None) -> str:
    """A short human description of an undone/redone action, codes named by their labels."""
    p, codes = ev.payload, codes or {}
    if ev.action == "uncode":
        return _describe_uncode(p, codes)
    if ev.action == "status":
        unit = "commentary" if p.get("unit_type") == "document" else p.get("unit_type", "")
        return f"{unit} {p.get('unit_id', '')} marked {p.get('after', '')}"
    return {
        "code": f"coding as {_label(codes, p.get('code_id', ''))}",
        "code_commentary": "coding of the whole commentary as "
                           + ", ".join(_label(codes, c) for c in p.get("code_ids", [])),
        "memo_add": "new memo",
        "memo_edit": "memo edit",
        "memo_delete": "memo deletion",
        "code_create": f"new code {_label(codes, p.get('code_id', ''))}",
    }.get(ev.action, ev.action)


class EditController:
    """The coding screen's actions that change the project."""

    def __init__(
        self, store: Store, coder: str, session: CodingSession, view: CodingView,
        background: BackgroundWork,
    ) -> None:
        self.store = store
        self.coder = coder
        self.session = session
        self.view = view
        self.background = background

    # ------------------------------------------------------------------ coding actions
    def apply_code(self, code_id: str, *, whole: bool = False, extra: dict[str, Any] | None = None) -> bool:
        """Apply a code to the selection (or the whole commentary), commit, then show it."""
        doc = self.session.doc
        if doc is None:
            self.view.say("There is no commentary to code.", error=True)
            return False
        s = self.session
        start, end = (None, None) if whole else (s.start, s.end)
        try:
            self.store.add_coding(doc.id, start, end, code_id, self.coder, extra=extra)
        except ThemecodeError as exc:
            self.view.say(one_line(exc), error=True)
            return False
        label = self.view.codes[code_id].label if code_id in self.view.codes else code_id
        where = "the whole commentary" if whole or s.whole_selected else "the selection"
        self.view.refresh_text()
        self.view.refresh_codebook(keep=code_id, after_paint=True)
        self.view.say(f"Coded {where} as {label}.")
        return True

    def shortcut(self, ch: str, code_id: str | None) -> None:
        """A code's letter was pressed: apply it (capital: to the whole commentary)."""
        if code_id is None:
            self.view.say(f"No code has the key {ch.lower()!r}; press Enter to pick a code.", error=True)
        else:
            self.apply_code(code_id, whole=ch.isupper())

    def apply_highlighted(self) -> None:
        """Apply the code highlighted in the codebook list (Enter there)."""
        cid = self.view.highlighted_code()
        if cid:
            self.apply_code(cid)

    def pick_code(self) -> None:
        """Open the fuzzy code picker for the selection."""
        codes = [c for c in self.view.codes.values() if c.kind == "code" and not c.retired]
        codes.sort(key=lambda c: (c.sort_order, c.id))
        title = "Apply code to the whole commentary" if self.session.whole_selected else (
            "Apply code to the selection")

        def chosen(code_id: object) -> None:
            if isinstance(code_id, str):
                self.apply_code(code_id)

        from themecode.tui.screens.modals import CodePicker

        self.view.open_modal(CodePicker(codes, title), chosen)

    def _overlapping(self) -> list[Any]:
        s = self.session
        doc = s.doc
        if doc is None:
            return []
        return [
            c for c in self.store.codings(doc.id, self.coder) if c.start < s.end and c.end > s.start
        ]

    def uncode(self) -> None:
        """Take one of my codes off the selection only (choose when several overlap it).

        Codings inside the selection go; the parts of codings reaching outside it stay coded.
        """
        s = self.session
        doc = s.doc
        hits = self._overlapping()
        if doc is None or not hits:
            self.view.say("None of your codes touch the selection.", error=True)
            return
        start, end = s.start, s.end  # the selection when the key was pressed
        where = "the whole commentary" if s.whole_selected else "the selection"
        by_code = list(dict.fromkeys(c.code_id for c in hits))

        def remove(code_id: object) -> None:
            if not isinstance(code_id, str) or code_id not in by_code:
                return
            try:
                result = self.store.uncode_span(doc.id, start, end, code_id, self.coder)
            except ThemecodeError as exc:
                self.view.say(one_line(exc), error=True)
                return
            self.view.refresh_text()
            self.view.refresh_codebook(keep=code_id, after_paint=True)
            label = self.view.codes[code_id].label if code_id in self.view.codes else code_id
            self.view.say(removal_message(label, where, result.trimmed, result.removed))

        if len(by_code) == 1:
            remove(by_code[0])
            return
        codes = [self.view.codes[c] for c in by_code if c in self.view.codes]
        from themecode.tui.screens.modals import CodePicker

        self.view.open_modal(CodePicker(codes, "Remove which code from the selection?"), remove)

    def new_code(self) -> None:
        """Add an inductive code (label, definition, theme); it can be applied at once."""
        themes = [c for c in self.view.codes.values() if c.kind == "theme" and not c.retired]
        themes.sort(key=lambda c: (c.sort_order, c.id))
        used = {c.shortcut.lower() for c in self.view.codes.values() if c.shortcut and not c.retired}
        free = "".join(ch for ch in "abcdefghijklmnopqrstuvwxyz" if ch not in used)
        hl = self.view.highlighted_code()
        current_theme = self.view.codes[hl].parent if hl and hl in self.view.codes else None
        from themecode.tui.screens.modals import NewCodeModal

        self.view.open_modal(NewCodeModal(themes, free, current_theme), self._create_code)

    def _create_code(self, form: NewCode | None) -> None:
        if form is None:
            return
        from themecode.codebook import create_code

        try:
            code = create_code(
                self.store, form.code_id, form.label, coder=self.coder,
                definition=form.definition, parent=form.theme, origin="inductive",
                shortcut=form.shortcut,
            )
        except ThemecodeError as exc:
            self.view.say(f"Code not added: {one_line(exc)}", error=True)
            return
        self.view.reload_codes()
        self.view.refresh_codebook(keep=code.id)
        if form.apply:
            self.apply_code(code.id)
        self.view.say(f"Added inductive code {code.label} ({code.id})"
                 + (" and applied it to the selection." if form.apply else "."))

    def undo(self) -> None:
        """Undo my last action (also across restarts)."""
        self._undo_redo(undo=True)

    def redo(self) -> None:
        """Redo my last undone action."""
        self._undo_redo(undo=False)

    def _undo_redo(self, *, undo: bool) -> None:
        try:
            ev = self.store.undo(self.coder) if undo else self.store.redo(self.coder)
        except ThemecodeError as exc:
            self.view.say(one_line(exc), error=True)
            return
        if ev is None:
            self.view.say("Nothing to undo." if undo else "Nothing to redo.", error=True)
            return
        if ev.action == "code_create":
            self.view.reload_codes()
        verb = "Undid" if undo else "Redid"
        case_id, doc_id = queries.event_place(self.store, ev)
        where = ""
        if case_id is not None and self.session.case_position(case_id) is not None:
            # Take the screen to what changed, so nothing changes out of sight.
            where = f" on commentary {doc_id} of case {case_id}" if doc_id else f" (case {case_id})"
            if (case_id, doc_id) != (self.session.case_id, getattr(self.session.doc, "id", None)):
                if doc_id is not None:
                    self.session.goto_doc(doc_id)
                elif case_id != self.session.case_id:
                    self.session.goto_case(case_id)
                where += ": shown here"
        if ev.action == "status" or where.endswith("shown here"):
            self.view.refresh_case()
        elif ev.action in ("code", "uncode", "code_commentary") and doc_id == getattr(
                self.session.doc, "id", None):
            self.view.refresh_text()  # a coding on this commentary: statuses are unchanged
        else:
            self.view.refresh_doc()
        self.view.refresh_codebook(after_paint=True)
        self.view.say(f"{verb} {describe_event(ev, self.view.codes)}{where}.")

    # ------------------------------------------------------------------ status actions
    def done_commentary(self) -> None:
        """Mark the commentary done (or open again) and move to the next open one."""
        s = self.session
        doc = s.doc
        if doc is None:
            return
        before = self.store.status("document", doc.id, self.coder)
        after = "open" if before == "done" else "done"
        try:
            self.store.set_status("document", doc.id, self.coder, after)
        except ThemecodeError as exc:
            self.view.say(one_line(exc), error=True)
            return
        self.view.refresh_progress()
        if after == "done":
            self.background.schedule_retrain()
            st = queries.statuses(self.store, "document", [d.id for d in s.docs], self.coder)
            following = [i for i in range(s.doc_index + 1, len(s.docs)) if st[s.docs[i].id] != "done"]
            if following:
                s.load_doc(following[0])
                self.view.moved()
            elif all(v == "done" for v in st.values()):
                self.view.refresh_doc()
                self.view.say("All commentaries of this case are done; ctrl+e marks the case done.")
                return
            else:
                self.view.refresh_doc()
            self.view.say(f"Commentary {doc.id} marked done.")
        else:
            self.view.refresh_doc()
            self.view.say(f"Commentary {doc.id} is open again.")

    def _case_status(self, status: str, message: str, *, advance: bool,
                     documents: Sequence[str] = ()) -> None:
        case_id = self.session.case_id
        try:
            self.store.set_status("case", case_id, self.coder, status, documents=documents)
        except ThemecodeError as exc:
            self.view.say(one_line(exc), error=True)
            return
        if status == "done":
            self.background.case_done()
        message = message.format(case=case_id)
        added = self.session.refresh_sample()  # `themecode sample --extend` may have run
        if added > 0:
            self.view.sample_extended(added)
            message += f" The sample grew by {added} case{'s' * (added != 1)}."
        if advance:
            nxt = self.session.next_open_index(self.session.case_index)
            if nxt is None:
                self.view.refresh_case()
                message += " " + self.end_of_sample()
            else:
                self.session.load_case(nxt)
                self.view.moved(case=True)
        else:
            self.view.refresh_case()
        self.view.say(message)

    def end_of_sample(self) -> str:
        """What to do once every case of the sample is done or skipped."""
        n = len(self.session.case_ids)
        return (f"Every case of the sample ({n}) is now done or skipped: check saturation (ctrl+t); "
                f"to code more, extend the sample (themecode sample {self.store.path.name} "
                "--extend N) and reopen.")

    def done_case(self) -> None:
        """Mark the case and its commentaries done and go to the next open case; ask first when
        a commentary carries none of my codes (a done case without codes counts in saturation
        as a case where no code applies)."""
        s = self.session
        if self.store.status("case", s.case_id, self.coder) == "done":
            self._case_status("open", "Case {case} is open again.", advance=False)
            return
        docs = [d.id for d in s.docs]
        statuses = queries.statuses(self.store, "document", docs, self.coder)
        not_done = [d for d in docs if statuses[d] != "done"]
        uncoded = queries.uncoded_documents(self.store, s.case_id, self.coder)
        if not uncoded:
            self._case_status("done", "Case {case} marked done.", advance=True, documents=not_done)
            return
        names = ", ".join(uncoded)
        question = (f"Case {s.case_id}: {len(uncoded)} of its {len(docs)} commentaries carry none "
                    f"of your codes ({names}).\n\nMark the case done anyway? Its commentaries are "
                    "marked done too, and saturation counts it as a case where no code applies.")

        def answer(yes: bool | None) -> None:
            if yes:
                self._case_status("done", "Case {case} marked done (" + names + " without codes).",
                                  advance=True, documents=not_done)
            else:
                self.view.say(f"Case {s.case_id} left open.")

        from themecode.tui.screens.modals import ConfirmModal

        self.view.open_modal(ConfirmModal(question, "Mark done", "Keep open"), answer)

    def skip_case(self) -> None:
        """Skip the case (it stays in the sample, marked skipped) and go to the next one."""
        self._case_status("skipped", "Case {case} skipped.", advance=True)

    def flag_case(self) -> None:
        """Flag the case for discussion (again to unflag)."""
        if self.store.status("case", self.session.case_id, self.coder) == "flagged":
            self._case_status("open", "Case {case} unflagged.", advance=False)
        else:
            self._case_status("flagged", "Case {case} flagged for discussion.", advance=False)

    # ------------------------------------------------------------------ memos
    def memo(self, target: str) -> None:
        """Write or edit my memo on the commentary, the case or the highlighted code."""
        s = self.session
        if target == "document":
            if s.doc is None:
                return
            tid, title = s.doc.id, f"Memo on commentary {s.doc.id}"
        elif target == "case":
            tid, title = s.case_id, f"Memo on case {s.case_id}"
        else:
            cid = self.view.highlighted_code()
            if not cid:
                self.view.say("Highlight a code in the codebook first (Tab).", error=True)
                return
            tid, title = cid, f"Memo on code {self.view.codes[cid].label if cid in self.view.codes else cid}"
        what = title.replace("Memo on ", "", 1)
        mine = [m for m in self.store.memos(target, tid) if m.coder == self.coder]
        existing = mine[-1] if mine else None

        def save(text: str | None) -> None:
            if text is None:
                return
            try:
                if existing is None:
                    if not text.strip():
                        return
                    self.store.add_memo(target, tid, self.coder, text)
                    self.view.say(f"Memo saved on {what}.")
                elif not text.strip():
                    self.store.delete_memo(existing.id, self.coder)
                    self.view.say(f"Memo on {what} deleted.")
                elif text != existing.text:
                    self.store.edit_memo(existing.id, self.coder, text)
                    self.view.say(f"Memo on {what} updated.")
            except ThemecodeError as exc:
                self.view.say(one_line(exc), error=True)
                return
            self.view.refresh_codebook()  # the list's memo marker and the detail's memo count
            self.view.refresh_doc()  # the memo shows above the codes on this commentary

        from themecode.tui.screens.modals import MemoModal

        self.view.open_modal(MemoModal(title, existing.text if existing else ""), save)
