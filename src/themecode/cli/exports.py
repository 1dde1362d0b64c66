"""Commands that write things to share: `export`, `report` and the REFI-QDA `refi` group."""

from __future__ import annotations

from pathlib import Path

import click

from themecode.cli.common import (
    CODER_HELP,
    ProjectFirstGroup,
    default_coder,
    open_project,
)

AS_HELP = "Your name for the audit log (default: $THEMECODE_CODER or your login name)."
EXPORT_FORMATS = ("md", "csv", "xlsx", "docx", "html", "json", "presence")


def _confirm_unredacted(no_redact: bool, yes: bool) -> bool:
    """Ask before writing personal details; --yes answers for scripts."""
    if no_redact and not yes:
        click.confirm("The export will NOT be redacted and will contain personal details. "
                      "Continue?", abort=True, err=True)
    return no_redact


@click.command(name="export")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="md, csv, xlsx, docx (draft chapter), html, json, or presence (0/1 tables).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--code", "codes", multiple=True, metavar="ID", help="Only this code (repeatable).")
@click.option("--theme", "themes", multiple=True, metavar="ID", help="Only this theme's codes.")
@click.option("--where", multiple=True, metavar="COL=VALUE",
              help="Only commentaries whose metadata COL is VALUE (repeatable; same COL = or).")
@click.option("--coder", help="Only this coder's extracts.")
@click.option("--include-machine", is_flag=True, help="Add machine codings, labelled as machine.")
@click.option("--context", type=int, default=1, show_default=True,
              help="Sentences of context on each side of an extract.")
@click.option("--meta", "meta_cols", multiple=True, metavar="COL",
              help="Metadata columns to carry (repeatable; default: all).")
@click.option("--methods", "with_methods", is_flag=True,
              help="DOCX only: start the chapter with the methods paragraph and its references "
                   "(as `themecode methods`, for --coder's codings or all coders pooled).")
@click.option("--no-redact", is_flag=True, help="Do not redact personal details (asks first).")
@click.option("--yes", is_flag=True, help="Answer yes to the --no-redact question.")
@click.option("--as", "actor", default=default_coder, help=AS_HELP)
def export_cmd(project: str, fmt: str, out: str, codes: tuple[str, ...], themes: tuple[str, ...],
               where: tuple[str, ...], coder: str | None, include_machine: bool, context: int,
               meta_cols: tuple[str, ...], with_methods: bool, no_redact: bool, yes: bool,
               actor: str) -> None:
    """Export themed extracts with prevalence, redacted unless --no-redact.

    \b
    Examples:
      themecode export study.db --format docx --out chapter.docx
      themecode export study.db --format docx --out chapter.docx --methods --coder consensus
      themecode export study.db --format csv --out extracts.csv --theme planning --where pdu=Gwent
      themecode export study.db --format presence --out presence.xlsx
    """
    from themecode.errors import ExportError
    from themecode.export.extracts import ExportOptions, export_extracts

    pairs = []
    for w in where:
        col, sep, value = w.partition("=")
        if not sep or not col:
            raise ExportError(f"--where {w!r} is not COL=VALUE.", hint="e.g. --where rosh=high")
        pairs.append((col.strip(), value.strip()))
    unredacted = _confirm_unredacted(no_redact, yes)
    options = ExportOptions(codes=codes, themes=themes, where=tuple(pairs), coder=coder,
                            include_machine=include_machine, context=context,
                            metadata_columns=meta_cols or None)
    with open_project(project) as store:
        res = export_extracts(store, fmt, out, options, actor=actor, redact=not unredacted,
                              confirmed_unredacted=unredacted, methods=with_methods)
    files = ", ".join(str(p) for p in res.paths)
    click.echo(f"Wrote {files}: {res.n_extracts} extracts of {res.n_codes} codes.")
    for warning in res.warnings:
        click.secho(f"Note: {warning}", fg="yellow", err=True)
    if res.side_report:
        click.echo(f"Redacted {res.n_redactions} personal details; check {res.side_report} "
                   "(it holds the originals: do not share it).")
    else:
        click.secho("Not redacted: the export contains personal details.", fg="yellow", err=True)


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--coder", help="Every figure but agreement from this coder's (or the consensus "
                              "coder's) codings only (default: all coders pooled).")
