"""The `themecode` command: a thin shell that parses arguments, calls one domain function, prints.

Every `ThemecodeError` becomes a clean message on stderr and a non-zero exit code; nothing else
is caught, so real bugs still show their traceback.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from themecode.errors import ThemecodeError

CODER_HELP = "Your name as a coder (default: $THEMECODE_CODER or your login name)."


def default_coder() -> str:
    """The coder name used when --coder is not given."""
    return os.environ.get("THEMECODE_CODER") or getpass.getuser()


class ThemecodeGroup(click.Group):
    """A click group that turns ThemecodeError into a message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ThemecodeError as err:
            click.secho(f"error: {err}", fg="red", err=True)
            ctx.exit(err.exit_code)


class ProjectFirstGroup(ThemecodeGroup):
    """Accepts both `codebook show study.db` and `codebook study.db show`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) >= 2 and args[0] not in self.commands and args[1] in self.commands:
            args = [args[1], args[0], *args[2:]]
        return super().parse_args(ctx, args)


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr; yields a `progress(done, total)` callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=_console(stderr=True), transient=False,
    ) as prog:
        task = prog.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            prog.update(task, completed=done, total=total)

        yield update


def _open(path: str) -> Any:
    from themecode.store import Store

    return Store.open(path)


@click.group(cls=ThemecodeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="themecode")
def main() -> None:
    """themecode: keyboard-first thematic coding of probation inspectors' case commentaries.

    \b
    Quick start:
      themecode demo                      # build the demo project and open the coding UI
      themecode init study.db --corpus commentaries.csv
      themecode sample study.db --fraction 0.25 --seed 2025
      themecode code study.db --coder amy
    """


# ---------------------------------------------------------------------- project set-up


def _column_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for name, default, what in reversed([
        ("--id-col", "id", "commentary id"), ("--text-col", "text", "commentary text"),
        ("--case-col", "case_id", "case id"), ("--stage-col", "stage", "ASPIRE stage"),
    ]):
        f = click.option(name, default=default, show_default=True,
                         help=f"Column holding the {what}.")(f)
    return f


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--corpus", "corpus", required=True, type=click.Path(dir_okay=False),
              help="CSV (UTF-8 or Windows-1252), XLSX or JSONL file of commentaries.")
@_column_options
@click.option("--codebook", type=click.Path(exists=True, dir_okay=False),
              help="Codebook YAML (default: the bundled public-protection codebook).")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def init(project: str, corpus: str, id_col: str, text_col: str, case_col: str, stage_col: str,
         codebook: str | None, coder: str) -> None:
    """Create a project file from a corpus and a codebook.

    Every column other than id, text, case and stage becomes metadata (pdu, rosh, ...).

    \b
    Example:
      themecode init study.db --corpus commentaries.csv --codebook codebooks/public-protection.yaml
    """
    from themecode.project import init_project

    with progress_bar("Splitting sentences") as progress:
        res = init_project(project, corpus, codebook=codebook, coder=coder, progress=progress,
                           id_col=id_col, text_col=text_col, case_col=case_col,
                           stage_col=stage_col)
    click.echo(f"Created {project}: {res.documents} commentaries in {res.cases} cases, "
               f"{res.sentences} sentences ({res.encoding}, {res.seconds:.1f} s).")
    click.echo(f"Next: themecode sample {project} --fraction 0.25 --seed 2025")


@main.command(name="import")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@_column_options
@click.option("--update", is_flag=True,
              help="Refresh documents whose id already exists (text only if not yet coded).")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def import_(project: str, file: str, id_col: str, text_col: str, case_col: str, stage_col: str,
            update: bool, coder: str) -> None:
    """Add more commentaries to a project (all or nothing).

    \b
    Example:
      themecode import study.db more-commentaries.xlsx
    """
    from themecode.corpus import import_corpus

    with _open(project) as store, progress_bar("Splitting sentences") as progress:
        res = import_corpus(store, file, id_col=id_col, text_col=text_col, case_col=case_col,
                            stage_col=stage_col, update=update, coder=coder, progress=progress)
    click.echo(f"Imported {res.documents} new and updated {res.updated} commentaries "
               f"({res.cases} new cases, {res.sentences} sentences) in {res.seconds:.1f} s.")


@main.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--fraction", type=float, default=0.25, show_default=True,
              help="Share of cases to draw.")
@click.option("--seed", type=int, default=2025, show_default=True, help="Random seed.")
@click.option("--stratify", metavar="COL", help="Draw proportionally within each value of COL.")
@click.option("--extend", type=int, metavar="N", help="Add N more cases as a new round.")
@click.option("--replace", is_flag=True, help="Replace the sample (only while nothing is coded).")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def sample(project: str, fraction: float, seed: int, stratify: str | None, extend: int | None,
           replace: bool, coder: str) -> None:
    """Draw a reproducible random sample of cases (the coding order), or extend it.

    \b
    Examples:
      themecode sample study.db --fraction 0.25 --seed 2025
      themecode sample study.db --fraction 0.25 --seed 2025 --stratify rosh
      themecode sample study.db --extend 50
    """
    from themecode.sampling import draw_sample, extend_sample

    with _open(project) as store:
        if extend is not None:
            rows = extend_sample(store, extend, coder=coder)
            click.echo(f"Sample extended to {len(rows)} cases (round {rows[-1].round}).")
        else:
            rows = draw_sample(store, fraction, seed, stratify=stratify, replace=replace,
                               coder=coder)
            n_cases = store.counts()["cases"]
            click.echo(f"Sampled {len(rows)} of {n_cases} cases (seed {seed}"
                       + (f", stratified by {stratify}" if stratify else "") + ").")


def project_status(store: Any) -> dict[str, Any]:
    """Counts for `themecode status`: corpus, sample and each coder's progress on the sample."""
    counts = store.counts()
    sample_cases = counts["samples"]
    sample_docs = store.conn.execute(
        "SELECT count(*) FROM documents d JOIN samples s ON s.case_id = d.case_id"
    ).fetchone()[0]
    coders: dict[str, dict[str, int]] = {}
    for coder, n in store.conn.execute(
        "SELECT coder, count(*) FROM codings WHERE deleted = 0 GROUP BY coder ORDER BY coder"
    ):
        coders.setdefault(coder, {})["codings"] = n
    for coder, unit_type, n in store.conn.execute(
        "SELECT p.coder, p.unit_type, count(*) FROM progress p WHERE p.status = 'done' AND "
        "((p.unit_type = 'case' AND p.unit_id IN (SELECT case_id FROM samples)) OR "
        "(p.unit_type = 'document' AND p.unit_id IN (SELECT d.id FROM documents d "
        "JOIN samples s ON s.case_id = d.case_id))) GROUP BY p.coder, p.unit_type"
    ):
        coders.setdefault(coder, {})[f"{unit_type}s_done"] = n
    for c in coders.values():
        c.setdefault("codings", 0)
        c.setdefault("cases_done", 0)
        c.setdefault("documents_done", 0)
    return {
        "documents": counts["documents"], "cases": counts["cases"],
        "sentences": counts["sentences"], "codes": counts["codes"],
        "sample": {"cases": sample_cases, "documents": sample_docs},
        "coders": coders,
    }


