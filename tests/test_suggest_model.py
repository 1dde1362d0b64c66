"""suggest.model's decision sums: the fast paths give the weighted tf-idf product exactly."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from themecode.suggest import model as M


def _inputs(n: int, seed: int = 0) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray,
                                              np.ndarray]:
    rng = np.random.default_rng(seed)
    width = 3 * M.N_HASH
    cols = np.sort(rng.choice(width, 400, replace=False))
    colmap = np.full(width, -1, dtype=np.int64)
    colmap[cols] = np.arange(len(cols))
    per_row = rng.integers(0, 12, n)  # some rows empty
    indptr = np.concatenate(([0], np.cumsum(per_row)))
    # half the features the model knows, half it never saw
    known = rng.choice(cols, indptr[-1])
    unknown = rng.integers(0, width, indptr[-1])
    indices = np.where(rng.random(indptr[-1]) < 0.5, known, unknown)
    h = sp.csr_matrix((rng.integers(1, 4, indptr[-1]).astype(float), indices, indptr),
                      shape=(n, width))
    h.sum_duplicates()
    return h, cols, colmap, rng.random(len(cols)) + 1.0, rng.standard_normal((len(cols), 5))


@pytest.mark.parametrize("n", [1, 7, M.DENSE_ROWS, M.DENSE_ROWS + 1, 900])
def test_decision_equals_the_weighted_product(n: int) -> None:
    """Few rows (np.add.at) and many rows (one sparse product: autocode and its refits) both
    equal `_weigh(h) @ coef`, empty rows and unseen features included."""
    h, cols, colmap, idf, coef = _inputs(n)
    expected = np.asarray(M._weigh(h, cols, idf, colmap) @ coef)
    got = M._decision(h, colmap, idf, coef)
    assert got.shape == (n, 5)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
