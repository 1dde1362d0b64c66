"""Coding commands: the coding UI (`code`), the code browser (`review-codes`), consensus
`review`, and `codings` import/export."""

from __future__ import annotations

from pathlib import Path

import click

from themecode.cli.common import (
    CODER_HELP,
    ProjectFirstGroup,
    backup_before_coding,
    default_coder,
    open_project,
)


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--coder", default=default_coder, help=CODER_HELP)
@click.option("--show-others", is_flag=True, help="Show other coders' codings (not blind).")
@click.option("--keys", "keys", type=click.Path(exists=True, dir_okay=False),
              help="TOML file remapping key bindings by id.")
def code(project: str, coder: str, show_others: bool, keys: str | None) -> None:
    """Open the coding UI on a project's sample.

    \b
    Example:
      themecode code study.db --coder amy
    """
    from themecode.tui.app import run

    run(Path(project), coder, show_others=show_others,
        config_path=Path(keys) if keys else None, backup=True)  # backed up after the first paint


@click.command(name="review-codes")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--coder", default=default_coder, help=CODER_HELP)
@click.option("--code", "code_id", default="",
              help="Code or theme id to open (default: the first code of the codebook).")
@click.option("--keys", "keys", type=click.Path(exists=True, dir_okay=False),
              help="TOML file remapping key bindings by id.")
def review_codes(project: str, coder: str, code_id: str, keys: str | None) -> None:
    """Open the coding app straight into the code browser: every extract of a code.

    Filter by coder (o), case metadata (m) and text (/), sort (s); g opens an extract in the
    coding screen (ctrl+b comes back); r recodes, p splits marked extracts into a new code,
    e edits the code, v compares coders, t opens themes, n memos; ctrl+z undoes any change.

    \b
    Example:
      themecode review-codes study.db --coder lead --code contingency_planning
    """
    from themecode.tui.app import run

    if code_id:
        with open_project(project) as store:
            store.code(code_id)  # an unknown id stops here, with the codebook hint
    run(Path(project), coder, config_path=Path(keys) if keys else None, backup=True,
        browse=code_id)  # backed up after the first paint, as `code` is


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--coders", required=True, help="Two or more coders to compare, comma-separated.")
@click.option("--unit", type=click.Choice(["commentary", "case"]), default="commentary",
              show_default=True, help="Unit on which disagreements are listed.")
@click.option("--consensus", default="consensus", show_default=True,
              help="Coder name the agreed result is recorded under.")
def review(project: str, coders: str, unit: str, consensus: str) -> None:
    """Settle double-coding disagreements into a consensus coder, by keyboard.

    Keys: a accept (copy the applying coders' codings), x reject, g copy every code all
    coders agreed on, ctrl+z undo, ctrl+q quit.

    \b
    Example:
      themecode review study.db --coders amy,ben --unit commentary
    """
    from themecode.tui.review import run_review

    names = [c.strip() for c in coders.split(",") if c.strip()]
    if len(names) < 2:
        raise click.UsageError("--coders needs at least two names, e.g. --coders amy,ben")
    backup_before_coding(project)
    run_review(project, names, unit, consensus=consensus)


@click.group(cls=ProjectFirstGroup)
def codings() -> None:
    """Import and export codings as JSON Lines.

    \b
    Line format: {"doc_id": "C0001-A", "start": 0, "end": 57, "code": "contact_level"}
    (start/end omitted = whole commentary; "coder" and "memo" optional).
    """


@codings.command(name="import")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--coder", required=True, help="Coder the codings are recorded under.")
@click.option("--sample-only", is_flag=True, help="Skip lines for cases outside the sample.")
@click.option("--create-codes", is_flag=True, help="Add unknown codes as inductive codes.")
@click.option("--mark-done", is_flag=True,
              help="Mark the covered commentaries and cases (with --sample-only: the whole "
              "sample) as done for the coder.")
def codings_import(project: str, file: str, coder: str, sample_only: bool, create_codes: bool,
                   mark_done: bool) -> None:
    """Import codings (all or nothing; re-importing the same file changes nothing).

    \b
    Example:
      themecode codings import study.db gold-codings.jsonl --coder gold --sample-only --create-codes
    """
    from themecode.project.codings import import_codings

    with open_project(project) as store:
        res = import_codings(store, file, coder=coder, sample_only=sample_only,
                             create_codes=create_codes, mark_done=mark_done)
    click.echo(f"Imported {res.imported} codings as {coder!r} ({res.duplicates} already present, "
               f"{res.skipped_outside_sample} outside the sample skipped).")
    if res.created_codes:
        click.echo(f"New inductive codes: {', '.join(res.created_codes)}")
    if res.other_coder_lines:
        click.echo(f"Note: {res.other_coder_lines} lines named another coder; recorded as {coder!r}.")


@codings.command(name="export")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--coder", help="Only this coder's codings.")
@click.option("--no-redact", is_flag=True, help="Do not redact memos (asks first).")
@click.option("--yes", is_flag=True, help="Answer yes to the --no-redact question.")
@click.option("--as", "actor", default=default_coder,
              help="Your name for the audit log (default: $THEMECODE_CODER or your login name).")
def codings_export(project: str, file: str, coder: str | None, no_redact: bool, yes: bool,
                   actor: str) -> None:
    """Export live human codings as JSON Lines (memos redacted unless --no-redact).

    \b
    Example:
      themecode codings export study.db codings.jsonl --coder amy
    """
    from themecode.project.codings import export_codings

    if no_redact and not yes:
        click.confirm("Memos will NOT be redacted and may contain personal details. Continue?",
                      abort=True, err=True)
    with open_project(project) as store:
        n = export_codings(store, file, coder=coder, redact=not no_redact,
                           confirmed_unredacted=no_redact, actor=actor)
    click.echo(f"Wrote {n} codings to {file}" + (" (memos not redacted)." if no_redact
                                                  else " (memos redacted)."))
