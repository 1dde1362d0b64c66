"""One hierarchy of errors, each carrying a message written for the person at the keyboard."""

from __future__ import annotations


class ThemecodeError(Exception):
    """Base class: `str(err)` is shown to the user as is, so it says what, where and what to do."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message}\n  hint: {hint}")


class ProjectError(ThemecodeError):
    """The project database is missing, of the wrong kind, or in a state that forbids the action."""


class InputFileError(ThemecodeError):
    """A file given to themecode (corpus, codings, codebook) cannot be read as asked.

    `path`, `row`, `column` and `line` say where; the message already names them.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.row = row
        self.column = column
        self.line = line
        where = []
        if path:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message, hint=hint)


class CodebookError(InputFileError):
    """A codebook (YAML or REFI .qdc) is invalid; `problems` lists every problem found."""

    def __init__(self, message: str, *, problems: list[str] | None = None, **kw: object) -> None:
        self.problems = problems or []
        super().__init__(message, **kw)  # type: ignore[arg-type]


class UnknownCodeError(ThemecodeError):
    """A code id was used that the project's codebook does not have."""


class SampleError(ThemecodeError):
    """Sampling was asked for in a way that would lose or corrupt work."""


class ModelError(ThemecodeError):
    """The suggester cannot be fitted or used (too little coding, mismatched model)."""


class ExportError(ThemecodeError):
    """An export cannot be written as asked."""
