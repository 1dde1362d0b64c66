"""Codebook rules (`suggest.rules`): spelling-tolerant keyword matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.store import Store
from themecode.suggest import rules as suggest_rules
from themecode.suggest.suggester import _rules, load_suggester

MISSPELT = [
    ("The risk assesment never mentions the knife found on him.", "risk_identification"),
    ("No safegaurding enquiries were made about the children.", "child_safeguarding"),
    ("An intervension for his drinking was never offered.", "interventions"),
]
# Real words one edit from a keyword word ("father", "thorough", "police"): never respelt.
REAL = [
    ("He would rather stay at the hostel.", "key_individuals"),
    ("He went through the conditions with him.", "positive_practice"),
    ("The approved premises policy was explained.", "multi_agency"),
]


def _keyword_hits(store: Store, texts: list[str]) -> list[set[str]]:
    _, rules = _rules(store)
    _, kw = rules.analyse(texts)
    return [{rules.code_ids[j] for j in row.nonzero()[0]} for row in kw]


def test_a_misspelt_keyword_is_a_keyword_hit_and_in_the_top_three(small_project: Path) -> None:
    with Store.open(small_project) as store:
        hits = _keyword_hits(store, [t for t, _ in MISSPELT])
        assert [code in h for (_, code), h in zip(MISSPELT, hits, strict=True)] == [True] * 3
        sg = load_suggester(store, refit=False)
        for text, code in MISSPELT:
            assert code in [s.code_id for s in sg.suggest(text, top=3)], text
        # the explanation names the word as written
        _, rules = _rules(store)
        assert any(h.code_id == "risk_identification" and "risk assesment" in h.keywords
                   for h in rules.explain(MISSPELT[0][0]))


def test_real_words_near_a_keyword_are_not_respelt(small_project: Path) -> None:
    with Store.open(small_project) as store:
        hits = _keyword_hits(store, [t for t, _ in REAL])
        assert [code in h for (_, code), h in zip(REAL, hits, strict=True)] == [False] * 3


def test_spelling_tolerance_can_be_turned_off(small_project: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suggest_rules, "FUZZY_MIN_LENGTH", 0)
    with Store.open(small_project) as store:
        hits = _keyword_hits(store, [t for t, _ in MISSPELT])
        assert [code in h for (_, code), h in zip(MISSPELT, hits, strict=True)] == [False] * 3