@main.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def status(project: str, as_json: bool) -> None:
    """Show documents, cases, the sample and each coder's progress.

    \b
    Example:
      themecode status study.db --json
    """
    from rich.table import Table

    with _open(project) as store:
        info = project_status(store)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    console = _console()
    console.print(f"[bold]{project}[/]: {info['documents']} commentaries in {info['cases']} cases, "
                  f"{info['codes']} codes; sample: {info['sample']['cases']} cases / "
                  f"{info['sample']['documents']} commentaries")
    table = Table("coder", "cases done", "commentaries done", "codings")
    for coder, c in info["coders"].items():
        table.add_row(coder, f"{c['cases_done']} / {info['sample']['cases']}",
                      f"{c['documents_done']} / {info['sample']['documents']}", str(c["codings"]))
    if info["coders"]:
        console.print(table)
    else:
        console.print("Nobody has coded yet.")


# ---------------------------------------------------------------------- codebook


@main.group(cls=ProjectFirstGroup)
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

    with _open(project) as store:
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
            table.add_row(f"[bold]{c.id}[/]", f"[bold]{c.label}[/]", "", "", "")
        else:
            flag = " (retired)" if c.retired else ""
            table.add_row("  " + c.id, c.label + flag, c.shortcut or "", c.origin,
                          str(counts.get(c.id, 0)))
    _console().print(table)


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

    with _open(project) as store:
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

    with _open(project) as store:
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

    with _open(project) as store:
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

    with _open(project) as store:
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

    with _open(project) as store:
        text = export_yaml(store, include_retired=retired)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}.")
    else:
        click.echo(text, nl=False)


