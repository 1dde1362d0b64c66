"""Consensus: disagreements listed, accepted (codings copied, undoable) or rejected (event)."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecode.agreement.consensus import accept, copy_agreed, reject, review_items
from themecode.errors import ThemecodeError
from themecode.store import Store


def double_coded(project: Path) -> tuple[str, str]:
    """Two coders on the same two commentaries: they agree on one code and differ on two."""
    with Store.open(project) as store:
        case = store.sample()[0].case_id
        d1, d2 = store.case(case).document_ids[:2]
        n1 = len(store.document(d1).text)
        store.add_coding(d1, 0, n1, "contact_level", "amy")
        store.add_coding(d1, 0, n1, "contact_level", "ben")
        store.add_coding(d1, 0, min(10, n1), "home_visits", "amy")
        store.add_coding(d2, None, None, "workload", "ben")
        for who in ("amy", "ben"):
            for d in (d1, d2):
                store.set_status("document", d, who, "done")
    return d1, d2


def test_review_accept_reject_and_copy_agreed(small_project: Path) -> None:
    d1, d2 = double_coded(small_project)
    with Store.open(small_project) as store:
        items = review_items(store, ["amy", "ben"])
        assert {(i.unit, i.code, i.applied, i.decision) for i in items} == {
            (d1, "home_visits", ("amy",), None), (d2, "workload", ("ben",), None)}
        home = next(i for i in items if i.code == "home_visits")
        work = next(i for i in items if i.code == "workload")
        assert accept(store, home) == 1
        [copied] = store.codings(d1, "consensus")
        assert (copied.code_id, copied.start, copied.end) == ("home_visits", 0, min(10, len(store.document(d1).text)))
        reject(store, work)
        decisions = {i.code: i.decision for i in review_items(store, ["amy", "ben"])}
        assert decisions == {"home_visits": "accepted", "workload": "rejected"}
        assert copy_agreed(store, ["amy", "ben"]) == 1
        assert {c.code_id for c in store.codings(d1, "consensus")} == {"home_visits", "contact_level"}
        # copies are ordinary, undoable codings of the consensus coder
        assert store.undo("consensus").action == "code"
        assert {c.code_id for c in store.codings(d1, "consensus")} == {"home_visits"}


def test_review_refuses_sentence_units_and_consensus_as_coder(small_project: Path) -> None:
    with Store.open(small_project) as store:
        with pytest.raises(ThemecodeError, match="commentary or case"):
            review_items(store, ["amy", "ben"], "sentence")
        with pytest.raises(ThemecodeError, match="cannot also be"):
            review_items(store, ["amy", "consensus"])
