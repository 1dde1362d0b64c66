"""Codebook edits while reviewing: each one transaction, one event, a codebook version, undoable."""

from __future__ import annotations

import pytest

from themecode.codebook import codebook_hash, merge_codes, rename_code, retire_code
from themecode.errors import ThemecodeError
from themecode.review.edits import (
    create_theme,
    edit_code,
    move_code,
    recode,
    respan,
    set_reviewed,
    split_code,
)
from themecode.store import Store


def versions(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM codebook_versions").fetchone()[0]


def code_of(store: Store, coding_id: int) -> tuple[str, int]:
    return store.conn.execute("SELECT code_id, deleted FROM codings WHERE id = ?",
                              (coding_id,)).fetchone()


def test_edit_fields_one_event_one_version_and_undo(coded) -> None:  # noqa: ANN001
    db, _ = coded
    with Store.open(db) as store:
        before, v0, h0 = store.code("workload"), versions(store), codebook_hash(store)
        edit_code(store, "workload", "lead", definition="Caseloads too high to do the checks.\n"
                  "Second line.", keywords="caseload, staffing ", shortcut="W", label=before.label)
        after = store.code("workload")
        assert after.definition == "Caseloads too high to do the checks.\nSecond line."
        assert after.keywords == ("caseload", "staffing") and after.shortcut == "W"
        assert versions(store) == v0 + 1 and codebook_hash(store) != h0
        ev = store.events(action="code_edit")[-1]
        assert set(ev.payload["after"]) == {"definition", "keywords", "shortcut"}  # label unchanged
        with pytest.raises(ThemecodeError, match="already used"):
            edit_code(store, "workload", "lead", shortcut="d")
        with pytest.raises(ThemecodeError, match="already has the label"):
            edit_code(store, "workload", "lead", label="Home visits")
        store.undo("lead")
        assert store.code("workload") == before and codebook_hash(store) == h0
        assert versions(store) == v0 + 2  # the undo is a version too
        store.redo("lead")
        assert store.code("workload").shortcut == "W"


def test_move_between_themes_and_new_theme_undo(coded) -> None:  # noqa: ANN001
    db, _ = coded
    with Store.open(db) as store:
        theme = create_theme(store, "Information sharing", "lead", "Whether agencies shared.")
        assert theme.kind == "theme" and theme.definition == "Whether agencies shared."
        move_code(store, "multi_agency", theme.id, "lead")
        assert store.code("multi_agency").parent == theme.id
        move_code(store, "multi_agency", "assessment", "lead")
        assert store.code("multi_agency").parent == "assessment"
        store.undo("lead")
        assert store.code("multi_agency").parent == theme.id
        store.undo("lead")
        assert store.code("multi_agency").parent == "implementation"
        store.undo("lead")
        assert store.code(theme.id).retired
        with pytest.raises(ThemecodeError, match="not a live theme"):
            move_code(store, "multi_agency", theme.id, "lead")


def test_split_moves_chosen_extracts_and_undo_puts_them_back(coded) -> None:  # noqa: ANN001
    db, ids = coded
    chosen = ids["da:amy"][:3]
    with Store.open(db) as store:
        new = split_code(store, "domestic_abuse_checks", chosen, "Police checks not chased", "amy")
        assert new.parent == "assessment" and new.origin == "inductive"
        assert [code_of(store, i) for i in chosen] == [(new.id, 0)] * 3
        assert code_of(store, ids["da:amy"][3]) == ("domestic_abuse_checks", 0)
        assert len(store.events(action="code_split")) == 1
        assert store.undo("amy").action == "code_split"
        assert [code_of(store, i) for i in chosen] == [("domestic_abuse_checks", 0)] * 3
        assert store.code(new.id).retired
        store.redo("amy")
        assert [code_of(store, i)[0] for i in chosen] == [new.id] * 3
        assert not store.code(new.id).retired
        with pytest.raises(ThemecodeError, match="different codes"):
            split_code(store, "contingency_planning", [ids["cp:amy"][0], chosen[0]], "X", "amy")


def test_recode_dedupes_twins_and_respan_and_undo(coded) -> None:  # noqa: ANN001
    db, ids = coded
    with Store.open(db) as store:
        first = ids["da:amy"][0]
        doc, s, e = store.conn.execute('SELECT document_id, start, "end" FROM codings '
                                       "WHERE id = ?", (first,)).fetchone()
        twin = store.add_coding(doc, s, e, "victim_focus", "amy").id
        assert recode(store, [first, ids["da:amy"][1]], "victim_focus", "lead") == 2
        assert code_of(store, first) == ("domestic_abuse_checks", 1)  # twin kept, not doubled
        assert code_of(store, ids["da:amy"][1]) == ("victim_focus", 0)
        assert code_of(store, twin) == ("victim_focus", 0)
        store.undo("lead")
        assert code_of(store, first) == ("domestic_abuse_checks", 0)
        assert code_of(store, ids["da:amy"][1]) == ("domestic_abuse_checks", 0)
        new_id = respan(store, first, s, e - 1, "lead")
        assert new_id is not None and code_of(store, first)[1] == 1
        row = store.conn.execute('SELECT start, "end", coder, code_id FROM codings WHERE id = ?',
                                 (new_id,)).fetchone()
        assert row == (s, e - 1, "amy", "domestic_abuse_checks")
        store.undo("lead")
        assert code_of(store, first)[1] == 0 and code_of(store, new_id)[1] == 1
        with pytest.raises(ThemecodeError, match="outside"):
            respan(store, first, s, 10**6, "lead")


def test_rename_retire_merge_review_are_undoable(coded) -> None:  # noqa: ANN001
    db, ids = coded
    with Store.open(db) as store:
        rename_code(store, "workload", "Caseload pressure", "lead")
        retire_code(store, "termination_review", "lead")
        merge_codes(store, "contingency_planning", "risk_management_plan", "lead")
        assert code_of(store, ids["cp:amy"][0]) == ("risk_management_plan", 0)
        set_reviewed(store, "planning", "lead")
        assert store.code("planning").reviewed_by == "lead"
        store.undo("lead")
        assert store.code("planning").reviewed_at is None
        store.undo("lead")
        assert code_of(store, ids["cp:amy"][0]) == ("contingency_planning", 0)
        assert not store.code("contingency_planning").retired
        assert store.code("contingency_planning").merged_into is None
        store.undo("lead")
        assert not store.code("termination_review").retired
        store.undo("lead")
        assert store.code("workload").label == "Workload and staffing pressure"


def test_control_characters_in_code_fields_are_refused_and_nothing_changes(coded) -> None:  # noqa: ANN001
    """An ESC sequence or a bidi override pasted into the codebook editor (or a new code, or a
    rename) is refused with the field and character named, as the corpus import refuses it."""
    from themecode.codebook import create_code

    db, _ = coded
    with Store.open(db) as store:
        before, n = codebook_hash(store), versions(store)
        with pytest.raises(ThemecodeError, match=r"The definition contains ESC \(U\+001B\) at character 5"):
            edit_code(store, "domestic_abuse_checks", "lead", definition="Not \x1b]2;x\x07 done")
        with pytest.raises(ThemecodeError, match=r"The keywords contains"):
            edit_code(store, "domestic_abuse_checks", "lead", keywords=["police", "call\u202eout"])
        with pytest.raises(ThemecodeError, match=r"The label contains"):
            create_code(store, None, "New \x1b[2J code", coder="lead")
        with pytest.raises(ThemecodeError, match=r"The label contains"):
            rename_code(store, "domestic_abuse_checks", "DA\x07 checks", "lead")
        assert codebook_hash(store) == before and versions(store) == n
