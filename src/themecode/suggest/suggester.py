"""Code suggestions: learn from the team's human coding, fall back to the codebook, persist safely.

`load_suggester(store)` gives a `Suggester` that ranks codes for a text. Codes with at least
`MIN_EXAMPLES` human-coded sentences (from two or more cases) are scored by the fitted model
(`source="model"`, calibrated probabilities); the others by the codebook rules
(`source="rules"`). A learnt code's score also carries its codebook-rule score, added in logit
space in proportion to how unlike the training text the sentence is (`suggest.model.BLEND`), so
new wording is not left to n-grams that never saw it. Only the `codings` table (human coding,
live rows) is ever used to train; `machine_codings` never is. A fitted model is stored in `models` as JSON parameters plus an
`.npz` array blob (no pickle), with the library versions and the codebook hash; if either differs
when the project is opened, the model is refitted from the database.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from themecode.errors import InputFileError, ModelError, ThemecodeError
from themecode.store import Store, now
from themecode.suggest import model as suggest_model
from themecode.suggest.data import (  # noqa: F401 - re-exported: the suggester's public API
    CACHE_LOCK,
    TrainingSet,
    code_map,
    coded_documents,
    coding_fingerprint,
    hashed_sentences,
    rule_scores,
    training_set,
)
from themecode.suggest.model import (
    MIN_EXAMPLES,
    USE_CHAR,
    Blend,
    FittedModel,
    doc_max,
    eligible_codes,
    fit_model,
    settings,
)
from themecode.suggest.rules import RuleScorer

MODEL_KIND = "suggester"
MODEL_FORMAT = 2  # 2: learnt codes blend in the codebook-rule score (settings in params)
KEEP_MODELS = 3
# A quick refit keeps the last calibration until the coded documents grow by this factor.
RECALIBRATE_GROWTH = 1.1


@dataclass(frozen=True)
class Suggestion:
    """One suggested code with its score in [0, 1] and where the score came from."""

    code_id: str
    score: float
    source: Literal["model", "rules"]
    above_threshold: bool = False


def versions() -> dict[str, str]:
    """Library versions a persisted model depends on."""
    import sklearn
    import spacy

    return {"sklearn": sklearn.__version__, "spacy": spacy.__version__,
            "numpy": np.__version__, "format": str(MODEL_FORMAT)}


def _codebook_hash(store: Store) -> str:
    from themecode.codebook import codebook_hash

    return codebook_hash(store)


class Suggester:
    """Ranks codes for a text: the fitted model for learnt codes, codebook rules for the rest."""

    def __init__(self, codes: list[str], rules: RuleScorer, model: FittedModel | None = None,
                 meta: dict[str, Any] | None = None) -> None:
        self.codes = codes
        self.rules = rules
        self.model = model
        self.meta = dict(meta or {})
        model_codes = set(model.codes) if model else set()
        self.model_codes = [c for c in codes if c in model_codes]
        self.rule_codes = [c for c in codes if c not in model_codes]
        self._model_index = [model.codes.index(c) for c in self.model_codes] if model else []
        self._rule_index = [rules.code_ids.index(c) for c in self.rule_codes
                            if c in rules.code_ids]
        self._rule_codes_scored = [c for c in self.rule_codes if c in rules.code_ids]

    @property
    def model_id(self) -> int | None:
        """The `models` row id, or None for a rules-only suggester."""
        return self.meta.get("model_id")

    def info(self) -> dict[str, Any]:
        """Model id, age and size, for the UI and `themecode evaluate`."""
        return {
            "model_id": self.model_id,
            "fitted_at": self.meta.get("fitted_at"),
            "n_documents": self.meta.get("n_documents", 0),
            "n_codings": self.meta.get("n_codings", 0),
            "n_model_codes": len(self.model_codes),
            "n_rule_codes": len(self.rule_codes),
            "model_codes": list(self.model_codes),
            "rule_codes": list(self.rule_codes),
            "fit_seconds": self.meta.get("fit_seconds"),
            "stale": self.meta.get("stale", False),
        }

    def score_sentences(self, texts: Sequence[str], lemmas: Sequence[str], *,
                        rules: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Scores (n, len(codes)) and above-threshold flags for sentences (sentence thresholds).

        With `rules=False` the codes left to the rules are scored 0 (faster: no spaCy pass
        unless the model blends rule scores into the learnt codes' scores).
        """
        from themecode.suggest.rules import RULE_THRESHOLD

        scores = np.zeros((len(texts), len(self.codes)))
        flags = np.zeros(scores.shape, dtype=bool)
        pos = {c: i for i, c in enumerate(self.codes)}
        blend = bool(self.model and self.model.blend.weight and self.model_codes)
        raw = None
        if len(texts) and (blend or (rules and self._rule_codes_scored)):
            raw = self.rules.score(texts)
        if self.model and self.model_codes and len(texts):
            r_model = None
            if blend and raw is not None:
                r_model = np.zeros((len(texts), len(self.model.codes)))
                for j, c in enumerate(self.model.codes):
                    if c in self.rules.code_ids:
                        r_model[:, j] = raw[:, self.rules.code_ids.index(c)]
            p = self.model.proba(texts, lemmas, r_model)[:, self._model_index]
            cols = [pos[c] for c in self.model_codes]
            scores[:, cols] = p
            flags[:, cols] = p >= self.model.sent_threshold[self._model_index]
        if rules and self._rule_codes_scored and raw is not None:
            r = raw[:, self._rule_index]
            cols = [pos[c] for c in self._rule_codes_scored]
            scores[:, cols] = r
            flags[:, cols] = r >= RULE_THRESHOLD
        return scores, flags

    def score_documents(self, sentences: Sequence[tuple[str, str]], doc_of: np.ndarray,
                        n_docs: int, *, rules: bool = True,
                        sentence_scores: tuple[np.ndarray, np.ndarray] | None = None,
                        ) -> tuple[np.ndarray, np.ndarray]:
        """Commentary-level scores (max over sentences) and flags (commentary thresholds).

        `sentences` are (text, lemmas) pairs and `doc_of` their document numbers.
        """
        if sentence_scores is None:
            sentence_scores = self.score_sentences([t for t, _ in sentences],
                                                   [lm for _, lm in sentences], rules=rules)
        s, f = sentence_scores
        scores = doc_max(s, doc_of, n_docs)
        flags = doc_max(f.astype(np.float64), doc_of, n_docs) > 0
        if self.model and self.model_codes:
            pos = {c: i for i, c in enumerate(self.codes)}
            cols = [pos[c] for c in self.model_codes]
            flags[:, cols] = scores[:, cols] >= self.model.doc_threshold[self._model_index]
        return scores, flags

    def suggest(self, text: str, top: int = 5) -> list[Suggestion]:
        """The `top` best codes for a span or a whole commentary, best first, scores in [0, 1]."""
        from themecode.nlp import split_sentences

        if not text.strip():
            return []
        sents = next(split_sentences([text])) or []
        pairs = [(text[s.start:s.end], s.lemmas) for s in sents]
        if not pairs:
            return []
        doc_of = np.zeros(len(pairs), dtype=np.int64)
        scores, flags = self.score_documents(pairs, doc_of, 1)
        order = np.argsort(-scores[0], kind="stable")[: max(top, 0)]
        model_codes = set(self.model_codes)
        return [
            Suggestion(self.codes[i], round(float(scores[0, i]), 4),
                       "model" if self.codes[i] in model_codes else "rules", bool(flags[0, i]))
            for i in order
            if scores[0, i] > 0
        ]


