"""The `themecode` command: a thin shell that parses arguments, calls one domain function, prints.

Every `ThemecodeError` becomes a clean message on stderr and a non-zero exit code; nothing else
is caught, so real bugs still show their traceback. This module defines the `main` group and
registers the commands, which live in one module per theme beside it; heavy libraries are
imported only inside the commands, so start-up stays fast.
"""

from __future__ import annotations

import click

from themecode.cli.analysis import agreement, saturation
from themecode.cli.audit import audit_cmd
from themecode.cli.backups import backup, restore
from themecode.cli.codebook import codebook
from themecode.cli.coding import code, codings, review, review_codes
from themecode.cli.common import ThemecodeGroup
from themecode.cli.exports import export_cmd, refi, report
from themecode.cli.project_setup import demo, import_, init, sample, status
from themecode.cli.statistics import methods, prevalence, tables
from themecode.cli.suggestions import autocode_cmd, evaluate_cmd, suggest_cmd
from themecode.cli.teamwork import handout_cmd, merge_cmd

__all__ = ["main"]


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


for _command in (
    init, import_, sample, status, demo,  # project set-up
    codebook,
    code, review_codes, review, codings,  # coding
    saturation, agreement, prevalence, tables, methods, audit_cmd,  # analysis
    suggest_cmd, evaluate_cmd, autocode_cmd,  # machine suggestions
    export_cmd, report, refi,  # exports
    backup, restore,  # backups
    merge_cmd, handout_cmd,  # team work
):
    main.add_command(_command)
main.add_command(handout_cmd, name="split")  # the other name for the same command
