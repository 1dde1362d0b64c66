"""Machine-code the commentaries no one has coded, and estimate each code's corpus prevalence.

Machine codes go to `machine_codings` (with the model id and score), never to `codings`, and are
never used for training. Prevalence is estimated at the case level (a case has a code if any of
its commentaries has it) over the whole corpus:

    prevalence = (positives among human-coded cases + n_machine * p_machine) / n_cases

where the human-coded cases count exactly and `p_machine` is the adjusted classify-and-count
(Rogan-Gladen) estimate for the other cases: (flagged share - FPR) / (TPR - FPR), clipped to
[0, 1], with TPR and FPR the case-level error rates of the model measured by grouped
cross-validation on the human-coded cases. The 95% interval is a parametric bootstrap that draws
TPR and FPR from Jeffreys Beta posteriors (their uncertainty comes from the finite human-coded
sample) and the flagged share from its misclassification noise given those rates (the flags
themselves are observed, so redrawing the share as a binomial overstated it: 2.2x the needed
width per code on the demo) plus its training spread: the standard deviation of the flagged
share over `REFITS` refits of the model's coefficients on bootstrap resamples of the
human-coded cases (`refit_spread`). The cross-validated rates describe models trained on 4/5 of the sample, not
the model that flags the other cases, and which wordings a sample happens to contain moves that
model's rates. On 30 fresh samples of the demo with its real classifier
(`benchmarks/autocode_intervals.py --demo`) the intervals covered 94.0% of true prevalences at
0.92x the needed width without this term, 96.7% at 1.12x with it (docs/statistics.md).
Codes without a model (too few examples) get the human sample's share with a Wilson interval.

Beside it every code carries the sample-only estimate (the human-coded cases' share, with a
finite-population-corrected Wilson interval, `themecode.sample.estimates.fpc_wilson`). The
adjusted estimate is used (`chosen`) only when it is expected to be better: when its bootstrap
interval is narrower than the sample-only interval. A weak classifier (TPR - FPR small) inflates
the adjusted estimate's variance, so the sample alone wins there (in simulation with TPR 0.5 and
FPR 0.2 the adjusted estimate erred by 5.7 points against 0.9 for the sample).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from themecode.errors import ModelError
from themecode.store import Store, now
from themecode.suggest.suggester import Suggester, code_map, coded_documents, load_suggester

BOOTSTRAP = 4000
MIN_SEPARATION = 0.05  # below this TPR - FPR the adjustment is unstable; use the sample share
BATCH = 2000
# Measured by `benchmarks/autocode_intervals.py --demo` (30 fresh samples of the demo).
DEMO_COVERAGE = ("96.7% of the true code prevalences in 30 fresh samples (900 intervals; 94.0% "
                 "without the training spread)")
REFITS = 20  # bootstrap refits of the coefficients for the flagged share's training spread
SPREAD_CASES = 1500  # machine-coded cases (at most) the refitted models are scored on


@dataclass(frozen=True)
class Prevalence:
    """A code's estimated share of all cases with its 95% interval and how it was obtained."""

    code_id: str
    estimate: float
    low: float
    high: float
    method: str
    human_cases: int
    human_positive: int
    machine_cases: int
    machine_flagged: int
    tpr: float | None = None
    fpr: float | None = None
    sample_estimate: float | None = None
    sample_low: float | None = None
    sample_high: float | None = None
    chosen: str = "sample"
    refit_sd: float | None = None  # training spread of the flagged share (refit_spread)


