"""Analysis commands: code `saturation` and inter-coder `agreement`."""

from __future__ import annotations

import json
from typing import Any

import click

from themecode.cli.common import make_console, open_project, plain


def _saturation_table(results: dict[str, Any]) -> Any:
    """A rich table of the headline saturation figures, one column per level (code, theme)."""
    from rich.table import Table

    table = Table("figure", *[f"{lvl} level" for lvl in results], title="Saturation")
    columns = [r.summary_rows() for r in results.values()]
    for i, (name, _) in enumerate(columns[0]):
        table.add_row(plain(name), *[plain(col[i][1]) if i < len(col) else "" for col in columns])
    return table


@click.command()
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
    from themecode.saturation.analysis import SaturationConfig
    from themecode.saturation.data import analyse_by_coder, analyse_project

    config = SaturationConfig(unit=unit, guest_base=guest_base, guest_run=guest_run,  # type: ignore[arg-type]
                              guest_threshold=guest_threshold, francis_initial=francis_initial,
                              francis_run=francis_run)
    if plot:
        from themecode.outputs import check_target, project_files

        check_target(plot, project_files(project))  # before the analysis, which takes a while
    with open_project(project) as store:
        if coder:
            pooled, per_coder = analyse_project(store, config, coder=coder, project=project), {}
        else:
            pooled, per_coder = analyse_by_coder(store, config, project=project)
    main_result = pooled["code"]
    if plot:
        from themecode.saturation.plot import plot_curves

        fmt = "png" if plot.lower().endswith(".png") else "svg"
        from themecode.outputs import project_files, write_output

        write_output(plot, plot_curves(main_result, format=fmt),  # type: ignore[arg-type]
                     protect=project_files(project))
    if as_json:
        out: dict[str, Any] = {"project": project, "coder": coder,
                               "pooled" if not coder else "coder_result":
                               {lvl: r.to_dict() for lvl, r in pooled.items()}}
        if not coder:
            out["coders"] = {who: {lvl: r.to_dict() for lvl, r in res.items()}
                             for who, res in per_coder.items()}
        click.echo(json.dumps(out, indent=2))
        return
    console = make_console()
    who = f"coder {coder}" if coder else "team (pooled)"
    console.print(f"[bold]{plain(who)}:[/] {plain(main_result.verdict)}")
    console.print(_saturation_table(pooled))
    from rich.table import Table

    header, rows = main_result.sensitivity_table()
    grid = Table(*header, title="Guest et al. sensitivity grid (code level)")
    for row in rows:
        grid.add_row(*map(plain, row))
    console.print(grid)
    for who_name, res in per_coder.items():
        console.print(f"[bold]{plain(who_name)}:[/] {plain(res['code'].verdict)}")
    for line in main_result.guard_rails():
        console.print(f"[dim]• {plain(line)}[/]")
    if plot:
        console.print(f"Plot written to {plain(plot)}.")


@click.command()
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

    from themecode.agreement.coefficients import TABLE_COLUMNS, table_rows
    from themecode.agreement.data import agreement_from_store

    who = [c.strip() for c in coders.split(",") if c.strip()]
    with open_project(project) as store:
        res = agreement_from_store(store, who, unit)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(res.to_dict(), indent=1, ensure_ascii=False))
        return
    table = Table(*TABLE_COLUMNS, title=plain(f"{', '.join(who)}: {res.n_units} {unit} units"))
    for row in table_rows(res):
        table.add_row(*(plain(row[c]) for c in TABLE_COLUMNS))
    make_console().print(table)
    click.echo(f"{len(res.disagreements)} disagreements (list them with --json).")