_RULES_CACHE: dict[str, RuleScorer] = {}
def _rules(store: Store) -> tuple[list[str], RuleScorer]:
    """Live code ids and a rule scorer for them (cached per codebook content)."""
    codes = store.codes(kind="code")
    key = hashlib.sha256(repr(codes).encode()).hexdigest()
    with CACHE_LOCK:
        if key not in _RULES_CACHE:
            if len(_RULES_CACHE) > 8:
                _RULES_CACHE.clear()
            _RULES_CACHE[key] = RuleScorer(codes)
        return [c.id for c in codes], _RULES_CACHE[key]


def fit(ts: TrainingSet, codes: list[str], rules: RuleScorer, min_examples: int = MIN_EXAMPLES,
        *, previous: Suggester | None = None, use_char: bool = USE_CHAR,
        blend: Blend | None = None) -> Suggester:
    """Fit a suggester on a training set (no database access); rules-only if nothing qualifies.

    With `previous` (the current model), its calibration and thresholds are reused when it
    covers the same codes and was calibrated on at least 1/RECALIBRATE_GROWTH of the documents.
    `blend` defaults to `suggest.model.BLEND` (`Blend(0.0)` turns the codebook-rule blend off).
    """
    if blend is None:
        blend = suggest_model.BLEND
    started = time.perf_counter()
    if not len(ts.texts):
        return Suggester(codes, rules, None, {"n_documents": 0, "n_codings": 0})
    ok = eligible_codes(ts.y, ts.groups, min_examples)
    model_codes = [c for c, keep in zip(ts.codes, ok, strict=True) if keep and c in codes]
    meta: dict[str, Any] = {"n_documents": len(ts.doc_ids), "n_codings": ts.n_codings,
                            "fingerprint": ts.fingerprint}
    if not model_codes:
        return Suggester(codes, rules, None, meta)
    cols = [ts.codes.index(c) for c in model_codes]
    h = hashed_sentences(ts, use_char)
    reuse = None
    calibrated = len(ts.doc_ids)
    if previous is not None and previous.model is not None:
        before = int(previous.meta.get("calibrated_documents") or 0)
        if (before and len(ts.doc_ids) <= before * RECALIBRATE_GROWTH
                and previous.model.blend == blend and previous.model.codes == model_codes
                and previous.model.use_char == use_char):  # else fit_model recalibrates
            reuse = previous.model
            calibrated = before
    r = None
    if blend.weight and reuse is None:  # a quick refit keeps calibration: no rule scores needed
        raw = rule_scores(ts, rules)
        r = np.zeros((len(ts.texts), len(model_codes)))
        for j, c in enumerate(model_codes):
            if c in rules.code_ids:
                r[:, j] = raw[:, rules.code_ids.index(c)]
    model = fit_model(h, ts.y[:, cols], ts.groups, ts.doc_of, ts.case_of_doc, model_codes,
                      use_char=use_char, reuse=reuse, rule_scores=r, blend=blend)
    meta["calibrated_documents"] = calibrated
    meta["recalibrated"] = reuse is None
    meta["fit_seconds"] = round(time.perf_counter() - started, 3)
    meta["positives"] = {c: int(ts.y[:, j].sum()) for c, j in zip(model_codes, cols, strict=True)}
    return Suggester(codes, rules, model, meta)


