"""Stopping rules: run-length bound, prevalence floor, Guest et al.'s worked example, Francis et al."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from themecode.saturation.analysis import (
    francis,
    guest,
    guest_grid,
    miss_probability,
    prevalence_floor,
    run_length_bound,
    units_since_last_new,
)


def test_units_since_last_new_and_run_bound() -> None:
    assert units_since_last_new(np.array([2, 1, 0, 1, 0])) == 1
    assert units_since_last_new(np.array([1, 0, 0, 0])) == 3
    assert units_since_last_new(np.array([0, 0])) == 2
    assert units_since_last_new(np.array([0, 1])) == 0
    assert run_length_bound(0) is None
    assert run_length_bound(1) == pytest.approx(0.95)
    # the "rule of three": 59 clean units bound the rate near 3/59
    assert run_length_bound(59) == pytest.approx(1 - 0.05 ** (1 / 59))
    assert run_length_bound(59) == pytest.approx(0.0495, abs=5e-4)


def test_prevalence_floor_and_miss_probability() -> None:
    p = prevalence_floor(437)
    assert p == pytest.approx(0.006832, abs=1e-5)
    assert miss_probability(p, 437) == pytest.approx(0.05)
    assert miss_probability(0.01, 100) == pytest.approx(0.99**100)
    assert prevalence_floor(0) is None


# Guest et al. (2020) worked example: base of 4 units with 37 codes; units 5..10 then bring
# 4, 3, 2, 2, 1, 0 new codes, so the paper's consecutive runs (5-6, 7-8, 9-10) give
# 7/37 = 18.9%, 4/37 = 10.8% and 1/37 = 2.7%.
GUEST_NEW = np.array([20, 8, 6, 3, 4, 3, 2, 2, 1, 0])


def test_guest_worked_example_consecutive_runs() -> None:
    g = guest(GUEST_NEW, 4, 2, 0.05, step=2)
    assert g.base_codes == 37
    assert [round(r * 100, 1) for r in g.ratios] == [18.9, 10.8, 2.7]
    assert g.reached and g.stop_at == 10 and g.run_start == 9
    assert g.label == "4+2" and g.consumed_label == "4+6"


def test_guest_worked_example_sliding_runs() -> None:
    g = guest(GUEST_NEW, 4, 2, 0.05)
    assert [round(r * 100, 1) for r in g.ratios] == [18.9, 13.5, 10.8, 8.1, 2.7]
    assert g.stop_at == 10
    # threshold 0 needs a run with no new code at all: not in these ten units ...
    assert not guest(GUEST_NEW, 4, 2, 0.0).reached
    # ... but one more unit without new codes makes run 10-11 empty
    g0 = guest(np.append(GUEST_NEW, 0), 4, 2, 0.0)
    assert g0.reached and g0.stop_at == 11 and g0.consumed_label == "4+7"


def test_guest_not_assessable() -> None:
    assert guest(np.array([3, 1, 0]), 4, 2, 0.05).stop_at is None  # too few units
    assert guest(np.zeros(10, dtype=int), 4, 2, 0.05).ratios == []  # empty base
    grid = guest_grid(GUEST_NEW)
    assert len(grid) == 12
    assert {(g.base, g.run, g.threshold) for g in grid} == set(
        itertools.product((4, 5, 6), (2, 3), (0.0, 0.05))
    )
    # base 6 has 20+8+6+3+4+3 = 44 codes; runs of 3 from unit 7 bring 5 then 3: 6.8% > 5%
    g6 = next(g for g in grid if (g.base, g.run, g.threshold) == (6, 3, 0.05))
    assert g6.base_codes == 44 and g6.ratios == pytest.approx([5 / 44, 3 / 44]) and not g6.reached
    # base 5 has 41 codes; runs of 2 from unit 6 bring 5, 4, 3, 1: 1/41 = 2.4% at unit 10
    g5 = next(g for g in grid if (g.base, g.run, g.threshold) == (5, 2, 0.05))
    assert g5.base_codes == 41 and g5.stop_at == 10 and g5.consumed_label == "5+5"


def test_francis() -> None:
    new = np.array([3, 1, 0, 0, 2, 0, 0, 0, 0, 1])
    assert francis(new, 3, 3).stop_at == 8
    assert francis(new, 3, 3).label == "3+3"
    assert francis(new, 0, 2).stop_at == 4
    assert francis(new, 10, 3).stop_at is None
    assert francis(new, 6, 4).stop_at is None  # only three clean units after the initial six
