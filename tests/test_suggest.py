"""The suggester: fit, ranked calibrated scores, cold start, safe persistence, training data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from suggest_helpers import build_project, copy_project

from themecode.codebook import create_code, merge_codes
from themecode.errors import InputFileError, ThemecodeError
from themecode.store import Store, now
from themecode.suggest import suggester as suggest
from themecode.suggest.model import FittedModel, eligible_codes
from themecode.suggest.suggester import (
    acceptance_rate,
    fit_and_save,
    load_suggester,
    log_outcome,
    log_suggestions,
    suggest_lines,
    training_set,
)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One coded project and one coded-and-fitted project, built once for this module."""
    d = tmp_path_factory.mktemp("suggest")
    return {"coded": build_project(d, "coded"), "fitted": build_project(d, "fitted", fit=True)}


@pytest.fixture
def coded(prepared: dict[str, Path], tmp_path: Path) -> Store:
    """A private copy of a 40-case project with every case gold-coded, no model yet."""
    return copy_project(prepared["coded"], tmp_path)


@pytest.fixture
def fitted(prepared: dict[str, Path], tmp_path: Path) -> Store:
    """A private copy of the coded project with a fitted, saved model."""
    return copy_project(prepared["fitted"], tmp_path)


def test_fit_gives_ranked_scores_in_unit_interval(fitted: Store) -> None:
    store = fitted
    sg = load_suggester(store, refit=False)
    info = sg.info()
    assert info["model_id"] is not None and info["n_model_codes"] >= 10
    assert info["n_documents"] == 160 and info["n_codings"] > 100
    doc = store.document(store.codings()[0].document_id)
    out = sg.suggest(doc.text, top=8)
    assert len(out) == 8
    scores = [s.score for s in out]
    assert all(0.0 <= s <= 1.0 for s in scores)
    # A whole commentary is ordered by its leading sentences (`ranking.lead_keys`), one
    # sentence by score.
    from themecode.corpus.nlp import split_sentences

    sents = next(split_sentences([doc.text]))
    assert len(sents) > 1
    texts = [doc.text[x.start:x.end] for x in sents]
    s, _ = sg.score_sentences(texts, [x.lemmas for x in sents])
    keys = sg.lead_keys(s, np.zeros(len(sents), dtype=np.int64), 1)[0]
    assert [sg.codes[i] for i in np.argsort(-keys, kind="stable")[:8]] == [x.code_id for x in out]
    one = sg.suggest(texts[0], top=8)  # by score, keyword hits kept in the top 3
    s1, _, hits = sg.score_with_keywords(texts[:1], [sents[0].lemmas])
    assert [x.code_id for x in one] == [sg.codes[i] for i in suggest.ranked(s1[0], hits[0])[:8]]
    assert {s.source for s in out} <= {"model", "rules"}
    for s in out:
        assert (s.source == "model") == (s.code_id in sg.model_codes)


def test_model_finds_the_coded_code_of_a_clear_sentence(fitted: Store) -> None:
    store = fitted
    sg = load_suggester(store, refit=False)
    coding = next(c for c in store.codings() if c.code_id in sg.model_codes)
    text = store.document(coding.document_id).text[coding.start:coding.end]
    top = [s.code_id for s in sg.suggest(text, top=3)]
    assert coding.code_id in top


def test_cold_start_is_rules_only_and_labelled(small_project: Path) -> None:
    with Store.open(small_project) as store:
        sg = load_suggester(store)
        assert sg.model is None and sg.info()["n_model_codes"] == 0
        out = sg.suggest("A home visit was never made to the address, so nobody knew who lived "
                         "there.", top=3)
        assert out and all(s.source == "rules" for s in out)
        assert out[0].code_id == "home_visits"
        assert store.conn.execute("SELECT count(*) FROM models").fetchone()[0] == 0


def test_codes_below_threshold_stay_rule_based(fitted: Store) -> None:
    store = fitted
    ts = training_set(store)
    counts = dict(zip(ts.codes, ts.y.sum(0), strict=True))
    sg = load_suggester(store, refit=False)
    for code, n in counts.items():
        if n < suggest.MIN_EXAMPLES:
            assert code in sg.rule_codes
    assert any(counts[c] >= suggest.MIN_EXAMPLES for c in sg.model_codes)


def test_persistence_round_trip_without_pickle(coded: Store) -> None:
    store = coded
    fitted = fit_and_save(store)
    blob = store.conn.execute("SELECT blob FROM models ORDER BY id DESC").fetchone()[0]
    with np.load(__import__("io").BytesIO(blob), allow_pickle=False) as z:
        assert set(z.files) >= {"coef", "intercept", "platt", "doc_threshold"}
    loaded = load_suggester(store.reopen())
    assert loaded.model_id == fitted.model_id
    assert loaded.info()["stale"] is False
    text = store.document(store.codings()[0].document_id).text
    a = {s.code_id: s.score for s in fitted.suggest(text, top=30)}
    b = {s.code_id: s.score for s in loaded.suggest(text, top=30)}
    assert a.keys() == b.keys()
    assert all(abs(a[k] - b[k]) < 1e-3 for k in a)


def test_codebook_change_means_refit(fitted: Store) -> None:
    store = fitted
    first = load_suggester(store, refit=False).model_id
    assert first is not None
    create_code(store, "new_code", "A new code", coder="amy", parent="cross_cutting")
    again = load_suggester(store)
    assert again.model_id != first
    assert "codebook" in again.meta["refit_reason"]
    assert "new_code" in again.codes


