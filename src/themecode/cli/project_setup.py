"""Commands that create and fill a project: init, import, sample, status, demo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from themecode.cli.common import (
    CODER_HELP,
    default_coder,
    make_console,
    open_project,
    plain,
    progress_bar,
)


def _column_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for name, default, what in reversed([
        ("--id-col", "id", "commentary id"), ("--text-col", "text", "commentary text"),
        ("--case-col", "case_id", "case id"), ("--stage-col", "stage", "ASPIRE stage"),
    ]):
        f = click.option(name, default=default, show_default=True,
                         help=f"Column holding the {what}.")(f)
    return f


@click.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--corpus", "corpus", type=click.Path(dir_okay=False),
              help="CSV (UTF-8 or Windows-1252), XLSX or JSONL file of commentaries.")
@click.option("--from", "from_qdpx", type=click.Path(dir_okay=False),
              help="Instead of --corpus: a REFI-QDA .qdpx project (its own codebook, sources, "
                   "cases, codings and memos).")
@_column_options
@click.option("--codebook", type=click.Path(exists=True, dir_okay=False),
              help="Codebook YAML (default: the bundled public-protection codebook).")
@click.option("--coder", default=default_coder, help=CODER_HELP)
def init(project: str, corpus: str | None, from_qdpx: str | None, id_col: str, text_col: str,
         case_col: str, stage_col: str, codebook: str | None, coder: str) -> None:
    """Create a project file from a corpus and a codebook, or from a REFI-QDA .qdpx alone.

    Every column other than id, text, case and stage becomes metadata (pdu, rosh, ...).

    \b
    Examples:
      themecode init study.db --corpus commentaries.csv --codebook codebooks/public-protection.yaml
      themecode init study.db --from study.qdpx
    """
    from themecode.project.create import init_project

    if (corpus is None) == (from_qdpx is None):
        raise click.UsageError("give either --corpus or --from (a .qdpx), not both or neither.")
    if from_qdpx is not None:
        if codebook:
            raise click.UsageError("--from brings its own codebook; leave out --codebook.")
        from themecode.project.create import init_from_qdpx

        res = init_from_qdpx(project, from_qdpx, coder=coder)
        click.echo(f"Created {project} from {from_qdpx}: {res.codes_added} themes and codes, "
                   f"{res.documents_added} commentaries, {res.codings_added} codings, "
                   f"{res.memos_added} memos.")
        for w in res.warnings:
            click.secho(f"warning: {w}", fg="yellow", err=True)
        return
    with progress_bar("Splitting sentences") as progress:
        res = init_project(project, corpus, codebook=codebook, coder=coder, progress=progress,
                           id_col=id_col, text_col=text_col, case_col=case_col,
                           stage_col=stage_col)
    click.echo(f"Created {project}: {res.documents} commentaries in {res.cases} cases, "
               f"{res.sentences} sentences ({res.encoding}, {res.seconds:.1f} s).")
    click.echo(f"Next: themecode sample {project} --fraction 0.25 --seed 2025")


@click.command(name="import")
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
    from themecode.corpus.importer import import_corpus

    with open_project(project) as store, progress_bar("Splitting sentences") as progress:
        res = import_corpus(store, file, id_col=id_col, text_col=text_col, case_col=case_col,
                            stage_col=stage_col, update=update, coder=coder, progress=progress)
    click.echo(f"Imported {res.documents} new and updated {res.updated} commentaries "
               f"({res.cases} new cases, {res.sentences} sentences) in {res.seconds:.1f} s.")


@click.command()
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
    from themecode.sample.draw import draw_sample, extend_sample

    with open_project(project) as store:
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


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def status(project: str, as_json: bool) -> None:
    """Show documents, cases, the sample and each coder's progress.

    \b
    Example:
      themecode status study.db --json
    """
    from rich.table import Table

    with open_project(project) as store:
        info = project_status(store)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    console = make_console()
    console.print(f"[bold]{plain(project)}[/]: {info['documents']} commentaries in {info['cases']} cases, "
                  f"{info['codes']} codes; sample: {info['sample']['cases']} cases / "
                  f"{info['sample']['documents']} commentaries")
    table = Table("coder", "cases done", "commentaries done", "codings")
    for coder, c in info["coders"].items():
        table.add_row(plain(coder), f"{c['cases_done']} / {info['sample']['cases']}",
                      f"{c['documents_done']} / {info['sample']['documents']}", str(c["codings"]))
    if info["coders"]:
        console.print(table)
    else:
        console.print("Nobody has coded yet.")


@click.command()
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
    from themecode.project.demo import build_demo

    db = Path(directory) / "demo.db"
    if not db.exists():
        with progress_bar("Building the demo project") as progress:
            build_demo(directory, progress=progress)
        click.echo(f"Built {db}.")
    else:
        click.echo(f"Using {db}.")
    if not no_tui:
        from themecode.tui.app import run

        run(db, coder, backup=True)  # the backup runs after the first paint
