"""Codebooks: the YAML file parsed and validated (`spec`) and the codebook inside a project
with its changes as versioned events (`changes`). Core: imports only `store`, `corpus` and
`errors`. `from themecode.codebook import load_codebook, create_code` is the public face."""

from themecode.codebook.changes import (
    check_shortcut,
    codebook_hash,
    codebook_snapshot,
    create_code,
    export_yaml,
    insert_code,
    install_codebook,
    merge_codes,
    merge_map,
    record_version,
    refuse_controls,
    refuse_taken_label,
    rename_code,
    retire_code,
)
from themecode.codebook.spec import (
    ID_RE,
    MAX_CODEBOOK_BYTES,
    MAX_YAML_DEPTH,
    RESERVED_SHORTCUTS,
    Codebook,
    CodeSpec,
    ThemeSpec,
    load_codebook,
    parse_codebook,
    slugify,
)

__all__ = [
    'CodeSpec', 'Codebook', 'ID_RE', 'MAX_CODEBOOK_BYTES', 'MAX_YAML_DEPTH', 'RESERVED_SHORTCUTS',
    'ThemeSpec', 'check_shortcut', 'codebook_hash', 'codebook_snapshot', 'create_code',
    'export_yaml', 'insert_code', 'install_codebook', 'load_codebook', 'merge_codes', 'merge_map',
    'parse_codebook', 'record_version', 'refuse_controls', 'refuse_taken_label', 'rename_code', 'retire_code',
    'slugify',
]
