"""Chao2 (classic, bias-corrected, none unseen), its whole-code interval, coverage and Q1/T."""

from __future__ import annotations

import math

import pytest

from themecode.saturation.analysis import (
    Chao2Result,
    chao2,
    expected_new_next,
    sample_coverage,
    units_to_unseen_below,
)


def test_chao2_bias_corrected_when_q2_zero() -> None:
    c = chao2([3, 3, 1, 1], 5)  # Q1 = 2, Q2 = 0, A = 4/5: f0 = 0.8 * 2 * 1 / 2
    assert (c.q1, c.q2, c.form) == (2, 0, "bias-corrected")
    assert c.f0 == pytest.approx(0.8) and c.estimate == pytest.approx(4.8)
    assert c.variance == pytest.approx(0.8 + 0.64 * 2 * 9 / 4 - 0.64 * 16 / 4 / 4.8)
    assert c.ci_low_lognormal == pytest.approx(4.0586, abs=1e-4)
    assert c.ci_high_lognormal == pytest.approx(14.915, abs=1e-3)
    assert (c.ci_low, c.ci_high) == (4, 15)  # whole codes, rounded outward


def test_chao2_classic() -> None:
    c = chao2([1, 1, 1, 2, 2, 5], 10)  # Q1 = 3, Q2 = 2, A = 0.9
    assert c.form == "classic"
    assert c.f0 == pytest.approx(0.9 * 9 / 4)
    assert c.variance == pytest.approx(2 * (0.45 * 2.25 + 0.81 * 3.375 + 0.2025 * 5.0625))
    cf = math.exp(1.959964 * math.sqrt(math.log(1 + c.variance / c.f0**2)))
    assert c.ci_low_lognormal == pytest.approx(6 + c.f0 / cf)
    assert c.ci_high_lognormal == pytest.approx(6 + c.f0 * cf)
    assert c.ci_low_lognormal == pytest.approx(6.236, abs=1e-3)
    assert c.ci_high_lognormal == pytest.approx(23.366, abs=1e-3)
    # Chao's lower limit lies above S_obs = 6, so read literally it would exclude "every code
    # found"; in whole codes, rounded outward, the interval is 6-24.
    assert (c.ci_low, c.ci_high) == (6, 24)
    assert c.to_dict()["ci_low"] == 6 and c.to_dict()["ci_high"] == 24


def test_chao2_whole_code_interval_rounds_outward_and_tolerates_float_noise() -> None:
    base = dict(s_obs=10, q1=2, q2=1, n_units=20, estimate=11.9, f0=1.9, variance=4.0, form="classic")
    r = Chao2Result(**base, ci_low_lognormal=10.9999999999, ci_high_lognormal=17.0000037)
    assert (r.ci_low, r.ci_high) == (11, 17)  # within 0.001 of a whole number: that number
    r = Chao2Result(**base, ci_low_lognormal=10.4, ci_high_lognormal=16.2)
    assert (r.ci_low, r.ci_high) == (10, 17)


def test_chao2_no_unseen() -> None:
    c = chao2([4, 5, 2, 3], 6)  # no singletons: f0 = 0
    assert c.f0 == 0 and c.estimate == 4 and c.form == "none-unseen"
    assert c.ci_low == 4 and c.ci_high >= 4 and isinstance(c.ci_high, int)
    one = chao2([1], 5)  # a single singleton: the bias-corrected f0 is 0 too
    assert one.f0 == 0 and one.ci_low == 1
    empty = chao2([], 0)
    assert (empty.estimate, empty.ci_low, empty.ci_high) == (0, 0, 0)


def test_sample_coverage_and_next_unit() -> None:
    # U = 12 incidences, Q1 = 3, Q2 = 2, T = 10: 1 - 3/12 * 27/31
    assert sample_coverage([1, 1, 1, 2, 2, 5], 10) == pytest.approx(1 - 3 / 12 * 27 / 31)
    # Q2 = 0: A = T f0 / (T f0 + Q1) = 4 / 6
    assert sample_coverage([3, 3, 1, 1], 5) == pytest.approx(1 - 2 / 8 * 4 / 6)
    assert sample_coverage([3, 4], 5) == 1.0
    assert sample_coverage([], 0) is None
    assert expected_new_next(3, 10) == pytest.approx(0.3)
    assert expected_new_next(0, 0) is None


def test_units_to_unseen_below() -> None:
    c = chao2([1, 1, 1, 2, 2, 5], 10)
    m = units_to_unseen_below(c)
    x = c.q1 / (c.n_units * c.f0 + c.q1)
    assert c.f0 * (1 - x) ** m < 1 <= c.f0 * (1 - x) ** (m - 1)
    assert units_to_unseen_below(chao2([4, 5], 6)) == 0
