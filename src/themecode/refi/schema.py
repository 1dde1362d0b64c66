"""REFI-QDA schema validation: the QDA-XML 1.0 XSDs ship as package data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from themecode.errors import ExportError

SCHEMA_DIR_ENV = "THEMECODE_REFI_SCHEMAS"


def schema_dir() -> Path | None:
    """Where the REFI XSD files are: $THEMECODE_REFI_SCHEMAS, the package data, or the shared copy."""
    import os

    candidates = [os.environ.get(SCHEMA_DIR_ENV, ""),
                  str(Path(__file__).resolve().parents[1] / "_data" / "refi-qda"),
                  str(Path(__file__).resolve().parents[4] / "shared" / "refi-qda")]
    for c in candidates:
        if c and (Path(c) / "Project.xsd").exists() and (Path(c) / "Codebook.xsd").exists():
            return Path(c)
    return None


_SCHEMAS: dict[str, Any] = {}


def validate(xml: bytes, kind: str, *, required: bool = False) -> bool:
    """Validate a `.qde`/`.qdc` document against the REFI XSD; ExportError lists the problems.

    Returns False (without checking) when the schema files are not installed, unless `required`.
    """
    folder = schema_dir()
    if folder is None:
        if required:
            raise ExportError(
                "The REFI-QDA schema files (Project.xsd, Codebook.xsd) were not found.",
                hint=f"set {SCHEMA_DIR_ENV} to the folder holding them.",
            )
        return False
    import xmlschema

    if kind not in _SCHEMAS:
        name = "Project.xsd" if kind == "project" else "Codebook.xsd"
        _SCHEMAS[kind] = xmlschema.XMLSchema(str(folder / name))
    errors = list(_SCHEMAS[kind].iter_errors(xml.decode("utf-8")))
    if errors:
        detail = "; ".join(str(e.reason or e.message) for e in errors[:5])
        raise ExportError(f"The REFI-QDA {kind} document does not validate: {detail}")
    return True