# ---------------------------------------------------------------------- codings exchange


@main.group(cls=ProjectFirstGroup)
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
    from themecode.codings_io import import_codings

    with _open(project) as store:
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
def codings_export(project: str, file: str, coder: str | None) -> None:
    """Export live human codings as JSON Lines.

    \b
    Example:
      themecode codings export study.db codings.jsonl --coder amy
    """
    from themecode.codings_io import export_codings

    with _open(project) as store:
        n = export_codings(store, file, coder=coder)
    click.echo(f"Wrote {n} codings to {file}.")


# ---------------------------------------------------------------------- saturation


def _saturation_table(results: dict[str, Any]) -> Any:
    """A rich table of the headline saturation figures, one column per level (code, theme)."""
    from rich.table import Table

    table = Table("figure", *[f"{lvl} level" for lvl in results], title="Saturation")
    columns = [r.summary_rows() for r in results.values()]
    for i, (name, _) in enumerate(columns[0]):
        table.add_row(name, *[col[i][1] if i < len(col) else "" for col in columns])
    return table


@main.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--coder", help="One coder's saturation (default: the team pooled, then each coder).")
@click.option("--unit", type=click.Choice(["case", "commentary"]), default="case",
              show_default=True, help="Unit of analysis.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@click.option("--plot", type=click.Path(dir_okay=False),
              help="Write the discovery-curve plot (.svg or .png).")
@click.option("--base", "guest_base", type=int, default=4, show_default=True,
              help="Guest et al. base size.")
@click.option("--run", "guest_run", type=int, default=2, show_default=True,
              help="Guest et al. run length.")
@click.option("--threshold", "guest_threshold", type=float, default=0.05, show_default=True,
              help="Guest et al. new-information threshold.")
@click.option("--initial", "francis_initial", type=int, default=10, show_default=True,
              help="Francis et al. initial sample.")
@click.option("--stop", "francis_run", type=int, default=3, show_default=True,
              help="Francis et al. consecutive units with nothing new.")
