"""The coding session's navigation and selection logic, without Textual."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.errors import ThemecodeError
from themecode.store import Store
from themecode.tui.queries import code_counts, progress, sample_doc_total, search_sample
from themecode.tui.session import CodingSession, Position
from themecode.tui.widgets.commentary import render_commentary


def test_sentence_cursor_extend_and_word_refinement(tiny_project: Path) -> None:
    with Store.open(tiny_project) as store:
        s = CodingSession(store, "ann")
        s.goto_case("K1")
        text = s.doc.text  # type: ignore[union-attr]
        sents = store.sentences("K1-A")
        assert (s.start, s.end) == (sents[0].start, sents[0].end)
        assert s.extend(1) and (s.start, s.end) == (sents[0].start, sents[1].end)
        assert s.extend(-1) and s.extend(-1) is False
        assert s.move(1) and s.selected_text == text[sents[1].start : sents[1].end]
        assert s.start_later() and s.selected_text.startswith("risk summary")
        assert s.end_earlier() and s.selected_text.endswith("his")
        assert s.start_earlier() and s.start_earlier() and s.selected_text.startswith("made.")
        assert s.end_later() and s.selected_text.endswith("account.")
        s.set_cursor(2)
        while s.start_later():
            pass
        assert s.selected_text == "contacted."  # never trims to nothing
        while s.end_earlier():
            pass
        assert s.selected_text == "contacted."
        s.select_all()
        assert s.whole_selected and s.selected_text == text


def test_navigation_resume_and_errors(tiny_project: Path) -> None:
    with Store.open(tiny_project) as store:
        s = CodingSession(store, "ann")
        s.resume()
        assert s.case_index == 0
        assert not s.prev_case()
        while s.next_case():
            pass
        assert s.case_index == len(s.case_ids) - 1
        s.goto_case("K1")
        assert s.next_doc() and not s.next_doc() and s.prev_doc()
        s.move(1)
        s.save_position()
        again = CodingSession(store, "ann")
        again.resume()
        assert again.position() == s.position()
        assert not again.restore(Position("NOT-SAMPLED"))
        with pytest.raises(ThemecodeError, match="No case 'ZZ'"):
            s.goto_case("ZZ")
        with pytest.raises(ThemecodeError, match="coder"):
            CodingSession(store, " ")


def test_first_open_case_skips_done_ones(tiny_project: Path) -> None:
    with Store.open(tiny_project) as store:
        first = store.sample()[0].case_id
        store.set_status("case", first, "bob", "done")
        s = CodingSession(store, "bob")
        s.resume()
        assert s.case_id == store.sample()[1].case_id


def test_queries(tiny_project: Path) -> None:
    with Store.open(tiny_project) as store:
        assert sample_doc_total(store) == 4
        store.set_status("document", "K1-A", "ann", "done")
        store.set_status("case", "K1", "ann", "done")
        assert progress(store, "ann", 4, 3) == progress(store, "ann", 4, 3)
        p = progress(store, "ann", 4, 3)
        assert (p.cases_done, p.docs_done) == (1, 1)
        store.add_coding("K1-A", None, None, "workload", "ann")
        store.add_coding("K3-A", None, None, "workload", "bob")
        assert code_counts(store, "ann") == {"workload": 1}
        assert code_counts(store, None) == {"workload": 2}
        hits = search_sample(store, "[LINK=")
        assert [h.doc_id for h in hits] == ["K2-A"]
        h = hits[0]
        assert store.document("K2-A").text[h.start : h.end] == "[link="
        assert search_sample(store, "100%") == []  # LIKE wildcards are escaped


def test_render_is_literal_and_marks_codings(tiny_project: Path) -> None:
    with Store.open(tiny_project) as store:
        doc = store.document("K2-A")
        c = store.add_coding("K2-A", 0, 8, "workload", "ann")
        codes = {x.id: x for x in store.codes()}
        t = render_commentary(doc.text, [c], codes, "ann", (0, 4))
        assert t.plain.startswith(doc.text[:8] + " ⟨Workload")
        assert doc.text[8:] in t.plain
        assert "[bold]urgent[/bold]" in t.plain
