"""The suggester's maths, apart from the database: features, fitting, calibration, thresholds.

Features are hashed (stateless, so nothing but arrays has to be persisted): word 1-2-grams of
lemmas and lower-cased word unigrams, optionally character 2-5-grams inside word boundaries
(`char_wb`; off by default: on grouped CV they added nothing while making hashing and fitting
five times slower, see docs/suggestions.md), each tf-idf weighted with sublinear tf, then the
row is l2-normalised. Identical sentences with identical labels are fitted once with a weight. Only the hash columns seen
in training are kept, so a fitted model is a handful of dense arrays. One logistic regression per
code (one-vs-rest, balanced class weights); scores are calibrated with Platt scaling on grouped
out-of-fold decision values, and per-code thresholds maximise out-of-fold F1 at the sentence and
at the commentary level (a commentary's score for a code is the maximum over its sentences).

Codebook-rule blend (`Blend`): the codebook-rule score r in [0, 1] of a sentence (`suggest.rules`)
is added to each learnt code's score in logit space, beta * g * r: after Platt scaling (the chosen
form: logit p = a * (x.w + b) + c + beta * g * r, with the Platt parameters a, c fitted on the
model's own out-of-fold decision values) or before it (a * (x.w + b + beta * g * r) + c). The
term is in the out-of-fold scores the thresholds are tuned on as well as at prediction, so the
thresholds fit the blended score. Without a gate g = 1. With the gate, g grows with the
sentence's novelty n (the share of its lemma 1-2-gram occurrences never seen in training; for
out-of-fold values, never seen in that fold's training part) beyond what is usual for the
project's own coded text: g = clip((n - f) / (1 - f), 0, 1), where the floor f is the
`gate_quantile` quantile of the out-of-fold novelty of the training sentences (fitted, stored
with the model). Wording like the
team's own leaves the model in charge; new wording, where the n-grams know little, leans on the
codebook. beta and the quantile are fixed (chosen on data other than the test sets, see
docs/suggestions.md), not learnt: on the team's own coding the n-grams are nearly perfect and a
fitted weight would drop the rules, which are what carry over to differently worded commentary.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

N_HASH = 2**18
# Relative weight of each feature block (lemma n-grams, lower-cased tokens, char n-grams).
BLOCK_WEIGHTS = (1.0, 0.5, 1.0)
C_REG = 1.0
TOL = 1e-2  # same grouped-CV F1 as 1e-3 on the demo sample, 27% less CPU (docs)
CV_FOLDS = 3
USE_CHAR = False
FIT_THREADS = 2
MIN_EXAMPLES = 5
# Thresholds (`shrunk_threshold`): where in the F1-optimal gap between two out-of-fold scores
# the cut goes (0.5 = midpoint), and the pull toward the threshold pooled over all codes while a
# code has few positives (0 = none). Chosen on the template split (docs/suggestions.md).
THRESHOLD_POSITION = 0.15
THRESHOLD_SHRINK_K = 10.0


@dataclass(frozen=True)
class Blend:
    """How codebook-rule scores enter learnt codes' scores: weight beta (0 = model alone) and the
    novelty gate's quantile (None = no gate, the rule term always counts in full)."""

    weight: float = 0.0
    gate_quantile: float | None = None
    # True: Platt scaling is fitted on the model's own decision values and the rule term is
    # added after it (in logit space); False: the rule term is added before Platt scaling.
    after_platt: bool = False
    # Shrinkage toward the rules while a code has few examples: a learnt code's score is
    # w * model + (1 - w) * rule score with w = n / (n + shrink_k), n its positive training
    # sentences (0 = off).
    shrink_k: float = 0.0


# Chosen by template-split validation on the demo generator at several training sizes, with
# grouped CV on the demo sample as the in-domain guard (benchmarks/suggest_tuning.py,
# docs/suggestions.md); shrink_k 10 by the learning curve fitted as the coding screen refits
# (benchmarks/suggest_curve.py: template split, demo held-out as the guard; not the OOD set).
BLEND = Blend(35.0, 0.5, after_platt=True, shrink_k=10.0)

