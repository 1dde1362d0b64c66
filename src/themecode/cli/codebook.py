"""The `codebook` command group: validate codebook files and change a project's codebook."""

from __future__ import annotations

import json
from pathlib import Path

import click

from themecode.cli.common import (
    CODER_HELP,
    ProjectFirstGroup,
    default_coder,
    make_console,
    open_project,
    plain,
)


@click.group(cls=ProjectFirstGroup)
def codebook() -> None:
    """Validate codebook files and change a project's codebook.

    \b
    Examples:
      themecode codebook validate codebooks/public-protection.yaml
      themecode codebook study.db show
      themecode codebook study.db add "ICT problems" --theme cross_cutting --definition "..."
      themecode codebook study.db merge ict_problems system_problems
    """


@codebook.command()
@click.argument("file", type=click.Path(dir_okay=False))
def validate(file: str) -> None:
    """Check a codebook YAML file and report every problem with its line number.

    \b
    Example:
      themecode codebook validate codebooks/public-protection.yaml
    """
    from themecode.codebook import load_codebook

    cb = load_codebook(file)
    click.echo(f"{file}: valid — {len(cb.themes)} themes, {len(cb.all_codes())} codes.")


@codebook.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--retired", is_flag=True, help="Include retired codes.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(project: str, retired: bool, as_json: bool) -> None:
    """List themes and codes with how often each is applied.

    \b
    Example:
      themecode codebook study.db show
    """
    from rich.table import Table

    with open_project(project) as store:
        codes = store.codes(include_retired=retired)
        counts = dict(store.conn.execute(
            "SELECT code_id, count(*) FROM codings WHERE deleted = 0 GROUP BY code_id"
        ).fetchall())
    if as_json:
        click.echo(json.dumps([{"id": c.id, "label": c.label, "kind": c.kind, "parent": c.parent,
                                "origin": c.origin, "retired": c.retired,
                                "codings": counts.get(c.id, 0)} for c in codes], indent=2))
        return
    table = Table("id", "label", "key", "origin", "codings")
    for c in codes:
        if c.kind == "theme":
            table.add_row(f"[bold]{plain(c.id)}[/]", f"[bold]{plain(c.label)}[/]", "", "", "")
        else:
            flag = " (retired)" if c.retired else ""
            table.add_row("  " + plain(c.id), plain(c.label + flag), plain(c.shortcut or ""),
                          plain(c.origin),
                          str(counts.get(c.id, 0)))
    make_console().print(table)


@codebook.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("label")
@click.option("--id", "code_id", help="Code id (default: made from the label).")
@click.option("--theme", "parent", help="Theme (or parent code) id.")
@click.option("--definition", default="", help="What the code means.")
@click.option("--include", "inclusion", default="", help="When to apply it.")
@click.option("--exclude", "exclusion", default="", help="When not to apply it.")
@click.option("--example", default="", help="An example extract.")
@click.option("--shortcut", help="One-key shortcut in the coding UI.")
@click.option("--deductive", is_flag=True, help="Record as deductive (default: inductive).")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def add(project: str, label: str, code_id: str | None, parent: str | None, definition: str,
        inclusion: str, exclusion: str, example: str, shortcut: str | None, deductive: bool,
        coder: str) -> None:
    """Add a code to the project's codebook.

    \b
    Example:
      themecode codebook study.db add "Interpreter needs" --theme implementation \\
          --definition "Whether language needs were met with an interpreter."
    """
    from themecode.codebook import create_code

    with open_project(project) as store:
        code = create_code(store, code_id, label, coder=coder, definition=definition,
                           parent=parent, inclusion=inclusion, exclusion=exclusion,
                           example=example, shortcut=shortcut,
                           origin="deductive" if deductive else "inductive")
    click.echo(f"Added {code.origin} code {code.id!r} ({code.label}).")


@codebook.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("code_id")
@click.argument("label")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def rename(project: str, code_id: str, label: str, coder: str) -> None:
    """Give a code a new label (its id and codings stay).

    \b
    Example:
      themecode codebook study.db rename workload "Workload and caseload pressure"
    """
    from themecode.codebook import rename_code

    with open_project(project) as store:
        code = rename_code(store, code_id, label, coder)
    click.echo(f"Renamed {code.id!r} to {code.label!r}.")


@codebook.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("source")
@click.argument("target")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def merge(project: str, source: str, target: str, coder: str) -> None:
    """Move every coding of SOURCE to TARGET and retire SOURCE.

    \b
    Example:
      themecode codebook study.db merge ict_problems system_problems
    """
    from themecode.codebook import merge_codes

    with open_project(project) as store:
        n = merge_codes(store, source, target, coder)
    click.echo(f"Merged {source!r} into {target!r}: {n} coding(s) moved; {source!r} retired.")


@codebook.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("code_id")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def retire(project: str, code_id: str, coder: str) -> None:
    """Retire a code: kept with its codings, no longer offered or applied.

    \b
    Example:
      themecode codebook study.db retire home_visits
    """
    from themecode.codebook import retire_code

    with open_project(project) as store:
        retire_code(store, code_id, coder)
    click.echo(f"Retired {code_id!r}.")


@codebook.command(name="export")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
@click.option("--retired", is_flag=True, help="Include retired codes.")
def codebook_export(project: str, out: str | None, retired: bool) -> None:
    """Write the project's codebook (with inductive codes) as YAML.

    \b
    Example:
      themecode codebook study.db export --out codebook-now.yaml
    """
    from themecode.codebook import export_yaml
    from themecode.store.outputs import check_target, project_files, write_output

    if out:
        check_target(out, project_files(project))
    with open_project(project) as store:
        text = export_yaml(store, include_retired=retired)
    if out:
        write_output(out, text, protect=project_files(project))
        click.echo(f"Wrote {out}.")
    else:
        click.echo(text, nl=False)


@codebook.command(name="import")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--coder", default=default_coder, help=CODER_HELP)
def codebook_import(project: str, file: str, coder: str) -> None:
    """Add the themes and codes of a REFI-QDA .qdc (or themecode YAML) codebook.

    \b
    Example:
      themecode codebook study.db import from-nvivo.qdc
    """
    if Path(file).suffix.lower() in (".yaml", ".yml"):
        from themecode.codebook import install_codebook, load_codebook

        with open_project(project) as store:
            install_codebook(store, load_codebook(file), coder)
        click.echo(f"Installed {file}.")
        return
    from themecode.refi.importer import import_qdc

    with open_project(project) as store:
        res = import_qdc(store, file, coder=coder)
    click.echo(f"{res.codes_added} themes/codes added, {res.codes_matched} already there.")
    for w in res.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
