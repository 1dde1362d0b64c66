"""How a whole commentary's codes are ordered: leading sentences first, the stage's theme next."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from by_path import root_conftest

from themecode.project.create import init_project
from themecode.store import Store
from themecode.suggest.ranking import LEAD_MIN_SCORE, STAGE_BOOST, lead_keys, stage_codes
from themecode.suggest.suggester import Suggester, _rules

_conf = root_conftest()  # not `from conftest`: tests/tui/conftest.py shares the name
CODEBOOK = _conf.CODEBOOK


def test_a_code_of_the_leading_sentence_ranks_above_later_near_certain_codes() -> None:
    # Two commentaries of three sentences, codes A, B, C. In the first, A leads (0.8) and B, C
    # come later at 0.99; by the maximum alone A would be last.
    s = np.array([[0.8, 0.0, 0.0],
                  [0.0, 0.99, 0.0],
                  [0.0, 0.0, 0.99],
                  # second commentary: an uncoded opening sentence, then C, then A
                  [0.1, 0.1, 0.1],
                  [0.0, 0.0, 0.9],
                  [0.95, 0.0, 0.0]])
    doc_of = np.array([0, 0, 0, 1, 1, 1])
    keys = lead_keys(s, doc_of, 2)
    assert list(np.argsort(-keys[0], kind="stable")) == [0, 1, 2]
    # An uncoded opening sentence does not count as a lead: C (second sentence) comes first,
    # and the count of earlier coded sentences starts again in each commentary.
    assert list(np.argsort(-keys[1], kind="stable")) == [2, 0, 1]
    assert keys[1, 2] == 0.9
    assert np.all(s.max(1)[[0, 4]] >= LEAD_MIN_SCORE)


def test_the_stage_names_its_theme() -> None:
    themes = ["assessment", "planning", "implementation", "reviewing", "cross"]
    assert list(stage_codes(themes, "Implementation & delivery")) == [0, 0, 1, 0, 0]
    assert list(stage_codes(themes, "review")) == [0, 0, 0, 1, 0]
    assert list(stage_codes(themes, "ASSESSMENT")) == [1, 0, 0, 0, 0]
    assert not stage_codes(themes, None).any()
    assert not stage_codes(themes, "").any()
    assert not stage_codes(themes, "a").any()  # too short to name anything
    s = np.array([[0.9, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.95]])
    keys = lead_keys(s, np.array([0, 0]), 1, [stage_codes(themes, "reviewing")])
    assert keys[0, 3] == STAGE_BOOST  # nothing scored, but the stage's theme


def test_suggest_orders_a_commentary_by_its_lead_and_stage(tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    csv.write_text("id,case_id,stage,text\nC1-A,C1,assessment,Nothing here.\n", encoding="utf-8")
    db = tmp_path / "p.db"
    init_project(db, csv, codebook=CODEBOOK, coder="lead")
    with Store.open(db) as store:
        codes, rules = _rules(store)
    sugg = Suggester(codes, rules)  # codebook rules only
    lead = "The contingency plan said nothing about what to do if he reoffended."
    later = "No domestic abuse call-out check was requested from the police."
    text = f"{lead} {later}"
    by_score = [x.code_id for x in sugg.suggest(later)]
    assert by_score[0] == "domestic_abuse_checks"
    first = [x.code_id for x in sugg.suggest(text)]
    assert first[0] == "contingency_planning"
    assert "domestic_abuse_checks" in first[:3]
    # Scores shown stay each code's best sentence score, whatever the order.
    scores = {x.code_id: x.score for x in sugg.suggest(text)}
    assert scores["domestic_abuse_checks"] > scores["contingency_planning"]  # max alone: DA first
    assert scores["domestic_abuse_checks"] == {x.code_id: x.score
                                               for x in sugg.suggest(later)}["domestic_abuse_checks"]
    # The same commentary answering the assessment question puts an assessment code first.
    staged = [x.code_id for x in sugg.suggest(text, stage="assessment")]
    assert staged[0] == "domestic_abuse_checks"
    theme = {c.id: c.parent for c in rules.codes}
    assert theme[staged[0]] == "assessment" and theme[first[0]] == "planning"