def save(store: Store, suggester: Suggester, codebook_hash: str) -> int:
    """Store a fitted suggester in `models` (JSON + npz, no pickle); returns the row id."""
    model = suggester.model
    if model is None:
        raise ModelError("There is no fitted model to save: too few codes have been coded yet.")
    params = {"codes": suggester.codes, "model_codes": model.codes,
              "fingerprint": suggester.meta.get("fingerprint"),
              "fit_seconds": suggester.meta.get("fit_seconds"),
              "positives": suggester.meta.get("positives", {}), "min_examples": MIN_EXAMPLES,
              "use_char": model.use_char, "settings": settings(model),
              "calibrated_documents": suggester.meta.get("calibrated_documents")}
    at = now()
    with store.write():
        cur = store.conn.execute(
            "INSERT INTO models(created_at, kind, codebook_hash, versions, n_documents, n_codings, "
            "params, blob, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, MODEL_KIND, codebook_hash, json.dumps(versions(), sort_keys=True),
             suggester.meta.get("n_documents", 0), suggester.meta.get("n_codings", 0),
             json.dumps(params), model.to_bytes(), json.dumps({"oof": model.oof})),
        )
        model_id = int(cur.lastrowid or 0)
        # Keep the last few models, and any that machine codings still refer to.
        store.conn.execute(
            "DELETE FROM models WHERE kind = ? AND id NOT IN (SELECT id FROM models WHERE kind = ? "
            "ORDER BY id DESC LIMIT ?) AND id NOT IN (SELECT DISTINCT model_id FROM machine_codings "
            "WHERE model_id IS NOT NULL)", (MODEL_KIND, MODEL_KIND, KEEP_MODELS),
        )
    suggester.meta.update(model_id=model_id, fitted_at=at, stale=False)
    return model_id