_LEMMA = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=N_HASH,
                           alternate_sign=False, norm=None, token_pattern=r"(?u)\b\w[\w'-]*\b")
_TOKEN = HashingVectorizer(analyzer="word", ngram_range=(1, 1), n_features=N_HASH,
                           alternate_sign=False, norm=None, lowercase=True)
_CHAR = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=N_HASH,
                          alternate_sign=False, norm=None, lowercase=True)


def hash_features(texts: Sequence[str], lemmas: Sequence[str], *,
                  use_char: bool = USE_CHAR) -> sp.csr_matrix:
    """Raw hashed counts of the feature blocks, shape (n, 3 * N_HASH); stateless.

    Without `use_char` the character block is all zeros (kept so column numbers never move).
    """
    from sklearn import config_context

    if not len(texts):
        return sp.csr_matrix((0, 3 * N_HASH), dtype=np.float64)
    with config_context(skip_parameter_validation=True):
        blocks = [_LEMMA.transform(lemmas), _TOKEN.transform(texts)]
        if use_char:
            blocks.append(_CHAR.transform(texts))
    return _side_by_side(blocks, len(texts))


def _side_by_side(blocks: Sequence[sp.csr_matrix], n: int) -> sp.csr_matrix:
    """Blocks of N_HASH columns each, side by side in a (n, 3 * N_HASH) CSR matrix (absent
    blocks are zeros); the same as `scipy.sparse.hstack`, several times faster for a few rows."""
    blocks = [b.tocsr() for b in blocks]
    counts = np.stack([np.diff(b.indptr) for b in blocks])  # (blocks, n)
    indptr = np.r_[0, np.cumsum(counts.sum(0))].astype(np.int64)
    nnz = int(indptr[-1])
    indices = np.empty(nnz, dtype=np.int64)
    data = np.empty(nnz, dtype=np.float64)
    # Each row holds its blocks' entries in block order (column offsets j * N_HASH).
    seen = indptr[:-1].copy()
    for j, b in enumerate(blocks):
        rows = np.repeat(np.arange(n), counts[j])
        within = np.arange(b.nnz) - np.repeat(b.indptr[:-1], counts[j])
        at = seen[rows] + within
        indices[at] = b.indices.astype(np.int64) + j * N_HASH
        data[at] = b.data
        seen += counts[j]
    return sp.csr_matrix((data, indices, indptr), shape=(n, 3 * N_HASH))


def _select(h: sp.csr_matrix, cols: np.ndarray, colmap: np.ndarray | None = None
            ) -> sp.csr_matrix:
    """Keep only the hashed columns `cols` (sorted), renumbered 0..len(cols)-1.

    Remapping the index array directly is several times faster than `h[:, cols]`.
    """
    if colmap is None:
        colmap = np.full(h.shape[1], -1, dtype=np.int64)
        colmap[cols] = np.arange(len(cols))
    h = h.tocsr()
    new = colmap[h.indices]
    keep = new >= 0
    rows = np.repeat(np.arange(h.shape[0]), np.diff(h.indptr))[keep]
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=h.shape[0]))]
    return sp.csr_matrix((h.data[keep], new[keep], indptr), shape=(h.shape[0], len(cols)))


def _weigh(h: sp.csr_matrix, cols: np.ndarray, idf: np.ndarray,
           colmap: np.ndarray | None = None) -> sp.csr_matrix:
    """Select the model's columns, apply sublinear tf * idf and l2-normalise each row."""
    x = _select(h, cols, colmap)
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    norms = np.sqrt(np.bincount(np.repeat(np.arange(x.shape[0]), np.diff(x.indptr)),
                                weights=x.data * x.data, minlength=x.shape[0]))
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, np.diff(x.indptr))
    return x


