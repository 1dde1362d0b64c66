"""Incidence and discovery curves, hand-worked and against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from saturation_helpers import SMALL

from themecode.saturation.analysis import (
    discovery_curve,
    expected_curve,
    incidence,
    new_per_block,
    new_per_unit,
)


def test_incidence_new_and_discovery_curve() -> None:
    matrix, codes = incidence(SMALL)
    assert codes == ["a", "b", "c", "d"]
    assert matrix.sum(axis=0).tolist() == [3, 3, 1, 1]
    new = new_per_unit(matrix)
    assert new.tolist() == [2, 1, 0, 1, 0]
    assert discovery_curve(new).tolist() == [2, 3, 3, 4, 4]
    assert new_per_block(new, 2) == [3, 1, 0]
    assert new_per_block(new, 10) == [4]


def test_expected_curve_hand_worked() -> None:
    # t=1: mean codes per unit = 8/5; t=2: a,b each 1 - C(2,2)/C(5,2) = 0.9, c,d 1 - 6/10 = 0.4;
    # t=3: a,b certain (C(2,3) = 0), c,d 1 - C(4,3)/C(5,3) = 0.6; t=4: c,d 1 - 1/5 = 0.8
    e = expected_curve([3, 3, 1, 1], 5)
    assert e == pytest.approx([1.6, 2.6, 3.2, 3.6, 4.0])


def test_expected_curve_equals_brute_force_enumeration() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.random((7, 5)) < np.array([0.1, 0.3, 0.5, 0.8, 0.2])
    matrix[0, :] = True  # every code occurs at least once
    total = matrix.shape[0]
    brute = [
        np.mean([matrix[list(rows)].any(axis=0).sum() for rows in itertools.combinations(range(total), t)])
        for t in range(1, total + 1)
    ]
    assert expected_curve(matrix.sum(axis=0), total) == pytest.approx(brute, abs=1e-12)


def test_expected_curve_approaches_binomial_for_homogeneous_prevalence() -> None:
    total, k, pi = 200_000, 6, 0.1
    e = expected_curve([int(pi * total)] * k, total)
    t = np.arange(1, 61)
    assert e[:60] == pytest.approx(k * (1 - (1 - pi) ** t), rel=2e-3)
    assert e[-1] == pytest.approx(k)


def test_expected_curve_large_is_finite_and_monotone() -> None:
    e = expected_curve([1, 2, 500, 24_000], 25_000)
    assert np.all(np.isfinite(e)) and np.all(np.diff(e) >= -1e-12)
    assert e[-1] == pytest.approx(4.0)
