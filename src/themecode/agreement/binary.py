"""Chance-corrected agreement on present/absent decisions from pattern counts, and their
bootstrap intervals.

Every coefficient here is a function of how many units show each *pattern* of decisions (bit i
set = coder i applied the code), so a bootstrap over units only has to redraw pattern counts.
Formulas follow Gwet's irrCAC (`fleiss.kappa.raw`, `gwet.ac1.raw`, `krippen.alpha.raw` with
identity weights, q = 2 categories) and, for specific agreement, Uebersax's generalisation of
positive/negative agreement to any number of coders:

* pa = (1/N) Σ_u Σ_k n_uk(n_uk - 1) / (r(r - 1)), π_k = (1/N) Σ_u n_uk / r (r coders, every unit
  rated by all);
* Fleiss' kappa = (pa - Σ_k π_k²) / (1 - Σ_k π_k²);
* Gwet's AC1 = (pa - pe) / (1 - pe), pe = Σ_k π_k(1 - π_k) / (q - 1) = 2·π₁·π₀;
* Cohen's kappa (two coders) from each coder's own rate of "present";
* Krippendorff's alpha (nominal, no missing values) = 1 - D_o / D_e with
  D_o = 2 Σ_u n_u1·n_u0 / (r - 1) and D_e = 2·n₁·n₀ / (N·r - 1);
* positive agreement = Σ_u n_u1(n_u1 - 1) / Σ_u n_u1(r - 1), negative the same with n_u0
  (two coders: 2a / (2a + b + c) and 2d / (2d + b + c)).

An undefined value (a zero denominator) is NaN here and becomes a `Statistic` with a reason in
`themecode.agreement.coefficients`.
"""

from __future__ import annotations

import numpy as np

BOOTSTRAP = 1000
STATS = ("kappa", "fleiss_kappa", "ac1", "alpha", "positive_agreement", "negative_agreement")
MAX_CODERS_FOR_PATTERNS = 10


def patterns(matrix: np.ndarray) -> np.ndarray:
    """Pattern id per item of a coders x items boolean matrix (bit i = coder i applied it)."""
    weights = (1 << np.arange(matrix.shape[0], dtype=np.int64))[:, None]
    return (matrix.astype(np.int64) * weights).sum(axis=0)


def pattern_stats(counts: np.ndarray, r: int) -> dict[str, np.ndarray]:
    """Every coefficient from pattern counts (..., 2**r): arrays of the leading shape, NaN when
    undefined."""
    counts = np.asarray(counts, dtype=np.float64)
    ids = np.arange(2**r)
    n1 = np.array([bin(i).count("1") for i in ids], dtype=np.float64)  # coders saying present
    n0 = r - n1
    total = counts.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = (counts * (n1 * (n1 - 1) + n0 * (n0 - 1))).sum(axis=-1) / (r * (r - 1)) / total
        pi1 = (counts * n1).sum(axis=-1) / r / total
        pi0 = 1 - pi1
        pe_f = pi1**2 + pi0**2
        fleiss = np.where(pe_f < 1 - 1e-12, (pa - pe_f) / (1 - pe_f), np.nan)
        pe_g = 2 * pi1 * pi0
        ac1 = (pa - pe_g) / (1 - pe_g)
        d_o = 2 * (counts * n1 * n0).sum(axis=-1) / (r - 1)
        ones = (counts * n1).sum(axis=-1)
        zeros = (counts * n0).sum(axis=-1)
        d_e = 2 * ones * zeros / (total * r - 1)
        alpha = np.where(d_e > 0, 1 - d_o / np.where(d_e > 0, d_e, 1), np.nan)
        pos_den = (counts * n1 * (r - 1)).sum(axis=-1)
        neg_den = (counts * n0 * (r - 1)).sum(axis=-1)
        pos = np.where(pos_den > 0, (counts * n1 * (n1 - 1)).sum(axis=-1) / np.where(pos_den > 0, pos_den, 1), np.nan)
        neg = np.where(neg_den > 0, (counts * n0 * (n0 - 1)).sum(axis=-1) / np.where(neg_den > 0, neg_den, 1), np.nan)
        if r == 2:
            pa_a = (counts[..., 1] + counts[..., 3]) / total
            pa_b = (counts[..., 2] + counts[..., 3]) / total
            po = (counts[..., 0] + counts[..., 3]) / total
            pe_c = pa_a * pa_b + (1 - pa_a) * (1 - pa_b)
            kappa = np.where(pe_c < 1 - 1e-12, (po - pe_c) / (1 - pe_c), np.nan)
        else:
            kappa = np.full(np.shape(total), np.nan)
    return {"kappa": kappa, "fleiss_kappa": fleiss, "ac1": ac1, "alpha": alpha,
            "positive_agreement": pos, "negative_agreement": neg}


def resample_one(pattern_ids: np.ndarray, r: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Pattern counts of `draws` resamples of the units of one code, draws x 2**r.

    Drawing N units with replacement makes the pattern counts multinomial(N, observed shares), so
    they are drawn directly: the same distribution as resampling units, in O(draws x 2**r)."""
    freq = np.bincount(pattern_ids, minlength=2**r).astype(np.float64)
    n = int(freq.sum())
    return rng.multinomial(n, freq / n, size=draws)


def resample_units(unit_patterns: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Pattern counts of resampled units that each hold several items (the pooled figure):
    `unit_patterns` is units x 2**r, `idx` draws x units; returns draws x 2**r."""
    draws, n = idx.shape
    step = max(1, 20_000_000 // max(1, n * unit_patterns.shape[1]))  # bound memory
    return np.concatenate([unit_patterns[idx[i:i + step]].sum(axis=1) for i in range(0, draws, step)])


def bootstrap_intervals(counts: np.ndarray, r: int) -> dict[str, tuple[float, float] | None]:
    """Percentile 95% intervals from resampled pattern counts (draws x 2**r).

    A statistic gets no interval when it is undefined in more than 5% of the resamples."""
    draws = counts.shape[0]
    out: dict[str, tuple[float, float] | None] = {}
    for name, values in pattern_stats(counts, r).items():
        ok = values[~np.isnan(values)]
        if ok.size < 0.95 * draws:
            out[name] = None
        else:
            lo, hi = np.quantile(ok, [0.025, 0.975])
            out[name] = (float(lo), float(hi))
    return out


def one_hot(pattern_ids: np.ndarray, r: int) -> np.ndarray:
    """units x 2**r indicator matrix of one pattern per unit."""
    out = np.zeros((pattern_ids.size, 2**r), dtype=np.int32)
    out[np.arange(pattern_ids.size), pattern_ids] = 1
    return out