DENSE_ROWS = 64  # up to this many rows `_decision` sums with np.add.at (no sparse matrix built)


def _decision(h: sp.csr_matrix, colmap: np.ndarray, idf: np.ndarray, coef_t: np.ndarray
              ) -> np.ndarray:
    """`_weigh(h, ...) @ coef_t` on the CSR arrays directly: the same sums without building
    three sparse matrices per call (prediction of a few sentences at a time)."""
    n = h.shape[0]
    new = colmap[h.indices]
    keep = new >= 0
    rows = np.repeat(np.arange(n), np.diff(h.indptr))[keep]
    cols = new[keep]
    data = (1.0 + np.log(h.data[keep])) * idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n))
    norms[norms == 0] = 1.0
    data /= norms[rows]
    if n > DENSE_ROWS:  # many rows (autocode, refits): a sparse product, not np.add.at
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
        x = sp.csr_matrix((data, cols, indptr), shape=(n, coef_t.shape[0]))
        return np.asarray(x @ coef_t)
    z = np.zeros((n, coef_t.shape[1]))
    np.add.at(z, rows, data[:, None] * coef_t[cols])
    return z


def novelty(h: sp.csr_matrix, colmap: np.ndarray) -> np.ndarray:
    """Per row, the share of lemma 1-2-gram occurrences whose hashed column was never seen in
    training (`colmap` < 0): near 0 for phrasing like the training data, larger for new wording."""
    h = h.tocsr()
    lemma = h.indices < N_HASH
    rows = np.repeat(np.arange(h.shape[0]), np.diff(h.indptr))
    total = np.bincount(rows[lemma], weights=h.data[lemma], minlength=h.shape[0])
    unseen = lemma & (colmap[h.indices] < 0)
    miss = np.bincount(rows[unseen], weights=h.data[unseen], minlength=h.shape[0])
    return np.divide(miss, total, out=np.zeros(h.shape[0]), where=total > 0)


def gate(nov: np.ndarray, blend: Blend, floor: float) -> np.ndarray:
    """The rule term's scale per sentence (see the module docstring); all ones without a gate."""
    if blend.gate_quantile is None:
        return np.ones_like(nov)
    if floor >= 1.0:
        return np.zeros_like(nov)
    return np.clip((nov - floor) / (1.0 - floor), 0.0, 1.0)


def _colmap(cols: np.ndarray) -> np.ndarray:
    colmap = np.full(3 * N_HASH, -1, dtype=np.int64)
    colmap[cols] = np.arange(len(cols))
    return colmap


