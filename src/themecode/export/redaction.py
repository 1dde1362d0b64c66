"""Redaction glue for exports: a project-seeded redactor, offset mapping and the side report.

The redaction engine itself is `themecode.redact.engine`; this module seeds it with the project's own
term list (`redaction_terms`: NAME / PLACE / KEEP) and with metadata values that are context, not
personal data (PDU and region names are kept), redacts each document once, and maps code-point
offsets of the original text onto the redacted text (`themecode.redact.engine.Redaction.map_start` /
`map_end`) so coded spans survive redaction.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from themecode.export.model import neutralise
from themecode.redact.engine import Redaction, Redactor
from themecode.store import Store

# Metadata columns whose values name organisations or areas (context that reports quote), never
# people: their values are added to the redactor's keep list. Columns that look like names or
# places of people (`metadata_kind`) seed the redactor's name and place lists instead.
KEEP_METADATA_COLUMNS = ("pdu", "region", "case_type", "rosh", "stage", "judgement")


# The redaction engine's record (text, spans, offset mapping) serves exports too; this older
# name for it is kept for callers that import it from here.
RedactedText = Redaction


@dataclass
class ProjectRedactor:
    """Redacts texts for one export: seeded from the project, caching by text, logging every span."""

    engine: Redactor
    log: list[dict[str, Any]] = field(default_factory=list)
    _cache: dict[str, Redaction] = field(default_factory=dict)

    def redact(self, text: str, *, where: dict[str, str] | None = None) -> Redaction:
        """Redact `text`; `where` (e.g. document id, field) labels its rows in the side report."""
        hit = self._cache.get(text)
        if hit is None:
            hit = self._cache[text] = self.engine.redact(text)
        self._log(text, hit, where)
        return hit

    def redact_many(
        self, texts: Sequence[str], *, where: Sequence[dict[str, str] | None] | None = None
    ) -> list[Redaction]:
        """Redact many texts, in parallel worker processes when there are enough of them."""
        pending = self.start_many(texts, where=where)
        try:
            return pending.result()
        finally:
            pending.cancel()

    def start_many(
        self, texts: Sequence[str], *, where: Sequence[dict[str, str] | None] | None = None,
        report_order: Sequence[int] | None = None,
    ) -> PendingRedactions:
        """Start redacting many texts; `.each()` of what it returns gives them as they are done,
        `.result()` all at once.

        With enough texts the work goes to forked worker processes (they inherit the built
        engine, so nothing is rebuilt or pickled but texts and spans; only from a single-threaded
        process, where forking is safe), and this process can do other work meanwhile. Call
        `.cancel()` when done (a no-op once all are in) so that no worker outlives an error.
        Their side-report rows go where this call was made in the log, text by text in
        `report_order` (indices into `texts`; default: as given).
        """
        return PendingRedactions(self, list(texts), where, report_order)

    def _log(self, text: str, hit: Redaction, where: dict[str, str] | None) -> None:
        if hit.spans and where is not None:
            self.log += _log_rows(text, hit, where)


class PendingRedactions:
    """Texts being redacted by `ProjectRedactor.start_many`: in worker processes, or (few texts,
    one CPU) in this one as they are asked for."""

    def __init__(
        self, owner: ProjectRedactor, texts: list[str],
        where: Sequence[dict[str, str] | None] | None, report_order: Sequence[int] | None,
    ) -> None:
        self._owner = owner
        self._texts = texts
        self._where = where
        self._report_order = report_order
        self._todo = list(dict.fromkeys(t for t in texts if t not in owner._cache))
        # the side-report rows of these texts go here, as if they were redacted at once
        self._at = len(owner.log)
        self._pool: Any = None
        self._found: Iterator[list[tuple[Any, ...]]] | None = None
        workers = _worker_count(len(self._todo))
        if workers > 1:
            import multiprocessing

            global _WORKER_ENGINE
            _WORKER_ENGINE = owner.engine
            try:
                self._pool = multiprocessing.get_context("fork").Pool(workers)
                self._found = self._pool.imap(
                    _redact_spans, self._todo, chunksize=max(64, len(self._todo) // (workers * 8)))
                self._pool.close()
            except BaseException:
                self.cancel()
                raise

    def each(self) -> Iterator[Redaction]:
        """The redactions in the order of the texts, each as soon as it is done; their spans
        are logged once the last one has been taken."""
        owner = self._owner
        cache = owner._cache
        todo = iter(self._todo)
        try:
            for text in self._texts:
                hit = cache.get(text)
                while hit is None:  # the next texts to redact come in the order of `_todo`
                    if self._found is None:
                        hit = cache[text] = owner.engine.redact(text)
                        break
                    done, spans = next(todo), next(self._found)
                    cache[done] = Redaction.build(done, spans) if spans else Redaction.identity(done)
                    hit = cache.get(text)
                yield hit
            if self._pool is not None:
                self._pool.join()
        finally:
            self.cancel()
        where = self._where
        if where is not None:
            rows: list[dict[str, Any]] = []
            order = self._report_order if self._report_order is not None else range(len(where))
            for i in order:
                text, label = self._texts[i], where[i]
                hit = cache[text]
                if hit.spans and label is not None:
                    rows += _log_rows(text, hit, label)
            owner.log[self._at : self._at] = rows

    def result(self) -> list[Redaction]:
        """Wait for all the redactions (in the order of the texts) and log their spans."""
        return list(self.each())

    def cancel(self) -> None:
        """Stop the worker processes, if any are left."""
        global _WORKER_ENGINE
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None
            self._found = None
            _WORKER_ENGINE = None


def _log_rows(text: str, hit: Redaction, where: dict[str, str]) -> list[dict[str, Any]]:
    """Side-report rows for the spans redacted in `text`, with 40 characters of context."""
    rows = []
    for sp in hit.spans:
        a, b = max(0, sp.start - 40), min(len(text), sp.end + 40)
        context = f"{text[a:sp.start]}⟦{sp.original}⟧{text[sp.end:b]}".replace("\n", " ")
        rows.append({**where, "start": sp.start, "end": sp.end, "kind": sp.kind,
                     "original": sp.original, "placeholder": sp.placeholder,
                     "context": context})
    return rows


# Texts below this many are redacted in-process: forking costs more than it saves.
PARALLEL_MIN_TEXTS = 4000
_WORKER_ENGINE: Any = None


def _worker_count(n_texts: int) -> int:
    """How many processes to redact `n_texts` with (1 = in this process)."""
    import threading

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if n_texts < PARALLEL_MIN_TEXTS or cpus < 2 or threading.active_count() > 1:
        return 1
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(cpus, 8)


def _redact_spans(text: str) -> list[tuple[int, int, str]]:
    """Worker-process entry point: what the engine inherited from the parent replaces in `text`
    (`Redactor.find`: plain tuples, cheap to send back)."""
    return _WORKER_ENGINE.find(text)


def project_terms(store: Store) -> tuple[list[str], list[str], list[str]]:
    """(names, places, keep) from the project's `redaction_terms` and context metadata values."""
    names: list[str] = []
    places: list[str] = []
    keep: list[str] = []
    for term, kind in store.conn.execute(
        "SELECT term, kind FROM redaction_terms ORDER BY kind, term"
    ):
        {"NAME": names, "PLACE": places, "KEEP": keep}[kind].append(term)
    import json

    context: set[str] = set()
    for table in ("cases", "documents"):
        for (meta_json,) in store.conn.execute(f"SELECT DISTINCT metadata FROM {table}"):
            try:
                meta = json.loads(meta_json or "{}")
            except ValueError:
                continue
            for key, value in meta.items():
                if not isinstance(value, str) or not value.strip():
                    continue
                kind = metadata_kind(key)
                if kind == "KEEP":
                    context.add(value.strip())
                elif kind == "NAME" and value.strip() not in names:
                    names.append(value.strip())
                elif kind == "PLACE" and value.strip() not in places:
                    places.append(value.strip())
    keep.extend(sorted(context - set(keep) - set(names) - set(places)))
    return names, places, keep


