"""The suggestion log and what it says: what the suggester is and how good it has been here.

Every suggestion shown to a coder is logged (`log_suggestions`) with its rank, source and model;
what the coder did with it is recorded by `log_outcome`. `suggester_status` turns the log and
the coders' own codings into the figures the coding screen shows beside the suggestions:
acceptance rate, and precision of the suggestions a coder accepted (still coded now) and of the
first suggestion (coded by that coder on the same selection, however it was applied).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from themecode.errors import ThemecodeError
from themecode.store import Store, now


class Shown(Protocol):
    """A suggestion as shown (a `suggester.Suggestion`)."""

    code_id: str
    score: float
    source: str


def log_suggestions(store: Store, coder: str, document_id: str, start: int | None,
                    end: int | None, suggestions: Sequence[Shown],
                    model_id: int | None) -> list[int]:
    """Record suggestions shown to a coder (rank 1 = first); returns the log row ids."""
    ids = []
    at = now()
    with store.write():
        for rank, s in enumerate(suggestions, 1):
            cur = store.conn.execute(
                'INSERT INTO suggestion_log(at, coder, document_id, start, "end", code_id, score, '
                "rank, source, model_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (at, coder, document_id, start, end, s.code_id, float(s.score), rank, s.source,
                 model_id if s.source == "model" else None),
            )
            ids.append(int(cur.lastrowid or 0))
    return ids


def log_outcome(store: Store, log_ids: Sequence[int], outcome: str) -> None:
    """Record what the coder did with shown suggestions: accepted, edited or rejected."""
    if outcome not in ("accepted", "edited", "rejected", "shown"):
        raise ThemecodeError(
            f"Unknown suggestion outcome {outcome!r}: use accepted, edited or rejected."
        )
    if not log_ids:
        return
    marks = ",".join("?" * len(log_ids))
    with store.write():
        store.conn.execute(
            f"UPDATE suggestion_log SET outcome = ?, decided_at = ? WHERE id IN ({marks})",
            [outcome, now(), *log_ids],
        )


def acceptance_rate(store: Store) -> dict[str, Any]:
    """Share of decided suggestions that were accepted (or edited), overall and by source."""
    out: dict[str, Any] = {}
    rows = store.conn.execute(
        "SELECT source, outcome, count(*) FROM suggestion_log GROUP BY source, outcome"
    ).fetchall()
    for source in ("all", "model", "rules"):
        sel = [r for r in rows if source == "all" or r[0] == source]
        n = {o: sum(r[2] for r in sel if r[1] == o) for o in ("shown", "accepted", "edited",
                                                              "rejected")}
        decided = n["accepted"] + n["edited"] + n["rejected"]
        out[source] = {**n, "decided": decided,
                       "acceptance_rate": (n["accepted"] + n["edited"]) / decided if decided
                       else None}
    return out


# A logged selection "matches" a coding by the same coder of the same code on the same document
# when the spans overlap (a whole-commentary selection, start NULL, matches any coding there).
_KEPT = (
    "EXISTS (SELECT 1 FROM codings c WHERE c.deleted = 0 AND c.coder = l.coder "
    "AND c.document_id = l.document_id AND c.code_id = l.code_id "
    'AND (l.start IS NULL OR (c.start < l."end" AND c."end" > l.start)))'
)


@dataclass(frozen=True)
class SuggesterStatus:
    """What the suggester is now and how its suggestions fared on this project so far."""

    kind: str  # "model" or "rules"
    n_documents: int  # commentaries the model was trained on (0 for rules)
    fitted_at: str | None
    n_model_codes: int
    n_rule_codes: int
    blind_coder: str | None  # trained without other coders' codings of this coder's share
    coder: str | None  # whose log the figures count (None: every coder's)
    shown: int  # suggestions logged
    decided: int  # accepted, edited or rejected
    accepted: int  # accepted or edited
    accepted_kept: int  # accepted suggestions whose code the coder still has on that span
    first_checked: int  # selections whose first suggestion can be judged (coder coded there)
    first_right: int  # ... whose first suggestion the coder coded on that selection

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted (or edited) share of decided suggestions."""
        return self.accepted / self.decided if self.decided else None

    @property
    def accepted_precision(self) -> float | None:
        """Share of accepted suggestions still coded on their span (not removed since)."""
        return self.accepted_kept / self.accepted if self.accepted else None

    @property
    def first_precision(self) -> float | None:
        """Share of judged selections whose first suggestion the coder coded there."""
        return self.first_right / self.first_checked if self.first_checked else None

    def describe(self) -> str:
        """What the suggester is, in a line."""
        if self.kind == "rules":
            what = "codebook rules only (keywords and definitions): no code has enough examples"
        else:
            when = (self.fitted_at or "")[:16].replace("T", " ")
            what = (f"model trained on {self.n_documents} coded commentaries"
                    f"{' at ' + when if when else ''}: {self.n_model_codes} codes learnt, "
                    f"{self.n_rule_codes} by codebook rules")
        if self.blind_coder:
            what += f"; blind: other coders' codings of {self.blind_coder}'s share left out"
        return what

    def short(self) -> str:
        """One short line for the suggestions panel: what it is and its record so far."""
        if self.kind == "rules":
            what = "keyword rules only (no model yet)"
        else:
            when = (self.fitted_at or "")[5:16].replace("T", " ")
            what = f"model on {self.n_documents} commentaries{' ' + when if when else ''}"
        if self.blind_coder:
            what += ", blind"
        if not self.decided:
            return f"{what} · nothing accepted or rejected yet"
        line = f"{what} · accepted {self.accepted}/{self.decided} ({self.acceptance_rate:.0%})"
        if self.accepted:
            line += f", {self.accepted_kept} still coded"
        return line

    def record(self) -> str:
        """How good it has been, in a line, saying whose decisions it counts."""
        whose = f"{self.coder}'s" if self.coder else "all coders'"
        if not self.shown:
            return f"no suggestions logged yet ({whose})"
        parts = [f"{whose} log: {self.shown} shown"]
        if self.decided:
            parts.append(f"{self.accepted} of {self.decided} decided accepted "
                         f"({self.acceptance_rate:.0%})")
        if self.accepted:
            parts.append(f"{self.accepted_kept} of {self.accepted} accepted still coded "
                         f"({self.accepted_precision:.0%})")
        if self.first_checked:
            parts.append(f"first suggestion coded in {self.first_right} of "
                         f"{self.first_checked} selections ({self.first_precision:.0%})")
        return "; ".join(parts)


