"""Store actions: each is atomic with its event; undo/redo survive a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.codebook import create_code
from themecode.errors import ProjectError, ThemecodeError, UnknownCodeError
from themecode.store import Store


def _first_doc(store: Store) -> str:
    case = store.sample()[0].case_id
    return store.case(case).document_ids[0]


def test_open_refuses_missing_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="No project"):
        Store.open(tmp_path / "nope.db")
    other = tmp_path / "other.db"
    import sqlite3

    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(ProjectError, match="not a themecode project"):
        Store.open(other)
    with pytest.raises(ProjectError, match="already exists"):
        Store.create(other)


def test_add_and_remove_coding_write_events(small_project: Path) -> None:
    with Store.open(small_project) as store:
        doc = _first_doc(store)
        c = store.add_coding(doc, 0, 5, "contact_level", "amy")
        again = store.add_coding(doc, 0, 5, "contact_level", "amy")
        assert again.id == c.id  # idempotent
        assert store.remove_codings([c.id], "amy") == 1
        assert store.codings(doc, "amy") == []
        actions = [e.action for e in store.events(coder="amy")]
        assert actions == ["code", "uncode"]


def test_bad_spans_and_codes_are_refused(small_project: Path) -> None:
    with Store.open(small_project) as store:
        doc = _first_doc(store)
        n = len(store.document(doc).text)
        with pytest.raises(ThemecodeError, match="outside"):
            store.add_coding(doc, 0, n + 1, "contact_level", "amy")
        with pytest.raises(UnknownCodeError):
            store.add_coding(doc, 0, 3, "no_such_code", "amy")
        with pytest.raises(UnknownCodeError, match="theme"):
            store.add_coding(doc, 0, 3, "planning", "amy")
        assert store.events(coder="amy") == []


def test_undo_redo_survive_restart(small_project: Path) -> None:
    with Store.open(small_project) as store:
        doc = _first_doc(store)
        c = store.add_coding(doc, None, None, "home_visits", "amy")
        store.set_status("document", doc, "amy", "done")
        memo = store.add_memo("document", doc, "amy", "Check the address history.")
        code = create_code(store, None, "Interpreter needs", coder="amy", parent="implementation")
    with Store.open(small_project) as store:
        assert store.undo("amy").action == "code_create"
        assert store.code(code.id).retired
        assert store.undo("amy").action == "memo_add"
        assert store.memos("document", doc) == []
        assert store.undo("amy").action == "status"
        assert store.status("document", doc, "amy") == "open"
    with Store.open(small_project) as store:
        assert store.redo("amy").action == "status"
        assert store.status("document", doc, "amy") == "done"
        assert store.undo("amy").action == "status"
        assert store.undo("amy").action == "code"
        assert store.codings(doc, "amy") == []
        assert store.undo("amy") is None
        assert store.redo("amy").action == "code"
        assert [x.id for x in store.codings(doc, "amy")] == [c.id]
        # a new action clears the redo stack
        store.add_coding(doc, 0, 4, "contact_level", "amy")
        assert store.redo("amy") is None
        assert memo.id  # memo stays soft-deleted, never destroyed
        assert store.conn.execute("SELECT deleted FROM memos WHERE id = ?", (memo.id,)).fetchone()[0] == 1


def test_code_whole_is_one_event_and_one_undo_step(small_project: Path) -> None:
    """Several codes on a whole commentary (the coding screen's `*`): one transaction, one
    event; one undo removes them all, one redo restores them; codes already there are skipped."""
    with Store.open(small_project) as store:
        doc = _first_doc(store)
        whole = len(store.document(doc).text)
        store.add_coding(doc, None, None, "home_visits", "amy")
        n_events = len(store.events("amy"))
        added = store.code_whole(doc, ["contact_level", "home_visits", "risk_identification"], "amy",
                                 extra={"level": "commentary"})
        assert [c.code_id for c in added] == ["contact_level", "risk_identification"]
        assert all((c.start, c.end) == (0, whole) for c in added)
        new = store.events("amy")[n_events:]
        assert [e.action for e in new] == ["code_commentary"]
        assert new[0].payload["code_ids"] == ["contact_level", "risk_identification"]
        assert store.undo("amy").action == "code_commentary"
        assert [c.code_id for c in store.codings(doc, "amy")] == ["home_visits"]
        assert store.redo("amy").action == "code_commentary"
        assert sorted(c.code_id for c in store.codings(doc, "amy")) == [
            "contact_level", "home_visits", "risk_identification"]
        assert store.code_whole(doc, ["contact_level"], "amy") == []  # nothing new: no event
        assert store.events("amy")[-1].action == "redo"


def test_undo_is_per_coder(small_project: Path) -> None:
    with Store.open(small_project) as store:
        doc = _first_doc(store)
        store.add_coding(doc, 0, 3, "contact_level", "amy")
        store.add_coding(doc, 0, 3, "contact_level", "ben")
        assert store.undo("ben").action == "code"
        assert len(store.codings(doc, "amy")) == 1
        assert store.codings(doc, "ben") == []


def test_memo_edit_and_delete_are_undoable(small_project: Path) -> None:
    with Store.open(small_project) as store:
        m = store.add_memo("case", "C0001", "amy", "first")
        store.edit_memo(m.id, "amy", "second")
        assert store.memos("case", "C0001")[0].text == "second"
        store.undo("amy")
        assert store.memos("case", "C0001")[0].text == "first"
        store.delete_memo(m.id, "amy")
        assert store.memos("case", "C0001") == []
        store.undo("amy")
        assert store.memos("case", "C0001")[0].text == "first"
        with pytest.raises(ThemecodeError):
            store.add_memo("case", "C0001", "amy", "   ")


def test_mark_done_bulk_marks_in_one_transaction_without_events(small_project: Path) -> None:
    with Store.open(small_project) as store:
        case = store.case(store.sample()[0].case_id)
        units = [("document", d) for d in case.document_ids] + [("case", case.id)]
        events_before = len(store.events())
        assert store.mark_done_bulk(units, "amy") == len(units)
        assert store.status("case", case.id, "amy") == "done"
        assert all(store.status("document", d, "amy") == "done" for d in case.document_ids)
        assert len(store.events()) == events_before  # the bulk operation's caller logs one event
        assert store.undo("amy") is None  # nothing to undo one by one
        other = store.sample()[1].case_id
        with pytest.raises(ThemecodeError, match="Unknown unit type"):
            store.mark_done_bulk([("case", other), ("sentence", "x")], "amy")
        assert store.status("case", other, "amy") != "done"  # refused before anything was written
