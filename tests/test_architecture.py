"""Architecture rules from docs/conventions: the domain never imports the UI; the CLI stays light."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import themecode

SRC = Path(themecode.__file__).resolve().parent


def _domain_modules() -> list[str]:
    """Every module of the domain packages (submodules included), not only the top level."""
    mods = [
        m.name
        for m in pkgutil.walk_packages([str(SRC)], "themecode.")
        if m.name.split(".")[1] not in ("tui", "cli", "__main__")
    ]
    assert "themecode.export.docx" in mods and "themecode.suggest.suggester" in mods
    return mods


def test_domain_never_loads_textual() -> None:
    mods = _domain_modules()
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k == 'textual' or k.startswith('textual.'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_cli_start_up_does_not_load_spacy_or_sklearn() -> None:
    code = (
        "import sys, themecode.cli\n"
        "print(sorted({k.split('.')[0] for k in sys.modules} & {'spacy', 'sklearn', 'numpy', 'sqlite_utils', 'textual', 'matplotlib'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_the_cli_package_imports_click_and_only_tui_imports_textual() -> None:
    click_importers = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(SRC).as_posix()
        if re.search(r"^\s*(import|from) click\b", text, re.M):
            assert rel.startswith("cli/"), f"{rel} imports click"
            click_importers.add(rel)
        if re.search(r"^\s*(import|from) textual\b", text, re.M):
            assert rel.startswith("tui/"), f"{rel} imports textual"
    assert "cli/__init__.py" in click_importers  # the check still sees the CLI (not a vacuous pass)


def test_no_pickle_loading_anywhere() -> None:
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(pickle|joblib|cloudpickle|dill)\.loads?\(", text), path