@click.option("--coders", help="Coders to compare for agreement, comma-separated (default: all).")
@click.option("--as", "actor", default=default_coder, help=AS_HELP)
def report(project: str, out: str, coder: str | None, coders: str | None, actor: str) -> None:
    """Write the lead's one-file HTML report (progress, saturation, prevalence, characteristics
    tables, agreement, methods paragraph).

    \b
    Examples:
      themecode report study.db --out report.html
      themecode report study.db --out consensus.html --coder consensus
    """
    from themecode.report.render import write_report

    who = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
    with open_project(project) as store:
        path = write_report(store, out, actor=actor, coders=who, coder=coder)
    click.echo(f"Wrote {path}.")


@click.group(cls=ProjectFirstGroup)
def refi() -> None:
    """Exchange projects with other QDA software (REFI-QDA .qdpx / .qdc).

    \b
    Examples:
      themecode refi export study.db --out study.qdpx
      themecode refi export study.db --out codebook.qdc
      themecode refi import fresh.db study.qdpx
    """


@refi.command(name="export")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="A .qdpx (whole project) or .qdc (codebook only) file.")
@click.option("--sample-only", is_flag=True, help="Only the sampled cases' commentaries.")
@click.option("--case-codes", is_flag=True,
              help="Also write each case as a code coding its commentaries (NVivo's way; the "
                   "only case membership QualCoder's importer reads).")
@click.option("--no-redact", is_flag=True, help="Do not redact personal details (asks first).")
@click.option("--yes", is_flag=True, help="Answer yes to the --no-redact question.")
@click.option("--as", "actor", default=default_coder, help=AS_HELP)
def refi_export(project: str, out: str, sample_only: bool, case_codes: bool, no_redact: bool,
                yes: bool, actor: str) -> None:
    """Write a REFI-QDA project (.qdpx) or codebook (.qdc), validated against the schemas.

    \b
    Example:
      themecode refi export study.db --out study.qdpx
    """
    from themecode.errors import ExportError
    from themecode.refi.exporter import export_qdc, export_qdpx

    suffix = Path(out).suffix.lower()
    if suffix not in (".qdpx", ".qdc"):
        raise ExportError(f"{out}: use a .qdpx or .qdc file name.")
    with open_project(project) as store:
        if suffix == ".qdc":
            export_qdc(store, out, actor=actor)
            click.echo(f"Wrote {out}.")
            return
        unredacted = _confirm_unredacted(no_redact, yes)
        res = export_qdpx(store, out, actor=actor, redact=not unredacted,
                          confirmed_unredacted=unredacted, sample_only=sample_only,
                          case_codes=case_codes)
    click.echo(f"Wrote {out}: {res.n_sources} sources, {res.n_codings} codings, "
               f"{res.n_notes} notes.")
    if res.side_report:
        click.echo(f"Redaction report: {res.side_report} (it holds the originals: do not share).")


@refi.command(name="import")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--no-create", is_flag=True, help="Only code commentaries already in the project.")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def refi_import_cmd(project: str, file: str, no_create: bool, coder: str) -> None:
    """Import a .qdpx project's codebook, commentaries and codings (or a .qdc codebook).

    \b
    Example:
      themecode refi import study.db from-atlas.qdpx
    """
    from themecode.refi.importer import import_qdc, import_qdpx

    with open_project(project) as store:
        if Path(file).suffix.lower() == ".qdc":
            res = import_qdc(store, file, coder=coder)
        else:
            res = import_qdpx(store, file, coder=coder, create_documents=not no_create)
    click.echo(f"{res.codes_added} codes added, {res.documents_added} commentaries added "
               f"({res.documents_matched} matched), {res.codings_added} codings added "
               f"({res.codings_present} already there), {res.memos_added} memos.")
    for w in res.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
