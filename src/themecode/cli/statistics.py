"""Statistics commands for report authors: `prevalence`, `tables` (the bulletin's Annex B tables
for a code or theme) and `methods` (the methods paragraph)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from themecode.cli.common import make_console, open_project


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _p(p: float | None) -> str:
    return "–" if p is None else ("<0.001" if p < 0.001 else f"{p:.3f}")


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--themes", "theme_level", is_flag=True, help="Codebook themes instead of codes.")
@click.option("--by", metavar="COLUMN", help="Also by each value of a case metadata column.")
@click.option("--coder", help="One coder's (or the consensus coder's) codings; default: pooled.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def prevalence(project: str, theme_level: bool, by: str | None, coder: str | None, as_json: bool) -> None:
    """Share of coded sampled cases carrying each code (or theme), with 95% intervals corrected
    for sampling a finite population, overall and optionally by a case characteristic.

    \b
    Examples:
      themecode prevalence study.db
      themecode prevalence study.db --themes --by rosh --coder consensus
    """
    from rich.table import Table

    from themecode.sample.estimates import format_share
    from themecode.sample.estimates import prevalence as compute

    with open_project(project) as store:
        tab = compute(store.conn, level="theme" if theme_level else "code", coder=coder, by=by)
    if as_json:
        click.echo(json.dumps(tab.to_dict(), indent=1, ensure_ascii=False))
        return
    title = (f"{tab.level.capitalize()} prevalence in {tab.n_coded} coded sampled cases of "
             f"{tab.n_population}: {tab.scope}")
    table = Table(tab.level, "all coded cases", *[f"{by}: {lv}" for lv in tab.levels], title=title)
    for i in tab.items:
        table.add_row(tab.labels.get(i, i), format_share(tab.overall[i]),
                      *[format_share(tab.by_level[i][lv]) for lv in tab.levels])
    make_console().print(table)
    click.echo(f"95% intervals: {tab.method}.")


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--code", "code", metavar="ID", help="The code to tabulate.")
@click.option("--theme", "theme", metavar="ID", help="The codebook theme to tabulate (any of its codes).")
@click.option("--by", "by", multiple=True, metavar="COLUMN",
              help="A case characteristic (repeatable); default: the bulletin's seven the project has.")
@click.option("--coder", help="One coder's (or the consensus coder's) codings; default: pooled.")
@click.option("--adjust", "adjustment", type=click.Choice(["holm", "bh"]), default="holm",
              show_default=True, help="Multiple-testing adjustment across the table.")
@click.option("--out", type=click.Path(dir_okay=False), help="Also write the table (.csv or .xlsx).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def tables(project: str, code: str | None, theme: str | None, by: tuple[str, ...], coder: str | None,
           adjustment: str, out: str | None, as_json: bool) -> None:
    """N, n and % per level of each case characteristic for a code or theme, with a forced-entry
    logistic regression of its presence on all of them (odds ratios, 95% intervals, p-values
    adjusted across the table).

    \b
    Examples:
      themecode tables study.db --theme planning
      themecode tables study.db --code domestic_abuse_checks --by rosh --by case_type --out da.xlsx
    """
    from rich.table import Table

    from themecode.sample.regression import ADJUSTMENTS
    from themecode.sample.tables import characteristics_table, display_cells, write_table

    with open_project(project) as store:
        tab = characteristics_table(store.conn, code=code, theme=theme, by=list(by) or None,
                                    coder=coder, adjustment=adjustment)
    if out:
        write_table(tab, out)
    if as_json:
        click.echo(json.dumps(tab.to_dict(), indent=1, ensure_ascii=False))
        return
    adj = ADJUSTMENTS[adjustment]
    t = Table("characteristic", "level", "N", "n", "%", "95% interval", "odds ratio (95% CI)",
              "p", f"p ({adj})",
              title=f"{tab.kind} {tab.item} ({tab.label}): {tab.overall.k} of {tab.n_coded} coded "
                    f"sampled cases ({_pct(tab.overall.estimate)}); {tab.scope}")
    for r in tab.flat_rows():
        t.add_row(r["characteristic"], r["level"], str(r["N"]), str(r["n"]), *display_cells(r),
                  _p(r["p"]), _p(r["p_adjusted"]))
    console = make_console()
    console.print(t)
    for test in tab.tests:
        v = "–" if test.cramers_v is None else f"{test.cramers_v:.2f}"
        click.echo(f"χ² {test.characteristic}: "
                   + ("no test" if test.chi2 is None else
                      f"{test.chi2:.2f} (df {test.dof}), p {_p(test.p)}, {adj}-adjusted {_p(test.p_adjusted)}, "
                      f"Cramér's V {v}") + (f" [{test.note}]" if test.note else ""))
    reg = tab.regression
    if reg is not None:
        click.echo(f"Logistic regression (forced entry of {', '.join(tab.by)}): {reg.n_cases} cases, "
                   f"{reg.n_left_out} left out for an unknown value. {reg.note}".rstrip())
    if out:
        click.echo(f"Table written to {Path(out)}.")


@click.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["md", "docx"]), default="md", show_default=True,
              help="Markdown (printed, or written with --out) or Word (needs --out).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--coder", help="Saturation and prevalence of one coder (default: pooled).")
@click.option("--coders", help="Coders compared for agreement, comma-separated (default: all but "
                               "consensus coders).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures the paragraph quotes, as JSON.")
def methods(project: str, fmt: str, out: str | None, coder: str | None, coders: str | None,
            as_json: bool) -> None:
    """The methods paragraph for a report's annex: sampling, coding, stopping rules and where they
    fired, the saturation point, Chao2 and its interval's coverage, agreement with intervals,
    prevalence intervals, autocode, with citations.

    \b
    Examples:
      themecode methods study.db
      themecode methods study.db --format docx --out methods.docx
    """
    from themecode.report.methods import methods as compute
    from themecode.report.methods import write_methods

    if fmt == "docx" and not out:
        raise click.UsageError("--format docx needs --out FILE.docx")
    who = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
    with open_project(project) as store:
        m = compute(store, coder=coder, coders=who)
    if as_json:
        click.echo(json.dumps(m.figures, indent=1, ensure_ascii=False))
        return
    if out:
        click.echo(f"Wrote {write_methods(m, out, fmt)}.")
    else:
        click.echo(m.markdown())