def fit_and_save(store: Store, *, recalibrate: bool = False) -> Suggester:
    """Refit from the project's human codings and persist (slow: call from a worker thread).

    Calibration and thresholds (grouped CV) are recomputed when the codes changed, the coded
    documents grew by more than RECALIBRATE_GROWTH, or `recalibrate`; otherwise only the
    coefficients are refitted.
    """
    codes, rules = _rules(store)
    previous = None if recalibrate else _load_row(store, codes, rules)[0]
    suggester = fit(training_set(store), codes, rules, previous=previous)
    if suggester.model is not None:
        save(store, suggester, _codebook_hash(store))
    return suggester


def fit_blind(store: Store, coder: str, *, previous: Suggester | None = None) -> Suggester:
    """Fit, without saving, on what a blind coder may learn from: only their own codings of the
    sample's commentaries (everyone's elsewhere); `previous` lends its calibration when it fits."""
    codes, rules = _rules(store)
    if previous is not None and previous.codes != codes:
        previous = None
    suggester = fit(training_set(store, blind_for=coder), codes, rules, previous=previous)
    suggester.meta["blind_for"] = coder
    return suggester


def _load_row(store: Store, codes: list[str], rules: RuleScorer) -> tuple[Suggester | None, str]:
    """The latest stored model if it matches this codebook and these libraries, else a reason."""
    row = store.conn.execute(
        "SELECT id, created_at, codebook_hash, versions, n_documents, n_codings, params, blob, "
        "metrics FROM models WHERE kind = ? ORDER BY id DESC LIMIT 1", (MODEL_KIND,)
    ).fetchone()
    if row is None:
        return None, "no model has been fitted yet"
    if json.loads(row[3]) != versions():
        return None, "the model was fitted with other library versions"
    if row[2] != _codebook_hash(store):
        return None, "the codebook has changed since the model was fitted"
    params = json.loads(row[6])
    if params.get("codes") != codes:
        return None, "the codebook's codes have changed"
    if params.get("settings") != settings():
        return None, "the model was fitted with other settings"
    try:
        model = FittedModel.from_bytes(row[7], params["model_codes"],
                                       json.loads(row[8]).get("oof", {}),
                                       bool(params.get("use_char", False)),
                                       Blend(params["settings"]["rule_blend"],
                                             params["settings"]["gate_quantile"],
                                             params["settings"]["after_platt"]))
    except (ValueError, KeyError, OSError) as exc:
        return None, f"the stored model could not be read ({exc})"
    meta = {"model_id": row[0], "fitted_at": row[1], "n_documents": row[4], "n_codings": row[5],
            "fit_seconds": params.get("fit_seconds"), "positives": params.get("positives", {}),
            "fingerprint": params.get("fingerprint"),
            "calibrated_documents": params.get("calibrated_documents"),
            "stale": params.get("fingerprint") != coding_fingerprint(store)}
    return Suggester(codes, rules, model, meta), ""