@dataclass
class AutocodeResult:
    """What `autocode` did and the prevalence table it produced."""

    model_id: int | None
    n_documents: int
    n_machine_codings: int
    n_cases: int
    seconds: float
    prevalence: dict[str, Prevalence] = field(default_factory=dict)
    scope: str = ""
    refits: int = 0  # bootstrap refits behind the training spread (0: not measured)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (also stored in `meta` under `prevalence`)."""
        d = asdict(self)
        d["prevalence"] = {k: asdict(v) for k, v in self.prevalence.items()}
        return d


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def adjusted_prevalence(human_pos: int, human_n: int, flagged: int, machine_n: int,
                        case_confusion: dict[str, int] | None, *, draws: int = BOOTSTRAP,
                        rng: np.random.Generator | None = None, q_spread: float = 0.0,
                        ) -> tuple[float, float, float, str, float | None, float | None]:
    """(estimate, low, high, method, tpr, fpr) for one code; see the module docstring.

    `q_spread` is the flagged share's standard deviation over refits of the model on resampled
    human-coded cases (`refit_spread`), added to its misclassification noise.
    """
    rng = rng or np.random.default_rng(0)
    total = human_n + machine_n
    if total == 0:
        return 0.0, 0.0, 1.0, "none", None, None
    if machine_n == 0 or not case_confusion:
        est = human_pos / human_n if human_n else 0.0
        if machine_n == 0:
            return est, est, est, "exact", None, None
        lo, hi = wilson(human_pos, human_n)
        return est, lo, hi, "sample", None, None
    tp, fn = case_confusion["tp"], case_confusion["fn"]
    fp, tn = case_confusion["fp"], case_confusion["tn"]
    tpr = tp / (tp + fn) if tp + fn else 0.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    q = flagged / machine_n

    def machine_share(q_: np.ndarray, tpr_: np.ndarray, fpr_: np.ndarray,
                      fallback: np.ndarray) -> np.ndarray:
        den = tpr_ - fpr_
        ok = den > MIN_SEPARATION
        adj = np.where(ok, (q_ - fpr_) / np.where(ok, den, 1.0), fallback)
        return np.clip(adj, 0.0, 1.0)

    p_human = human_pos / human_n if human_n else q
    point_u = float(machine_share(np.array([q]), np.array([tpr]), np.array([fpr]),
                                  np.array([p_human]))[0])
    est = (human_pos + machine_n * point_u) / total
    tpr_s = rng.beta(tp + 0.5, fn + 0.5, draws)
    fpr_s = rng.beta(fp + 0.5, tn + 0.5, draws)
    # The flags of the machine-coded cases are observed, not sampled: what varies is which of
    # those cases the classifier got wrong. Given the true share p, the flagged share varies by
    # (p·TPR(1-TPR) + (1-p)·FPR(1-FPR)) / M, far less than the q(1-q)/M of redrawing q itself
    # (which made the intervals 1.1-1.3x wider than the error in simulation; docs/statistics.md).
    p_s = np.clip((q - fpr_s) / np.where(tpr_s - fpr_s > MIN_SEPARATION, tpr_s - fpr_s, 1.0), 0.0, 1.0)
    var_q = (p_s * tpr_s * (1 - tpr_s) + (1 - p_s) * fpr_s * (1 - fpr_s)) / machine_n
    var_q = var_q + q_spread ** 2  # the model itself depends on which cases were coded
    q_s = np.clip(q + rng.standard_normal(draws) * np.sqrt(var_q), 0.0, 1.0)
    ph_s = rng.beta(human_pos + 0.5, human_n - human_pos + 0.5, draws) if human_n else q_s
    share = machine_share(q_s, tpr_s, fpr_s, ph_s)
    sims = (human_pos + machine_n * share) / total
    lo, hi = np.quantile(sims, [0.025, 0.975])
    return (est, float(min(lo, est)), float(max(hi, est)), "adjusted classify-and-count",
            tpr, fpr)


def choose(p: Prevalence, n_cases: int) -> Prevalence:
    """Add the sample-only estimate and keep the adjusted one only if its interval is narrower."""
    from dataclasses import replace

    from themecode.sample.estimates import fpc_wilson

    if p.human_cases == 0:
        return replace(p, chosen="adjusted" if p.method.startswith("adjusted") else p.method)
    est = p.human_positive / p.human_cases
    lo, hi = fpc_wilson(p.human_positive, p.human_cases, n_cases)
    sample = replace(p, sample_estimate=round(est, 4), sample_low=round(lo, 4), sample_high=round(hi, 4))
    if p.method.startswith("adjusted") and p.high - p.low < hi - lo:
        return replace(sample, chosen="adjusted")
    return replace(sample, estimate=round(est, 4), low=round(lo, 4), high=round(hi, 4),
                   chosen="sample", method=("sample only (adjusted estimate expected worse)"
                                            if p.method.startswith("adjusted") else
                                            "exact" if p.method == "exact" else "sample only"))


def _target_documents(store: Store) -> tuple[list[str], set[str]]:
    """(documents of cases nobody has coded, ids of human-coded cases)."""
    coded = coded_documents(store)
    human_cases: set[str] = set()
    for i in range(0, len(coded), 900):
        chunk = coded[i:i + 900]
        marks = ",".join("?" * len(chunk))
        human_cases.update(r[0] for r in store.conn.execute(
            f"SELECT DISTINCT case_id FROM documents WHERE id IN ({marks})", chunk))
    docs = [r[0] for r in store.conn.execute("SELECT id, case_id FROM documents ORDER BY id")
            if r[1] not in human_cases]
    return docs, human_cases


def _sentences(store: Store, doc_ids: list[str]) -> tuple[list[tuple[str, str]], np.ndarray]:
    """(text, lemmas) of every sentence of the documents, and each sentence's document number."""
    pos = {d: i for i, d in enumerate(doc_ids)}
    texts: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    doc_of: list[int] = []
    for i in range(0, len(doc_ids), 900):
        chunk = doc_ids[i:i + 900]
        marks = ",".join("?" * len(chunk))
        texts.update(store.conn.execute(
            f"SELECT id, text FROM documents WHERE id IN ({marks})", chunk).fetchall())
        for d, s, e, lem in store.conn.execute(
            f'SELECT document_id, start, "end", lemmas FROM sentences WHERE document_id IN '
            f"({marks}) ORDER BY document_id, idx", chunk,
        ):
            pairs.append((texts[d][s:e], lem))
            doc_of.append(pos[d])
    return pairs, np.asarray(doc_of, dtype=np.int64)