def saturation(project: str, coder: str | None, unit: str, as_json: bool, plot: str | None,
               guest_base: int, guest_run: int, guest_threshold: float, francis_initial: int,
               francis_run: int) -> None:
    """How close the coded sample is to code saturation, with a verdict.

    Figures are about code saturation relative to this codebook, these coders and this
    sample; docs/saturation.md explains each one and every JSON key.

    \b
    Examples:
      themecode saturation study.db
      themecode saturation study.db --coder amy --json
      themecode saturation study.db --plot saturation.svg
    """
    from themecode.saturation import SaturationConfig
    from themecode.saturation_data import analyse_by_coder, analyse_project

    config = SaturationConfig(unit=unit, guest_base=guest_base, guest_run=guest_run,  # type: ignore[arg-type]
                              guest_threshold=guest_threshold, francis_initial=francis_initial,
                              francis_run=francis_run)
    with _open(project) as store:
        if coder:
            pooled, per_coder = analyse_project(store, config, coder=coder, project=project), {}
        else:
            pooled, per_coder = analyse_by_coder(store, config, project=project)
    main_result = pooled["code"]
    if plot:
        from themecode.saturation_plot import plot_curves

        fmt = "png" if plot.lower().endswith(".png") else "svg"
        Path(plot).write_bytes(plot_curves(main_result, format=fmt))  # type: ignore[arg-type]
    if as_json:
        out: dict[str, Any] = {"project": project, "coder": coder,
                               "pooled" if not coder else "coder_result":
                               {lvl: r.to_dict() for lvl, r in pooled.items()}}
        if not coder:
            out["coders"] = {who: {lvl: r.to_dict() for lvl, r in res.items()}
                             for who, res in per_coder.items()}
        click.echo(json.dumps(out, indent=2))
        return
    console = _console()
    who = f"coder {coder}" if coder else "team (pooled)"
    console.print(f"[bold]{who}:[/] {main_result.verdict}")
    console.print(_saturation_table(pooled))
    from rich.table import Table

    header, rows = main_result.sensitivity_table()
    grid = Table(*header, title="Guest et al. sensitivity grid (code level)")
    for row in rows:
        grid.add_row(*row)
    console.print(grid)
    for who_name, res in per_coder.items():
        console.print(f"[bold]{who_name}:[/] {res['code'].verdict}")
    for line in main_result.guard_rails():
        console.print(f"[dim]• {line}[/]")
    if plot:
        console.print(f"Plot written to {plot}.")


# ---------------------------------------------------------------------- the coding UI


@main.command()
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

    _backup_before_coding(project)
    run(Path(project), coder, show_others=show_others,
        config_path=Path(keys) if keys else None)


def _backup_before_coding(project: str | Path) -> None:
    """Take the automatic backup that every coding session starts with (rotated, mode 0600)."""
    from themecode.backup import backup_project

    copy = backup_project(project)
    click.echo(f"Backed up to {copy}", err=True)


@main.command()
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
    _backup_before_coding(project)
    run_review(project, names, unit, consensus=consensus)


@main.command()
@click.option("--dir", "directory", default="demo", show_default=True,
              type=click.Path(file_okay=False), help="Folder for demo.db.")
@click.option("--no-tui", is_flag=True, help="Only build the demo project.")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def demo(directory: str, no_tui: bool, coder: str) -> None:
    """Build the demo project (1,748 synthetic cases, 25% sample) and open the coding UI.

    \b
    Example:
      themecode demo --dir ~/themecode-demo
    """
    from themecode.demo import build_demo

    db = Path(directory) / "demo.db"
    if not db.exists():
        with progress_bar("Building the demo project") as progress:
            build_demo(directory, progress=progress)
        click.echo(f"Built {db}.")
    else:
        click.echo(f"Using {db}.")
    if not no_tui:
        from themecode.tui.app import run

        _backup_before_coding(db)
        run(db, coder)


# ---- exports, report, agreement, REFI-QDA commands (export engineer) ----
AS_HELP = "Your name for the audit log (default: $THEMECODE_CODER or your login name)."
EXPORT_FORMATS = ("md", "csv", "xlsx", "docx", "html", "json", "presence")


def _confirm_unredacted(no_redact: bool, yes: bool) -> bool:
    """Ask before writing personal details; --yes answers for scripts."""
    if no_redact and not yes:
        click.confirm("The export will NOT be redacted and will contain personal details. "
                      "Continue?", abort=True, err=True)
    return no_redact


