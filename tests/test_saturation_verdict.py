"""themecode's saturation rule and verdict: the saturation point, the published rules as
context, both Chao2 forms, never-applied codes, the Guest threshold note and the wording."""

from __future__ import annotations

import numpy as np
import pytest
from saturation_helpers import U

from themecode.saturation.analysis import (
    CodeMeta,
    SaturationConfig,
    Unit,
    analyse,
    chao2,
    is_saturated,
    units_since_last_new,
)
from themecode.saturation.estimators import one_step_new


def _first_by_prefix(units: list[Unit], config: SaturationConfig) -> int | None:
    """The saturation point the slow way: analyse every prefix and ask `is_saturated`."""
    for t in range(1, len(units) + 1):
        r = analyse(units[:t], config)
        if is_saturated(r.guest.reached, r.francis.stop_at is not None, r.chao2,
                        units_since_last_new(np.asarray(r.new_per_unit)), config):
            return t
    return None


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_saturation_point_is_the_first_prefix_where_every_check_holds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    prev = np.concatenate([rng.uniform(0.2, 0.6, 6), rng.uniform(0.005, 0.03, 4)])
    rows = rng.random((140, prev.size)) < prev
    units = [U(f"u{i}", *[f"k{j}" for j in np.flatnonzero(r)]) for i, r in enumerate(rows)]
    config = SaturationConfig(max_run_bound=0.1)  # 29 clean units: the point falls inside 140
    r = analyse(units, config)
    assert r.saturated_at == _first_by_prefix(units, config)


def test_verdict_leads_with_the_point_and_counts_codes_after_the_published_rules() -> None:
    common = [("a", "b"), ("c",), ("d", "a"), ("e", "b"), ("a", "c", "d", "e")]
    units = [U(f"c{i}", *common[i % 5]) for i in range(120)]
    for pos, code in ((30, "late1"), (31, "late1"), (40, "late2"), (41, "late2")):
        units[pos] = U(units[pos].unit_id, *units[pos].codes, code)
    r = analyse(units)
    assert r.guest.stop_at == 6 and r.francis.stop_at == 13
    assert r.saturated_at == 41 + 59 and r.status == "saturated"
    assert r.verdict.startswith(
        f"Code saturation, relative to this codebook, reached at case {r.saturated_at} of 120 "
        "under themecode's rule")
    assert ("Guest 4+2 (≤5%) fired at case 6, after which 2 further codes appeared; "
            "Francis 10+3 fired at case 13, after which 2 further codes appeared") in r.verdict
    assert "Saturated by Guest" not in r.verdict
    d = r.to_dict()
    assert d["saturated_at"] == 100
    assert d["published_rules_after"] == {"guest_new_after": 2, "francis_new_after": 2}


def test_a_new_code_after_the_point_is_said() -> None:
    common = [("a", "b"), ("c",), ("d", "a"), ("e", "b"), ("a", "c", "d", "e")]
    units = [U(f"c{i}", *common[i % 5]) for i in range(80)]
    units[70] = U("c70", "a", "late")
    r = analyse(units)
    assert r.saturated_at == 63 and r.status != "saturated"
    assert "themecode's rule held at case 63, but 1 new codes appeared after it" in r.verdict


def test_both_chao2_forms_and_which_one_the_verdict_uses() -> None:
    y = [1, 1, 1, 2, 5, 9]  # Q1 = 3, Q2 = 1, T = 20
    ch = chao2(y, 20)
    a = 19 / 20
    assert ch.form == "classic" and ch.f0 == pytest.approx(a * 9 / 2)
    assert ch.f0_classic == pytest.approx(a * 9 / 2)
    assert ch.f0_bias_corrected == pytest.approx(a * 3 * 2 / (2 * 2))
    no_q2 = chao2([1, 1, 1, 4], 20)
    assert no_q2.form == "bias-corrected" and no_q2.f0_classic is None
    assert no_q2.f0 == pytest.approx(no_q2.f0_bias_corrected)
    units = [U(f"u{i}", *(["x"] if i < 5 else []), *(["r1"] if i == 3 else [])) for i in range(20)]
    rows = dict(analyse(units).summary_rows())
    assert "Chao2 classic / bias-corrected" in rows
    assert any(k.startswith("Chao2 estimate (") and "used by the verdict" in k for k in rows)


def test_one_step_extrapolation_is_chao_2014_and_never_above_q1_over_t() -> None:
    ch = chao2([1, 1, 1, 2, 5, 9], 20)
    assert one_step_new(ch) == pytest.approx(ch.f0 * 3 / (20 * ch.f0 + 3))
    assert one_step_new(ch) <= 3 / 20
    r = analyse([U("a", "x", "y"), U("b", "x"), U("c", "z")])
    rows = dict(r.summary_rows())
    assert "Expected new codes in the next case, Q1/T (the verdict's rate check)" in rows
    assert "Expected new codes in the next case, Chao et al. 2014 one-step (the --extend model)" in rows


def test_never_applied_codebook_codes_are_counted_apart_from_chao2() -> None:
    meta = {c: CodeMeta(theme="t") for c in ("a", "b", "c", "unused1", "unused2")}
    units = [U("u1", "a", "b"), U("u2", "c"), U("u3", "a")]
    r = analyse(units, code_meta=meta)
    assert r.never_applied == ["unused1", "unused2"]
    assert r.chao2.s_obs == 3  # Chao2 estimates from the applied codes only
    rows = dict(r.summary_rows())
    assert rows["Codebook codes never applied (observed, not estimated)"] == "2"
    assert any(line.startswith("Never applied: 2 code(s)") for line in r.guard_rails())


def test_guest_threshold_note_only_below_twenty_codes_in_the_base() -> None:
    few = [U(f"u{i}", f"k{i % 4}") for i in range(12)]  # 4 codes in the base
    r = analyse(few)
    assert r.guest.reached and r.guest.base_codes == 4
    note = [line for line in r.guard_rails() if line.startswith("Guest threshold")]
    assert note and "means 0 new codes" in note[0] and "fewer than 20" in note[0]
    many = [U(f"u{i}", *[f"k{j}" for j in range(25)]) for i in range(12)]  # 25 codes in the base
    assert not any(line.startswith("Guest threshold") for line in analyse(many).guard_rails())