def _case_flags(model: Any, h: Any, rule_scores: np.ndarray, doc_of: np.ndarray,
                case_of_doc: np.ndarray, n_docs: int, n_cases: int) -> np.ndarray:
    """(n_cases, k) case flags of a fitted model: a case is flagged when any commentary is."""
    from themecode.suggest.model import doc_max

    docs = doc_max(model.proba_hashed(h, rule_scores), doc_of, n_docs) >= model.doc_threshold
    return doc_max(docs.astype(np.float64), case_of_doc, n_cases) > 0


def refit_spread(store: Store, sg: Suggester, machine_docs: list[str], *, refits: int = REFITS,
                 seed: int = 0,
                 progress: Callable[[int, int], None] | None = None) -> dict[str, float]:
    """Per learnt code, the standard deviation of the flagged share of machine-coded cases over
    `refits` refits of the model's coefficients on bootstrap resamples of the human-coded cases.

    Each refit keeps the model's calibration and thresholds (the quick refit of the coding
    screen) and is scored on up to `SPREAD_CASES` machine-coded cases drawn at random. The
    spread is how much the flags depend on which cases happened to be coded: the part of the
    error the cross-validated rates (of models trained on 4/5 of the sample) do not carry.
    """
    from themecode.suggest.data import hashed_sentences, training_set
    from themecode.suggest.model import fit_model, hash_features

    model = sg.model
    if model is None or refits < 2 or not machine_docs:
        return {}
    ts = training_set(store)
    if len(ts.case_ids) < 2:
        return {}
    rng = np.random.default_rng(seed)
    case_of = dict(store.conn.execute("SELECT id, case_id FROM documents").fetchall())
    cases = sorted({case_of[d] for d in machine_docs})
    keep = set(rng.choice(cases, min(SPREAD_CASES, len(cases)), replace=False).tolist())
    docs = [d for d in machine_docs if case_of[d] in keep]
    pairs, doc_of = _sentences(store, docs)
    texts = [t for t, _ in pairs]
    h_m = hash_features(texts, [lm for _, lm in pairs], use_char=model.use_char)
    r_m = np.zeros((len(texts), len(model.codes)))
    if model.blend.weight or model.blend.shrink_k:
        raw = sg.rules.score(texts) if texts else np.zeros((0, len(sg.rules.code_ids)))
        for j, c in enumerate(model.codes):
            if c in sg.rules.code_ids:
                r_m[:, j] = raw[:, sg.rules.code_ids.index(c)]
    number = {c: i for i, c in enumerate(sorted(keep))}
    case_of_doc = np.array([number[case_of[d]] for d in docs], dtype=np.int64)
    cols = [ts.codes.index(c) for c in model.codes]
    h = hashed_sentences(ts, model.use_char)
    by_case = [np.flatnonzero(ts.case_of_doc[ts.doc_of] == k) for k in range(len(ts.case_ids))]
    shares = []
    for r in range(refits):
        if progress:
            progress(r, refits)
        pick = rng.integers(0, len(by_case), len(by_case))
        rows = np.concatenate([by_case[k] for k in pick])
        groups = np.concatenate([np.full(len(by_case[k]), i) for i, k in enumerate(pick)])
        # a case drawn twice counts as two cases: documents and cases renumbered per draw
        _, doc_b = np.unique(groups * (int(ts.doc_of.max()) + 1) + ts.doc_of[rows],
                             return_inverse=True)
        first = np.unique(doc_b, return_index=True)[1]
        refit = fit_model(h[rows], ts.y[rows][:, cols], groups, doc_b, groups[first],
                          model.codes, use_char=model.use_char, reuse=model, blend=model.blend)
        shares.append(_case_flags(refit, h_m, r_m, doc_of, case_of_doc, len(docs),
                                  len(keep)).mean(axis=0))
    if progress:
        progress(refits, refits)
    sd = np.asarray(shares).std(axis=0, ddof=1)
    return {c: float(sd[j]) for j, c in enumerate(model.codes)}


