"""The code browser's queries: ordered ids of a code's extracts, filters, pages with context."""

from __future__ import annotations

import pytest

from themecode.errors import ThemecodeError
from themecode.review.extracts import (
    ExtractFilter,
    code_coders,
    extract_ids,
    ids_query,
    load_extracts,
    metadata_values,
    theme_code_ids,
)
from themecode.store import Store


def test_ids_in_sample_order_filtered_by_coder_text_and_metadata(coded) -> None:  # noqa: ANN001
    db, ids = coded
    with Store.open(db) as store:
        all_da = extract_ids(store, ExtractFilter(("domestic_abuse_checks",)))
        assert sorted(all_da) == sorted(ids["da:amy"] + ids["da:ben"])
        order = {r.case_id: r.draw_order for r in store.sample()}
        draws = [order[store.document(e.document_id).case_id]
                 for e in load_extracts(store, all_da)]
        assert draws == sorted(draws)
        assert extract_ids(store, ExtractFilter(("domestic_abuse_checks",), coders=("ben",))) \
            == [i for i in all_da if i in set(ids["da:ben"])]
        rosh = store.case(store.sample()[0].case_id).metadata["rosh"]
        by_rosh = extract_ids(store, ExtractFilter(("domestic_abuse_checks",),
                                                   metadata=(("rosh", rosh),)))
        assert by_rosh and all(e.case_metadata["rosh"] == rosh
                               for e in load_extracts(store, by_rosh))
        assert len(by_rosh) < len(all_da) or len({r for r in metadata_values(store)["rosh"]}) == 1
        word = load_extracts(store, all_da[:1])[0].span.split()[1]
        by_text = load_extracts(store, extract_ids(
            store, ExtractFilter(("domestic_abuse_checks",), text=word.upper())))
        assert by_text and all(word.lower() in e.span.lower() for e in by_text)
        assert code_coders(store, ("domestic_abuse_checks",)) == ["amy", "ben"]


def test_length_sort_theme_codes_and_context(coded) -> None:  # noqa: ANN001
    db, ids = coded
    with Store.open(db) as store:
        theme = theme_code_ids(store, "planning")
        assert "contingency_planning" in theme and "domestic_abuse_checks" not in theme
        longest = load_extracts(store, extract_ids(
            store, ExtractFilter(("contingency_planning",), sort="length")))
        lengths = [e.end - e.start for e in longest]
        assert lengths == sorted(lengths, reverse=True)
        e = longest[0]
        text = store.document(e.document_id).text
        assert text[e.start:e.end] == e.span
        assert e.before == text[e.context_start:e.start]
        assert e.coder == "amy" and e.case_id == store.document(e.document_id).case_id
        store.remove_codings([e.coding_id], "amy")
        assert e.coding_id not in extract_ids(store, ExtractFilter(("contingency_planning",)))
        assert load_extracts(store, [e.coding_id, longest[1].coding_id])[0].coding_id \
            == longest[1].coding_id  # the page keeps a live order, live rows only
        with pytest.raises(ThemecodeError, match="Unknown sort"):
            extract_ids(store, ExtractFilter(("contingency_planning",), sort="random"))


DA = "domestic_abuse_checks"


@pytest.mark.parametrize("flt", [
    ExtractFilter((DA,)), ExtractFilter((DA,), sort="length"),
    ExtractFilter((DA,), coders=("amy",)), ExtractFilter((DA,), text="police"),
    ExtractFilter((DA,), metadata=(("rosh", "high"), ("sex", "male"))),
], ids=["case", "length", "coder", "text", "metadata"])
def test_ids_query_reads_the_covering_indexes(coded, flt: ExtractFilter) -> None:  # noqa: ANN001
    """Every filter reads codings from the covering index and commentaries by id only: a filter
    that became an index probe per listed case (75 s on 38,000 extracts) fails here."""
    sql, args = ids_query(flt)
    with Store.open(coded[0]) as store:
        plan = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, args)]
    assert any("COVERING INDEX idx_codings_code_span (code_id=? AND deleted=?)" in p
               for p in plan), plan
    assert any("idx_documents_order (id=?)" in p for p in plan), plan
