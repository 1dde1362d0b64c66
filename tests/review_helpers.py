"""A small real project coded by two coders, for the review tests (domain and screens)."""

from __future__ import annotations

from pathlib import Path

from themecode.store import Store


def code_project(db: Path) -> dict[str, list[int]]:
    """Code the first sentence of every sampled commentary `domestic_abuse_checks` by amy, every
    other one also by ben, and the second sentence (where there is one) `contingency_planning`
    by amy; returns the coding ids by (code, coder)."""
    ids: dict[str, list[int]] = {}
    with Store.open(db) as store:
        docs = [d for row in store.sample() for d in store.case_documents(row.case_id)]
        for i, doc in enumerate(docs):
            sents = store.sentences(doc.id)
            first = sents[0]
            ids.setdefault("da:amy", []).append(
                store.add_coding(doc.id, first.start, first.end, "domestic_abuse_checks", "amy").id)
            if i % 2 == 0:
                ids.setdefault("da:ben", []).append(
                    store.add_coding(doc.id, first.start, first.end, "domestic_abuse_checks",
                                     "ben").id)
            if len(sents) > 1:
                ids.setdefault("cp:amy", []).append(
                    store.add_coding(doc.id, sents[1].start, sents[1].end, "contingency_planning",
                                     "amy").id)
            store.set_status("document", doc.id, "amy", "done")
            store.set_status("document", doc.id, "ben", "done")
    return ids
