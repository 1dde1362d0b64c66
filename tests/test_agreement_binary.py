"""Fleiss' kappa, Gwet's AC1, specific agreement and the bootstrap intervals: hand-worked values
from irrCAC's published formulas, reference implementations, and the units that drop out."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from themecode.agreement.binary import pattern_stats, patterns
from themecode.agreement.coefficients import CoderCodings, compute_agreement
from themecode.agreement.data import agreement_from_store
from themecode.agreement.table import left_out_line, table_rows
from themecode.cli import main
from themecode.store import Store


def two_coders(a: int, b: int, c: int, d: int) -> list[CoderCodings]:
    """A 2x2 table as two coders: a both, b only A, c only B, d neither."""
    n = a + b + c + d
    units = range(n)
    first = {u: {"x"} for u in range(a + b)}
    second = {u: {"x"} for u in [*range(a), *range(a + b, a + b + c)]}
    return [CoderCodings("A", frozenset(units), {u: frozenset(v) for u, v in first.items()}),
            CoderCodings("B", frozenset(units), {u: frozenset(v) for u, v in second.items()})]


def test_two_coders_hand_worked() -> None:
    # a=40, b=9, c=6, d=45: pa = .85; pi1 = 95/200 = .475
    # AC1 (gwet.ac1.raw): pe = 2(.475)(.525) = .49875 -> (.85 - .49875)/(1 - .49875)
    # Fleiss (fleiss.kappa.raw): pe = .475^2 + .525^2 = .50125 -> (.85 - .50125)/(1 - .50125)
    # Cohen: pA = .49, pB = .46, pe = .49*.46 + .51*.54 = .5008 -> (.85 - .5008)/(1 - .5008)
    # positive 2a/(2a+b+c) = 80/95; negative 2d/(2d+b+c) = 90/105
    # alpha: Do = 2*15/1 = 30, De = 2*95*105/199 -> 1 - 30/De
    c = compute_agreement(two_coders(40, 9, 6, 45)).code("x")
    assert c.ac1.value == pytest.approx(0.35125 / 0.50125)
    assert c.fleiss_kappa.value == pytest.approx(0.34875 / 0.49875)
    assert c.kappa.value == pytest.approx(0.3492 / 0.4992)
    assert c.positive_agreement.value == pytest.approx(80 / 95)
    assert c.negative_agreement.value == pytest.approx(90 / 105)
    assert c.alpha.value == pytest.approx(1 - 30 / (2 * 95 * 105 / 199))


def test_rare_code_paradox_ac1_stays_high_when_kappa_collapses() -> None:
    # one unit each coder alone, 84 neither: 97.7% agreement, kappa about 0, AC1 0.976
    c = compute_agreement(two_coders(0, 1, 1, 84)).code("x")
    assert c.percent_agreement.value == pytest.approx(84 / 86)
    pe = (1 / 86) ** 2 + (85 / 86) ** 2
    assert c.kappa.value == pytest.approx((84 / 86 - pe) / (1 - pe)) and c.kappa.value < 0.01
    pi = 2 / 172
    assert c.ac1.value == pytest.approx((84 / 86 - 2 * pi * (1 - pi)) / (1 - 2 * pi * (1 - pi)))
    assert c.ac1.value > 0.97
    assert c.positive_agreement.value == 0 and c.negative_agreement.value == pytest.approx(168 / 170)


def test_three_coders_hand_worked_and_fleiss_no_longer_blank() -> None:
    # units present-counts n1 = 3, 0, 2, 1, 3 of r = 3 coders
    # pa per unit 1, 1, 1/3, 1/3, 1 -> 11/15; pi1 = 9/15 = .6
    # Fleiss: (11/15 - .52)/.48 = 4/9; AC1: (11/15 - .48)/.52; alpha: 1 - 4/(108/14)
    # positive 14/18, negative 8/12
    rows = np.array([[1, 0, 1, 0, 1], [1, 0, 1, 1, 1], [1, 0, 0, 0, 1]], dtype=bool)
    coders = [CoderCodings(n, frozenset(range(5)), {u: frozenset({"x"}) for u in range(5) if rows[i, u]})
              for i, n in enumerate("ABC")]
    c = compute_agreement(coders).code("x")
    assert c.fleiss_kappa.value == pytest.approx(4 / 9)
    assert c.ac1.value == pytest.approx((11 / 15 - 0.48) / 0.52)
    assert c.alpha.value == pytest.approx(1 - 4 / (108 / 14))
    assert c.positive_agreement.value == pytest.approx(14 / 18)
    assert c.negative_agreement.value == pytest.approx(8 / 12)
    assert c.kappa.value is None and "exactly two coders" in (c.kappa.reason or "")


@pytest.mark.parametrize("seed", range(6))
def test_pattern_formulas_match_reference_implementations(seed: int) -> None:
    rng = np.random.default_rng(seed)
    r = int(rng.integers(2, 6))
    m = rng.random((r, 60)) < rng.uniform(0.05, 0.6)
    stats = pattern_stats(np.bincount(patterns(m), minlength=2**r), r)
    n1 = m.sum(axis=0)
    assert stats["fleiss_kappa"] == pytest.approx(sm_fleiss(np.stack([r - n1, n1], axis=1)))
    assert stats["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=m.astype(float), level_of_measurement="nominal"))


def test_bootstrap_intervals_are_seeded_and_hold_the_estimate() -> None:
    coders = two_coders(40, 9, 6, 45)
    res = compute_agreement(coders, bootstrap=400, seed=5)
    again = compute_agreement(coders, bootstrap=400, seed=5)
    c = res.code("x")
    assert c.intervals == again.code("x").intervals
    for name, stat in (("kappa", c.kappa), ("ac1", c.ac1), ("alpha", c.alpha)):
        lo, hi = c.intervals[name]
        assert lo < stat.value < hi and hi - lo < 0.5
    assert res.pooled.intervals["kappa"] is not None
    assert "(0." in table_rows(res)[0]["kappa"]  # the interval is printed beside the value
    assert compute_agreement(coders).code("x").intervals == {}  # none unless asked


def test_units_that_drop_out_are_said_and_the_user_chooses(gold_db: Path) -> None:
    with Store.open(gold_db) as store:
        dropped = agreement_from_store(store, ["gold", "ann"], "commentary", bootstrap=0)
        counted = agreement_from_store(store, ["gold", "ann"], "commentary", uncoded="count")
    assert dropped.left_out["units"] > 0
    assert dropped.left_out["coders_without_done_marks"] == ["gold", "ann"]
    line = left_out_line(dropped)
    assert line is not None and f"{dropped.left_out['units']} commentary unit(s)" in line
    assert "--uncoded count" in line
    assert counted.n_units > dropped.n_units and counted.left_out["units"] < dropped.left_out["units"]
    res = CliRunner().invoke(main, ["agreement", str(gold_db), "--coders", "gold,ann",
                                    "--bootstrap", "50"])
    assert res.exit_code == 0, res.output
    assert "were left out of the comparison" in res.output and "AC1" in res.output
    data = json.loads(CliRunner().invoke(main, ["agreement", str(gold_db), "--coders", "gold,ann",
                                                "--json", "--bootstrap", "50", "--uncoded", "count"]).output)
    assert data["left_out"]["uncoded"] == "count" and data["bootstrap"] == 50
    assert data["pooled"]["intervals_95"]["ac1"] is not None