_NAME_COLUMNS = re.compile(r"(^|_)(name|surname|forename|officer|practitioner|inspector|"
                           r"manager|spo|worker|victim|partner)(_|$)")
_PLACE_COLUMNS = re.compile(r"(^|_)(address|town|city|street|postcode|location|home)(_|$)")


@lru_cache(maxsize=4096)
def metadata_kind(column: str) -> str | None:
    """Whether a metadata column's values are context to keep (PDU, region, RoSH ...), personal
    names ('officer_name', 'practitioner'), places ('address', 'town'), or neither (None)."""
    col = column.strip().lower().replace(" ", "_").replace("-", "_")
    if col in KEEP_METADATA_COLUMNS:
        return "KEEP"
    if _NAME_COLUMNS.search(col):
        return "NAME"
    if _PLACE_COLUMNS.search(col):
        return "PLACE"
    return None


def make_redactor(store: Store) -> ProjectRedactor:
    """A redactor for this project, seeded with its terms and metadata (`project_terms`)."""
    names, places, keep = project_terms(store)
    return ProjectRedactor(Redactor(extra_names=names, extra_places=places, keep=keep))


def side_report_path(out: Path) -> Path:
    """Where the redaction side report of an export goes: beside it, `<name>.redactions.csv`."""
    return out.with_name(out.name + ".redactions.csv")


SIDE_REPORT_COLUMNS = (
    "document_id", "field", "kind", "placeholder", "original", "start", "end", "context",
)


def write_side_report(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write what was redacted (one row per replacement, deduplicated) for a human to check.

    The file holds the original personal details: callers write it through
    `themecode.store.outputs.safe_output`, which creates it readable by its owner only.
    """
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for r in rows:
        key = tuple(map(r.get, SIDE_REPORT_COLUMNS))
        if key not in seen:
            seen.add(key)
            unique.append(key)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SIDE_REPORT_COLUMNS)
        writer.writerows([neutralise(v) for v in key] for key in unique)
