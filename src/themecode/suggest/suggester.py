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

from themecode.errors import InputFileError, ModelError
from themecode.store import Store, now
from themecode.suggest import model as suggest_model
from themecode.suggest.data import (  # noqa: F401 - re-exported: the suggester's public API
    CACHE_LOCK,
    BlindFor,
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
from themecode.suggest.ranking import (  # noqa: F401 - re-exported: the suggester's public API
    KEYWORD_TOP,
    first_word,
    lead_keys,
    ranked,
    stage_codes,
)
from themecode.suggest.rules import RuleScorer
from themecode.suggest.status import (  # noqa: F401 - re-exported: the suggester's public API
    acceptance_rate,
    log_outcome,
    log_suggestions,
    suggester_status,
)

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
        # Column maps, computed once: rule columns -> our codes, rule columns -> model codes.
        pos = {c: i for i, c in enumerate(codes)}
        shared = [j for j, c in enumerate(rules.code_ids) if c in pos]
        self._hit_src, self._hit_dst = shared, [pos[rules.code_ids[j]] for j in shared]
        learnt = [(j, rules.code_ids.index(c)) for j, c in enumerate(model.codes)
                  if c in rules.code_ids] if model else []
        self._blend_dst, self._blend_src = [a for a, _ in learnt], [b for _, b in learnt]
        parent = {c.id: c.parent or "" for c in rules.codes}
        self._theme_word = [first_word(parent.get(c, "")) for c in codes]

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
            "view": self.meta.get("view"),
        }

    def score_sentences(self, texts: Sequence[str], lemmas: Sequence[str], *,
                        rules: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Scores (n, len(codes)) and above-threshold flags for sentences (sentence thresholds).

        With `rules=False` the codes left to the rules are scored 0 (faster: no spaCy pass
        unless the model blends rule scores into the learnt codes' scores).
        """
        scores, flags, _ = self.score_with_keywords(texts, lemmas, rules=rules)
        return scores, flags

    def score_with_keywords(self, texts: Sequence[str], lemmas: Sequence[str], *,
                            rules: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As `score_sentences`, plus each sentence's codebook keyword hits (n, len(codes))
        that no exclude note vetoes (`RuleScorer.analyse`): what `ranked` keeps in the top 3."""
        from themecode.suggest.rules import RULE_THRESHOLD

        scores = np.zeros((len(texts), len(self.codes)))
        flags = np.zeros(scores.shape, dtype=bool)
        hits = np.zeros(scores.shape, dtype=bool)
        pos = {c: i for i, c in enumerate(self.codes)}
        blend = bool(self.model and (self.model.blend.weight or self.model.blend.shrink_k)
                     and self.model_codes)
        raw = None
        if len(texts) and (blend or (rules and self._rule_codes_scored)):
            raw, kw = self.rules.analyse(texts)
            hits[:, self._hit_dst] = kw[:, self._hit_src]
        if self.model and self.model_codes and len(texts):
            r_model = None
            if blend and raw is not None:
                r_model = np.zeros((len(texts), len(self.model.codes)))
                r_model[:, self._blend_dst] = raw[:, self._blend_src]
            p = self.model.proba(texts, lemmas, r_model)[:, self._model_index]
            cols = [pos[c] for c in self.model_codes]
            scores[:, cols] = p
            flags[:, cols] = p >= self.model.sent_threshold[self._model_index]
        if rules and self._rule_codes_scored and raw is not None:
            r = raw[:, self._rule_index]
            cols = [pos[c] for c in self._rule_codes_scored]
            scores[:, cols] = r
            flags[:, cols] = r >= RULE_THRESHOLD
        return scores, flags, hits

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

    def stage_codes(self, stage: str | None) -> np.ndarray:
        """Which codes belong to the theme a commentary's stage names (`ranking.stage_codes`)."""
        return stage_codes(self._theme_word, stage)

    def lead_keys(self, sentence_scores: np.ndarray, doc_of: np.ndarray, n_docs: int,
                  stages: Sequence[str | None] | None = None) -> np.ndarray:
        """Ranking keys of whole commentaries, higher first (`ranking.lead_keys`)."""
        return lead_keys(sentence_scores, doc_of, n_docs,
                         None if stages is None else [self.stage_codes(x) for x in stages])

    def suggest(self, text: str, top: int = 5, stage: str | None = None) -> list[Suggestion]:
        """The `top` best codes for a span or a whole commentary, best first, scores in [0, 1].

        A single sentence is ranked by score (`ranked`: with the keyword guarantee); several
        sentences by `lead_keys`, with `stage` the commentary's stage if known. Scores shown are
        the maximum over the sentences either way.
        """
        from themecode.corpus.nlp import split_sentences

        if not text.strip():
            return []
        sents = next(split_sentences([text])) or []
        pairs = [(text[s.start:s.end], s.lemmas) for s in sents]
        if not pairs:
            return []
        doc_of = np.zeros(len(pairs), dtype=np.int64)
        s, f, hits = self.score_with_keywords([t for t, _ in pairs], [lm for _, lm in pairs])
        scores, flags = self.score_documents(pairs, doc_of, 1, sentence_scores=(s, f))
        # The keyword guarantee is about one sentence: a commentary names many codes' keywords.
        if len(pairs) == 1:
            order = ranked(scores[0], hits[0])[: max(top, 0)]
        else:
            keys = self.lead_keys(s, doc_of, 1, [stage])[0]
            order = [int(i) for i in np.argsort(-keys, kind="stable")][: max(top, 0)]
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


def can_reuse(previous: Suggester, model_codes: list[str], n_documents: int, use_char: bool,
              blend: Blend) -> bool:
    """Whether a refit may keep `previous`'s calibration and thresholds (the quick refit).

    Only when the previous model covers exactly the same learnt codes with the same features and
    blend, and the coded documents have not grown beyond RECALIBRATE_GROWTH of those it was
    calibrated on. A code that has just reached its minimum examples changes the learnt codes,
    so the refit is a full one, with the training sentences' rule scores.
    """
    model = previous.model
    before = int(previous.meta.get("calibrated_documents") or 0)
    return bool(model is not None and before and n_documents <= before * RECALIBRATE_GROWTH
                and model.codes == model_codes and model.use_char == use_char
                and model.blend == blend)


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
    if previous is not None and can_reuse(previous, model_codes, len(ts.doc_ids), use_char,
                                          blend):
        reuse = previous.model
        calibrated = int(previous.meta["calibrated_documents"])
    r = None
    if (blend.weight or blend.shrink_k) and reuse is None:  # a quick refit keeps calibration
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


def training_view(blind_for: BlindFor | None) -> dict[str, str] | None:
    """What a model was trained on, as stored with it: None for every coder's coding, else the
    blind coder and a digest of their share (a model is only reused for the same view)."""
    if blind_for is None:
        return None
    if isinstance(blind_for, str):  # the coder's share is the sample
        return {"blind_coder": blind_for, "share": "sample"}
    coder, share = blind_for
    digest = hashlib.sha256("\n".join(sorted(share)).encode()).hexdigest()[:16]
    return {"blind_coder": coder, "share": digest}


def save(store: Store, suggester: Suggester, codebook_hash: str,
         blind_for: BlindFor | None = None) -> int:
    """Store a fitted suggester in `models` (JSON + npz, no pickle); returns the row id."""
    model = suggester.model
    if model is None:
        raise ModelError("There is no fitted model to save: too few codes have been coded yet.")
    params = {"codes": suggester.codes, "model_codes": model.codes,
              "fingerprint": suggester.meta.get("fingerprint"),
              "fit_seconds": suggester.meta.get("fit_seconds"),
              "positives": suggester.meta.get("positives", {}), "min_examples": MIN_EXAMPLES,
              "use_char": model.use_char, "settings": settings(model),
              "calibrated_documents": suggester.meta.get("calibrated_documents"),
              "view": training_view(blind_for)}
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


def fit_and_save(store: Store, *, recalibrate: bool = False,
                 blind_for: BlindFor | None = None, previous: Suggester | None = None,
                 persist: bool = True) -> Suggester:
    """Refit from the project's human codings and persist (slow: call from a worker thread).

    Calibration and thresholds (grouped CV) are recomputed when the learnt codes changed, the
    coded documents grew by more than RECALIBRATE_GROWTH, or `recalibrate`; otherwise only the
    coefficients are refitted, on the calibration of `previous` (default: the stored model for
    this view). With `blind_for` = (coder, share) other coders' codings of the share are not
    learnt from (see `training_set`), and the model is stored for that view only. With
    `persist=False` nothing is written (`fit_blind`).
    """
    codes, rules = _rules(store)
    if recalibrate:
        previous = None
    elif previous is None:
        previous = _load_row(store, codes, rules, blind_for)[0]
    elif previous.codes != codes:
        previous = None
    suggester = fit(training_set(store, blind_for=blind_for), codes, rules, previous=previous)
    suggester.meta["view"] = training_view(blind_for)
    if persist and suggester.model is not None:
        save(store, suggester, _codebook_hash(store), blind_for)
    return suggester


def fit_blind(store: Store, coder: str, *, previous: Suggester | None = None) -> Suggester:
    """Fit, without saving, on what a blind coder may learn from: only their own codings of the
    sample's commentaries (everyone's elsewhere); `previous` lends its calibration when it fits
    (`fit_and_save` with `blind_for=coder`, not persisted)."""
    suggester = fit_and_save(store, blind_for=coder, previous=previous, persist=False)
    suggester.meta["blind_for"] = coder
    return suggester


def _load_row(store: Store, codes: list[str], rules: RuleScorer,
              blind_for: BlindFor | None = None) -> tuple[Suggester | None, str]:
    """The latest stored model for this training view if it matches this codebook and these
    libraries, else a reason."""
    view = training_view(blind_for)
    row = None
    for model_id, params in store.conn.execute(
        "SELECT id, params FROM models WHERE kind = ? ORDER BY id DESC", (MODEL_KIND,)
    ).fetchall():
        if json.loads(params).get("view") == view:
            row = store.conn.execute(
                "SELECT id, created_at, codebook_hash, versions, n_documents, n_codings, params, "
                "blob, metrics FROM models WHERE id = ?", (model_id,)).fetchone()
            break
    if row is None:
        return None, ("no model has been fitted yet" if view is None else
                      f"no model has been fitted yet for {view['blind_coder']}'s blind share")
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
                                             params["settings"]["after_platt"],
                                             params["settings"].get("shrink_k", 0.0)))
    except (ValueError, KeyError, OSError) as exc:
        return None, f"the stored model could not be read ({exc})"
    meta = {"model_id": row[0], "fitted_at": row[1], "n_documents": row[4], "n_codings": row[5],
            "fit_seconds": params.get("fit_seconds"), "positives": params.get("positives", {}),
            "fingerprint": params.get("fingerprint"),
            "calibrated_documents": params.get("calibrated_documents"),
            "stale": params.get("fingerprint") != coding_fingerprint(store),
            "view": params.get("view")}
    return Suggester(codes, rules, model, meta), ""


