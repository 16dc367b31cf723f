"""The suites use the harness through its public surface: every name a suite imports from checks/, pages/,
environments/ or reports/ is in that module's `__all__` (or is a submodule), and no suite imports a private module."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("checks", "pages", "environments", "reports")


def _imports() -> list[tuple[Path, str, str]]:
    found = []
    for path in sorted((REPO / "suites").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                found += [(path, node.module, alias.name) for alias in node.names]
    return found


def test_suites_import_only_public_names_of_the_harness() -> None:
    problems = []
    for path, module_name, name in _imports():
        where = f"{path.relative_to(REPO)}: from {module_name} import {name}"
        if any(part.startswith("_") for part in module_name.split(".")):
            problems.append(f"{where} (a private module)")
            continue
        module = importlib.import_module(module_name)
        if isinstance(getattr(module, name, None), type(module)):
            continue  # a submodule
        exported = getattr(module, "__all__", None)
        if exported is None or name not in exported:
            problems.append(f"{where} (not in {module_name}.__all__)")
    assert problems == [], "\n".join(problems)
