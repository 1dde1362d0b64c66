"""Theme development figures, the memo listing and markers, and the per-code coder comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.agreement.consensus import accept, code_items
from themecode.errors import ThemecodeError
from themecode.review.edits import move_code
from themecode.review.memos import list_memos, memo_targets
from themecode.review.themes import theme_overview
from themecode.store import Store


def test_theme_overview_counts_cases_once_and_unthemed_codes(coded) -> None:  # noqa: ANN001
    db, _ = coded
    with Store.open(db) as store:
        n_cases = len(store.sample())
        ov = theme_overview(store)
        assessment = next(t for t in ov.themes if t.theme.id == "assessment")
        da = next(c for c in assessment.codes if c.code.id == "domestic_abuse_checks")
        n_docs = sum(len(store.case(r.case_id).document_ids) for r in store.sample())
        assert da.cases == n_cases and da.extracts == n_docs + (n_docs + 1) // 2
        assert assessment.cases == n_cases and assessment.prevalence == 1.0
        assert ov.counted == "codings by every coder" and ov.sample_cases == n_cases
        ben = theme_overview(store, coder="ben")
        planning = next(t for t in ben.themes if t.theme.id == "planning")
        assert planning.cases == 0 and "ben" in ben.counted
        move_code(store, "workload", None, "lead")
        assert [c.code.id for c in theme_overview(store).unthemed] == ["workload"]


def test_memo_list_filters_and_markers(coded) -> None:  # noqa: ANN001
    db, _ = coded
    with Store.open(db) as store:
        doc = store.case_documents(store.sample()[0].case_id)[0]
        store.add_memo("document", doc.id, "amy", "Police checks unclear here.")
        store.add_memo("code", "workload", "ben", "Overlaps with oversight?")
        gone = store.add_memo("case", doc.case_id, "amy", "Check the police record")
        store.delete_memo(gone.id, "amy")
        rows = list_memos(store)
        assert [r.memo.target_type for r in rows] == ["code", "document"]
        assert rows[0].target_label == "Workload and staffing pressure"
        assert rows[1].target_label.startswith(doc.case_id)
        assert [r.memo.coder for r in list_memos(store, coder="amy")] == ["amy"]
        assert [r.memo.target_id for r in list_memos(store, text="POLICE")] == [doc.id]
        assert [r.memo.target_id for r in list_memos(store, kind="code")] == ["workload"]
        assert memo_targets(store, "document", [doc.id, "nope"]) == {doc.id}
        assert memo_targets(store, "case", [doc.case_id]) == set()
        with pytest.raises(ThemecodeError, match="Unknown memo kind"):
            list_memos(store, kind="sentence")


def test_code_items_reuse_consensus_decisions(coded) -> None:  # noqa: ANN001
    db, ids = coded
    with Store.open(db) as store:
        items = code_items(store, ["amy", "ben"], "domestic_abuse_checks")
        both = [i for i in items if not i.not_applied]
        amy_only = [i for i in items if i.not_applied == ("ben",)]
        assert len(both) == len(ids["da:ben"]) and len(amy_only) == len(ids["da:amy"]) - len(both)
        assert {i.decision for i in both} == {"agreed"} and {i.decision for i in amy_only} == {None}
        accept(store, amy_only[0])
        again = code_items(store, ["amy", "ben"], "domestic_abuse_checks")
        assert next(i for i in again if i.unit == amy_only[0].unit).decision == "accepted"
        with pytest.raises(ThemecodeError, match="two or more"):
            code_items(store, ["amy"], "domestic_abuse_checks")


def test_report_and_docx_follow_the_developed_themes(coded, tmp_path: Path) -> None:  # noqa: ANN001
    import docx

    from themecode.export.extracts import export_extracts
    from themecode.report.render import _section_frequencies, gather
    from themecode.review.edits import create_theme, set_reviewed

    db, _ = coded
    with Store.open(db) as store:
        theme = create_theme(store, "Checks with other agencies", "lead",
                             "Whether police and children's services were asked.")
        move_code(store, "domestic_abuse_checks", theme.id, "lead")
        set_reviewed(store, theme.id, "lead")
        page = _section_frequencies(gather(store))  # the report's themes table (the whole
        # report adds saturation and agreement: slow, and tested in tests/test_report.py)
        export_extracts(store, "docx", tmp_path / "c.docx", actor="lead", redact=False,
                        confirmed_unredacted=True)  # redaction is tested in test_export.py
    row = page.split("Checks with other agencies", 1)[1].split("</tr>", 1)[0]
    assert "Theme reviewed by lead on" in row
    assert "Candidate theme: not yet marked reviewed." in page  # the bundled themes
    paras = [p.text for p in docx.Document(str(tmp_path / "c.docx")).paragraphs]
    i = paras.index("Checks with other agencies")
    assert paras[i + 1] == "Whether police and children's services were asked."
    assert paras[i + 2].startswith("Theme reviewed by lead on")
    assert "Domestic abuse checks" in paras[i:]  # the moved code's section is under it
