"""Load a Python file that is not an importable module (a script, or the root conftest) by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def load_by_path(name: str, path: Path) -> ModuleType:
    """The module in `path`, executed once per test process and cached under `name`.

    Registered in sys.modules before it runs, so dataclasses and pickling-free introspection
    inside the loaded file can find their module.
    """
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def root_conftest() -> ModuleType:
    """tests/conftest.py as a module: `from conftest import ...` can get tests/tui/conftest.py
    instead, since pytest names both modules `conftest`."""
    return load_by_path("themecode_root_conftest", REPO / "tests" / "conftest.py")