@main.command(name="export")
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
@click.option("--no-redact", is_flag=True, help="Do not redact personal details (asks first).")
@click.option("--yes", is_flag=True, help="Answer yes to the --no-redact question.")
@click.option("--as", "actor", default=default_coder, help=AS_HELP)
def export_cmd(project: str, fmt: str, out: str, codes: tuple[str, ...], themes: tuple[str, ...],
               where: tuple[str, ...], coder: str | None, include_machine: bool, context: int,
               meta_cols: tuple[str, ...], no_redact: bool, yes: bool, actor: str) -> None:
    """Export themed extracts with prevalence, redacted unless --no-redact.

    \b
    Examples:
      themecode export study.db --format docx --out chapter.docx
      themecode export study.db --format csv --out extracts.csv --theme planning --where pdu=Gwent
      themecode export study.db --format presence --out presence.xlsx
    """
    from themecode.errors import ExportError
    from themecode.export import ExportOptions, export_extracts

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
    with _open(project) as store:
        res = export_extracts(store, fmt, out, options, actor=actor, redact=not unredacted,
                              confirmed_unredacted=unredacted)
    files = ", ".join(str(p) for p in res.paths)
    click.echo(f"Wrote {files}: {res.n_extracts} extracts of {res.n_codes} codes.")
    if res.side_report:
        click.echo(f"Redacted {res.n_redactions} personal details; check {res.side_report} "
                   "(it holds the originals: do not share it).")
    else:
        click.secho("Not redacted: the export contains personal details.", fg="yellow", err=True)


@main.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--coders", help="Coders to compare for agreement, comma-separated (default: all).")
@click.option("--as", "actor", default=default_coder, help=AS_HELP)
def report(project: str, out: str, coders: str | None, actor: str) -> None:
    """Write the lead's one-file HTML report (progress, saturation, prevalence, agreement).

    \b
    Example:
      themecode report study.db --out report.html
    """
    from themecode.report import write_report

    who = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
    with _open(project) as store:
        path = write_report(store, out, actor=actor, coders=who)
    click.echo(f"Wrote {path}.")


@main.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--coders", required=True, help="Two or more coders, comma-separated.")
@click.option("--unit", type=click.Choice(["case", "commentary", "sentence"]),
              default="commentary", show_default=True, help="Unit of comparison.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the disagreement list).")
def agreement(project: str, coders: str, unit: str, as_json: bool) -> None:
    """Percent agreement, Cohen's kappa and Krippendorff's alpha per code and overall.

    \b
    Example:
      themecode agreement study.db --coders amy,ben --unit case
    """
    from rich.table import Table

    from themecode.agreement import TABLE_COLUMNS, table_rows
    from themecode.agreement_data import agreement_from_store

    who = [c.strip() for c in coders.split(",") if c.strip()]
    with _open(project) as store:
        res = agreement_from_store(store, who, unit)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(res.to_dict(), indent=1, ensure_ascii=False))
        return
    table = Table(*TABLE_COLUMNS, title=f"{', '.join(who)}: {res.n_units} {unit} units")
    for row in table_rows(res):
        table.add_row(*(row[c] for c in TABLE_COLUMNS))
    _console().print(table)
    click.echo(f"{len(res.disagreements)} disagreements (list them with --json).")


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

        with _open(project) as store:
            install_codebook(store, load_codebook(file), coder)
        click.echo(f"Installed {file}.")
        return
    from themecode.refi_import import import_qdc

    with _open(project) as store:
        res = import_qdc(store, file, coder=coder)
    click.echo(f"{res.codes_added} themes/codes added, {res.codes_matched} already there.")
    for w in res.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)


@main.group(cls=ProjectFirstGroup)
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
@click.option("--no-redact", is_flag=True, help="Do not redact personal details (asks first).")
@click.option("--yes", is_flag=True, help="Answer yes to the --no-redact question.")
@click.option("--as", "actor", default=default_coder, help=AS_HELP)
def refi_export(project: str, out: str, sample_only: bool, no_redact: bool, yes: bool,
                actor: str) -> None:
    """Write a REFI-QDA project (.qdpx) or codebook (.qdc), validated against the schemas.

    \b
    Example:
      themecode refi export study.db --out study.qdpx
    """
    from themecode.errors import ExportError
    from themecode.refi import export_qdc, export_qdpx

    suffix = Path(out).suffix.lower()
    if suffix not in (".qdpx", ".qdc"):
        raise ExportError(f"{out}: use a .qdpx or .qdc file name.")
    with _open(project) as store:
        if suffix == ".qdc":
            export_qdc(store, out, actor=actor)
            click.echo(f"Wrote {out}.")
            return
        unredacted = _confirm_unredacted(no_redact, yes)
        res = export_qdpx(store, out, actor=actor, redact=not unredacted,
                          confirmed_unredacted=unredacted, sample_only=sample_only)
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
    from themecode.refi_import import import_qdc, import_qdpx

    with _open(project) as store:
        if Path(file).suffix.lower() == ".qdc":
            res = import_qdc(store, file, coder=coder)
        else:
            res = import_qdpx(store, file, coder=coder, create_documents=not no_create)
    click.echo(f"{res.codes_added} codes added, {res.documents_added} commentaries added "
               f"({res.documents_matched} matched), {res.codings_added} codings added "
               f"({res.codings_present} already there), {res.memos_added} memos.")
    for w in res.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
