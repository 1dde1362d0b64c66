"""Resolving coders' disagreements into a consensus coder.

After double coding, the lead reviews each (unit, code) the coders disagreed on and either
accepts the code (the applying coders' codings are copied to the consensus coder) or rejects it
(recorded as an event). Codes every coder agreed on can be copied across in one go. Copies are
ordinary, undoable codings of the consensus coder, so the consensus is just another coder for
agreement, saturation and exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from themecode.agreement.data import agreement_from_store, coder_codings_from_store
from themecode.codebook import merge_map
from themecode.errors import ThemecodeError
from themecode.store import Store

CONSENSUS = "consensus"
REVIEW_UNITS = ("commentary", "case")


@dataclass(frozen=True)
class ReviewItem:
    """One disagreement to settle: who applied `code` on the unit, who did not, what was decided."""

    unit_type: str
    unit: str
    code: str
    applied: tuple[str, ...]
    not_applied: tuple[str, ...]
    decision: str | None = None  # "accepted", "rejected" or None (open)


def _check_unit(unit_type: str) -> None:
    if unit_type not in REVIEW_UNITS:
        raise ThemecodeError(
            f"Disagreements can be reviewed by commentary or case, not {unit_type!r}.",
            hint="use --unit commentary or --unit case.",
        )


def unit_documents(store: Store, unit_type: str, unit: str) -> list[str]:
    """The document ids a review unit covers (a commentary: itself; a case: all of its own)."""
    return [unit] if unit_type == "commentary" else list(store.case(unit).document_ids)


def _decision(store: Store, item: ReviewItem, consensus: str) -> str | None:
    docs = unit_documents(store, item.unit_type, item.unit)
    marks = ",".join("?" * len(docs))
    live = store.conn.execute(
        f"SELECT count(*) FROM codings WHERE coder = ? AND code_id = ? AND deleted = 0 "
        f"AND document_id IN ({marks})",
        [consensus, item.code, *docs],
    ).fetchone()[0]
    if live:
        return "accepted"
    rejected = store.conn.execute(
        "SELECT count(*) FROM events WHERE coder = ? AND action = 'consensus_reject' "
        "AND target = ? AND json_extract(payload, '$.code') = ?",
        (consensus, item.unit, item.code),
    ).fetchone()[0]
    return "rejected" if rejected else None


def review_items(
    store: Store, coders: Sequence[str], unit_type: str = "commentary", *,
    consensus: str = CONSENSUS,
) -> list[ReviewItem]:
    """Every disagreement between `coders` at `unit_type`, with the decision taken so far."""
    _check_unit(unit_type)
    if consensus in coders:
        raise ThemecodeError(f"The consensus coder {consensus!r} cannot also be a compared coder.")
    result = agreement_from_store(store, list(coders), unit_type)  # type: ignore[arg-type]
    items = []
    for d in result.disagreements:
        item = ReviewItem(unit_type, str(d.unit), d.code, tuple(d.applied), tuple(d.not_applied))
        items.append(ReviewItem(**{**item.__dict__, "decision": _decision(store, item, consensus)}))
    return items


def code_items(
    store: Store, coders: Sequence[str], code: str, unit_type: str = "commentary", *,
    consensus: str = CONSENSUS,
) -> list[ReviewItem]:
    """For one code, every unit all `coders` coded where at least one applied it: agreed (no
    `not_applied`) or a disagreement, with the decision taken so far (the code browser's
    compare view; disagreements are settled with `accept` and `reject` as in the review)."""
    _check_unit(unit_type)
    if len(set(coders)) < 2 or consensus in coders:
        raise ThemecodeError("Compare two or more coders, not the consensus coder itself.")
    per_coder = coder_codings_from_store(store, list(coders), unit_type)  # type: ignore[arg-type]
    common = set.intersection(*(set(c.coded_units) for c in per_coder))
    items = []
    for unit in sorted(common, key=str):
        applied = tuple(c.coder for c in per_coder if code in c.codes.get(unit, ()))
        if applied:
            item = ReviewItem(unit_type, str(unit), code, applied,
                              tuple(c.coder for c in per_coder if c.coder not in applied))
            items.append(ReviewItem(**{**item.__dict__,
                                       "decision": _decision(store, item, consensus)
                                       if item.not_applied else "agreed"}))
    return items


def _copy(store: Store, docs: Sequence[str], code: str, sources: Sequence[str],
          consensus: str) -> int:
    """Copy `sources`' live codings of `code` (or codes merged into it) on `docs` to `consensus`."""
    merged = merge_map(store)
    copied = 0
    seen: set[tuple[str, int, int]] = set()
    for doc in docs:
        for c in store.codings(doc):
            if c.coder in sources and merged.get(c.code_id, c.code_id) == code:
                key = (doc, c.start, c.end)
                if key not in seen:
                    seen.add(key)
                    store.add_coding(doc, c.start, c.end, code, consensus,
                                     extra={"consensus_from": c.coder})
                    copied += 1
    return copied


def accept(store: Store, item: ReviewItem, *, consensus: str = CONSENSUS) -> int:
    """Accept the code: copy the applying coders' codings to the consensus coder (undoable)."""
    docs = unit_documents(store, item.unit_type, item.unit)
    return _copy(store, docs, item.code, item.applied, consensus)


def reject(store: Store, item: ReviewItem, *, consensus: str = CONSENSUS) -> None:
    """Reject the code for this unit; the decision is recorded as an event of the consensus coder."""
    with store.write():
        store.log_event(consensus, "consensus_reject", item.unit,
                        {"unit_type": item.unit_type, "code": item.code,
                         "applied": list(item.applied), "not_applied": list(item.not_applied)})


def copy_agreed(
    store: Store, coders: Sequence[str], unit_type: str = "commentary", *,
    consensus: str = CONSENSUS,
) -> int:
    """Copy every code all `coders` applied on a unit they all coded to the consensus coder."""
    _check_unit(unit_type)
    per_coder = coder_codings_from_store(store, list(coders), unit_type)  # type: ignore[arg-type]
    common_units = set.intersection(*(set(c.coded_units) for c in per_coder))
    copied = 0
    for unit in sorted(common_units, key=str):
        agreed = set.intersection(*(set(c.codes.get(unit, ())) for c in per_coder))
        docs = unit_documents(store, unit_type, str(unit))
        for code in sorted(agreed):
            copied += _copy(store, docs, code, [per_coder[0].coder], consensus)
    return copied
