"""The README's promises stay true: its two commands, CI running the same test command."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```[a-z]*\n(.*?)```", text, re.S)
    assert block, "README has no fenced code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_two_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert "crm-xl demo" in commands[0] and "pip install" in commands[0]
    assert "pytest" in commands[1] and "[test]" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()
    assert "CRM_XL_REQUIRE_LIBREOFFICE=1" in ci and "libreoffice-calc-nogui" in ci and "python3-uno" in ci


CORE_FORBIDDEN = ("xlwings", "openpyxl", "crm_xl.cli", "typer")
PORTS_AND_DOORS = {"ports", "cli", "excel", "showcase.py", "workbook.py", "__main__.py",
                   "reports", "forms.py"}


def test_core_never_imports_excel_libraries_or_cli():
    pkg = ROOT / "src" / "crm_xl"
    for path in pkg.rglob("*.py"):
        rel = path.relative_to(pkg)
        if rel.parts[0] in PORTS_AND_DOORS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(CORE_FORBIDDEN), f"{rel} imports {name}"


def test_every_command_has_an_example_and_is_in_the_readme():
    import typer.main

    from crm_xl.cli import app

    group = typer.main.get_command(app)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = sorted(group.commands)
    assert {"new", "demo", "validate", "analyze", "followups", "complaint-form", "report", "export", "encrypt",
            "decrypt", "diff", "build"} <= set(names)
    for name in names:
        command = group.commands[name]
        assert "Example:" in (command.help or ""), f"crm-xl {name} --help has no example"
        assert f"crm-xl {name}" in readme, f"crm-xl {name} is not documented in the README"
