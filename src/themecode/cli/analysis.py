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
@click.option("--by", "by", metavar="COLUMN",
              help="Saturation within each value of a case metadata column (rosh, case_type, pdu, ...).")
def saturation(project: str, coder: str | None, unit: str, as_json: bool, plot: str | None,
               guest_base: int, guest_run: int, guest_threshold: float, francis_initial: int,
               francis_run: int, by: str | None) -> None:
    """How close the coded sample is to code saturation, with a verdict.

    Figures are about code saturation relative to this codebook, these coders and this
    sample; docs/saturation.md explains each one and every JSON key.

    \b
    Examples:
      themecode saturation study.db
      themecode saturation study.db --coder amy --json
      themecode saturation study.db --plot saturation.svg
      themecode saturation study.db --by rosh
    """
    from themecode.saturation.analysis import SaturationConfig
    from themecode.saturation.data import analyse_by_coder, analyse_project

    config = SaturationConfig(unit=unit, guest_base=guest_base, guest_run=guest_run,  # type: ignore[arg-type]
                              guest_threshold=guest_threshold, francis_initial=francis_initial,
                              francis_run=francis_run)
    if plot:
        from themecode.store.outputs import check_target, project_files

        check_target(plot, project_files(project))  # before the analysis, which takes a while
    if by:
        _saturation_by(project, by, config, coder, as_json)
        return
    with open_project(project) as store:
        if coder:
            pooled, per_coder = analyse_project(store, config, coder=coder, project=project), {}
        else:
            pooled, per_coder = analyse_by_coder(store, config, project=project)
    main_result = pooled["code"]
    if plot:
        from themecode.saturation.plot import plot_curves

        fmt = "png" if plot.lower().endswith(".png") else "svg"
        from themecode.store.outputs import project_files, write_output

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
    rails = main_result.guard_rails()
    theme = pooled.get("theme")
    extra = [line for line in (theme.guard_rails() if theme else []) if line.startswith("Theme level")]
    for line in [*rails, *extra]:
        console.print(f"[dim]• {plain(line)}[/]")
    if plot:
        console.print(f"Plot written to {plain(plot)}.")


def _saturation_by(project: str, by: str, config: Any, coder: str | None, as_json: bool) -> None:
    """`saturation --by COLUMN`: one row per stratum, small strata flagged."""
    from rich.table import Table

    from themecode.saturation.subgroups import analyse_subgroups

    with open_project(project) as store:
        strata = analyse_subgroups(store, by, config, coder=coder)
    if as_json:
        click.echo(json.dumps({"project": project, "coder": coder, "by": by,
                               "strata": [s.to_dict(config) for s in strata]}, indent=2))
        return
    unit = config.unit
    table = Table(by, f"{unit}s coded", "status", "saturation point (themecode's rule)",
                  "Chao2 unseen (interval)", "checks", "note",
                  title=f"Code saturation, relative to this codebook, by {by} "
                        f"({'coder ' + coder if coder else 'pooled codings'})")
    for s in strata:
        r = s.levels["code"]
        ch = r.chao2
        table.add_row(s.value, str(s.n_units), r.status.replace("_", " "),
                      f"{unit} {r.saturated_at}" if r.saturated_at else "not reached",
                      f"{ch.f0:.1f} ({ch.ci_low - ch.s_obs}–{ch.ci_high - ch.s_obs})",
                      " ".join(f"{k}{'✓' if v else '✗'}" for k, v in r.checks.items()),
                      s.note(config))
    console = make_console()
    console.print(table)
    for s in strata:  # what the tool can do for each stratum (it extends the whole sample)
        if s.levels["code"].advice:
            advice = plain(s.levels["code"].advice)
            console.print(f"[dim]• {plain(by)} = {plain(s.value)}: {advice}[/]")


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--coders", required=True, help="Two or more coders, comma-separated.")
@click.option("--unit", type=click.Choice(["case", "commentary", "sentence"]),
              default="commentary", show_default=True, help="Unit of comparison.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the disagreement list).")
@click.option("--uncoded", type=click.Choice(["drop", "count"]), default="drop", show_default=True,
              help="For a coder without done-marks: drop units where they applied no code, or "
                   "count every unit of a case they coded as coded.")
@click.option("--bootstrap", type=int, default=1000, show_default=True,
              help="Resamples of units for the 95% intervals (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
def agreement(project: str, coders: str, unit: str, as_json: bool, uncoded: str,
              bootstrap: int, seed: int) -> None:
    """Agreement per code and overall: percent agreement, Cohen's kappa (two coders), Fleiss'
    kappa, Gwet's AC1, Krippendorff's alpha and positive/negative specific agreement, with
    bootstrap 95% intervals; says which units dropped out of the comparison.

    \b
    Examples:
      themecode agreement study.db --coders amy,ben --unit case
      themecode agreement study.db --coders amy,ben,cal --uncoded count --bootstrap 2000
    """
    from rich.table import Table

    from themecode.agreement.data import agreement_from_store
    from themecode.agreement.table import (
        LEGEND,
        SHORT_TITLES,
        TABLE_COLUMNS,
        left_out_line,
        table_rows,
    )

    who = [c.strip() for c in coders.split(",") if c.strip()]
    with open_project(project) as store:
        res = agreement_from_store(store, who, unit, uncoded=uncoded,  # type: ignore[arg-type]
                                   bootstrap=bootstrap, seed=seed)
    if as_json:
        click.echo(json.dumps(res.to_dict(), indent=1, ensure_ascii=False))
        return
    title = (f"{', '.join(who)}: {res.n_units} {unit} units coded by all"
             + (f"; 95% intervals from {res.bootstrap} bootstrap resamples of units" if res.bootstrap else ""))
    cols = [c for c in TABLE_COLUMNS if c not in ("all", "none")]
    table = Table(*(SHORT_TITLES[c] for c in cols), title=plain(title))
    for row in table_rows(res):
        table.add_row(*(plain(row[c]) for c in cols))
    make_console().print(table)
    click.echo(LEGEND)
    note = left_out_line(res)
    if note:
        click.echo(note)
    click.echo(f"{len(res.disagreements)} disagreements (list them with --json).")
