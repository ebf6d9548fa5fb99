"""The optimiser's own layout: leaf modules, no import cycle, its own errors only."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

import optimizer

ROOT = Path(optimizer.__file__).resolve().parent
LEAVES = {"errors", "status", "tolerances", "pool"}


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in ROOT.glob("*.py"):
        name = path.stem
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("optimizer."):
                deps.add(node.module.split(".")[1])
        graph[name] = deps
    return graph


def test_no_import_cycle_and_leaves_import_nothing_of_the_package() -> None:
    graph = _imports()
    g = nx.DiGraph([(a, b) for a, deps in graph.items() for b in deps])
    assert list(nx.simple_cycles(g)) == []
    for leaf in LEAVES:
        assert graph[leaf] <= {"errors"}, (leaf, graph[leaf])
    assert graph["backends"] <= {"errors", "tolerances", "model"}


def test_only_the_package_errors_are_raised() -> None:
    for path in ROOT.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Name):
                assert node.exc.func.id not in {"ValueError", "RuntimeError", "TypeError", "KeyError"}, path.name


@pytest.mark.parametrize("name", optimizer.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(optimizer, name) is not None
