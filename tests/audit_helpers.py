"""A small project for the audit tests: a coded sample and unsampled commentaries, one of them
about something the sample never mentions."""

from __future__ import annotations

import csv
from pathlib import Path

from themecode.corpus.importer import import_corpus
from themecode.project.create import init_project
from themecode.sample.draw import draw_sample
from themecode.store import Store

SAMPLED = [
    ("S1-A", "S1", "No domestic abuse checks were made with the police. The risk summary relied "
                   "on his own account."),
    ("S2-A", "S2", "Children's services were not contacted about the children in the household. "
                   "The officer did not probe his account."),
    ("S3-I", "S3", "Contact was infrequent and no home visit was made. The plan was not reviewed "
                   "after the new offence."),
]
UNSAMPLED = [
    # the same wording as the sample, and a name: nothing new
    ("U1-A", "U1", "No domestic abuse checks were made with the police. Jamie Smith relied on "
                   "his own account."),
    # a theme the sample never met, in its second sentence
    ("U2-I", "U2", "Contact was infrequent. The imam at his mosque offered weekly mentoring "
                   "during Ramadan."),
    # a typo of a sampled word only
    ("U3-R", "U3", "The plan was not reviwed after the new offence."),
]
CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "public-protection.yaml"
NOVEL = "The imam at his mosque offered weekly mentoring during Ramadan."


def _csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "case_id", "stage", "text"])
        for doc_id, case_id, text in rows:
            stage = {"A": "assessment", "I": "implementation", "R": "reviewing"}[doc_id[-1]]
            w.writerow([doc_id, case_id, stage, text])
    return path


def build_audit_project(tmp: Path, *, coded: bool = True) -> Path:
    """Three sampled cases (coded and marked done unless `coded=False`) and three unsampled."""
    db = tmp / "audit.db"
    init_project(db, _csv(tmp / "sampled.csv", SAMPLED), codebook=CODEBOOK, coder="lead")
    with Store.open(db) as store:
        draw_sample(store, 1.0, 2025, coder="lead")
        import_corpus(store, _csv(tmp / "unsampled.csv", UNSAMPLED), coder="lead")
        if coded:
            store.add_coding("S1-A", 0, 49, "domestic_abuse_checks", "amy")
            store.add_coding("S2-A", None, None, "child_safeguarding", "amy")
            for case in ("S1", "S2", "S3"):
                store.set_status("case", case, "amy", "done")
    return db