# ---- end of exports, report, agreement, REFI-QDA commands ----


# ---- suggestion commands: suggest, evaluate, autocode (suggester engineer) ----
@main.command(name="suggest")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--input", "input_file", required=True, type=click.File("r", encoding="utf-8"),
              help='JSON lines {"id": ..., "text": ...}; "-" reads standard input.')
@click.option("--top", type=click.IntRange(1, 100), default=5, show_default=True,
              help="How many codes to suggest per text.")
def suggest_cmd(project: str, input_file: Any, top: int) -> None:
    """Suggest codes for texts: one JSON line out per line in, best first, scores in [0, 1].

    Uses the project's current model (fitted from its human codings if needed); codes with too
    few coded examples are scored from the codebook and marked "source": "rules".

    \b
    Example:
      echo '{"id": "x1", "text": "No police call-out check was made."}' \\
        | themecode suggest study.db --input - --top 3
    """
    from themecode.suggest import load_suggester, suggest_lines

    with _open(project) as store:
        suggester = load_suggester(store)
        for out in suggest_lines(suggester, input_file, top=top, source=input_file.name):
            click.echo(json.dumps(out))


@main.command(name="evaluate")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the full results as JSON.")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True,
              help="Number of folds (cases are never split between folds).")
@click.option("--no-textcat", is_flag=True,
              help="Skip the spaCy textcat baseline (the slowest part).")
def evaluate_cmd(project: str, as_json: bool, folds: int, no_textcat: bool) -> None:
    """Measure the suggester by grouped cross-validation on the project's human codings.

    Reports per-code precision, recall, F1 and support, micro/macro F1, P@1 and R@3 per
    commentary, a learning curve, the acceptance rate of logged suggestions, and the same
    figures for three baselines (codebook rules, tf-idf similarity, spaCy textcat).

    \b
    Example:
      themecode evaluate study.db --json > evaluation.json
    """
    from themecode.evaluate import METHODS, cross_validate, format_report

    methods = [m for m in METHODS if not (no_textcat and m == "spacy_textcat_bow")]
    with _open(project) as store:
        result = cross_validate(store, folds=folds, methods=methods,
                                progress=lambda msg: click.echo(msg, err=True))
    click.echo(json.dumps(result, indent=2) if as_json else format_report(result))


@main.command(name="autocode")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def autocode_cmd(project: str, as_json: bool) -> None:
    """Machine-code the commentaries nobody has coded and estimate each code's prevalence.

    Machine codes are stored apart from human codes (with the model id) and never used for
    training. Prevalence is per case over the whole corpus, with a 95% interval that allows
    for the classifier's measured error.

    \b
    Example:
      themecode autocode study.db
    """
    from themecode.autocode import autocode, format_prevalence

    with _open(project) as store, progress_bar("machine-coding") as progress:
        result = autocode(store, progress=progress)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else format_prevalence(result))
# ---- end of suggestion commands ----


# ---- team work and safety commands: backup, restore, merge, handout (reliability engineer) ----


@main.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--keep", type=int, help="Backups to keep (default: the project's backup_keep, "
              "else 10); older ones are deleted.")