def test_library_version_mismatch_means_refit(fitted: Store) -> None:
    store = fitted
    first = load_suggester(store, refit=False).model_id
    versions = json.loads(store.conn.execute("SELECT versions FROM models WHERE id = ?",
                                             (first,)).fetchone()[0])
    versions["sklearn"] = "0.1"
    store.conn.execute("UPDATE models SET versions = ? WHERE id = ?",
                       (json.dumps(versions), first))
    assert load_suggester(store, refit=False).model is None
    again = load_suggester(store)
    assert again.model is not None and again.model_id != first
    assert "version" in again.meta["refit_reason"]


def test_corrupt_blob_is_refused(fitted: Store) -> None:
    store = fitted
    store.conn.execute("UPDATE models SET blob = ?", (b"not an npz archive",))
    sg = load_suggester(store, refit=False)
    assert sg.model is None and "could not be read" in sg.meta["refit_reason"]
    with pytest.raises(ValueError):
        FittedModel.from_bytes(b"junk", [], {}, False)


def test_machine_and_deleted_codings_never_train(coded: Store) -> None:
    store = coded
    create_code(store, "machine_only", "Machine only", coder="amy", parent="cross_cutting")
    docs = [r[0] for r in store.conn.execute("SELECT id FROM documents")]
    with store.write():
        store.conn.executemany(
            "INSERT INTO machine_codings(document_id, code_id, score, created_at) "
            "VALUES (?, 'machine_only', 0.99, ?)", [(d, now()) for d in docs])
    deleted = store.add_coding(docs[0], None, None, "workload", "amy")
    store.remove_codings([deleted.id], "amy")
    ts = training_set(store)
    j = ts.codes.index("machine_only")
    assert not ts.y[:, j].any()
    assert not eligible_codes(ts.y, ts.groups)[j]
    # The deleted whole-document coding left no trace: workload rows equal the live codings'.
    w = ts.codes.index("workload")
    d0 = ts.doc_ids.index(docs[0])
    live = [c for c in store.codings(docs[0]) if c.code_id == "workload"]
    assert bool(ts.y[ts.doc_of == d0, w].any()) == bool(live)


def test_merged_codes_train_their_target(coded: Store) -> None:
    store = coded
    before = training_set(store)
    n_target = int(before.y[:, before.codes.index("contact_level")].sum())
    n_source = int(before.y[:, before.codes.index("home_visits")].sum())
    merge_codes(store, "home_visits", "contact_level", "amy")
    after = training_set(store)
    assert "home_visits" not in after.codes
    merged = int(after.y[:, after.codes.index("contact_level")].sum())
    assert max(n_target, n_source) <= merged <= n_target + n_source


def test_suggestion_log_and_acceptance(fitted: Store) -> None:
    store = fitted
    sg = load_suggester(store, refit=False)
    doc = store.codings()[0].document_id
    out = sg.suggest(store.document(doc).text, top=3)
    ids = log_suggestions(store, "amy", doc, None, None, out, sg.model_id)
    assert len(ids) == 3
    rows = store.conn.execute("SELECT rank, outcome, source FROM suggestion_log ORDER BY id").fetchall()
    assert [r[0] for r in rows] == [1, 2, 3] and {r[1] for r in rows} == {"shown"}
    log_outcome(store, ids[:1], "accepted")
    log_outcome(store, ids[1:], "rejected")
    rate = acceptance_rate(store)
    assert rate["all"]["decided"] == 3
    assert rate["all"]["acceptance_rate"] == pytest.approx(1 / 3)
    with pytest.raises(ThemecodeError):
        log_outcome(store, ids, "maybe")


def test_quick_refit_reuses_calibration(fitted: Store) -> None:
    store = fitted
    first = load_suggester(store, refit=False)
    second = fit_and_save(store)
    assert second.meta["recalibrated"] is False
    assert np.allclose(first.model.platt, second.model.platt)
    third = fit_and_save(store, recalibrate=True)
    assert third.meta["recalibrated"] is True


def test_suggest_lines_reads_json_lines_and_names_bad_lines(small_project: Path) -> None:
    with Store.open(small_project) as store:
        sg = load_suggester(store)
    lines = ['{"id": "a", "text": "The SPO countersigned it without comment."}', "",
             '{"id": 2, "text": "A contingency plan named warning signs."}']
    out = list(suggest_lines(sg, lines, top=2))
    assert [o["id"] for o in out] == ["a", 2]
    assert all(len(o["suggestions"]) <= 2 for o in out)
    assert out[0]["suggestions"][0]["code"] == "management_oversight"
    with pytest.raises(InputFileError, match="line 2"):
        list(suggest_lines(sg, ['{"id": 1, "text": "ok"}', "{oops"], source="in.jsonl"))
    with pytest.raises(InputFileError, match="text"):
        list(suggest_lines(sg, ['{"id": 1}']))
    with pytest.raises(InputFileError, match="stage"):
        list(suggest_lines(sg, ['{"id": 1, "text": "ok", "stage": 3}']))
    # A stage orders a commentary's codes as the coding screen does.
    text = ("A contingency plan named warning signs. "
            "No domestic abuse call-out check was requested from the police.")
    line = json.dumps({"id": "c", "text": text, "stage": "assessment"})
    staged = next(suggest_lines(sg, [line], top=3))["suggestions"]
    assert [x["code"] for x in staged] == [x.code_id for x in sg.suggest(text, 3, "assessment")]
    assert staged != next(suggest_lines(sg, [json.dumps({"id": "c", "text": text})],
                                        top=3))["suggestions"]
