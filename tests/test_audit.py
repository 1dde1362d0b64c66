"""The audit of the unsampled commentaries: the novelty score, the ranking of a real project,
decisions as undoable events, audit codings kept out of saturation, and the lead's statement."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from audit_helpers import NOVEL, build_audit_project
from click.testing import CliRunner

from themecode.audit.decisions import audit_code, decide, decision, summary
from themecode.audit.novelty import Reference, document_scores, sentence_scores
from themecode.audit.ranking import audit_sets, rank_unsampled
from themecode.cli import main
from themecode.errors import ThemecodeError
from themecode.saturation.data import load_units
from themecode.store import Store


def test_unseen_terms_leave_out_typos_short_words_and_numbers() -> None:
    ref = Reference.build(["the plan be not review", "contact be infrequent"])
    assert ref.unseen_terms("the plan be not reviwe") == []  # transposition of "review"
    assert ref.unseen_terms("the plan be not reviews") == []  # one letter added
    assert ref.unseen_terms("the plan be not revew") == []  # one letter missing
    assert ref.unseen_terms("the plan be not reviwed") == []  # a misspelt inflection
    assert ref.unseen_terms("the imam be at 12 ok mosque") == ["imam", "mosque"]


def test_sentence_score_is_unseen_terms_times_unseen_bigram_share() -> None:
    ref = Reference.build(["contact be infrequent", "the plan be not review"])
    scores, terms = sentence_scores(ref, ["contact be infrequent", "the imam visit the plan",
                                          "contact be weekly"])
    # "the imam visit the plan": 2 unseen terms; bigrams the-imam, imam-visit, visit-the new,
    # the-plan seen -> 3/4; "contact be weekly": 1 term, 1 of 2 bigrams new
    assert scores.tolist() == [0.0, 2 * 0.75, 1 * 0.5]
    assert terms == [(), ("imam", "visit"), ("weekly",)]
    doc = document_scores(scores, np.array([0, 0, 1]), 2)
    assert doc.tolist() == [1.5 + 0.25 * 0.0, 0.5]


def test_personal_details_do_not_count() -> None:
    ref = Reference.build(["he meet the officer and"])
    texts = ["He met Jamie Smith and the officer."]
    lemmas = ["he meet jamie smith and the officer"]
    with_names, _ = sentence_scores(ref, lemmas)
    without, _ = sentence_scores(ref, lemmas, lambda i: texts[i], lambda t: {"jamie", "smith"})
    assert with_names[0] > 0 and without[0] == 0


def test_ranking_puts_the_new_theme_first_with_its_sentence(tmp_path: Path) -> None:
    db = build_audit_project(tmp_path)
    with Store.open(db) as store:
        ref, cands = audit_sets(store)
        assert ref == ["S1-A", "S2-A", "S3-I"] and cands == ["U1-A", "U2-I", "U3-R"]
        seen: list[tuple[int, int]] = []
        result = rank_unsampled(store, top=None, progress=lambda d, t: seen.append((d, t)))
        assert [c.doc_id for c in result.candidates][0] == "U2-I"
        best = result.candidates[0]
        (s,) = [s for s in best.sentences if s.score > 0]
        assert store.document("U2-I").text[s.start:s.end] == NOVEL
        assert {"imam", "mosque", "ramadan"} <= set(s.terms)
        others = {c.doc_id: c.score for c in result.candidates[1:]}
        assert others == {"U1-A": 0.0, "U3-R": 0.0}  # a name and a typo are not themes
        assert seen[-1] == (3, 3)
        assert (result.n_candidates, result.n_reference, result.n_unusual) == (3, 3, 1)


def test_no_coded_sample_is_an_error_saying_what_to_do(tmp_path: Path) -> None:
    db = build_audit_project(tmp_path, coded=False)
    with Store.open(db) as store, pytest.raises(ThemecodeError, match="code some of the sample"):
        rank_unsampled(store)


def test_decisions_are_undoable_events_and_leave_the_queue(tmp_path: Path) -> None:
    db = build_audit_project(tmp_path)
    with Store.open(db) as store:
        with pytest.raises(ThemecodeError, match="no audit codings yet"):
            decide(store, "U2-I", "amy", "coded")
        decide(store, "U1-A", "amy", "dismissed", rank=2, score=0.0)
        assert decision(store, "U1-A") == "dismissed"
        (ev,) = store.events(action="audit_decision")
        assert ev.payload["decision"] == "dismissed" and ev.target == "U1-A"
        assert audit_sets(store)[1] == ["U2-I", "U3-R"]
        store.undo("amy")
        assert decision(store, "U1-A") is None
        assert audit_sets(store)[1] == ["U1-A", "U2-I", "U3-R"]
        store.redo("amy")
        assert decision(store, "U1-A") == "dismissed"


def test_audit_codings_are_marked_and_kept_out_of_saturation(tmp_path: Path) -> None:
    db = build_audit_project(tmp_path)
    with Store.open(db) as store:
        before = load_units(store)
        from themecode.codebook import create_code

        create_code(store, "faith_support", "Faith support", coder="amy")
        # bob reviews the audit and has no progress rows: without the audit mark his codings
        # would make U2 a coded unit as soon as the sample reached it
        c = audit_code(store, "U2-I", 23, 86, "faith_support", "bob")
        audit_code(store, "U2-I", 0, 22, "domestic_abuse_checks", "bob")
        assert store.conn.execute("SELECT audit FROM codings WHERE id = ?", (c.id,)).fetchone()[0]
        decide(store, "U2-I", "bob", "coded")
        after = load_units(store)
        assert [u[1] for u in after[0]] == [u[1] for u in before[0]]
        s = summary(store)
        assert (s.reviewed, s.coded, s.dismissed) == (1, 1, 0)
        assert [(n.code_id, n.commentaries, n.cases) for n in s.new_codes] == [
            ("faith_support", 1, 1)]
        assert s.known_codes == {"domestic_abuse_checks": 1}
        assert s.statement.startswith("The 1 commentaries most unlike the coded sample (of 3 "
                                      "outside the sample) were reviewed by bob")
        assert "1 new code was found (Faith support (1 case)), in 1 case" in s.statement
        # the audit's commentary no longer counts as a candidate nor as the coded sample
        assert audit_sets(store) == (["S1-A", "S2-A", "S3-I"], ["U1-A", "U3-R"])
        # even once a later round of the sample draws the audited case, its audit codings
        # are not sample codings: the pooled saturation units stay the same
        from themecode.sample.draw import extend_sample
        from themecode.saturation.data import coders

        extend_sample(store, 3, seed=1, coder="lead")
        assert "U2" in {r.case_id for r in store.sample()}
        assert coders(store) == ["amy"] and load_units(store)[0] == before[0]


def test_statement_when_nothing_new_was_found_does_not_overclaim(tmp_path: Path) -> None:
    db = build_audit_project(tmp_path)
    with Store.open(db) as store:
        assert "No audit" in summary(store).statement
        decide(store, "U2-I", "amy", "dismissed")
        text = summary(store).statement
    assert "No new code was found among them" in text
    assert "does not rule out" in text and "no bound" in text


def test_cli_json_has_exactly_the_documented_shape(tmp_path: Path) -> None:
    db = build_audit_project(tmp_path)
    result = CliRunner().invoke(main, ["audit", str(db), "--top", "2", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"project", "method", "candidates"}
    assert [c["doc_id"] for c in out["candidates"]] == ["U2-I", "U1-A"]
    first = out["candidates"][0]
    assert set(first) == {"doc_id", "case_id", "score", "sentences"}
    assert first["case_id"] == "U2" and first["score"] > 0
    assert [set(s) for s in first["sentences"]] == [{"start", "end", "score"}]


def test_cli_text_summary_and_error(tmp_path: Path) -> None:
    db = build_audit_project(tmp_path)
    runner = CliRunner()
    text = runner.invoke(main, ["audit", str(db), "--top", "1"])
    assert text.exit_code == 0 and "U2-I" in text.output and "imam" in text.output
    with Store.open(db) as store:
        decide(store, "U2-I", "amy", "dismissed")
    s = runner.invoke(main, ["audit", str(db), "--summary"])
    assert s.exit_code == 0 and "No new code was found" in s.output
    js = json.loads(runner.invoke(main, ["audit", str(db), "--summary", "--json"]).output)
    assert (js["reviewed"], js["dismissed"], js["new_codes"]) == (1, 1, [])
    (tmp_path / "bare").mkdir()
    bare = build_audit_project(tmp_path / "bare", coded=False)
    err = runner.invoke(main, ["audit", str(bare)])
    assert err.exit_code == 1 and "code some of the sample" in err.output


def test_report_has_the_audit_section_and_methods_sentence(tmp_path: Path) -> None:
    from themecode.audit.decisions import methods_text
    from themecode.report.render import render_report

    db = build_audit_project(tmp_path)
    with Store.open(db) as store:
        from themecode.codebook import create_code

        create_code(store, "faith_support", "Faith support", coder="amy")
        audit_code(store, "U2-I", 23, 86, "faith_support", "amy")
        decide(store, "U2-I", "amy", "coded")
        html = render_report(store)
        text = methods_text(summary(store))
    assert "Audit of the unsampled commentaries" in html
    assert "1 new code was found (Faith support (1 case))" in html
    assert text.startswith("To check the sample's exhaustion against the rest of the corpus, "
                           "the 1 of the 3 commentaries outside the sample")
    assert "found 1 new code (Faith support) in 1 case" in text


def test_a_coders_copy_brings_its_audit_back_on_merge(tmp_path: Path) -> None:
    import shutil

    from themecode.codebook import create_code
    from themecode.team.merge import merge_projects

    db = build_audit_project(tmp_path)
    laptop = tmp_path / "laptop.db"
    shutil.copy(db, laptop)
    with Store.open(laptop) as copy:
        create_code(copy, "faith_support", "Faith support", coder="bob")
        audit_code(copy, "U2-I", 23, 86, "faith_support", "bob")
        decide(copy, "U2-I", "bob", "coded")
        decide(copy, "U1-A", "bob", "dismissed")
        there = summary(copy)
    with Store.open(db) as store:
        decide(store, "U3-R", "amy", "dismissed")  # so the copy's review ids differ from ours
        merge_projects(store, [laptop])
        merge_projects(store, [laptop])  # twice changes nothing
        here = summary(store)
        assert (here.reviewed, here.coded, here.dismissed) == (3, 1, 2)
        assert here.new_codes == there.new_codes
        assert store.conn.execute("SELECT audit FROM codings WHERE code_id = 'faith_support'"
                                  ).fetchall() == [(1,)]
        store.undo("bob")  # the merged decision event points at the merged row
        assert decision(store, "U1-A") is None and decision(store, "U2-I") == "coded"
        assert decision(store, "U3-R") == "dismissed"
