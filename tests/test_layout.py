"""The package layout stays as docs/architecture.md draws it: the demo generator is one
subpackage, imported in one direction, and the core does not depend on it."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "crm_xl"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every crm_xl module `path` imports, at the top or inside a function (a lazy import is still an edge)."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {name for name in found if name.startswith("crm_xl")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PKG.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def cycle_through(edges: dict[str, set[str]], nodes: set[str]) -> list[str] | None:
    """A cycle among `nodes` (a list of modules, first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(edges[n] & nodes):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(nodes):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_demo_is_one_subpackage_without_an_import_cycle():
    edges = graph()
    demo = {m for m in edges if m == "crm_xl.demo" or m.startswith("crm_xl.demo.")}
    assert {"crm_xl.demo.trade", "crm_xl.demo.auto", "crm_xl.demo.operations", "crm_xl.demo.locales",
            "crm_xl.demo.catalog", "crm_xl.demo.data"} <= demo
    assert not [m for m in edges if m.startswith("crm_xl.demo_")], "demo modules left at the package root"
    # the submodules never import the package's entry point (that was the demo ⇄ demo_auto cycle)
    for m in demo - {"crm_xl.demo"}:
        assert "crm_xl.demo" not in edges[m], f"{m} imports crm_xl.demo"
    assert cycle_through(edges, demo) is None


def test_the_cycle_check_finds_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycle_through(edges, set(edges)) == ["a", "b", "c", "a"]
    assert cycle_through({"a": {"b"}, "b": set()}, {"a", "b"}) is None


def test_the_core_does_not_depend_on_the_demo():
    edges = graph()
    doors = ("crm_xl.cli", "crm_xl.demo", "crm_xl.showcase", "crm_xl.workbook", "crm_xl.reports", "crm_xl.excel",
             "crm_xl.__main__")
    for module, targets in edges.items():
        if module.startswith(doors):
            continue
        assert not {t for t in targets if t == "crm_xl.demo" or t.startswith("crm_xl.demo.")}, \
            f"{module} (core) imports the demo generator"


def test_the_demo_does_not_import_the_doors():
    edges = graph()
    for module in (m for m in edges if m.startswith("crm_xl.demo")):
        for target in edges[module]:
            assert not target.startswith(("crm_xl.cli", "crm_xl.excel", "crm_xl.reports", "crm_xl.ports",
                                          "crm_xl.udfs", "crm_xl.showcase")), f"{module} imports {target}"
