"""The services sit below the process, the forms and the pages: they never import them, not even
inside a function, so the requests app's modules form no import cycle through the services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "requests_app"

ABOVE_SERVICES = {"flows", "forms", "views", "task_views", "task_forms", "secrecy_views"}


def imported_modules(path: Path) -> set[str]:
    """Every ``requests_app`` module that ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "requests_app" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_the_finder_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from requests_app import flows\n    import requests_app.views\n"
    )
    assert imported_modules(module) == {"flows", "views"}


@pytest.mark.parametrize("path", sorted((APP / "services").glob("*.py")), ids=lambda p: p.name)
def test_services_import_no_flow_form_or_page(path):
    assert imported_modules(path) & ABOVE_SERVICES == set()


@pytest.mark.parametrize("name", ["selectors", "case_file", "clock_sync", "process", "permissions"])
def test_modules_below_the_services_do_not_import_them(name):
    assert imported_modules(APP / f"{name}.py") & (ABOVE_SERVICES | {"services"}) == set()
