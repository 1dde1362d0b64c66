"""Redaction glue for exports: a project-seeded redactor, offset mapping and the side report.

The redaction engine itself is `themecode.redact`; this module seeds it with the project's own
term list (`redaction_terms`: NAME / PLACE / KEEP) and with metadata values that are context, not
personal data (PDU and region names are kept), redacts each document once, and maps code-point
offsets of the original text onto the redacted text (`themecode.redact.Redaction.map_start` /
`map_end`) so coded spans survive redaction.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from themecode.errors import ExportError
from themecode.redact import Redaction
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

    engine: Any
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
        """Redact many texts, in parallel worker processes when there are enough of them.

        Workers are forked (they inherit the built engine, so nothing is rebuilt or pickled but
        texts and spans); only from a single-threaded process, where forking is safe.
        """
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        workers = _worker_count(len(todo))
        if workers > 1:
            import multiprocessing

            global _WORKER_ENGINE
            _WORKER_ENGINE = self.engine
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    found = pool.map(_redact_spans, todo, chunksize=max(64, len(todo) // (workers * 8)))
            finally:
                _WORKER_ENGINE = None
        else:
            found = [_spans_of(self.engine, t) for t in todo]
        for text, spans in zip(todo, found, strict=True):
            self._cache[text] = Redaction.build(text, spans)
        out = []
        for i, text in enumerate(texts):
            hit = self._cache[text]
            self._log(text, hit, where[i] if where is not None else None)
            out.append(hit)
        return out

    def _log(self, text: str, hit: Redaction, where: dict[str, str] | None) -> None:
        if not hit.spans or where is None:
            return
        for sp in hit.spans:
            a, b = max(0, sp.start - 40), min(len(text), sp.end + 40)
            context = f"{text[a:sp.start]}⟦{sp.original}⟧{text[sp.end:b]}".replace("\n", " ")
            self.log.append({**where, "start": sp.start, "end": sp.end, "kind": sp.kind,
                             "original": sp.original, "placeholder": sp.placeholder,
                             "context": context})


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


def _spans_of(engine: Any, text: str) -> list[tuple[int, int, str, str, str]]:
    """The engine's replacements for `text` as plain tuples (cheap to send between processes)."""
    return [(sp.start, sp.end, sp.kind, sp.original, getattr(sp, "placeholder", "") or "")
            for sp in engine.redact(text).spans]


def _redact_spans(text: str) -> list[tuple[int, int, str, str, str]]:
    """Worker-process entry point: redact with the engine inherited from the parent."""
    return _spans_of(_WORKER_ENGINE, text)


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
    """A redactor for this project (raises ExportError if the redaction engine is unavailable)."""
    try:
        from themecode.redact import Redactor
    except ImportError as exc:  # the engine is part of the package; its absence is a broken install
        raise ExportError(
            f"The redaction engine (themecode.redact) cannot be loaded: {exc}.",
            hint="reinstall themecode; exporting without redaction needs --no-redact.",
        ) from exc
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

    The file holds the original personal details, so it is created readable by its owner only.
    """
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for r in rows:
        key = tuple(r.get(c) for c in SIDE_REPORT_COLUMNS)
        if key not in seen:
            seen.add(key)
            unique.append(r)
    try:
        fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise ExportError(f"Cannot write the redaction report {path}: {exc.strerror}.") from exc
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(SIDE_REPORT_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for r in unique:
            writer.writerow({k: _safe_cell(r.get(k)) for k in SIDE_REPORT_COLUMNS})


def _safe_cell(value: Any) -> Any:
    from themecode.export_tables import neutralise

    return neutralise(value)
