"""Backup commands: take a `backup` of a project and `restore` one."""

from __future__ import annotations

import click

from themecode.cli.common import CODER_HELP, default_coder


@click.command()
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
    from themecode.team.backup import backup_project, list_backups

    path = backup_project(project, keep=keep)
    click.echo(f"Backed up {project} to {path} ({len(list_backups(project))} backups kept).")


@click.command()
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
    from themecode.team.backup import describe_backup, list_backups, restore_backup

    if list_only:
        found = list_backups(project)
        if not found:
            click.echo(f"No backups of {project} yet.")
        for b in found:
            counts = describe_backup(b.path)
            what = ("UNREADABLE (damaged or incomplete; do not restore it)" if counts is None
                    else f"{counts['codings']} codings, {counts['memos']} memos, "
                    f"{counts['events']} events")
            click.echo(f"{b.path.name}  {b.taken_at:%Y-%m-%d %H:%M:%S} UTC  {what}"
                       + ("  (pre-restore copy)" if b.safety else ""))
        return
    from themecode.team.backup import looks_open

    if yes and looks_open(project):
        click.secho(f"warning: {project} looks open in another program (a coding session?): "
                    "it will go on showing the old content; close it, and open it again after "
                    "the restore.", fg="yellow", err=True)
    safety = restore_backup(project, backup_file, yes=yes, coder=coder)
    click.echo(f"Restored {project}; its previous content is kept as {safety}.")