def autocode(store: Store, *, suggester: Suggester | None = None, seed: int = 0,
             progress: Callable[[int, int], None] | None = None,
             refits: int = REFITS,
             refit_progress: Callable[[int, int], None] | None = None) -> AutocodeResult:
    """Machine-code every commentary of the cases no one has coded; estimate prevalence.

    Replaces earlier machine codings; stores the result in `meta` under `prevalence`.
    `refits` bootstrap refits measure the flagged share's training spread (0: leave it out);
    `refit_progress(done, refits)` follows them (about half the command's time).
    """
    started = time.perf_counter()
    sg = suggester or load_suggester(store)
    if sg.model is None or sg.model_id is None:
        raise ModelError(
            "No fitted model yet: every code has fewer than 5 human-coded sentences.",
            hint="code more of the sample (or run `themecode suggest` once it has enough), "
                 "then run `themecode autocode` again.")
    docs, human_cases = _target_documents(store)
    mapping = code_map(store)
    model_cols = [sg.codes.index(c) for c in sg.model_codes]
    case_of = dict(store.conn.execute("SELECT id, case_id FROM documents").fetchall())
    flagged_cases: dict[str, set[str]] = {c: set() for c in sg.model_codes}
    rows: list[tuple[str, str, float, int, str]] = []
    at = now()
    for i in range(0, len(docs), BATCH):
        batch = docs[i:i + BATCH]
        pairs, doc_of = _sentences(store, batch)
        scores, flags = sg.score_documents(pairs, doc_of, len(batch), rules=False)
        for j in model_cols:
            code = sg.codes[j]
            for d in np.flatnonzero(flags[:, j]):
                rows.append((batch[d], code, round(float(scores[d, j]), 4), sg.model_id, at))
                flagged_cases[code].add(case_of[batch[d]])
        if progress:
            progress(min(i + BATCH, len(docs)), len(docs))
    with store.write():
        store.conn.execute("DELETE FROM machine_codings")
        store.conn.executemany(
            "INSERT INTO machine_codings(document_id, code_id, score, model_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)", rows)
    # Human truth per case: any live human coding (merged codes follow their target).
    human_pos: dict[str, set[str]] = {c: set() for c in sg.codes}
    for doc_id, code in store.conn.execute(
        "SELECT c.document_id, c.code_id FROM codings c WHERE c.deleted = 0"
    ):
        target = mapping.get(code)
        if target in human_pos:
            human_pos[target].add(case_of[doc_id])
    machine_cases = {case_of[d] for d in docs}
    n_cases = store.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    rng = np.random.default_rng(seed)
    coders = sorted(r[0] for r in store.conn.execute(
        "SELECT DISTINCT coder FROM codings WHERE deleted = 0"))
    result = AutocodeResult(sg.model_id, len(docs), len(rows), n_cases, 0.0,
                            scope="human truth: pooled codings of " + (", ".join(coders) or "nobody"))
    spread = refit_spread(store, sg, docs, refits=refits, seed=seed, progress=refit_progress)
    result.refits = refits if spread else 0
    for code in sg.codes:
        confusion = sg.model.oof.get(code, {}).get("case") if code in sg.model_codes else None
        flagged = len(flagged_cases.get(code, ()))
        hp = len(human_pos[code] & human_cases)
        est, lo, hi, how, tpr, fpr = adjusted_prevalence(
            hp, len(human_cases), flagged, len(machine_cases),
            confusion if code in sg.model_codes else None, rng=rng,
            q_spread=spread.get(code, 0.0))
        result.prevalence[code] = choose(Prevalence(
            code, round(est, 4), round(lo, 4), round(hi, 4), how, len(human_cases), hp,
            len(machine_cases), flagged, tpr, fpr,
            refit_sd=round(spread[code], 5) if code in spread else None), n_cases)
    result.seconds = round(time.perf_counter() - started, 3)
    store.set_meta("prevalence", json.dumps({"at": at, **result.to_dict()}))
    return result


def format_prevalence(result: AutocodeResult) -> str:
    """The prevalence table as text, e.g. 'domestic_abuse_checks  38.1% (35.2-41.0%)'."""
    lines = [f"machine-coded {result.n_documents} commentaries ({result.n_machine_codings} machine "
             f"codings, model {result.model_id}) in {result.seconds:.1f} s; "
             f"prevalence over {result.n_cases} cases ({result.scope}):", "",
             f"{'code':28s} {'estimate':>9s} {'95% interval':>16s} {'sample only':>22s}  used"]
    for p in result.prevalence.values():
        alone = ("–" if p.sample_estimate is None else
                 f"{p.sample_estimate:.1%} ({p.sample_low:.1%}-{p.sample_high:.1%})")
        lines.append(f"{p.code_id:28s} {p.estimate:9.1%} {p.low:7.1%} - {p.high:6.1%} {alone:>22s}  "
                     f"{p.method}")
    lines += ["", "Adjusted intervals carry the classifier's cross-validated error rates"
              + (f" and the training spread of its flags over {result.refits} bootstrap refits"
                 if result.refits else " (no training spread: --refits 0)")
              + "; on the demo they covered " + DEMO_COVERAGE + " (docs/statistics.md)."]
    return "\n".join(lines)
