"""Remappable keys: read `[keys] binding_id = "key"` from a TOML file into a Textual keymap."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from themecode.errors import InputFileError

DEFAULT_KEYS_PATH = Path("~/.config/themecode/keys.toml")


def default_keys_path() -> Path:
    """Where the keymap is read from when no `--keys FILE` is given."""
    return DEFAULT_KEYS_PATH.expanduser()


def load_keymap(path: Path | None, known_ids: Iterable[str]) -> dict[str, str]:
    """Read a keymap file; missing default file = no overrides; unknown ids are an error.

    The file looks like::

        [keys]
        undo = "ctrl+u"
        next_case = "n,ctrl+n"
    """
    explicit = path is not None
    p = Path(path).expanduser() if path is not None else default_keys_path()
    if not p.exists():
        if explicit:
            raise InputFileError("the key file does not exist.", path=str(p))
        return {}
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(f"not valid TOML ({exc}).", path=str(p)) from exc
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise InputFileError("`keys` must be a table: [keys] then id = \"key\" lines.", path=str(p))
    known = set(known_ids)
    unknown = sorted(k for k in keys if k not in known)
    if unknown:
        raise InputFileError(
            f"unknown binding id(s): {', '.join(unknown)}.",
            path=str(p),
            hint="press ? in the coding app: it lists every binding with its id.",
        )
    bad = sorted(k for k, v in keys.items() if not isinstance(v, str) or not v.strip())
    if bad:
        raise InputFileError(
            f"binding(s) {', '.join(bad)} need a key string such as \"ctrl+u\".", path=str(p)
        )
    return {k: v.strip() for k, v in keys.items()}
