"""Codebooks: validation with line numbers, and versioned, evented changes in a project."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.codebook import (
    codebook_hash,
    create_code,
    export_yaml,
    load_codebook,
    merge_codes,
    parse_codebook,
    rename_code,
    retire_code,
    slugify,
)
from themecode.errors import CodebookError, ThemecodeError, UnknownCodeError
from themecode.store import Store

REQUIRED = {
    "risk_identification", "domestic_abuse_checks", "child_safeguarding",
    "professional_curiosity", "self_disclosure", "victim_focus", "contingency_planning",
    "risk_management_plan", "contact_level", "home_visits", "interventions", "multi_agency",
    "management_oversight", "key_individuals", "formal_review", "termination_review", "workload",
    "positive_practice",
}


def test_bundled_codebook_is_complete(codebook_path: Path) -> None:
    cb = load_codebook(codebook_path)
    assert {t.id for t in cb.themes} == {"assessment", "planning", "implementation", "reviewing",
                                         "cross_cutting"}
    codes = {c.id: c for c in cb.all_codes()}
    assert set(codes) >= REQUIRED
    for c in codes.values():
        assert c.definition and c.include and c.exclude and c.example and c.keywords, c.id
        assert c.shortcut and len(c.shortcut) == 1


BAD = """\
name: broken
themes:
  - id: first
    label: First
    codes:
      - id: alpha
        label: Alpha
        shortcut: a
      - id: alpha
        label: Again
      - id: Beta-Code
        label: Beta
      - id: gamma
        shortcut: a
      - id: delta
        label: Delta
        parent: nowhere
"""


def test_every_problem_is_reported_with_its_line() -> None:
    with pytest.raises(CodebookError) as err:
        parse_codebook(BAD, "bad.yaml")
    problems = err.value.problems
    assert "line 9: duplicate id 'alpha' (first used on line 6)" in problems
    assert any(p.startswith("line 11:") and "snake_case" in p for p in problems)
    assert any(p.startswith("line 13:") and "no `label`" in p for p in problems)
    assert any(p.startswith("line 14:") and "clashes with 'alpha'" in p for p in problems)
    assert any(p.startswith("line 15:") and "unknown parent 'nowhere'" in p for p in problems)
    assert "bad.yaml" in str(err.value)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    p = tmp_path / "x.yaml"
    p.write_text("themes:\n  - id: a\n    label: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(p)
    assert err.value.line is not None and str(p) in str(err.value)


def test_not_utf8_codebook(tmp_path: Path) -> None:
    p = tmp_path / "x.yaml"
    p.write_bytes(b"themes:\n  - id: caf\xe9\n")
    with pytest.raises(CodebookError, match="line 2"):
        load_codebook(p)


def test_slugify() -> None:
    assert slugify("ICT / system problems") == "ict_system_problems"
    assert slugify("2nd thoughts") == "code_2nd_thoughts"


def test_add_rename_merge_retire_are_versioned_events(small_project: Path) -> None:
    with Store.open(small_project) as store:
        v0 = store.conn.execute("SELECT count(*) FROM codebook_versions").fetchone()[0]
        h0 = codebook_hash(store)
        new = create_code(store, None, "ICT problems", coder="amy", parent="cross_cutting",
                          definition="System failures that hindered the work.")
        assert (new.id, new.origin, new.created_by) == ("ict_problems", "inductive", "amy")
        assert codebook_hash(store) != h0
        with pytest.raises(ThemecodeError, match="already exists"):
            create_code(store, "ict_problems", "Other label", coder="amy")
        with pytest.raises(ThemecodeError, match="already used"):
            create_code(store, None, "Another", coder="amy", shortcut="d")
        with pytest.raises(UnknownCodeError):
            create_code(store, None, "Orphan", coder="amy", parent="nowhere")
        doc = store.case(store.sample()[0].case_id).document_ids[0]
        store.add_coding(doc, None, None, "ict_problems", "amy")
        store.add_coding(doc, None, None, "workload", "amy")
        rename_code(store, "ict_problems", "ICT and system problems", "amy")
        assert store.code("ict_problems").label == "ICT and system problems"
        moved = merge_codes(store, "ict_problems", "workload", "amy")
        assert moved == 1
        assert store.code("ict_problems").retired
        assert store.code("ict_problems").merged_into == "workload"
        # the moved coding duplicated an existing one and was folded into it
        assert [c.code_id for c in store.codings(doc, "amy")] == ["workload"]
        with pytest.raises(UnknownCodeError, match="retired"):
            store.add_coding(doc, 0, 3, "ict_problems", "amy")
        retire_code(store, "home_visits", "amy")
        assert "home_visits" not in {c.id for c in store.codes()}
        v1 = store.conn.execute("SELECT count(*) FROM codebook_versions").fetchone()[0]
        assert v1 - v0 == 4
        actions = [e.action for e in store.events(coder="amy")]
        for a in ("code_create", "code_rename", "code_merge", "code_retire"):
            assert a in actions


def test_export_yaml_round_trips(small_project: Path, tmp_path: Path) -> None:
    with Store.open(small_project) as store:
        create_code(store, None, "Victim liaison", coder="amy", parent="implementation")
        text = export_yaml(store)
    cb = parse_codebook(text, "exported.yaml")
    ids = {c.id for c in cb.all_codes()}
    assert REQUIRED | {"victim_liaison"} == ids
    assert next(c for c in cb.all_codes() if c.id == "victim_liaison").origin == "inductive"


def test_merge_map_follows_chains(small_project: Path) -> None:
    from themecode.codebook import merge_map

    with Store.open(small_project) as store:
        merge_codes(store, "home_visits", "contact_level", "amy")
        merge_codes(store, "contact_level", "multi_agency", "amy")
        assert merge_map(store) == {"home_visits": "multi_agency", "contact_level": "multi_agency"}
        assert merge_map(store.conn) == merge_map(store)