def suggester_status(store: Store, info: Mapping[str, Any], coder: str | None = None
                     ) -> SuggesterStatus:
    """The suggester's status from its `info()` and the suggestion log (of `coder`, or all).

    A first suggestion is judged only on selections of documents the coder has since coded
    (any live coding there), so selections still being worked on do not count against it.
    """
    who, args = ("", []) if coder is None else (" AND l.coder = ?", [coder])
    row = store.conn.execute(
        "SELECT count(*), "
        "coalesce(sum(l.outcome != 'shown'), 0), "
        "coalesce(sum(l.outcome IN ('accepted', 'edited')), 0), "
        f"coalesce(sum(l.outcome IN ('accepted', 'edited') AND {_KEPT}), 0) "
        f"FROM suggestion_log l WHERE 1 = 1{who}", args).fetchone()
    first = store.conn.execute(
        f"SELECT count(*), coalesce(sum({_KEPT}), 0) FROM suggestion_log l WHERE l.rank = 1 "
        "AND EXISTS (SELECT 1 FROM codings d WHERE d.deleted = 0 AND d.coder = l.coder "
        f"AND d.document_id = l.document_id){who}", args).fetchone()
    view = info.get("view") or {}
    return SuggesterStatus(
        kind="model" if info.get("n_model_codes") else "rules",
        n_documents=int(info.get("n_documents") or 0), fitted_at=info.get("fitted_at"),
        n_model_codes=int(info.get("n_model_codes") or 0),
        n_rule_codes=int(info.get("n_rule_codes") or 0),
        blind_coder=view.get("blind_coder"), coder=coder,
        shown=int(row[0]), decided=int(row[1]), accepted=int(row[2]), accepted_kept=int(row[3]),
        first_checked=int(first[0]), first_right=int(first[1]))
