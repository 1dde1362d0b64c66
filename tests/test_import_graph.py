"""The import graph of `src/themecode`: no cycles between modules, and the layers point one way.

Imports are read with `ast` (function-level imports included), so a lazy import inside a
function counts like one at the top of the file; imports under `if TYPE_CHECKING:` never run and
are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import themecode

SRC = Path(themecode.__file__).resolve().parent
DOMAIN = ("store", "corpus", "codebook", "sampling", "nlp", "errors", "outputs", "saturation",
          "suggest", "redact", "export", "report", "refi", "agreement", "team", "project", "audit")
FEATURES = ("saturation", "suggest", "redact", "export", "report", "refi", "agreement", "team",
            "project", "audit")


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(src: Path = SRC) -> dict[str, Path]:
    return {module_name(p, src): p for p in src.rglob("*.py")}


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The themecode modules that `path` (module `name`) imports, resolved to known modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    type_only = {id(n) for node in ast.walk(tree) if _is_type_checking(node)
                 for stmt in node.body for n in ast.walk(stmt)}  # type: ignore[attr-defined]
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` names a module; `from mod import name` names the module
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t.startswith("themecode") and t != name:
                found.add(t)
    return found


def _is_type_checking(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` blocks never run, so their imports make no cycle at run time."""
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"))


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    mods = modules(src)
    known = set(mods)
    return {name: imports_of(path, name, known) for name, path in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return [*stack[stack.index(m):], m]
            if m not in state and (c := visit(m)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_no_import_cycles() -> None:
    assert find_cycle(import_graph()) is None, " -> ".join(find_cycle(import_graph()) or [])


def test_cycle_finder_sees_a_cycle(tmp_path: Path) -> None:
    pkg = tmp_path / "themecode"
    (pkg / "export").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "export" / "__init__.py").write_text("")
    (pkg / "export" / "model.py").write_text("def f():\n    from themecode.export.docx import W\n")
    (pkg / "export" / "docx.py").write_text("from .model import Extract\nW = 1\n")
    assert find_cycle(import_graph(pkg)) == [
        "themecode.export.docx", "themecode.export.model", "themecode.export.docx"]
    (pkg / "export" / "model.py").write_text("X = 1\n")
    assert find_cycle(import_graph(pkg)) is None


def _top(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_domain_never_imports_tui_or_cli() -> None:
    for name, deps in import_graph().items():
        if _top(name) in DOMAIN:
            bad = {d for d in deps if _top(d) in ("tui", "cli")}
            assert not bad, f"{name} imports {sorted(bad)}"


def test_store_imports_no_feature_package_and_core_no_feature() -> None:
    graph = import_graph()
    core = ("store", "corpus", "codebook", "sampling", "nlp", "errors", "outputs")
    for name, deps in graph.items():
        top = _top(name)
        if top == "store":
            bad = {d for d in deps if _top(d) not in ("store", "errors")}
            assert not bad, f"{name} imports {sorted(bad)}: the store imports only errors"
        if top in core:
            bad = {d for d in deps if _top(d) in FEATURES}
            assert not bad, f"{name} (core) imports feature packages {sorted(bad)}"


def test_packages_say_what_they_hold() -> None:
    for init in SRC.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "import" in doc.lower() or init.parent.name in ("cli", "tui"), init