def backup(project: str, keep: int | None) -> None:
    """Take a consistent backup of a project into backups/ beside it (the coding UI also does
    this each time it opens a project).

    \b
    Example:
      themecode backup study.db --keep 20
    """
    from themecode.backup import backup_project, list_backups

    path = backup_project(project, keep=keep)
    click.echo(f"Backed up {project} to {path} ({len(list_backups(project))} backups kept).")


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("backup_file", metavar="[BACKUP]", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the backups and stop.")
@click.option("--yes", is_flag=True, help="Really replace the project's content.")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def restore(project: str, backup_file: str | None, list_only: bool, yes: bool,
            coder: str) -> None:
    """List a project's backups, or restore one (the newest if BACKUP is not given).

    The current file is first kept as a pre-restore backup, so a restore can be undone.

    \b
    Examples:
      themecode restore study.db --list
      themecode restore study.db study-20261126T101500123456Z.db --yes
    """
    from themecode.backup import describe_backup, list_backups, restore_backup

    if list_only:
        found = list_backups(project)
        if not found:
            click.echo(f"No backups of {project} yet.")
        for b in found:
            counts = describe_backup(b.path)
            click.echo(f"{b.path.name}  {b.taken_at:%Y-%m-%d %H:%M:%S} UTC  "
                       f"{counts['codings']} codings, {counts['memos']} memos, "
                       f"{counts['events']} events" + ("  (pre-restore copy)" if b.safety else ""))
        return
    safety = restore_backup(project, backup_file, yes=yes, coder=coder)
    click.echo(f"Restored {project}; its previous content is kept as {safety}.")


@main.command(name="merge")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("others", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--on-conflict", type=click.Choice(["keep-ours", "keep-theirs", "rename"]),
              default="keep-ours", show_default=True,
              help="How to settle codes two coders made or renamed differently.")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def merge_cmd(project: str, others: tuple[str, ...], on_conflict: str, coder: str) -> None:
    """Bring other coders' copies of the same project (codings, new codes, memos, progress,
    events) into PROJECT. Merging a copy twice changes nothing.

    \b
    Example:
      themecode merge study.db study-amy.db study-ben.db --on-conflict rename
    """
    from themecode.backup import backup_project
    from themecode.teamwork import merge_projects

    backup_project(project)
    with _open(project) as store:
        reports = merge_projects(store, list(others), on_conflict=on_conflict, by=coder)
    for r in reports:
        what = r.handout or r.source
        if not r.changed:
            click.echo(f"{what}: nothing new.")
            continue
        click.echo(f"{what}: {r.codings} codings, {r.codes} code changes, {r.memos} memos, "
                   f"{r.progress} progress marks, {r.events} events brought in"
                   + (f"; {r.codings_updated + r.memos_updated} updated" if
                      r.codings_updated + r.memos_updated else "") + ".")
        for c in r.conflicts:
            click.echo(f"  conflict ({c.kind}): {c.what} → {c.resolution}")


@main.command(name="handout")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--coders", required=True, help="Coder names, comma-separated.")
@click.option("--overlap", type=float, default=0.2, show_default=True,
              help="Share of the sample coded by two coders (for agreement).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, exists=True),
              help="Folder for the per-coder copies.")
@click.option("--seed", type=int, help="Allocation seed (default: the sample's seed).")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def handout_cmd(project: str, coders: str, overlap: float, out_dir: str, seed: int | None,
                coder: str) -> None:
    """Make one copy of the project per coder, holding that coder's share of the sample (blind
    double-coding: --overlap of the cases go to two coders). Bring them back with `merge`.

    \b
    Example:
      themecode handout study.db --coders amy,ben,cal --overlap 0.2 --out handout/
    """
    from themecode.handout import handout

    with _open(project) as store:
        res = handout(store, coders.split(","), out_dir, overlap=overlap, seed=seed, by=coder)
    click.echo(f"Handout {res.handout_id} (seed {res.seed}): {len(res.double)} cases double "
               f"coded.")
    for name, path in res.copies.items():
        click.echo(f"  {name}: {len(res.assignments[name])} cases → {path}")
    click.echo(f"Bring them back with: themecode merge {project} "
               + " ".join(str(p) for p in res.copies.values()))


main.add_command(handout_cmd, name="split")  # the other name for the same command


# ---- end of team work and safety commands ----


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