def load_suggester(store: Store, *, refit: bool = True) -> Suggester:
    """The project's suggester: the stored model if it still matches, else refit (or rules only).

    Never returns None. With `refit=False` a missing or mismatched model gives a rules-only
    suggester at once (for the UI thread); the worker then calls `fit_and_save`.
    """
    codes, rules = _rules(store)
    loaded, reason = _load_row(store, codes, rules)
    if loaded is not None:
        return loaded
    if refit:
        suggester = fit(training_set(store), codes, rules)
        if suggester.model is not None:
            save(store, suggester, _codebook_hash(store))
        suggester.meta["refit_reason"] = reason
        return suggester
    return Suggester(codes, rules, None, {"refit_reason": reason})


def log_suggestions(store: Store, coder: str, document_id: str, start: int | None,
                    end: int | None, suggestions: Sequence[Suggestion],
                    model_id: int | None) -> list[int]:
    """Record suggestions shown to a coder (rank 1 = first); returns the log row ids."""
    ids = []
    at = now()
    with store.write():
        for rank, s in enumerate(suggestions, 1):
            cur = store.conn.execute(
                'INSERT INTO suggestion_log(at, coder, document_id, start, "end", code_id, score, '
                "rank, source, model_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (at, coder, document_id, start, end, s.code_id, float(s.score), rank, s.source,
                 model_id if s.source == "model" else None),
            )
            ids.append(int(cur.lastrowid or 0))
    return ids


def log_outcome(store: Store, log_ids: Sequence[int], outcome: str) -> None:
    """Record what the coder did with shown suggestions: accepted, edited or rejected."""
    if outcome not in ("accepted", "edited", "rejected", "shown"):
        raise ThemecodeError(
            f"Unknown suggestion outcome {outcome!r}: use accepted, edited or rejected."
        )
    if not log_ids:
        return
    marks = ",".join("?" * len(log_ids))
    with store.write():
        store.conn.execute(
            f"UPDATE suggestion_log SET outcome = ?, decided_at = ? WHERE id IN ({marks})",
            [outcome, now(), *log_ids],
        )


def acceptance_rate(store: Store) -> dict[str, Any]:
    """Share of decided suggestions that were accepted (or edited), overall and by source."""
    out: dict[str, Any] = {}
    rows = store.conn.execute(
        "SELECT source, outcome, count(*) FROM suggestion_log GROUP BY source, outcome"
    ).fetchall()
    for source in ("all", "model", "rules"):
        sel = [r for r in rows if source == "all" or r[0] == source]
        n = {o: sum(r[2] for r in sel if r[1] == o) for o in ("shown", "accepted", "edited",
                                                              "rejected")}
        decided = n["accepted"] + n["edited"] + n["rejected"]
        out[source] = {**n, "decided": decided,
                       "acceptance_rate": (n["accepted"] + n["edited"]) / decided if decided
                       else None}
    return out


def suggest_lines(suggester: Suggester, lines: Iterable[str], *, top: int = 5,
                  source: str = "<input>") -> Iterator[dict[str, Any]]:
    """For each JSON line `{"id": ..., "text": ...}` yield `{"id", "suggestions": [...]}`.

    Blank lines are skipped; a bad line raises `InputFileError` naming its line number.
    """
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputFileError(f"not valid JSON ({exc.msg})", path=source, line=n,
                                 hint='each line must look like {"id": "C1-A", "text": "..."}.'
                                 ) from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputFileError('a line needs a "text" string', path=source, line=n,
                                 hint='each line must look like {"id": "C1-A", "text": "..."}.')
        yield {"id": obj.get("id"),
               "suggestions": [{"code": s.code_id, "score": s.score, "source": s.source,
                                "above_threshold": s.above_threshold}
                               for s in suggester.suggest(obj["text"], top=top)]}
