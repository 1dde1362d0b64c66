"""The codebook-rule blend: rule scores reach learnt codes on unfamiliar wording, the setting is
stored with the model, and a stored model with other settings is refitted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from suggest_helpers import build_project, copy_project

from themecode.store import Store
from themecode.suggest import model as suggest_model
from themecode.suggest.model import Blend, gate, hash_features, novelty, settings
from themecode.suggest.suggester import _rules, fit, fit_and_save, load_suggester, training_set


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 40-case demo project, every case gold-coded, with a fitted and saved model."""
    return build_project(tmp_path_factory.mktemp("blend"), "fitted", fit=True)


@pytest.fixture
def fitted(prepared: Path, tmp_path: Path) -> Store:
    """A private copy of the fitted project."""
    return copy_project(prepared, tmp_path)


def test_chosen_blend_is_on() -> None:
    # The setting chosen on template-split validation (docs/suggestions.md); 0 would mean the
    # model alone.
    assert suggest_model.BLEND.weight > 0


def test_gate_scales_with_novelty_beyond_the_floor() -> None:
    nov = np.array([0.0, 0.1, 0.55, 1.0])
    assert np.allclose(gate(nov, Blend(5.0, None), 0.1), 1.0)
    assert np.allclose(gate(nov, Blend(5.0, 0.9), 0.1), [0.0, 0.0, 0.5, 1.0])
    assert np.allclose(gate(nov, Blend(5.0, 0.9), 1.0), 0.0)


def test_novelty_is_zero_for_training_wording_and_one_for_new_words(fitted: Store) -> None:
    sg = load_suggester(fitted, refit=False)
    ts = training_set(fitted)
    colmap = np.full(3 * suggest_model.N_HASH, -1, dtype=np.int64)
    colmap[sg.model.cols] = np.arange(len(sg.model.cols))
    seen = novelty(hash_features(ts.texts[:50], ts.lemmas[:50]), colmap)
    assert np.allclose(seen, 0.0)
    new = novelty(hash_features(["Zyxwv qwert plonk."], ["zyxwv qwert plonk"]), colmap)
    assert new[0] == pytest.approx(1.0)


def test_blend_scores_a_keyword_the_model_never_saw(fitted: Store) -> None:
    store = fitted
    ts = training_set(store)
    codes, rules = _rules(store)
    seen_words = {w for lem in ts.lemmas for w in lem.split()}
    # "uncorroborated" is a self_disclosure keyword in the codebook; the 40 training cases
    # never use the word, so the n-gram model has no weight for it.
    assert "uncorroborated" not in seen_words
    text = "His version of events remained uncorroborated throughout."
    blended = fit(ts, codes, rules)
    plain = fit(ts, codes, rules, blend=Blend(0.0))
    assert "self_disclosure" in blended.model_codes
    b = {s.code_id: s for s in blended.suggest(text, top=len(codes))}
    p = {s.code_id: s for s in plain.suggest(text, top=len(codes))}
    assert b["self_disclosure"].source == "model"
    assert b["self_disclosure"].score > p["self_disclosure"].score + 0.5
    assert blended.suggest(text, top=1)[0].code_id == "self_disclosure"
    assert b["self_disclosure"].above_threshold and not p["self_disclosure"].above_threshold


@pytest.mark.parametrize(("text", "code"), [
    ("I could find nothing to show that anyone had rung the police to ask about call-outs "
     "to the family home.", "domestic_abuse_checks"),
    ("Nobody got in touch with the social worker, so we cannot say whether the little ones "
     "were safe.", "child_safeguarding"),
    ("He was simply taken at his word; the officer never triangulated his story with anyone "
     "else.", "self_disclosure"),
])
def test_freely_worded_sentences_get_the_right_code(fitted: Store, text: str,
                                                     code: str) -> None:
    sg = load_suggester(fitted, refit=False)
    assert code in sg.model_codes
    top = sg.suggest(text, top=1)[0]
    # Ranked first and pre-selected (above the code's commentary threshold).
    assert top.code_id == code and top.above_threshold


