"""What every command shares: the error-handling groups, coder defaults, console and progress bar,
opening a project, and the backup taken before each coding session."""

from __future__ import annotations

import getpass
import os
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
            from themecode.corpus.controls import visible

            click.secho(f"error: {visible(str(err))}", fg="red", err=True)
            ctx.exit(err.exit_code)
        except UnicodeEncodeError as err:  # e.g. a --coder NAME with bytes that are not text
            from themecode.corpus.controls import visible

            click.secho(f"error: a value given to this command is not valid text and cannot be "
                        f"stored ({visible(repr(err.object[err.start:err.end]))}); nothing was "
                        "changed.\n  hint: retype names and labels in plain text (check the "
                        "terminal's encoding is UTF-8).", fg="red", err=True)
            ctx.exit(2)


class LazyGroup(ThemecodeGroup):
    """A ThemecodeGroup whose commands are imported when first named: `lazy_commands` maps each
    command name to "module:attribute" under themecode.cli. Listing them (`--help`) imports all."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.lazy_commands, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        import importlib

        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(f"themecode.cli.{module_name}"), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"themecode.cli.{target} is not a click command")
        return command


class ProjectFirstGroup(ThemecodeGroup):
    """Accepts both `codebook show study.db` and `codebook study.db show`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) >= 2 and args[0] not in self.commands and args[1] in self.commands:
            args = [args[1], args[0], *args[2:]]
        return super().parse_args(ctx, args)


def make_console(stderr: bool = False) -> Any:
    """A rich console without syntax highlighting (rich is imported only when output is printed)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def plain(value: object) -> str:
    """A user string (coder name, code label, path...) made safe to print through rich: markup
    such as `[/]` is escaped and hidden control characters are shown visibly."""
    from rich.markup import escape

    from themecode.corpus.controls import visible

    return escape(visible(str(value)))


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr; yields a `progress(done, total)` callback. The bar appears
    at the first call, so a command refused while checking its input prints none; a later
    phase of the work passes its own `label` and the bar restarts under it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    prog = Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=make_console(stderr=True), transient=False,
    )
    task = None

    def update(done: int, total: int, phase: str | None = None) -> None:
        nonlocal task
        if task is None:
            prog.start()
            task = prog.add_task(phase or label, total=None)
        elif phase is not None and prog.tasks[-1].description != phase:
            task = prog.add_task(phase, total=None)
        prog.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if task is not None:
            prog.stop()


def open_project(path: str) -> Any:
    """Open the project store (imported lazily so `--help` stays fast)."""
    from themecode.store import Store

    return Store.open(path)


def backup_before_coding(project: str | Path) -> None:
    """Take the automatic backup that every coding session starts with (rotated, mode 0600)."""
    from themecode.team.backup import backup_project

    copy = backup_project(project)
    click.echo(f"Backed up to {copy}", err=True)
