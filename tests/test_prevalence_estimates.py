"""Prevalence with finite-population-corrected intervals: exact coverage under sampling without
replacement, the shrinkage the correction brings, and the table from a real project."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import hypergeom

from themecode.sample.estimates import fpc_wilson, prevalence
from themecode.sample.levels import natural_order
from themecode.store import Store


@pytest.mark.parametrize(("big_n", "n", "positives"), [(1748, 437, 35), (1748, 437, 680),
                                                       (400, 200, 12), (1748, 874, 300)])
def test_fpc_interval_covers_at_least_93_percent_exactly(big_n: int, n: int, positives: int) -> None:
    """Exact coverage over every possible sample (hypergeometric), not a simulation."""
    ks = np.arange(0, n + 1)
    pmf = hypergeom(big_n, positives, n).pmf(ks)
    truth = positives / big_n
    covered = np.array([lo <= truth <= hi for lo, hi in (fpc_wilson(int(k), n, big_n) for k in ks)])
    assert pmf[covered].sum() >= 0.93


def test_fpc_narrows_the_interval_and_is_exact_for_a_census() -> None:
    lo, hi = fpc_wilson(100, 437, 1748)
    lo_inf, hi_inf = fpc_wilson(100, 437, None)
    assert hi - lo == pytest.approx((hi_inf - lo_inf) * np.sqrt((1748 - 437) / 1747), rel=0.05)
    assert hi - lo < hi_inf - lo_inf
    assert fpc_wilson(30, 100, 100) == (0.3, 0.3)
    lo, hi = fpc_wilson(0, 90, 100)  # 10 unsampled cases at most can carry it
    assert lo == 0 and hi <= 0.1


def test_natural_order_of_levels() -> None:
    assert natural_order(["high/very high", "unknown", "low", "medium"]) == [
        "low", "medium", "high/very high", "unknown"]
    assert natural_order(["40-59", "18-24", "60+", "25-29", "30-39"]) == [
        "18-24", "25-29", "30-39", "40-59", "60+"]
    assert natural_order(["21+", "none", "2-5", "1", "11-20", "6-10"]) == [
        "none", "1", "2-5", "6-10", "11-20", "21+"]


def test_prevalence_table_from_a_project(gold_db: Path) -> None:
    with Store.open(gold_db) as store:
        pooled = prevalence(store.conn, by="rosh")
        ann = prevalence(store.conn, coder="ann", by="rosh")
        themes = prevalence(store.conn, level="theme")
        n_cases = store.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    assert pooled.n_population == n_cases == 160 and pooled.n_coded == 120
    assert "pooled codings" in pooled.scope and "gold" in pooled.scope and "ann" in pooled.scope
    assert ann.scope == "codings of coder ann only"
    code = max(pooled.items, key=lambda i: pooled.overall[i].k)
    s = pooled.overall[code]
    assert s.estimate == s.k / s.n and s.low < s.estimate < s.high
    assert ann.overall[code].k <= s.k  # ann left out some of gold's lines
    by = pooled.by_level[code]
    assert sum(v.n for v in by.values()) == pooled.n_coded
    assert sum(v.k for v in by.values()) == s.k
    assert sum(v.population for v in by.values()) == n_cases
    assert pooled.levels[:3] == ["low", "medium", "high/very high"]
    assert set(themes.items) == {"assessment", "planning", "implementation", "reviewing",
                                 "cross_cutting"}  # codebook themes only
