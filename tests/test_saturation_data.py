"""Saturation input built from a real project database: coding order, done rules, provisional codes."""

from __future__ import annotations

import json

import pytest

from themecode.codebook import create_code, merge_codes
from themecode.errors import ThemecodeError
from themecode.saturation.analysis import Unit
from themecode.saturation.data import (
    analyse_by_coder,
    analyse_project,
    coders,
    load_units,
    population_size,
)
from themecode.store import Store, now

DRAW = {"C3": 1, "C1": 2, "C5": 3, "C2": 4, "C4": 5}


@pytest.fixture
def project(tmp_path):
    """Five sampled cases of two commentaries (C3, C1, C5, C2, C4), two unsampled; alice and bob."""
    store = Store.create(tmp_path / "study.db")
    with store.write():
        for case, order in DRAW.items():
            store.db["cases"].insert({"id": case, "created_at": now()})
            for stage in ("planning", "assessment"):
                store.db["documents"].insert({
                    "id": f"{case}-{stage[0]}", "case_id": case, "stage": stage,
                    "text": f"{stage} commentary for {case}.", "content_hash": f"{case}{stage}",
                    "created_at": now(),
                })
            store.db["samples"].insert({"case_id": case, "draw_order": order, "seed": 7,
                                        "round": 1, "drawn_at": now()})
        for case in ("C6", "C7"):  # in the population, not in the sample
            store.db["cases"].insert({"id": case, "created_at": now()})
            store.db["documents"].insert({"id": f"{case}-a", "case_id": case, "stage": "assessment",
                                          "text": "Unsampled.", "content_hash": case,
                                          "created_at": now()})
    create_code(store, "t1", "Contact", coder="lead", kind="theme", origin="deductive")
    create_code(store, "k1", "Contact too rare", coder="lead", parent="t1", origin="deductive")
    create_code(store, "k2", "No home visit", coder="lead", parent="t1", origin="deductive")
    create_code(store, "k3", "Police checks missing", coder="lead", origin="deductive")
    # alice: finishes C3, then invents a code, then C1 (via both documents) and C5
    store.add_coding("C3-a", None, None, "k1", "alice")
    store.set_status("case", "C3", "alice", "done")
    create_code(store, "late", "Reflective supervision lacking", coder="alice", parent="t1")
    store.add_coding("C1-a", 0, 5, "k2", "alice")
    store.add_coding("C1-p", 0, 5, "late", "alice")
    store.set_status("document", "C1-a", "alice", "done")
    store.set_status("document", "C1-p", "alice", "done")
    store.add_coding("C5-p", None, None, "k3", "alice")
    store.set_status("case", "C5", "alice", "done")
    store.add_coding("C2-a", None, None, "k1", "alice")  # not marked done: does not count
    store.set_status("case", "C4", "alice", "skipped")
    # bob: no progress rows at all, so any live coding makes a unit coded
    store.add_coding("C4-a", None, None, "k2", "bob")
    store.add_coding("C6-a", None, None, "k2", "bob")  # outside the sample: left out
    store.add_coding("C2-p", None, None, "k1", "bob")
    gone = store.add_coding("C2-p", 0, 3, "k3", "bob")
    store.remove_codings([gone.id], "bob")
    yield store
    store.close()


def test_alice_units_in_draw_order_with_provisional_code(project) -> None:
    units, meta = load_units(project, coder="alice")
    assert units == [
        Unit("C3", frozenset({"k1"})),
        Unit("C1", frozenset({"k2", "late"})),
        Unit("C5", frozenset({"k3"})),
    ]
    assert meta["late"].added_at_position == 2 and not meta["late"].back_coded
    assert meta["late"].theme == "t1" and meta["k3"].theme is None
    assert meta["k1"].added_at_position is None
    assert "t1" not in meta  # themes are not codes
    res = analyse_project(project, coder="alice")
    assert res["code"].provisional == ["late"]
    # k3 has no theme, so it is not a theme
    assert res["theme"].codes == ["t1"] and res["theme"].provisional == []


def test_reopening_earlier_units_back_codes(project) -> None:
    project.set_status("case", "C3", "alice", "open")
    project.set_status("case", "C3", "alice", "done")
    _units, meta = load_units(project, coder="alice")
    assert meta["late"].added_at_position == 2 and meta["late"].back_coded


def test_fallback_without_progress_and_deleted_codings(project) -> None:
    units, _ = load_units(project, coder="bob")
    assert units == [Unit("C2", frozenset({"k1"})), Unit("C4", frozenset({"k2"}))]


def test_pooled_is_union_in_draw_order(project) -> None:
    units, _ = load_units(project)
    assert [u.unit_id for u in units] == ["C3", "C1", "C5", "C2", "C4"]
    assert units[3].codes == {"k1"}  # bob's coding; alice's C2 coding is not done


def test_commentary_unit(project) -> None:
    units, _ = load_units(project, coder="alice", unit="commentary")
    assert [u.unit_id for u in units] == ["C3-a", "C3-p", "C1-a", "C1-p", "C5-a", "C5-p"]
    assert units[0].codes == {"k1"} and units[1].codes == frozenset()
    assert population_size(project, "commentary") == 12 and population_size(project) == 7


def test_merged_and_retired_codes(project) -> None:
    merge_codes(project, "k3", "k2", "lead")
    units, meta = load_units(project, coder="alice")
    assert units[2].codes == {"k2"}
    assert "k3" not in meta


def test_without_sample_order_is_completion_order(project) -> None:
    with project.write():
        project.conn.execute("DELETE FROM samples")
    units, _ = load_units(project, coder="alice")
    assert [u.unit_id for u in units] == ["C3", "C1", "C5"]


def test_path_input_and_verdict_names_project(project) -> None:
    path = str(project.path)
    res = analyse_project(path)
    assert res["code"].n_units == 5
    assert res["code"].status == "not_saturated"
    assert res["code"].verdict.endswith(f"extend the sample with `themecode sample {path} --extend 2`.")
    assert res["code"].suggested_extension == 2  # capped by the two unsampled cases
    json.dumps(res["code"].to_dict(), allow_nan=False)
    assert f"`themecode sample {path} --extend 2`" in analyse_project(project)["code"].verdict  # Store
    pooled, per_coder = analyse_by_coder(path)
    assert set(per_coder) == {"alice", "bob"} == set(coders(path))
    assert pooled["code"].n_units == 5 and per_coder["bob"]["code"].n_units == 2


def test_errors(project) -> None:
    with pytest.raises(ThemecodeError, match="carol"):
        load_units(project, coder="carol")
    with pytest.raises(ThemecodeError, match="paragraph"):
        load_units(project, unit="paragraph")
    with pytest.raises(ThemecodeError):
        load_units(42)