def _idf(h: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """(columns present in `h`, their block-weighted smooth idf)."""
    cols = np.unique(h.indices).astype(np.int64)
    n = h.shape[0]
    df = np.bincount(h.indices, minlength=h.shape[1])[cols].astype(np.float64)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    weights = np.asarray(BLOCK_WEIGHTS)[cols // N_HASH]
    return cols, idf * weights


def _dedupe(x: sp.csr_matrix, y: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Merge identical (feature row, label row) pairs into one row with a count weight."""
    x = x.tocsr()
    seen: dict[bytes, int] = {}
    first: list[int] = []
    weight: list[float] = []
    for i in range(x.shape[0]):
        a, b = x.indptr[i], x.indptr[i + 1]
        key = x.indices[a:b].tobytes() + x.data[a:b].tobytes() + y[i].tobytes()
        j = seen.get(key)
        if j is None:
            seen[key] = len(first)
            first.append(i)
            weight.append(1.0)
        else:
            weight[j] += 1.0
    rows = np.asarray(first)
    return x[rows], y[rows], np.asarray(weight)


def settings(model: FittedModel | None = None) -> dict[str, object]:
    """The fitting settings a persisted model records (a stored model with others is refitted).

    With `model`, its own blend settings; otherwise the current defaults.
    """
    from themecode.suggest.rules import FUZZY_MIN_LENGTH

    blend = BLEND if model is None else model.blend
    # The rule scores it was calibrated on depend on the rules' spelling tolerance.
    return {"c": C_REG, "block_weights": list(BLOCK_WEIGHTS), "tol": TOL,
            "rule_blend": blend.weight, "gate_quantile": blend.gate_quantile,
            "after_platt": blend.after_platt, "shrink_k": blend.shrink_k,
            "threshold_position": THRESHOLD_POSITION, "threshold_shrink_k": THRESHOLD_SHRINK_K,
            "rule_fuzzy_min_length": FUZZY_MIN_LENGTH}


def _fit_one(x: sp.csr_matrix, yj: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """One balanced logistic regression (coef, intercept) for one code."""
    from sklearn import config_context

    if yj.min() == yj.max():  # a fold without positives (or negatives) for this code
        return np.zeros(x.shape[1]), (10.0 if yj[0] else -10.0)
    # Balanced class weights from the weighted counts (as class_weight="balanced" would give
    # before de-duplication).
    n_pos = float(w[yj].sum())
    n_neg = float(w.sum()) - n_pos
    sw = w * np.where(yj, w.sum() / (2 * n_pos), w.sum() / (2 * n_neg))
    # A fixed seed for liblinear's coordinate order. Its generator is shared by the two fitting
    # threads, so fits can still differ slightly between runs (F1 in the third decimal).
    clf = LogisticRegression(C=C_REG, solver="liblinear", dual=True, tol=TOL, random_state=0)
    # Inputs are built here and known to be finite; skipping re-validation halves the time.
    with config_context(assume_finite=True, skip_parameter_validation=True):
        clf.fit(x, yj, sample_weight=sw)
    return clf.coef_[0], float(clf.intercept_[0])


def _fit_linear(x: sp.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One balanced logistic regression per column of `y`: (coef (k, d), intercept (k,)).

    liblinear releases the GIL, so codes are fitted on two threads.
    """
    from concurrent.futures import ThreadPoolExecutor

    x, y, w = _dedupe(x, y)
    k = y.shape[1]
    with ThreadPoolExecutor(max_workers=FIT_THREADS) as pool:
        fitted = list(pool.map(lambda j: _fit_one(x, y[:, j], w), range(k)))
    coef = np.vstack([c for c, _ in fitted]) if fitted else np.zeros((0, x.shape[1]))
    intercept = np.array([i for _, i in fitted])
    return coef, intercept


def _platt(scores: np.ndarray, y: np.ndarray, iterations: int = 100) -> tuple[float, float]:
    """Platt scaling (a, b) so that sigmoid(a * score + b) is a calibrated probability.

    Newton's method on the two parameters with Platt's smoothed targets (a few microseconds;
    a general-purpose optimiser here cost more than the whole model fit).
    """
    y = y.astype(bool)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 1.0, 0.0
    t = np.where(y, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    a, b = 1.0, 0.0
    for _ in range(iterations):
        p = _sigmoid(a * scores + b)
        g = np.array([np.dot(p - t, scores), np.sum(p - t)])
        w = p * (1 - p) + 1e-12
        hess = np.array([[np.dot(w, scores * scores), np.dot(w, scores)],
                         [np.dot(w, scores), np.sum(w)]]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def best_threshold(probs: np.ndarray, y: np.ndarray, position: float = 0.5) -> float:
    """The probability threshold that maximises F1, placed between the last score kept and the
    next one down at `position` of the gap from the lower (0.5: the midpoint)."""
    pos = int(y.sum())
    if pos == 0:
        return 0.5
    order = np.argsort(-probs, kind="stable")
    p, t = probs[order], y[order].astype(np.float64)
    tp = np.cumsum(t)
    k = np.arange(1, len(p) + 1)
    f1 = 2 * tp / (k + pos)
    # Only cut where the next score differs, so ties fall on one side.
    valid = np.r_[p[1:] < p[:-1], True]
    f1 = np.where(valid, f1, -1)
    i = int(np.argmax(f1))
    nxt = p[i + 1] if i + 1 < len(p) else 0.0
    return float(np.clip(nxt + position * (p[i] - nxt), 0.02, 0.98))


def shrunk_threshold(probs: np.ndarray, y: np.ndarray, pooled: float) -> float:
    """A code's threshold (`best_threshold` at THRESHOLD_POSITION) pulled toward the `pooled`
    threshold of all codes while the code has few positives: weights n and THRESHOLD_SHRINK_K."""
    own = best_threshold(probs, y, THRESHOLD_POSITION)
    if not THRESHOLD_SHRINK_K:
        return own
    n = float(np.sum(y))
    return (n * own + THRESHOLD_SHRINK_K * pooled) / (n + THRESHOLD_SHRINK_K)


def doc_max(values: np.ndarray, doc_of: np.ndarray, n_docs: int) -> np.ndarray:
    """Per-document maximum of sentence rows (documents without sentences get 0)."""
    out = np.zeros((n_docs, values.shape[1]))
    np.maximum.at(out, doc_of, values)
    return out


def shrunk(p: np.ndarray, shrink: np.ndarray | None, rule_scores: np.ndarray | None
           ) -> np.ndarray:
    """Model scores pulled toward the codebook-rule scores by each code's weight (`Blend`)."""
    if shrink is None or rule_scores is None:
        return p
    return shrink * p + (1.0 - shrink) * rule_scores


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


@dataclass
class FittedModel:
    """A fitted one-vs-rest model over `codes`, as plain arrays (safe to persist)."""

    codes: list[str]
    cols: np.ndarray
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    platt: np.ndarray  # (k, 2): a, b
    sent_threshold: np.ndarray
    doc_threshold: np.ndarray
    oof: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    use_char: bool = USE_CHAR
    blend: Blend = field(default_factory=Blend)
    gate_floor: float = 0.0
    shrink: np.ndarray | None = None  # (k,) the model's weight per code (Blend.shrink_k)
    _colmap: np.ndarray | None = field(default=None, repr=False, compare=False)
    _coef_t: np.ndarray | None = field(default=None, repr=False, compare=False)

    def proba_hashed(self, h: sp.csr_matrix, rule_scores: np.ndarray | None = None
                     ) -> np.ndarray:
        """Scores (n, k) in [0, 1] for hashed sentence features: Platt-calibrated probabilities,
        shifted in logit space by the gated rule term when the model blends rules in.

        `rule_scores` (n, k): the codebook-rule scores of the same sentences for the model's
        codes; required when the model blends them in (`blend.weight` > 0).
        """
        if self._colmap is None:
            self._colmap = _colmap(self.cols)
        if self._coef_t is None:  # C-ordered (d, k): x @ coef.T copied coef on every call
            self._coef_t = np.ascontiguousarray(self.coef.T)
        z = _decision(h.tocsr(), self._colmap, self.idf, self._coef_t) + self.intercept
        rule = 0.0
        if self.blend.weight:
            if rule_scores is None:
                raise ValueError("this model blends in codebook-rule scores: pass rule_scores")
            g = gate(novelty(h, self._colmap), self.blend, self.gate_floor)
            rule = self.blend.weight * g[:, None] * rule_scores
        if self.blend.after_platt:
            p = _sigmoid(z * self.platt[:, 0] + self.platt[:, 1] + rule)
        else:
            p = _sigmoid((z + rule) * self.platt[:, 0] + self.platt[:, 1])
        return shrunk(p, self.shrink, rule_scores)

    def proba(self, texts: Sequence[str], lemmas: Sequence[str],
              rule_scores: np.ndarray | None = None) -> np.ndarray:
        """Scores (n, k) as `proba_hashed`, for sentences given as text and lemma strings."""
        return self.proba_hashed(hash_features(texts, lemmas, use_char=self.use_char),
                                 rule_scores)

    def to_bytes(self) -> bytes:
        """The arrays as an `.npz` archive (no pickles)."""
        buf = io.BytesIO()
        np.savez_compressed(buf, cols=self.cols, idf=self.idf.astype(np.float32),
                            coef=self.coef.astype(np.float32), intercept=self.intercept,
                            platt=self.platt, sent_threshold=self.sent_threshold,
                            doc_threshold=self.doc_threshold,
                            gate_floor=np.float64(self.gate_floor),
                            **({} if self.shrink is None else {"shrink": self.shrink}))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes, codes: list[str], oof: dict[str, dict[str, dict[str, int]]],
                   use_char: bool, blend: Blend | None = None) -> FittedModel:
        """Rebuild from `to_bytes` output (settings come from the JSON params); no pickles."""
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            return cls(codes, z["cols"], z["idf"].astype(np.float64),
                       z["coef"].astype(np.float64), z["intercept"], z["platt"],
                       z["sent_threshold"], z["doc_threshold"], oof, use_char, blend or Blend(),
                       float(z["gate_floor"]) if "gate_floor" in z.files else 0.0,
                       z["shrink"] if "shrink" in z.files else None)


def _confusion(pred: np.ndarray, y: np.ndarray) -> dict[str, int]:
    return {"tp": int((pred & y).sum()), "fp": int((pred & ~y).sum()),
            "fn": int((~pred & y).sum()), "tn": int((~pred & ~y).sum())}


def eligible_codes(y: np.ndarray, groups: np.ndarray, min_examples: int = MIN_EXAMPLES) -> np.ndarray:
    """Boolean mask of codes with at least `min_examples` positive sentences in >= 2 groups."""
    mask = np.zeros(y.shape[1], dtype=bool)
    for j in range(y.shape[1]):
        pos = y[:, j].astype(bool)
        mask[j] = pos.sum() >= min_examples and len(np.unique(groups[pos])) >= 2
    return mask


def fit_model(h: sp.csr_matrix, y: np.ndarray, groups: np.ndarray, doc_of: np.ndarray,
              case_of_doc: np.ndarray, codes: list[str], *, calibrate: bool = True,
              use_char: bool = USE_CHAR, reuse: FittedModel | None = None,
              rule_scores: np.ndarray | None = None, blend: Blend | None = None,
              ) -> FittedModel:
    """Fit on hashed sentence features `h` and labels `y` (n, k) for `codes`.

    `groups` (per sentence) keep cases together in the out-of-fold split used for Platt
    scaling and thresholds; `doc_of` maps sentences to document numbers and `case_of_doc`
    documents to case numbers, for the commentary- and case-level thresholds and error rates.
    With `reuse` (a recent model over the same codes) its calibration, thresholds and error
    rates are kept and only the coefficients are refitted: the quick refit after one more
    commentary has been coded. With a `blend` weight > 0 (default `BLEND`), `rule_scores` (n, k)
    are the codebook-rule scores of the training sentences for `codes`, added (gated and
    weighted) to the out-of-fold scores before the threshold search.
    """
    blend = BLEND if blend is None else blend
    y = y.astype(bool)
    cols, idf = _idf(h)
    x = _weigh(h, cols, idf)
    coef, intercept = _fit_linear(x, y)
    k = len(codes)
    platt = np.tile([1.0, 0.0], (k, 1))
    sent_thr = np.full(k, 0.5)
    doc_thr = np.full(k, 0.5)
    oof_stats: dict[str, dict[str, dict[str, int]]] = {}
    n_groups = len(np.unique(groups))
    if (reuse is not None and reuse.codes == codes and reuse.use_char == use_char
            and reuse.blend == blend):
        return FittedModel(codes, cols, idf, coef, intercept, reuse.platt.copy(),
                           reuse.sent_threshold.copy(), reuse.doc_threshold.copy(),
                           reuse.oof, use_char, blend, reuse.gate_floor, reuse.shrink)
    if (blend.weight or blend.shrink_k) and rule_scores is None:
        raise ValueError("a rule blend needs the training sentences' rule_scores")
    shrink = None
    if blend.shrink_k:
        n_pos = y.sum(0).astype(np.float64)
        shrink = n_pos / (n_pos + blend.shrink_k)
    gate_floor = 0.0
    if calibrate and n_groups >= 2:
        oof = np.zeros(y.shape)
        nov = np.zeros(len(y))
        fold_of = np.zeros(len(y), dtype=np.int64)
        splits = GroupKFold(n_splits=min(CV_FOLDS, n_groups)).split(x, groups=groups)
        for f, (tr, te) in enumerate(splits):
            hc, hi = _idf(h[tr])
            c_tr, i_tr = _fit_linear(_weigh(h[tr], hc, hi), y[tr])
            oof[te] = np.asarray(_weigh(h[te], hc, hi) @ c_tr.T) + i_tr
            if blend.weight:
                nov[te] = novelty(h[te], _colmap(hc))
            fold_of[te] = f
        rule = np.zeros(y.shape)
        if blend.weight:
            if blend.gate_quantile is not None:
                gate_floor = float(np.quantile(nov, blend.gate_quantile))
            rule = blend.weight * gate(nov, blend, gate_floor)[:, None] * rule_scores
        if not blend.after_platt:
            oof = oof + rule
        n_docs = int(doc_of.max()) + 1
        n_cases = int(case_of_doc.max()) + 1
        y_doc = doc_max(y.astype(np.float64), doc_of, n_docs).astype(bool)
        y_case = doc_max(y_doc.astype(np.float64), case_of_doc, n_cases).astype(bool)
        doc_fold = np.zeros(n_docs, dtype=np.int64)
        doc_fold[doc_of] = fold_of
        for j in range(k):
            platt[j] = _platt(oof[:, j], y[:, j])
        p_oof = shrunk(_sigmoid(oof * platt[:, 0] + platt[:, 1]
                                + (rule if blend.after_platt else 0.0)), shrink, rule_scores)
        p_doc = doc_max(p_oof, doc_of, n_docs)
        pool_s = best_threshold(p_oof.ravel(), y.ravel(), THRESHOLD_POSITION)
        pool_d = best_threshold(p_doc.ravel(), y_doc.ravel(), THRESHOLD_POSITION)
        for j, code in enumerate(codes):
            sent_thr[j] = shrunk_threshold(p_oof[:, j], y[:, j], pool_s)
            doc_thr[j] = shrunk_threshold(p_doc[:, j], y_doc[:, j], pool_d)
            # Error rates for prevalence: each fold judged with a threshold chosen on the
            # other folds, so the threshold search does not flatter the rates.
            s_pred = np.zeros(len(y), dtype=bool)
            d_pred = np.zeros(n_docs, dtype=bool)
            for f in np.unique(fold_of):
                s_in, d_in = fold_of == f, doc_fold == f
                ts_ = shrunk_threshold(p_oof[~s_in, j], y[~s_in, j], pool_s)
                td_ = shrunk_threshold(p_doc[~d_in, j], y_doc[~d_in, j], pool_d)
                s_pred[s_in] = p_oof[s_in, j] >= ts_
                d_pred[d_in] = p_doc[d_in, j] >= td_
            c_pred = doc_max(d_pred[:, None].astype(np.float64), case_of_doc, n_cases)[:, 0] > 0
            oof_stats[code] = {
                "sentence": _confusion(s_pred, y[:, j]),
                "document": _confusion(d_pred, y_doc[:, j]),
                "case": _confusion(c_pred, y_case[:, j]),
            }
    return FittedModel(codes, cols, idf, coef, intercept, platt, sent_thr, doc_thr, oof_stats,
                       use_char, blend, gate_floor, shrink)
