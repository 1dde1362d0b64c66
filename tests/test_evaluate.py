"""Grouped cross-validation, metrics and baselines of the suggester."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from suggest_helpers import build_project, copy_project

from themecode.errors import ModelError
from themecode.store import Store
from themecode.suggest.baselines import fit_textcat, fit_tfidf_similarity
from themecode.suggest.evaluate import cross_validate, format_report, labelled_set, metrics, subset
from themecode.suggest.suggester import training_set


@pytest.fixture(scope="module")
def coded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30-case project with every case gold-coded."""
    return build_project(tmp_path_factory.mktemp("evaluate"), "coded", 30)


def test_metrics_by_hand() -> None:
    y = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0]], dtype=bool)
    flags = np.array([[1, 0, 0], [0, 1, 1], [0, 1, 0], [0, 0, 0]], dtype=bool)
    scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.5], [0.1, 0.7, 0.3], [0, 0, 0]])
    m = metrics(y, flags, scores, ["a", "b", "c"])
    assert m["per_code"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(0.6667),
                                  "support": 2, "predicted": 1}
    assert m["per_code"]["b"]["f1"] == 1.0
    assert m["per_code"]["c"]["support"] == 0
    # micro: tp 3, fp 1, fn 1
    assert m["micro_f1"] == pytest.approx(0.75)
    # macro over codes with support (a, b); c has none
    assert m["macro_f1"] == pytest.approx((2 / 3 + 1) / 2, abs=1e-4)
    # P@1: doc0 top a (gold), doc1 top b (gold), doc2 top b (gold) -> 1.0
    assert m["p_at_1"] == 1.0 and m["n_ranked"] == 3
    assert m["r_at_3"] == 1.0


def test_folds_keep_cases_together(coded_db: Path, tmp_path: Path) -> None:
    from sklearn.model_selection import GroupKFold

    store = copy_project(coded_db, tmp_path)
    ts = training_set(store)
    for tr, te in GroupKFold(n_splits=5).split(np.arange(len(ts.doc_ids)),
                                               groups=ts.case_of_doc):
        train, test = subset(ts, tr), subset(ts, te)
        assert not set(train.case_ids) & set(test.case_ids)
        assert len(train.texts) + len(test.texts) == len(ts.texts)
        # every test sentence keeps its labels
        rows = np.flatnonzero(np.isin(ts.doc_of, te))
        assert (ts.y[rows] == test.y).all()


def test_cross_validate_reports_every_figure(coded_db: Path, tmp_path: Path) -> None:
    store = copy_project(coded_db, tmp_path)
    result = cross_validate(store, folds=3,
                            methods=("themecode", "rules", "tfidf_similarity"))
    assert {"folds", "n_cases", "n_documents", "codes", "methods", "learning_curve",
            "acceptance", "seconds"} <= result.keys()
    assert result["folds"] == 3 and result["n_cases"] == 30
    for name in ("themecode", "rules", "tfidf_similarity"):
        c = result["methods"][name]["commentary"]
        assert {"micro_f1", "macro_f1", "p_at_1", "r_at_3", "per_code"} <= c.keys()
        assert 0 <= c["micro_f1"] <= 1 and 0 <= c["p_at_1"] <= 1
        assert "micro_f1" in result["methods"][name]["sentence"]
    curve = result["learning_curve"]["themecode"]
    assert [p["fraction"] for p in curve] == [0.1, 0.25, 0.5, 1.0]
    # the suggester learns something beyond the codebook on its own project's coding
    tc = result["methods"]["themecode"]["commentary"]
    assert tc["micro_f1"] > result["methods"]["rules"]["commentary"]["micro_f1"]
    assert result["acceptance"]["all"]["acceptance_rate"] is None
    text = format_report(result)
    assert "themecode" in text and "learning curve" in text


def test_cross_validate_needs_two_coded_cases(small_project: Path) -> None:
    with Store.open(small_project) as store, pytest.raises(ModelError, match="coded case"):
        cross_validate(store, folds=3, methods=("rules",))


def test_tfidf_and_textcat_baselines_learn_from_sentences() -> None:
    codes = ["visits", "checks"]
    docs, codings = [], []
    for i in range(12):
        a = "A home visit was made to the flat."
        b = "The police call-out check was requested."
        text = f"{a} {b}" if i % 2 else a
        docs.append((f"d{i}", f"c{i}", text))
        codings.append((f"d{i}", 0, len(a), "visits"))
        if i % 2:
            codings.append((f"d{i}", len(a) + 1, len(text), "checks"))
    train = labelled_set(codes, docs, codings)
    assert train.y.sum(0).tolist() == [12, 6]
    test = labelled_set(codes, [("t", "ct", "Nobody asked the police for a call-out check.")],
                        [])
    scores, flags = fit_tfidf_similarity(train)(test)
    assert scores[0, 1] > scores[0, 0] and flags[0, 1]
    scores, flags = fit_textcat(train, epochs=8)(test)
    assert scores.shape == (1, 2) and scores[0, 1] > scores[0, 0]