def test_blend_settings_are_stored_and_loaded(fitted: Store,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = fitted
    sg = fit_and_save(store, recalibrate=True)
    params = json.loads(store.conn.execute(
        "SELECT params FROM models WHERE id = ?", (sg.model_id,)).fetchone()[0])
    assert params["settings"] == settings()
    assert params["settings"]["rule_blend"] == suggest_model.BLEND.weight
    assert params["settings"]["gate_quantile"] == suggest_model.BLEND.gate_quantile
    loaded = load_suggester(store.reopen(), refit=False)
    assert loaded.model_id == sg.model_id
    assert loaded.model.blend == suggest_model.BLEND
    # The fitted gate floor travels in the npz blob.
    assert loaded.model.gate_floor == pytest.approx(sg.model.gate_floor)
    # Another blend setting: the stored model no longer matches and is refitted.
    other = Blend(suggest_model.BLEND.weight + 1.0, suggest_model.BLEND.gate_quantile)
    monkeypatch.setattr(suggest_model, "BLEND", other)
    assert load_suggester(store, refit=False).model is None
    again = load_suggester(store)
    assert "settings" in again.meta["refit_reason"]
    assert again.model.blend == other
    stored = json.loads(store.conn.execute(
        "SELECT params FROM models WHERE id = ?", (again.model_id,)).fetchone()[0])
    assert stored["settings"]["rule_blend"] == other.weight


def test_quick_refit_keeps_the_blend(fitted: Store) -> None:
    store = fitted
    first = load_suggester(store, refit=False)
    quick = fit_and_save(store)
    assert quick.meta["recalibrated"] is False
    assert quick.model.blend == first.model.blend and quick.model.blend.weight > 0
    assert quick.model.gate_floor == first.model.gate_floor
    assert np.allclose(quick.model.sent_threshold, first.model.sent_threshold)


def test_machine_coding_scores_include_the_blend(fitted: Store) -> None:
    # autocode scores with rules=False (no rule-only codes); learnt codes must still carry
    # their rule term, or the thresholds tuned on blended scores would not fit.
    sg = load_suggester(fitted, refit=False)
    texts = ["His version of events remained uncorroborated throughout.",
             "The contingency plan was strong."]
    lemmas = [" ".join(t.lower().rstrip(".").split()) for t in texts]
    with_rules, _ = sg.score_sentences(texts, lemmas)
    without, _ = sg.score_sentences(texts, lemmas, rules=False)
    cols = [sg.codes.index(c) for c in sg.model_codes]
    assert np.allclose(with_rules[:, cols], without[:, cols])
    with pytest.raises(ValueError, match="rule_scores"):
        sg.model.proba(texts, lemmas)


def test_scores_shrink_toward_the_rules_while_a_code_has_few_examples(fitted: Store) -> None:
    from dataclasses import replace

    from themecode.suggest.model import FittedModel

    sg = load_suggester(fitted, refit=False)
    model = sg.model
    k = suggest_model.BLEND.shrink_k
    assert k > 0 and model.blend.shrink_k == k
    positives = np.array([sg.meta["positives"][c] for c in model.codes], dtype=float)
    assert np.allclose(model.shrink, positives / (positives + k))
    texts = ["No domestic abuse check was requested from the police.",
             "The plan named no contingency for a relapse."]
    h = hash_features(texts, [t.lower() for t in texts])
    r = np.full((2, len(model.codes)), 0.6)
    unshrunk = replace(model, shrink=None).proba_hashed(h, r)
    assert np.allclose(model.proba_hashed(h, r), model.shrink * unshrunk
                       + (1 - model.shrink) * 0.6)
    # the fewest-example code leans most on its rule score
    j = int(np.argmin(positives))
    assert model.shrink[j] == model.shrink.min() < 0.75
    # the weights travel with the stored model
    again = FittedModel.from_bytes(model.to_bytes(), model.codes, {}, model.use_char,
                                   model.blend)
    assert np.allclose(again.shrink, model.shrink)
