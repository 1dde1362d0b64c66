"""Per-code thresholds: where the cut goes in the F1-optimal gap, and the pull toward the pooled
threshold while a code has few positives (`suggest.model`)."""

from __future__ import annotations

import numpy as np
import pytest

from themecode.suggest import model
from themecode.suggest.model import best_threshold, shrunk_threshold


def test_the_cut_sits_at_its_position_in_the_f1_optimal_gap() -> None:
    probs = np.array([0.9, 0.8, 0.3, 0.1])
    y = np.array([1, 1, 0, 0])
    assert best_threshold(probs, y) == pytest.approx(0.55)  # the midpoint
    assert best_threshold(probs, y, 0.15) == pytest.approx(0.3 + 0.15 * 0.5)
    assert best_threshold(probs, y, 0.15) < best_threshold(probs, y)  # toward recall
    # Both still separate the two classes as the F1-optimal cut does.
    for pos in (0.15, 0.5):
        assert list(probs >= best_threshold(probs, y, pos)) == [True, True, False, False]


def test_a_code_with_few_positives_leans_on_the_pooled_threshold() -> None:
    k, pos = model.THRESHOLD_SHRINK_K, model.THRESHOLD_POSITION
    assert k > 0
    few_p, few_y = np.array([0.9, 0.8, 0.3, 0.1]), np.array([1, 1, 0, 0])
    own = best_threshold(few_p, few_y, pos)
    assert shrunk_threshold(few_p, few_y, 0.8) == pytest.approx((2 * own + k * 0.8) / (2 + k))
    rng = np.random.default_rng(0)
    many_y = np.r_[np.ones(300), np.zeros(300)].astype(int)
    many_p = np.r_[rng.uniform(0.6, 1.0, 300), rng.uniform(0.0, 0.4, 300)]
    own = best_threshold(many_p, many_y, pos)
    shrunk = shrunk_threshold(many_p, many_y, 0.9)
    assert abs(shrunk - own) < 0.05 * abs(0.9 - own)  # 300 positives: nearly its own
