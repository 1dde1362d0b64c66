"""Helpers shared by the export, REFI and report tests: a coded project with planted details."""

from __future__ import annotations

from pathlib import Path

from by_path import root_conftest

from themecode.corpus.nlp import split_sentences
from themecode.store import Store, now

# Personal details planted in one sampled commentary; none may survive a redacted export.
PLANTED_TEXT = (
    "Mr Hollingworth told the officer he had moved in with Ms Petronella Quigg-Adeyemi. "
    "She can be reached on 07700 900123 or at pq.adeyemi@example.org. "
    "Police were not asked for domestic abuse call-out information before the plan was set. "
    "Officer Zebedee Kettleworth did not record a contingency plan."
)
PLANTED_SECRETS = ("Hollingworth", "Petronella", "Quigg", "07700 900123", "pq.adeyemi", "Kettleworth")
INJECTION_TEXT = "=HYPERLINK(\"http://evil.example\",\"click\") was typed as the first words."
CODES = ("risk_identification", "domestic_abuse_checks", "child_safeguarding",
         "contingency_planning", "contact_level", "multi_agency")


def replace_text(store: Store, doc_id: str, text: str) -> None:
    """Give an (uncoded) document new text and sentences, as an import would have."""
    sents = next(split_sentences([text]))
    with store.write():
        store.conn.execute("UPDATE documents SET text = ? WHERE id = ?", (text, doc_id))
        store.conn.execute("DELETE FROM sentences WHERE document_id = ?", (doc_id,))
        store.conn.executemany(
            'INSERT INTO sentences(document_id, idx, start, "end", lemmas) VALUES (?, ?, ?, ?, ?)',
            [(doc_id, s.index, s.start, s.end, s.lemmas) for s in sents],
        )


def sampled_documents(store: Store) -> list[str]:
    """Ids of the documents of sampled cases, in draw then stage order."""
    out = []
    for row in store.sample():
        out.extend(store.case(row.case_id).document_ids)
    return out


def code_project(db: Path, *, plant: bool = True) -> dict[str, str]:
    """Code every sentence of the sampled documents (ann; ben on every other document).

    Returns the ids of the planted documents: 'secret' (personal details), 'formula' (injection).
    """
    codes = [c for c in CODES]
    planted: dict[str, str] = {}
    with Store.open(db) as store:
        live = {c.id for c in store.codes(kind="code")}
        codes = [c for c in codes if c in live]
        docs = sampled_documents(store)
        if plant:
            planted = {"secret": docs[0], "formula": docs[1]}
            replace_text(store, docs[0], PLANTED_TEXT)
            replace_text(store, docs[1], INJECTION_TEXT)
            with store.write():
                store.conn.execute(
                    "INSERT INTO redaction_terms(term, kind, added_by, added_at) VALUES (?, ?, ?, ?)",
                    ("Kettleworth", "NAME", "lead", now()),
                )
        for i, doc_id in enumerate(docs):
            for s in store.sentences(doc_id):
                code = codes[(i + s.idx) % len(codes)]
                store.add_coding(doc_id, s.start, s.end, code, "ann")
                if i % 2 == 0:
                    other = codes[(i + s.idx + (s.idx % 2)) % len(codes)]
                    store.add_coding(doc_id, s.start, s.end, other, "ben")
            store.set_status("document", doc_id, "ann", "done")
            if i % 2 == 0:
                store.set_status("document", doc_id, "ben", "done")
        store.add_memo("document", docs[2], "ann", "Check whether the plan was shared.")
        store.add_memo("code", codes[0], "ann", "Keep this narrow: analysis, not checks.")
        store.add_memo("project", "project", "lead", "First coding round.")
    return planted


def build_coded_project(directory: Path, *, n_cases: int = 40, fraction: float = 0.25,
                        plant: bool = True) -> tuple[Path, dict[str, str]]:
    """A project from the small built-in corpus, sample drawn (seed 2025) and coded."""
    from themecode.project.create import init_project
    from themecode.sample.draw import draw_sample

    conf = root_conftest()
    conf.write_small_corpus(directory / "c.csv", n_cases=n_cases)
    init_project(directory / "p.db", directory / "c.csv", codebook=conf.CODEBOOK, coder="lead")
    with Store.open(directory / "p.db") as store:
        draw_sample(store, fraction, 2025, coder="lead")
    planted = code_project(directory / "p.db", plant=plant)
    return directory / "p.db", planted
