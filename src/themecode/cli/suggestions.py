"""Machine-suggestion commands: `suggest`, `evaluate` and `autocode`."""

from __future__ import annotations

import json
from typing import Any

import click

from themecode.cli.common import open_project, progress_bar


@click.command(name="suggest")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--input", "input_file", required=True, type=click.File("r", encoding="utf-8"),
              help='JSON lines {"id": ..., "text": ...} with an optional "stage" '
                   '(e.g. "assessment": orders a commentary as the coding screen does); '
                   '"-" reads standard input.')
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
    from themecode.suggest.suggester import load_suggester, suggest_lines

    with open_project(project) as store:
        suggester = load_suggester(store)
        for out in suggest_lines(suggester, input_file, top=top, source=input_file.name):
            click.echo(json.dumps(out))


@click.command(name="evaluate")
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
    from themecode.suggest.evaluate import METHODS, cross_validate, format_report

    methods = [m for m in METHODS if not (no_textcat and m == "spacy_textcat_bow")]
    with open_project(project) as store:
        result = cross_validate(store, folds=folds, methods=methods,
                                progress=lambda msg: click.echo(msg, err=True))
    click.echo(json.dumps(result, indent=2) if as_json else format_report(result))


@click.command(name="autocode")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--refits", type=click.IntRange(min=0), default=20, show_default=True,
              help="Bootstrap refits of the model on resampled coded cases, for the part of "
                   "the interval that depends on which cases were coded (0: leave it out).")
def autocode_cmd(project: str, as_json: bool, refits: int) -> None:
    """Machine-code the commentaries nobody has coded and estimate each code's prevalence.

    Machine codes are stored apart from human codes (with the model id) and never used for
    training. Prevalence is per case over the whole corpus, with a 95% interval that allows
    for the classifier's measured error and for how much the model depends on which cases were
    coded.

    \b
    Examples:
      themecode autocode study.db
      themecode autocode study.db --refits 0 --json
    """
    from themecode.suggest.autocode import autocode, format_prevalence

    with open_project(project) as store, progress_bar("machine-coding") as progress:
        result = autocode(
            store, progress=progress, refits=refits,
            refit_progress=lambda done, total: progress(done, total, "bootstrap refits"))
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else format_prevalence(result))
