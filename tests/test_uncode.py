"""Removing a code from part of a text (`Store.uncode_span`): codings inside the span go, codings
reaching outside it are trimmed to their parts outside, and undo/redo (also after reopening the
file) bring back exactly the codings there were."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from themecode.errors import ThemecodeError, UnknownCodeError
from themecode.store import Store

CODE, OTHER = "contact_level", "home_visits"
LETTERS = "".join(chr(ord("a") + i % 26) for i in range(120)) + "."  # no blanks: exact parts
SENTENCES = "No checks were made. The plan was generic. Nobody visited the home."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with known texts: D1 and D2 without whitespace, D3 of three sentences."""
    from themecode.project.create import init_project

    src = tmp_path / "c.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "case_id", "stage", "text"])
        w.writerows([["D1", "C1", "assessment", LETTERS], ["D2", "C2", "assessment", LETTERS],
                     ["D3", "C3", "assessment", SENTENCES]])
    db = tmp_path / "p.db"
    init_project(db, src, coder="lead")
    return db


def _state(store: Store, doc: str) -> set[tuple[str, int, int, str]]:
    """Everyone's live codings of a document as (coder, start, end, code)."""
    return {(c.coder, c.start, c.end, c.code_id) for c in store.codings(doc)}


def _mine(store: Store, doc: str, code: str = CODE) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in store.codings(doc, "amy", code_id=code)]


