"""Themed extracts leave themecode here: collect, redact, and write md/csv/xlsx/docx/html/json/presence.

`collect_extracts` (in `export.collect`) gathers, for each theme and code, its definition, how
many sampled cases and commentaries carry it and every coded extract with its sentence context and
metadata; `export_extracts` redacts (on by default), writes one format, writes the redaction side
report and logs the export in the events table. Writers for tables live in `export.tables`, the
DOCX chapter in `export.docx`, Markdown/HTML/JSON in `export.text`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from themecode.codebook import merge_map
from themecode.errors import ExportError
from themecode.export.collect import collect_extracts
from themecode.export.model import (
    MAX_EXTRACT_CHARS,
    CodeSection,
    ExportData,
    ExportOptions,
    ExportResult,
    Extract,
    ThemeSection,
)
from themecode.export.redaction import make_redactor, side_report_path, write_side_report
from themecode.store import Store
from themecode.store.outputs import check_target, project_files, safe_outputs

if TYPE_CHECKING:
    from themecode.report.methods import Methods

__all__ = [
    "FORMATS", "CodeSection", "ExportData", "ExportOptions", "ExportResult", "Extract",
    "ThemeSection", "collect_extracts", "export_extracts", "merge_map", "write_format",
]

FORMATS = ("md", "csv", "xlsx", "docx", "html", "json", "presence")


# --------------------------------------------------------------------------- writing


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for an export: it allocates hundreds of thousands of
    objects (extracts, rows) that form no cycles, and the collections that their number sets off
    each walk all of them again - a fifth of a 300,000-extract export's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def export_extracts(
    store: Store,
    fmt: str,
    out: str | Path,
    options: ExportOptions | None = None,
    *,
    actor: str,
    redact: bool = True,
    confirmed_unredacted: bool = False,
    methods: bool = False,
) -> ExportResult:
    """Write the themed extracts in `fmt` to `out`, redacted unless `redact=False` is confirmed;
    `methods` puts the methods paragraph (`report.methods`, for the export's coder or all coders
    pooled) at the top of the DOCX chapter.

    Every export is logged as an `export` event; an unredacted one also as `export_unredacted`.
    """
    options = options or ExportOptions()
    out = Path(out)
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}.", hint="use one of " + ", ".join(FORMATS))
    if not redact and not confirmed_unredacted:
        raise ExportError(
            "An unredacted export needs confirmation: it will contain personal details.",
            hint="answer the prompt, or pass --yes together with --no-redact.",
        )
    if methods and fmt != "docx":
        raise ExportError(f"The methods paragraph goes only into the DOCX chapter, not {fmt}.",
                          hint="export with --format docx, or write the paragraph alone with "
                               "`themecode methods`.")
    targets = output_paths(fmt, out)
    for target in targets:  # before the slow part
        check_target(target, project_files(store.path))
    # Presence tables hold ids and 0/1 only (no text), so there is nothing to redact in them.
    redactor = make_redactor(store) if redact and fmt != "presence" else None
    side = side_report_path(out) if redactor is not None else None
    paragraph = None
    if methods:  # the same function and figures as `themecode methods --coder`
        from themecode.report.methods import methods as methods_of

        paragraph = methods_of(store, coder=options.coder)
    with _gc_paused():
        data = collect_extracts(store, options, redactor=redactor, with_text=fmt != "presence")
        warnings: list[str] = []
        n_extracts, n_codes, n_redactions = (
            len(data.extracts()), len(data.sections()), len(data.redactions))
        n_short = sum(1 for e in data.extracts() if e.full_chars)
        if n_short:
            warnings.append(
                f"{n_short:,} extract(s) longer than {MAX_EXTRACT_CHARS:,} characters are shown "
                "shortened (start and end, joined by […]), each with a note saying so.")
        payload = {
            "format": fmt, "path": str(out), "files": [str(p) for p in targets],
            "options": options.describe(), "redacted": redact,
            "n_extracts": n_extracts, "n_redactions": n_redactions,
            "methods_paragraph": paragraph is not None,
        }

        def log_export() -> None:
            # before the files appear: an unredacted export never exists without its event
            with store.write():
                if not redact:
                    store.log_event(actor, "export_unredacted", str(out), payload)
                store.log_event(actor, "export", str(out), payload)

        with safe_outputs([*targets, *([side] if side else [])],
                          protect=project_files(store.path), before_publish=log_export) as tmps:
            write_format(data, fmt, out, store=store, warnings=warnings,
                         paths=tmps[: len(targets)], methods=paragraph)
            if side is not None:
                write_side_report(tmps[-1], data.redactions)
        # freed before the collector is back, which would otherwise walk it all once more
        del data, redactor
    return ExportResult(tuple(targets), n_extracts, n_codes, redact, n_redactions, side,
                        tuple(warnings))


def output_paths(fmt: str, out: Path) -> list[Path]:
    """The files an export in `fmt` to `out` writes (presence as CSV writes two)."""
    if fmt == "presence" and out.suffix.lower() != ".xlsx":
        from themecode.export.tables import presence_csv_paths

        return presence_csv_paths(out)
    return [out]


def write_format(
    data: ExportData, fmt: str, out: Path, *, store: Store | None = None,
    warnings: list[str] | None = None, paths: list[Path] | None = None,
    methods: Methods | None = None,
) -> list[Path]:
    """Write `data` as `fmt` at `out` (or straight into `paths`, the files `output_paths` names,
    e.g. temporary ones); returns the files written (`store` lets DOCX ask the suggester which
    quotes are typical; what a reader must know is added to `warnings`; `methods` goes at the
    top of a DOCX chapter)."""
    shown = out  # the name people know, when writing to a temporary file
    if paths is not None and fmt != "presence":
        out = paths[0]
    try:
        if fmt in ("md", "html", "json"):
            from themecode.export.text import write_html, write_json, write_markdown

            {"md": write_markdown, "html": write_html, "json": write_json}[fmt](data, out)
            return [out]
        if fmt == "csv":
            from themecode.export.tables import write_csv

            write_csv(data, out)
            return [out]
        if fmt == "xlsx":
            from themecode.export.tables import write_xlsx

            n_cut = write_xlsx(data, out)
            if n_cut and warnings is not None:
                warnings.append(
                    f"{n_cut:,} cell(s) of {shown.name} held more than 32,767 characters, the most "
                    "a spreadsheet cell can; each was cut, and the cut is marked in the cell. "
                    "The JSON or CSV export holds the whole text.")
            return [out]
        if fmt == "presence":
            from themecode.export.tables import write_presence

            return write_presence(data, out, paths=paths)
        if fmt == "docx":
            from themecode.export.docx import write_docx

            write_docx(data, out, store=store, methods=methods)
            return [out]
    except OSError as exc:
        raise ExportError(f"Cannot write {shown}: {exc.strerror or exc}; nothing was written.",
                          hint="free some disk space or choose another folder, then export "
                          "again.") from exc
    raise ExportError(f"Unknown export format {fmt!r}.")
