"""The researcher's audit decisions and what they let a lead say.

Each candidate read in the audit ends with one decision, `coded` (it carries audit codings) or
`dismissed` ("nothing new"): one row of `audit_reviews` and one undoable `audit_decision` event in
the same transaction. Codings made in the audit are ordinary human codings marked
`codings.audit = 1`: the sample's saturation figures leave them out and `summary` reports them
apart. A *new* code is one applied in the audit that no coding outside the audit carries (a new
inductive code, or a codebook code the sample never used); merged codes count as their target.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from themecode.errors import ThemecodeError
from themecode.store import Coding, Store, now

DECISIONS = ("coded", "dismissed")


def audit_code(store: Store, doc_id: str, start: int | None, end: int | None, code_id: str,
               coder: str) -> Coding:
    """Apply a code to a candidate in the audit (marked as an audit coding); one event."""
    return store.add_coding(doc_id, start, end, code_id, coder, audit=True)


def decision(store: Store, doc_id: str) -> str | None:
    """The live decision on a commentary, or None while it is undecided."""
    row = store.conn.execute(
        "SELECT decision FROM audit_reviews WHERE document_id = ? AND deleted = 0 "
        "ORDER BY id DESC LIMIT 1", (doc_id,)).fetchone()
    return row[0] if row else None


def decide(store: Store, doc_id: str, coder: str, what: str, *, rank: int | None = None,
           score: float | None = None, method: str = "", note: str | None = None) -> int:
    """Record a decision on a candidate (replacing an earlier one); returns the event id.

    `coded` needs at least one live audit coding on the commentary, so a decision never claims
    what the codings do not show.
    """
    if what not in DECISIONS:
        raise ThemecodeError(f"Unknown audit decision {what!r}: use 'coded' or 'dismissed'.")
    store.document(doc_id)  # an unknown id is an error naming it
    with store.write():
        if what == "coded" and not store.conn.execute(
                "SELECT 1 FROM codings WHERE document_id = ? AND deleted = 0 AND audit = 1",
                (doc_id,)).fetchone():
            raise ThemecodeError(
                f"{doc_id} has no audit codings yet, so it cannot be marked coded.",
                hint="apply a code to it first, or dismiss it as nothing new.")
        old = store.conn.execute(
            "SELECT id FROM audit_reviews WHERE document_id = ? AND deleted = 0", (doc_id,)
        ).fetchone()
        if old:
            store.conn.execute("UPDATE audit_reviews SET deleted = 1 WHERE id = ?", (old[0],))
        cur = store.conn.execute(
            "INSERT INTO audit_reviews(document_id, coder, decision, rank, score, method, note, "
            "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, coder, what, rank, score, method, note, now()))
        review_id = int(cur.lastrowid or 0)
        return store.log_event(coder, "audit_decision", doc_id,
                               {"review_id": review_id, "document_id": doc_id, "decision": what,
                                "rank": rank, "score": score,
                                "replaced": old[0] if old else None})


@dataclass
class NewCode:
    """A code the audit found that the coding outside the audit never used."""

    code_id: str
    label: str
    commentaries: int
    cases: int


@dataclass
class AuditSummary:
    """How many candidates were reviewed and decided, and the new codes found, with a sentence."""

    reviewed: int
    coded: int
    dismissed: int
    new_codes: list[NewCode] = field(default_factory=list)
    new_code_cases: int = 0  # M: cases carrying at least one new code (audit codings)
    known_codes: dict[str, int] = field(default_factory=dict)  # codes already used, applied here
    unsampled: int = 0  # commentaries outside the sample
    reviewers: list[str] = field(default_factory=list)
    statement: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return asdict(self)


def summary(store: Store) -> AuditSummary:
    """Count the live decisions and find the new codes (see the module docstring)."""
    from themecode.codebook import merge_map

    rows = store.conn.execute(
        "SELECT document_id, decision, coder FROM audit_reviews WHERE deleted = 0").fetchall()
    merged = merge_map(store.conn)
    used = {merged.get(r[0], r[0]) for r in store.conn.execute(
        "SELECT DISTINCT code_id FROM codings WHERE deleted = 0 AND audit = 0")}
    docs: dict[str, set[str]] = defaultdict(set)
    cases: dict[str, set[str]] = defaultdict(set)
    for doc_id, case_id, code in store.conn.execute(
            "SELECT c.document_id, d.case_id, c.code_id FROM codings c JOIN documents d "
            "ON d.id = c.document_id WHERE c.deleted = 0 AND c.audit = 1"):
        code = merged.get(code, code)
        docs[code].add(doc_id)
        cases[code].add(case_id)
    labels = {c.id: c.label for c in store.codes(include_retired=True)}
    new = [NewCode(c, labels.get(c, c), len(docs[c]), len(cases[c]))
           for c in sorted(docs) if c not in used]
    sampled = {r[0] for r in store.conn.execute("SELECT case_id FROM samples")}
    unsampled = sum(1 for (c,) in store.conn.execute("SELECT case_id FROM documents")
                    if c not in sampled)
    out = AuditSummary(
        reviewed=len(rows), coded=sum(r[1] == "coded" for r in rows),
        dismissed=sum(r[1] == "dismissed" for r in rows), new_codes=new,
        new_code_cases=len(set().union(*(cases[n.code_id] for n in new))) if new else 0,
        known_codes={c: len(docs[c]) for c in sorted(docs) if c in used},
        unsampled=unsampled, reviewers=sorted({r[2] for r in rows}))
    out.statement = statement(out)
    return out


def statement(s: AuditSummary) -> str:
    """What the audit lets a lead say, and no more."""
    if not s.reviewed:
        return ("No audit of the unsampled commentaries has been recorded yet "
                "(`themecode audit PROJECT` ranks them; review them in the coding UI).")
    head = (f"The {s.reviewed} commentaries most unlike the coded sample (of {s.unsampled} "
            f"outside the sample) were reviewed by {', '.join(s.reviewers)}: {s.coded} coded, "
            f"{s.dismissed} dismissed as nothing new.")
    if s.new_codes:
        names = "; ".join(f"{n.label} ({n.cases} case{'s' if n.cases != 1 else ''})"
                          for n in s.new_codes)
        return (f"{head} {len(s.new_codes)} new code{'s were' if len(s.new_codes) != 1 else ' was'}"
                f" found ({names}), in {s.new_code_cases} case"
                f"{'s' if s.new_code_cases != 1 else ''}: the sample was not exhaustive for "
                f"{'them' if len(s.new_codes) != 1 else 'it'}. These counts are of the reviewed "
                "commentaries only, not prevalence estimates.")
    return (f"{head} No new code was found among them. This makes it unlikely that a theme worded "
            "unlike anything in the coded sample was missed, since such commentaries rank first; "
            "it does not rule out a theme worded like coded text, nor one the reviewers read as "
            "an existing code. The reviewed commentaries were chosen as unusual, not at random, "
            "so they give no bound on how common an unseen theme could be in the other "
            f"{max(s.unsampled - s.reviewed, 0)}.")


def methods_text(s: AuditSummary) -> str:
    """A sentence for a report's methods paragraph: how the audit was done and what it found."""
    if not s.reviewed:
        return ""
    found = (f"{len(s.new_codes)} new code{'s' if len(s.new_codes) != 1 else ''} "
             f"({', '.join(n.label for n in s.new_codes)}) in {s.new_code_cases} case"
             f"{'s' if s.new_code_cases != 1 else ''}" if s.new_codes else "no new code")
    return (f"To check the sample's exhaustion against the rest of the corpus, the {s.reviewed} of "
            f"the {s.unsampled} commentaries outside the sample whose wording was least like the "
            "coded sample's (ranked by the content words and word pairs the coded sample never "
            f"uses) were read and coded or dismissed; this found {found}. Codings made in this "
            "audit are reported separately and are not part of the sample's saturation figures.")
