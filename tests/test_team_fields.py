"""Merging a copy's edits to the fields of codes (the codebook editor's work) back into the
project: taken when one side changed a field, reported and kept ours when both did, undoable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from by_path import root_conftest

from themecode.review.edits import edit_code
from themecode.store import Store
from themecode.team.merge import merge_projects


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 20-case project with a 50% sample, built once and copied per test."""
    return root_conftest().build_sampled_project(tmp_path_factory.mktemp("fields"), 20, "gold")


def _copy(src: Path, dst: Path) -> Path:
    with Store.open(src) as s:
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(src, dst)
    return dst


@pytest.fixture
def pair(base: Path, tmp_path: Path) -> tuple[Path, Path, str, str, str]:
    """(main project, a copy of it, a code under one theme, another theme, a free shortcut)."""
    main = _copy(base, tmp_path / "main.db")
    copy = _copy(main, tmp_path / "amy.db")
    with Store.open(main) as s:
        code = next(c for c in s.codes(kind="code") if c.parent)
        theme = next(t.id for t in s.codes(kind="theme") if t.id != code.parent)
        used = {c.shortcut for c in s.codes()}
    free = next(k for k in "0123456789abcdefghijklmnopqrstuvwxyz" if k not in used)
    return main, copy, code.id, theme, free


def _fields(db: Path, code_id: str) -> dict[str, object]:
    with Store.open(db) as s:
        c = s.code(code_id)
        return {"label": c.label, "definition": c.definition, "inclusion": c.inclusion,
                "exclusion": c.exclusion, "example": c.example, "keywords": list(c.keywords),
                "shortcut": c.shortcut, "parent": c.parent}


def test_a_copys_field_edits_are_merged_as_one_undoable_edit(pair) -> None:  # noqa: ANN001
    main, copy, code, theme, free = pair
    before = _fields(main, code)
    with Store.open(copy) as s:
        edit_code(s, code, "amy", label="Checks with police not done",
                  definition="Amy's sharper definition.", inclusion="Call-outs not requested.",
                  exclusion="Checks done late.", keywords="call-out, police", shortcut=free,
                  parent=theme)
    with Store.open(main) as s:  # the lead edits another field of the same code meanwhile
        edit_code(s, code, "lead", example="No DA checks were requested at allocation.")
    with Store.open(main) as s:
        (report,) = merge_projects(s, [copy], by="lead")
        assert report.conflicts == [] and report.codes >= 1
        merged = s.events(coder="lead")[-2]  # the merge's code_edit, then the merge itself
        assert (merged.action, merged.target) == ("code_edit", code)
        assert merged.payload["merged_from"] == "amy.db"
    got = _fields(main, code)
    assert got == {"label": "Checks with police not done", "definition": "Amy's sharper definition.",
                   "inclusion": "Call-outs not requested.", "exclusion": "Checks done late.",
                   "example": "No DA checks were requested at allocation.",
                   "keywords": ["call-out", "police"], "shortcut": free, "parent": theme}
    with Store.open(main) as s:
        versions = s.conn.execute("SELECT reason FROM codebook_versions").fetchall()
        assert ("merged code field edits from amy.db",) in versions
        ev = s.undo("lead")  # the lead takes the merged edit back
        assert ev is not None and ev.action == "code_edit"
    assert _fields(main, code) == {**before,
                                   "example": "No DA checks were requested at allocation."}
    with Store.open(main) as s:  # merging the same copy again does not bring it back
        dump = list(s.conn.iterdump())
        (again,) = merge_projects(s, [copy], by="lead")
        assert not again.changed and list(s.conn.iterdump()) == dump


@pytest.mark.parametrize("policy", ["keep-ours", "keep-theirs"])
def test_a_field_changed_in_both_copies_is_reported_not_overwritten(pair, policy: str
                                                                    ) -> None:  # noqa: ANN001
    main, copy, code, _, _ = pair
    with Store.open(copy) as s:
        edit_code(s, code, "amy", definition="Amy: checks never asked for.", keywords="amy")
    with Store.open(main) as s:
        edit_code(s, code, "lead", definition="Lead: checks not asked for in time.")
    with Store.open(main) as s:
        (report,) = merge_projects(s, [copy], on_conflict=policy, by="lead")
    (conflict,) = report.conflicts
    assert conflict.kind == "field"
    assert f"code {code!r} definition" in conflict.what
    assert "'Lead: checks not asked for in time.' here" in conflict.what
    assert "'Amy: checks never asked for.' in amy.db" in conflict.what
    got = _fields(main, code)
    assert got["keywords"] == ["amy"]  # changed in the copy only: taken either way
    if policy == "keep-ours":
        assert conflict.resolution.startswith("kept ours")
        assert got["definition"] == "Lead: checks not asked for in time."
    else:
        assert conflict.resolution.startswith("took theirs")
        assert got["definition"] == "Amy: checks never asked for."
    with Store.open(main) as s:
        # amy's own edit came along as history; where ours was kept, her undo here must not
        # put back the old definition over the lead's
        actions = [e.action for e in s.events(coder="amy")]
        assert actions == ["code_edit_merged" if policy == "keep-ours" else "code_edit"]
        dump = list(s.conn.iterdump())
        (again,) = merge_projects(s, [copy], on_conflict=policy, by="lead")
        assert not again.changed and list(s.conn.iterdump()) == dump
        if policy == "keep-ours":
            assert s.undo("amy") is None
            assert s.code(code).definition == "Lead: checks not asked for in time."


def test_a_label_or_shortcut_taken_here_is_refused_and_reported(pair) -> None:  # noqa: ANN001
    main, copy, code, _, _ = pair
    with Store.open(main) as s:
        other = next(c for c in s.codes(kind="code") if c.id != code)
    with Store.open(copy) as s:
        edit_code(s, code, "amy", label="A new label in the copy")
    with Store.open(main) as s:  # the lead gives another code that label meanwhile
        edit_code(s, other.id, "lead", label="A new label in the copy")
        (report,) = merge_projects(s, [copy], by="lead")
        assert s.code(code).label != "A new label in the copy"
    (conflict,) = report.conflicts
    assert "is the label of another code here" in conflict.what and code in conflict.what


def test_a_copys_control_characters_are_refused_and_reported(pair) -> None:  # noqa: ANN001
    """A copy whose code fields hold control characters (written around the editor) merges
    nothing of them: ours is kept and the summary says why, with the character shown escaped."""
    main, copy, code, _theme, _free = pair
    before = _fields(main, code)
    with Store.open(copy) as s:
        s.conn.execute("UPDATE codes SET label = ?, definition = ? WHERE id = ?",
                       ("DA \x1b[2J checks", "Def \x1b]2;pwned\x07", code))
    with Store.open(main) as s:
        (report,) = merge_projects(s, [copy], by="lead")
    assert _fields(main, code) == before
    refused = [c for c in report.conflicts if "is refused" in c.what]
    assert len(refused) == 2 and all("contains ESC" in c.what for c in refused)
    assert all("\x1b" not in c.what and "\x1b" not in c.resolution for c in report.conflicts)
