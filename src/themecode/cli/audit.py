"""`themecode audit`: rank the commentaries outside the sample by how unlike the coded sample
they are, or say what the audit's decisions found (`--summary`)."""

from __future__ import annotations

import json
from contextlib import nullcontext
from typing import Any

import click

from themecode.cli.common import make_console, open_project, progress_bar


def _show(store: Any, ranking: Any) -> None:
    """The candidates as text, each unusual sentence highlighted with its unseen words."""
    from rich.markup import escape

    console = make_console()
    console.print(
        f"{len(ranking.candidates)} of {ranking.n_candidates} commentaries outside the sample, "
        f"most unlike the {ranking.n_reference} coded ones (coded or marked done by anyone, "
        f"outside the audit) first ({ranking.n_unusual} have a word "
        f"the coded sample never uses; {ranking.seconds:.1f} s). Score = unseen content words x "
        "share of the sentence's word pairs the coded sample never has.")
    for i, c in enumerate(ranking.candidates, 1):
        text = store.document(c.doc_id).text
        console.print(f"\n[bold]{i:3d}. {c.doc_id}[/bold] (case {c.case_id})  score {c.score:.2f}")
        for s in c.sentences:
            if s.score <= 0:
                continue
            words = ", ".join(s.terms)
            console.print(f"     [reverse]{escape(' '.join(text[s.start:s.end].split()))}"
                          f"[/reverse]  [dim]{s.score:.2f}: {escape(words)}[/dim]")


@click.command(name="audit")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--top", type=click.IntRange(1, 10_000), default=50, show_default=True,
              help="How many candidates to list.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"project", "method", "candidates": [...]} as JSON, best first.')
@click.option("--summary", is_flag=True,
              help="Instead of ranking, say what the audit's decisions found (new codes, cases).")
def audit_cmd(project: str, top: int, as_json: bool, summary: bool) -> None:
    """Did the sample miss anything? Rank the commentaries outside the sample by how unlike
    the coded sample they are, with the sentences that make each one unusual.

    A sentence scores by the content words the coded sample never uses (typos and personal
    details aside), times the share of its word pairs the coded sample never has. Review the
    candidates in the coding UI's audit queue (ctrl+r); `--summary` then states what was
    found. Codings made in the audit are kept out of the sample's saturation figures.

    \b
    Example:
      themecode audit study.db --top 50
      themecode audit study.db --json > audit.json
      themecode audit study.db --summary
    """
    from themecode.audit.decisions import summary as audit_summary
    from themecode.audit.ranking import rank_unsampled

    with open_project(project) as store:
        if summary:
            result = audit_summary(store)
            if as_json:
                click.echo(json.dumps({"project": project, **result.to_dict()}))
                return
            click.echo(result.statement)
            for n in result.new_codes:
                click.echo(f"  new: {n.code_id} ({n.label}): {n.commentaries} commentaries, "
                           f"{n.cases} cases")
            for code, k in result.known_codes.items():
                click.echo(f"  already in the sample's coding, applied in the audit: {code} "
                           f"({k} commentaries)")
            return
        bar = nullcontext(None) if as_json else progress_bar("Scoring commentaries")
        with bar as progress:
            ranking = rank_unsampled(store, top=top, progress=progress)
        if as_json:
            click.echo(json.dumps({"project": project, "method": ranking.method,
                                   "candidates": [c.to_dict() for c in ranking.candidates]}))
        else:
            _show(store, ranking)
