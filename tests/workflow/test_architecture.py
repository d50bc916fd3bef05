"""The project's import structure: ``config`` above the apps, the apps above the engine
(``workflow``), and no import cycle anywhere in them (issue #12).

The graph is read from the source with ``ast``, imports inside functions included (a lazy import
hides a cycle, it does not remove it); imports under ``if TYPE_CHECKING:`` are left out, as they
never run. ``make test`` also runs import-linter's contracts (pyproject.toml) for the layers.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "workflow", "requests_app", "attributes_app")
APPS = ("requests_app", "attributes_app")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _import_nodes(other)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _import_nodes(child)


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module ``name`` starts with (``a.b.c`` imports ``a.b.c`` or ``a.b``)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    known = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _import_nodes(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = module.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from a import b``: the submodule a.b when there is one, else a itself.
                names = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    for alias in node.names
                ]
            for name in names:
                target = _resolve(name, known)
                if target and target != module:
                    targets.add(target)
        graph[module] = targets
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of modules that import one another (Tarjan), largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        # Iterative, so that a long import chain cannot exhaust the recursion limit.
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups, key=len, reverse=True)


def a_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """One concrete cycle through ``group``'s first module, for the failure message."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & group):
            if child == start:
                return [*paths[node], start]
            if child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    return sorted(group)


def _describe(graph: dict[str, set[str]], groups: list[set[str]]) -> str:
    return "\n".join(
        f"- {len(group)} modules: {', '.join(sorted(group))}\n"
        f"  e.g. {' → '.join(a_cycle(graph, group))}"
        for group in groups
    )


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_graph_sees_the_project(graph):
    assert {"workflow.models", "requests_app.services", "attributes_app.services"} <= set(graph)
    assert "config.settings" in graph
    # imports inside functions count
    assert "workflow.letters.kinds" in graph["workflow.models"]


def test_the_engine_imports_no_app_nor_the_configuration(graph):
    wrong = sorted(
        f"{module} → {target}"
        for module, targets in graph.items()
        if module.split(".")[0] == "workflow"
        for target in targets
        if target.split(".")[0] in (*APPS, "config")
    )
    assert not wrong, "workflow/ must not import an app or config:\n" + "\n".join(wrong)


def test_nothing_below_config_imports_it(graph):
    wrong = sorted(
        f"{module} → {target}"
        for module, targets in graph.items()
        if module.split(".")[0] != "config"
        for target in targets
        if target.split(".")[0] == "config"
    )
    assert not wrong, "only config imports config:\n" + "\n".join(wrong)


def test_the_requests_app_imports_not_the_register(graph):
    """One way between the apps: the document register builds on the requests, which know it
    only through the hooks it registers (``requests_app.extensions``)."""
    wrong = sorted(
        f"{module} → {target}"
        for module, targets in graph.items()
        if module.split(".")[0] == "requests_app"
        for target in targets
        if target.split(".")[0] == "attributes_app"
    )
    assert not wrong, "requests_app must not import attributes_app:\n" + "\n".join(wrong)


def test_no_import_cycle(graph):
    groups = strongly_connected(graph)
    assert not groups, "import cycles:\n" + _describe(graph, groups)


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    groups = strongly_connected(graph)
    assert groups == [{"a", "b", "c"}]
    assert a_cycle(graph, groups[0]) == ["a", "b", "c", "a"]


def test_engine_templates_name_no_app():
    """The engine's templates include, extend and link to no app's templates or pages: the import
    checks cannot see a template's ``{% include %}`` or ``{% url %}``."""
    apps = re.compile(r"(requests_app|attributes_app)/|['\"](requests|attributes|secrecy):")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "workflow").rglob("*.html")
        for match in apps.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "engine templates naming an app:\n" + "\n".join(found)


def test_request_templates_name_not_the_register():
    """Nor do the requests app's templates name the register's templates or pages."""
    register = re.compile(r"attributes_app/|['\"]attributes:")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "requests_app").rglob("*.html")
        for match in register.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "request templates naming the register:\n" + "\n".join(found)
