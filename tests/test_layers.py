"""The package's import graph: layers import only downward, and there is no cycle.

Read from the source (``ast``), so it checks both builds' layout without importing.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

PACKAGE: Final = Path(__file__).parent.parent / "harmony_typed"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``harmony_typed`` module ``path`` imports (at any depth of the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("harmony_typed"):
            found.add(node.module)
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists():
                    found.add(candidate)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("harmony_typed"))
    return found


def _graph() -> dict[str, set[str]]:
    graph = {_module_name(path): _imports(path) for path in PACKAGE.rglob("*.py")}
    # a package's __init__ is imported with any of its submodules, but the edge into it says nothing
    return {name: {dep for dep in deps if dep != name and dep != "harmony_typed"} for name, deps in graph.items()}


def test_no_import_cycle() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        assert name not in path, "import cycle: " + " -> ".join([*path[path.index(name) :], name])
        if name in done:
            return
        for dep in sorted(graph.get(name, ())):
            visit(dep, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_engines_do_not_import_the_facade() -> None:
    graph = _graph()
    for engine in ("_tokenizer", "_parser", "_render", "_header", "_schema_ts", "_system_text", "_rust"):
        assert "harmony_typed._encoding" not in graph[f"harmony_typed.{engine}"], engine


def test_rust_formatting_is_the_bottom_layer() -> None:
    assert _graph()["harmony_typed._rust"] == set()


def test_facade_imports_at_top_level() -> None:
    # No deferred imports and no TYPE_CHECKING block: the facade's dependencies are plain, top-level imports.
    tree = ast.parse((PACKAGE / "_encoding.py").read_text())
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            assert id(node) in top_level, f"deferred import at line {node.lineno}"
        assert not (isinstance(node, ast.Name) and node.id == "TYPE_CHECKING")
