"""The layering of subsidy_xl/ keeps itself: no import cycle anywhere, and no import that goes up a layer.

The layers, top to bottom (docs/DEVELOPING.md draws them): the doors, the use cases, the adapters, the
core. A module may import its own layer and the layers below it, never one above. Every import counts,
also one inside a function (a lazy import still ties the two modules together); only imports for type
checking (``if TYPE_CHECKING:``), which never run, do not.
"""
from __future__ import annotations

import ast
import fnmatch
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "subsidy_xl"

# Top to bottom; a module belongs to the first layer whose patterns match its dotted name.
LAYERS = [
    ("doors", ["subsidy_xl.cli", "subsidy_xl.*.cli", "subsidy_xl.__main__", "subsidy_xl.service", "subsidy_xl.frames",
               "subsidy_xl.doctor", "subsidy_xl.doctor_cli", "subsidy_xl.excel.macros", "subsidy_xl.excel.udfs", "subsidy_xl.excel.ui",
               "subsidy_xl.excel.launch", "subsidy_xl.excel.logs", "subsidy_xl.excel.registry", "subsidy_xl.web",
               "subsidy_xl.web.*", "subsidy_xl.kit", "subsidy_xl.kit.*", "subsidy_xl.addin", "subsidy_xl.addin.*"]),
    ("use cases", ["subsidy_xl.refresh", "subsidy_xl.*.usecases", "subsidy_xl.streets.form", "subsidy_xl.export.bundle",
                   "subsidy_xl.performance.review"]),
    ("adapters", ["subsidy_xl.io", "subsidy_xl.io.*", "subsidy_xl.excel", "subsidy_xl.excel.adapter",
                  "subsidy_xl.excel.styles", "subsidy_xl.template", "subsidy_xl.sample", "subsidy_xl.export",
                  "subsidy_xl.export.xlsx", "subsidy_xl.export.pdf", "subsidy_xl.performance.importer"]),
    ("core", ["subsidy_xl", "subsidy_xl.*"]),
]
# File formats, Excel and the web belong to the adapters and doors: the core imports none of them.
NOT_IN_CORE = {"openpyxl", "xlwings", "python_calamine", "docx", "flask", "waitress", "pandas", "xlsxwriter"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(name: str) -> tuple[set[str], set[str]]:
    """The package's modules that ``name`` imports (a package for ``from pkg import x`` unless x is a
    module of it), and the top-level names of the other distributions it imports."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside, outside = set(), set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                (inside if alias.name in MODULES else outside).add(
                    alias.name if alias.name in MODULES else alias.name.partition(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.partition(".")[0] != "subsidy_xl":
                outside.add(module.partition(".")[0])
                continue
            for alias in node.names:
                target = f"{module}.{alias.name}"
                inside.add(target if target in MODULES else module)
    inside.discard(name)
    return {m for m in inside if m in MODULES}, outside


GRAPH = {name: _imports(name)[0] for name in MODULES}


def layer_of(name: str) -> int:
    """0 for the core, up to 3 for the doors."""
    for depth, (_, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(name, p) for p in patterns):
            return len(LAYERS) - 1 - depth
    raise AssertionError(name)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_walk_sees_the_imports_it_must():
    """The walker itself: lazy imports, relative imports of modules and of names, packages."""
    assert "subsidy_xl.io.update" in GRAPH["subsidy_xl.service"]  # from .io.update import ...
    assert "subsidy_xl.streets.form" in GRAPH["subsidy_xl.service"]  # inside a function
    assert "subsidy_xl.plan" in GRAPH["subsidy_xl.excel.adapter"]  # from ..plan import ...
    assert layer_of("subsidy_xl.cli") == 3 and layer_of("subsidy_xl.rules") == 0
    assert layer_of("subsidy_xl.io.package") == 1 and layer_of("subsidy_xl.refresh") == 2


def test_the_cycle_finder_finds_a_cycle():
    graph = defaultdict(set, {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    graph.update({k: set() for k in "abcd" if k not in graph})
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycle_in_the_package():
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_goes_up_a_layer(name):
    mine = layer_of(name)
    upward = sorted(t for t in GRAPH[name] if layer_of(t) > mine)
    assert not upward, f"{name} ({LAYERS[-1 - mine][0]}) imports {upward}: a layer above it (docs/DEVELOPING.md)"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer_of(n) == 0))
def test_the_core_imports_no_file_format_excel_or_web(name):
    assert not (_imports(name)[1] & NOT_IN_CORE)


def test_no_feature_imports_the_doors_facade():
    importers = sorted(n for n, targets in GRAPH.items() if "subsidy_xl.service" in targets)
    assert all(layer_of(n) == 3 for n in importers), importers
