"""The `themecode` command: a thin shell that parses arguments, calls one domain function, prints.

Every `ThemecodeError` becomes a clean message on stderr and a non-zero exit code; nothing else
is caught, so real bugs still show their traceback. This module defines the `main` group; the
commands live in one module per theme beside it and are imported only when named (or when
`--help` lists them), so `themecode code` starts without loading the other commands' modules.
Heavy libraries are imported only inside the commands.
"""

from __future__ import annotations

import click

from themecode.cli.common import LazyGroup

__all__ = ["COMMANDS", "main"]

# Command name -> "module:attribute" under themecode.cli (`--help` lists them by name).
COMMANDS: dict[str, str] = {
    # project set-up
    "init": "project_setup:init", "import": "project_setup:import_",
    "sample": "project_setup:sample", "status": "project_setup:status",
    "demo": "project_setup:demo",
    "codebook": "codebook:codebook",
    # coding
    "code": "coding:code", "review-codes": "coding:review_codes", "review": "coding:review",
    "codings": "coding:codings",
    # analysis
    "saturation": "analysis:saturation", "agreement": "analysis:agreement",
    "prevalence": "statistics:prevalence", "tables": "statistics:tables",
    "methods": "statistics:methods", "audit": "audit:audit_cmd",
    # machine suggestions
    "suggest": "suggestions:suggest_cmd", "evaluate": "suggestions:evaluate_cmd",
    "autocode": "suggestions:autocode_cmd",
    # exports
    "export": "exports:export_cmd", "report": "exports:report", "refi": "exports:refi",
    # backups
    "backup": "backups:backup", "restore": "backups:restore",
    # team work ("split" is the other name for the same command as "handout")
    "merge": "teamwork:merge_cmd", "handout": "teamwork:handout_cmd",
    "split": "teamwork:handout_cmd",
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
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