def test_a_coding_inside_the_span_is_removed(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        c = store.add_coding(doc, 20, 30, CODE, "amy")
        r = store.uncode_span(doc, 10, 40, CODE, "amy")
        assert (r.removed, r.trimmed, r.pieces) == (1, 0, ())
        assert _mine(store, doc) == []
        (ev,) = store.events(coder="amy", action="uncode")
        assert ev.payload["coding_ids"] == [c.id] and ev.payload["added_ids"] == []
        assert ev.target == doc and r.event_id == ev.id


def test_exactly_the_span_is_removed(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        store.add_coding(doc, 20, 30, CODE, "amy")
        r = store.uncode_span(doc, 20, 30, CODE, "amy")
        assert (r.removed, r.trimmed) == (1, 0)
        assert _mine(store, doc) == []


def test_left_and_right_overlaps_keep_their_parts_outside(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        store.add_coding(doc, 0, 30, CODE, "amy")  # reaches in from the left
        store.add_coding(doc, 40, 70, CODE, "amy")  # reaches out to the right
        r = store.uncode_span(doc, 20, 50, CODE, "amy")
        assert (r.removed, r.trimmed) == (0, 2)
        assert _mine(store, doc) == [(0, 20), (50, 70)]
        assert [(p.start, p.end) for p in r.pieces] == [(0, 20), (50, 70)]


def test_a_coding_around_the_span_is_split_in_two(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        with store.write():  # a memo on the coding row travels with its parts
            c = store.add_coding(doc, 10, 90, CODE, "amy")
            store.conn.execute("UPDATE codings SET memo = 'why' WHERE id = ?", (c.id,))
        r = store.uncode_span(doc, 40, 50, CODE, "amy")
        assert (r.removed, r.trimmed) == (0, 1)
        left, right = store.codings(doc, "amy", code_id=CODE)
        assert (left.start, left.end, right.start, right.end) == (10, 40, 50, 90)
        assert {left.id, right.id}.isdisjoint({c.id}) and left.id != right.id
        assert left.memo == right.memo == "why"
        assert left.created_at == right.created_at == c.created_at  # when it was coded
        (old,) = [x for x in store.codings(doc, "amy", include_deleted=True) if x.id == c.id]
        assert old.deleted


def test_no_zero_length_pieces_at_the_edges(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        store.add_coding(doc, 10, 50, CODE, "amy")
        store.add_coding(doc, 60, 80, CODE, "amy")
        r = store.uncode_span(doc, 10, 30, CODE, "amy")  # same start: only a right part
        assert _mine(store, doc) == [(30, 50), (60, 80)]
        r = store.uncode_span(doc, 70, 80, CODE, "amy")  # same end: only a left part
        assert (r.removed, r.trimmed) == (0, 1)
        assert _mine(store, doc) == [(30, 50), (60, 70)]
        assert store.conn.execute('SELECT count(*) FROM codings WHERE "end" <= start').fetchone()[0] == 0


def test_a_whole_commentary_coding_is_trimmed_to_explicit_spans(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        n = len(store.document(doc).text)
        store.add_coding(doc, None, None, CODE, "amy")  # whole commentary
        r = store.uncode_span(doc, 30, 60, CODE, "amy")
        assert (r.removed, r.trimmed) == (0, 1)
        assert _mine(store, doc) == [(0, 30), (60, n)]
        r = store.uncode_span(doc, None, None, CODE, "amy")  # the whole commentary again: all go
        assert (r.removed, r.trimmed) == (2, 0)
        assert _mine(store, doc) == []


def test_other_coders_other_codes_and_other_documents_are_untouched(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        other_doc = "D2"
        store.add_coding(doc, 0, 90, CODE, "amy")
        store.add_coding(doc, 0, 90, CODE, "ben")  # another coder, same code
        store.add_coding(doc, 0, 90, OTHER, "amy")  # mine, another code
        store.add_coding(doc, 70, 90, CODE, "amy")  # mine, not overlapping the span
        store.add_coding(other_doc, 0, 90, CODE, "amy")
        before_doc, before_other = _state(store, doc), _state(store, other_doc)
        store.uncode_span(doc, 30, 60, CODE, "amy")
        after = _state(store, doc)
        assert before_doc - after == {("amy", 0, 90, CODE)}
        assert after - before_doc == {("amy", 0, 30, CODE), ("amy", 60, 90, CODE)}
        assert _state(store, other_doc) == before_other


def test_nothing_overlapping_changes_nothing(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        store.add_coding(doc, 0, 10, CODE, "amy")
        r = store.uncode_span(doc, 10, 20, CODE, "amy")  # touches, does not overlap
        assert not r.changed and r.event_id is None
        assert _mine(store, doc) == [(0, 10)]
        assert store.events(coder="amy", action="uncode") == []


def test_bad_offsets_and_unknown_codes_are_refused(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        n = len(store.document(doc).text)
        for start, end in ((5, 5), (10, 3), (-1, 4), (0, n + 1)):
            with pytest.raises(ThemecodeError, match="outside"):
                store.uncode_span(doc, start, end, CODE, "amy")
        with pytest.raises(UnknownCodeError):
            store.uncode_span(doc, 0, 5, "no_such_code", "amy")


def test_overlapping_codings_of_one_code_leave_no_duplicate_parts(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        store.add_coding(doc, 0, 50, CODE, "amy")
        store.add_coding(doc, 0, 40, CODE, "amy")
        store.add_coding(doc, 0, 20, CODE, "amy")  # already the left part: stays as it is
        r = store.uncode_span(doc, 20, 45, CODE, "amy")
        assert (r.removed, r.trimmed) == (0, 2)
        assert [(p.start, p.end) for p in r.pieces] == [(45, 50)]  # (0, 20) once, untouched
        assert _mine(store, doc) == [(0, 20), (45, 50)]
        store.undo("amy")
        assert sorted(_mine(store, doc)) == [(0, 20), (0, 40), (0, 50)]


def test_undo_and_redo_restore_exactly(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        store.add_coding(doc, 0, 30, CODE, "amy")
        store.add_coding(doc, 35, 45, CODE, "amy")
        store.add_coding(doc, 50, 90, CODE, "amy")
        store.add_coding(doc, 0, 90, OTHER, "amy")
        before = store.codings(doc)
        store.uncode_span(doc, 20, 60, CODE, "amy")
        after = store.codings(doc)
        assert _mine(store, doc) == [(0, 20), (60, 90)]
        ev = store.undo("amy")
        assert ev is not None and ev.action == "uncode"
        assert store.codings(doc) == before  # the same rows (ids, times, memos)
        assert store.redo("amy") is not None
        assert store.codings(doc) == after  # the same piece rows come back
        store.undo("amy")
        store.undo("amy")  # and further back: the code before it
        assert _mine(store, doc, OTHER) == []
        assert _mine(store, doc) == [(0, 30), (35, 45), (50, 90)]


def test_undo_after_reopening_the_database(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        store.add_coding(doc, 10, 90, CODE, "amy")
        before = store.codings(doc)
        store.uncode_span(doc, 40, 50, CODE, "amy")
        after = store.codings(doc)
    with Store.open(project) as store:
        assert store.undo("amy") is not None
        assert store.codings(doc) == before
    with Store.open(project) as store:
        assert store.redo("amy") is not None
        assert store.codings(doc) == after
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_removing_again_after_an_undo_revives_the_same_piece_rows(project: Path) -> None:
    """No second row with the same natural key (document, span, code, coder, created_at):
    teamwork merges match codings by it."""
    with Store.open(project) as store:
        doc = "D1"
        store.add_coding(doc, 10, 90, CODE, "amy")
        first = store.uncode_span(doc, 40, 50, CODE, "amy")
        store.undo("amy")
        again = store.uncode_span(doc, 40, 50, CODE, "amy")
        assert [p.id for p in again.pieces] == [p.id for p in first.pieces]
        keys = [(c.document_id, c.start, c.end, c.code_id, c.coder, c.created_at)
                for c in store.codings(doc, include_deleted=True)]
        assert len(keys) == len(set(keys)) == 3
        assert store.redo("amy") is None  # a new action clears the redo stack
        store.undo("amy")
        assert _mine(store, doc) == [(10, 90)]


def test_old_uncode_events_without_added_ids_still_undo(project: Path) -> None:
    with Store.open(project) as store:
        doc = "D1"
        c = store.add_coding(doc, 10, 20, CODE, "amy")
        store.remove_codings([c.id], "amy")
        store.undo("amy")
        assert _mine(store, doc) == [(10, 20)]
        store.redo("amy")
        assert _mine(store, doc) == []


def test_blanks_at_the_cut_are_left_out_and_blank_parts_not_made(project: Path) -> None:
    """Removing a sentence leaves the neighbouring sentences' own spans coded (as coding them
    one by one would), and removing the next one leaves no coding of the blank between."""
    with Store.open(project) as store:
        s1, s2, s3 = [(x.start, x.end) for x in store.sentences("D3")]
        text = store.document("D3").text
        store.add_coding("D3", s1[0], s3[1], CODE, "amy")
        store.uncode_span("D3", *s2, CODE, "amy")
        assert _mine(store, "D3") == [s1, s3]
        assert [text[a:b] for a, b in _mine(store, "D3")] == [
            "No checks were made.", "Nobody visited the home."]
        store.add_coding("D3", s1[0], s1[1] + 1, OTHER, "amy")  # "No checks were made. "
        r = store.uncode_span("D3", *s1, OTHER, "amy")
        assert (r.removed, r.trimmed, r.pieces) == (1, 0, ())  # the blank alone is not kept
        assert _mine(store, "D3", OTHER) == []
        store.add_coding("D3", s1[0] + 2, s1[1], OTHER, "amy")  # " checks were made."
        store.uncode_span("D3", s1[0] + 10, s1[0] + 14, OTHER, "amy")  # "were": outer edges kept
        assert [text[a:b] for a, b in _mine(store, "D3", OTHER)] == [" checks", "made."]
