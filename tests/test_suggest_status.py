"""What the suggester is and how good it has been, from the suggestion log and the codings."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.store import Store
from themecode.suggest.status import suggester_status
from themecode.suggest.suggester import load_suggester, log_outcome, log_suggestions


def test_status_counts_acceptance_kept_codes_and_first_suggestions(small_project: Path) -> None:
    with Store.open(small_project) as store:
        sugg = load_suggester(store, refit=False)
        empty = suggester_status(store, sugg.info(), coder="ann")
        assert empty.kind == "rules" and empty.shown == 0
        assert "rules only" in empty.describe() and "no suggestions" in empty.record()
        docs = [d for s in store.sample()[:3] for d in store.case_documents(s.case_id)][:3]
        shown = []
        for doc in docs:
            items = sugg.suggest(doc.text, top=3)
            assert len(items) == 3
            shown.append((doc, items, log_suggestions(store, "ann", doc.id, None, None, items,
                                                      sugg.model_id)))
        # Doc 1: the first suggestion accepted and kept. Doc 2: the second accepted, then the
        # coding removed; the first rejected. Doc 3: nothing decided, nothing coded.
        (d1, i1, l1), (d2, i2, l2), _ = shown
        store.add_coding(d1.id, None, None, i1[0].code_id, "ann")
        log_outcome(store, [l1[0]], "accepted")
        coding = store.add_coding(d2.id, None, None, i2[1].code_id, "ann")
        log_outcome(store, [l2[1]], "accepted")
        log_outcome(store, [l2[0]], "rejected")
        store.remove_codings([coding.id], "ann")
        store.add_coding(d2.id, None, None, i2[2].code_id, "ann")  # coded by hand
        # Another coder's log does not count for ann.
        log_suggestions(store, "bob", d1.id, None, None, i1, None)
        st = suggester_status(store, sugg.info(), coder="ann")
        assert (st.shown, st.decided, st.accepted, st.accepted_kept) == (9, 3, 2, 1)
        assert st.acceptance_rate == pytest.approx(2 / 3)
        assert st.accepted_precision == pytest.approx(0.5)
        # judged: doc 1 (first kept) and doc 2 (first rejected); doc 3 is not coded yet
        assert (st.first_checked, st.first_right) == (2, 1)
        assert "ann's log: 9 shown" in st.record() and "(67%)" in st.record()
        everyone = suggester_status(store, sugg.info())
        assert everyone.shown == 12 and "all coders'" in everyone.record()


def test_status_describes_a_trained_model(small_project: Path) -> None:
    info = {"model_id": 3, "n_documents": 42, "fitted_at": "2026-12-03T15:40:12",
            "n_model_codes": 9, "n_rule_codes": 11, "view": {"blind_coder": "bob", "share": "x"}}
    with Store.open(small_project) as store:
        st = suggester_status(store, info)
    assert st.kind == "model"
    assert st.describe() == ("model trained on 42 coded commentaries at 2026-12-03 15:40: "
                             "9 codes learnt, 11 by codebook rules; blind: other coders' codings "
                             "of bob's share left out")
