"""Team-work commands: `handout` (alias `split`) copies for each coder and `merge` them back."""

from __future__ import annotations

import click

from themecode.cli.common import CODER_HELP, default_coder, open_project


@click.command(name="merge")
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
    from themecode.team.backup import backup_project
    from themecode.team.merge import merge_projects

    backup_project(project)
    with open_project(project) as store:
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


@click.command(name="handout")
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
    from themecode.team.handout import handout

    with open_project(project) as store:
        res = handout(store, coders.split(","), out_dir, overlap=overlap, seed=seed, by=coder)
    click.echo(f"Handout {res.handout_id} (seed {res.seed}): {len(res.double)} cases double "
               f"coded.")
    for name, path in res.copies.items():
        click.echo(f"  {name}: {len(res.assignments[name])} cases → {path}")
    click.echo(f"Bring them back with: themecode merge {project} "
               + " ".join(str(p) for p in res.copies.values()))