def load_suggester(store: Store, *, refit: bool = True,
                   blind_for: BlindFor | None = None) -> Suggester:
    """The project's suggester: the stored model if it still matches, else refit (or rules only).

    Never returns None. With `refit=False` a missing or mismatched model gives a rules-only
    suggester at once (for the UI thread); the worker then calls `fit_and_save`. `blind_for`
    as in `fit_and_save`: only a model trained for the same blind view is loaded.
    """
    codes, rules = _rules(store)
    loaded, reason = _load_row(store, codes, rules, blind_for)
    if loaded is not None:
        return loaded
    if refit:
        suggester = fit_and_save(store, recalibrate=True, blind_for=blind_for)
        suggester.meta["refit_reason"] = reason
        return suggester
    return Suggester(codes, rules, None, {"refit_reason": reason})


def suggest_lines(suggester: Suggester, lines: Iterable[str], *, top: int = 5,
                  source: str = "<input>") -> Iterator[dict[str, Any]]:
    """For each JSON line `{"id": ..., "text": ...}` yield `{"id", "suggestions": [...]}`.

    An optional `"stage"` (e.g. "assessment") orders a commentary's codes as the coding screen
    does (`Suggester.suggest`). Blank lines are skipped; a bad line raises `InputFileError`
    naming its line number.
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
        stage = obj.get("stage")
        if stage is not None and not isinstance(stage, str):
            raise InputFileError('"stage" must be a string', path=source, line=n,
                                 hint='e.g. {"id": "C1-A", "stage": "assessment", "text": "..."}.')
        yield {"id": obj.get("id"),
               "suggestions": [{"code": s.code_id, "score": s.score, "source": s.source,
                                "above_threshold": s.above_threshold}
                               for s in suggester.suggest(obj["text"], top=top, stage=stage)]}
