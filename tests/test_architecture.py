"""The layers stay one-way: a test walks every import of every module.

Rules (docs/architecture.md): supplychain/ and optimizer/ are pure (no deps, no streamlit, no database, not each other);
only deps/ imports sqlmodel/sqlalchemy/alembic; only the app (app_streamlit.py, app_pages/) imports streamlit;
the app talks to deps, never to the engines or the database directly.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DB_LIBS = {"sqlmodel", "sqlalchemy", "alembic", "psycopg"}


def _modules() -> list[Path]:
    files = [ROOT / "app_streamlit.py"]
    for package in ("deps", "supplychain", "optimizer", "app_pages", "benchmarks"):
        files.extend(sorted((ROOT / package).rglob("*.py")))
    return [f for f in files if f.exists()]


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (absolute imports; relative ones stay in the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _layer(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return "app" if rel.parts[0] in {"app_streamlit.py", "app_pages"} else rel.parts[0]


FORBIDDEN: dict[str, set[str]] = {
    "supplychain": {"deps", "optimizer", "streamlit", "app_pages", "app_streamlit", *DB_LIBS},
    "optimizer": {"deps", "supplychain", "streamlit", "app_pages", "app_streamlit", *DB_LIBS},
    "deps": {"streamlit", "app_pages", "app_streamlit"},
    "app": {"supplychain", "optimizer", *DB_LIBS},
    "benchmarks": {"streamlit", "app_pages", "app_streamlit", *DB_LIBS},
}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_respects_layers(path: Path) -> None:
    layer = _layer(path)
    bad = imported_roots(path) & FORBIDDEN[layer]
    assert not bad, f"{path.relative_to(ROOT)} ({layer}) imports {sorted(bad)}, which its layer must not"


def test_checker_catches_a_violation(tmp_path: Path) -> None:
    """The walker itself sees both plain and from-imports, also nested in functions."""
    module = tmp_path / "m.py"
    module.write_text("import os\ndef f():\n    from sqlmodel import Session\n    import streamlit as st\n")
    assert imported_roots(module) == {"os", "sqlmodel", "streamlit"}


def test_every_layer_has_modules() -> None:
    layers = {_layer(p) for p in _modules()}
    assert {"deps", "supplychain", "optimizer", "app"} <= layers


# Rooms of deps/, ranked low to high: a module imports only its own room or a lower one.
ROOM_RANK: dict[str, int] = {
    "errors": 0,
    "config": 0,
    "store": 1,
    "access": 2,
    "ingest": 3,
    "services": 4,
    "reports": 5,
    "cli": 6,
}


def _room(parts: tuple[str, ...]) -> str | None:
    """Room of ``deps.<room>...`` (module parts without ``deps``), or None for the package itself."""
    if not parts:
        return None
    head = parts[0].removesuffix(".py")
    return head if head != "__init__" else None


def deps_imports(path: Path) -> set[tuple[str, ...]]:
    """Every ``deps.*`` module path that ``path`` imports, as tuples of parts after ``deps``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[str, ...]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(tuple(a.name.split(".")[1:]) for a in node.names if a.name.split(".")[0] == "deps")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] != "deps":
                continue
            if len(parts) == 1:  # from deps import store, access ...
                found.update((alias.name,) for alias in node.names)
            else:
                found.add(tuple(parts[1:]))
    return found


def _deps_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "deps").rglob("*.py") if "migrations" not in p.parts)


def test_every_deps_module_lives_in_a_room() -> None:
    loose = [
        str(p.relative_to(ROOT))
        for p in _deps_modules()
        if (room := _room(p.relative_to(ROOT / "deps").parts)) is not None and room not in ROOM_RANK
    ]
    assert not loose, f"modules outside the rooms {sorted(ROOM_RANK)}: {loose}"


@pytest.mark.parametrize("path", _deps_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_rooms_import_only_downwards(path: Path) -> None:
    room = _room(path.relative_to(ROOT / "deps").parts)
    if room is None:
        return
    upward = sorted(
        ".".join(("deps", *target))
        for target in deps_imports(path)
        if (other := _room(target)) is not None and ROOM_RANK.get(other, 99) > ROOM_RANK[room]
    )
    assert not upward, f"{path.relative_to(ROOT)} (room {room}) imports higher rooms: {upward}"


def test_room_checker_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from deps.services.runs import record_run\nfrom deps import cli\nimport deps.store.db\n")
    assert deps_imports(module) == {("services", "runs"), ("cli",), ("store", "db")}


GRAPH_LIBS = {"networkx", "igraph", "rustworkx"}
GRAPH_WORDS = ("cycle", "topolog", "level", "bfs", "dfs", "chain", "dominator", "reach")


def graph_work(path: Path) -> list[str]:
    """Graph libraries imported and graph-walk functions defined in ``path`` (names of the offending items)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = sorted(imported_roots(path) & GRAPH_LIBS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "collections":
            found.extend(f"collections.{a.name}" for a in node.names if a.name == "deque")
        is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if is_function and any(word in node.name.lower() for word in GRAPH_WORDS):
            found.append(f"def {node.name}")
    return found


@pytest.mark.parametrize("path", _deps_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_graph_algorithms_live_in_supplychain(path: Path) -> None:
    """Cycle search, level sorts and graph walks belong to ``supplychain``; deps only calls them."""
    found = graph_work(path)
    assert not found, f"{path.relative_to(ROOT)} does graph work ({found}); move it to supplychain and call it"


def test_graph_work_checker_sees_a_walk(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from collections import deque\nimport networkx as nx\ndef _levels(g):\n    return g\n")
    assert graph_work(module) == ["networkx", "collections.deque", "def _levels"]


#: Built-in exceptions an engine may not raise itself: its own error tree (supplychain.errors, optimizer.errors)
#: subclasses them where a caller expects one, so the services' error boundary sees every engine error.
BUILTIN_ERRORS = {"Exception", "ValueError", "RuntimeError", "TypeError", "KeyError", "IndexError", "ArithmeticError"}


def plain_raises(path: Path) -> list[str]:
    """``raise X(...)`` statements in ``path`` whose X is a built-in exception, as ``line: X``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id in BUILTIN_ERRORS:
                found.append(f"{node.lineno}: {target.id}")
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in _modules() if p.relative_to(ROOT).parts[0] in {"supplychain", "optimizer"}],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_engines_raise_only_their_own_errors(path: Path) -> None:
    found = plain_raises(path)
    assert not found, f"{path.relative_to(ROOT)} raises built-in exceptions {found}; raise the engine's own error"


def test_plain_raise_checker_sees_one(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f(x):\n    if x:\n        raise ValueError('no')\n    raise OwnError('fine')\n")
    assert plain_raises(module) == ["3: ValueError"]


#: Third-party libraries a deps module may import inside a function: heavy or optional ones that most commands and
#: pages never need (report rendering, encryption, spreadsheets, Dask, migrations, the password checker, YAML).
LAZY_LIBS = {
    "alembic",
    "choreographer",
    "distributed",
    "kaleido",
    "matplotlib",
    "msoffcrypto",
    "openpyxl",
    "pikepdf",
    "plotly",
    "rich",
    "weasyprint",
    "xlsxwriter",
    "yaml",
    "zxcvbn",
}


def function_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every import statement inside a function of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((node.lineno, node.module))
    return sorted(set(found))


def misplaced_imports(path: Path, rel_parts: tuple[str, ...]) -> list[str]:
    """Function-level imports the house rule refuses (docs/architecture.md, "Imports").

    The standard library is always imported at module level. The CLI (``deps/cli/``) loads the project's services
    per command, which keeps ``deps --help`` and each command's start-up lean; elsewhere a function may import only
    a library of :data:`LAZY_LIBS`.
    """
    in_cli = rel_parts[:2] == ("deps", "cli")
    refused = []
    for line, module in function_imports(path):
        root = module.split(".")[0]
        if root in sys.stdlib_module_names:
            refused.append(f"{line}: {module} (standard library)")
        elif root in {"deps", "supplychain", "optimizer"} and not in_cli:
            refused.append(f"{line}: {module} (the project's own module)")
        elif root not in {"deps", "supplychain", "optimizer"} and root not in LAZY_LIBS and not in_cli:
            refused.append(f"{line}: {module} (not a heavy or optional library)")
    return refused


@pytest.mark.parametrize("path", _deps_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_function_level_imports_follow_the_rule(path: Path) -> None:
    refused = misplaced_imports(path, path.relative_to(ROOT).parts)
    assert not refused, f"{path.relative_to(ROOT)}: move these imports to the top of the module: {refused}"


def test_import_rule_checker_sees_each_case(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    import os\n    from deps.store import db\n    import pandas\n    import weasyprint\n",
        encoding="utf-8",
    )
    assert misplaced_imports(module, ("deps", "services", "m.py")) == [
        "2: os (standard library)",
        "3: deps.store (the project's own module)",
        "4: pandas (not a heavy or optional library)",
    ]
    assert misplaced_imports(module, ("deps", "cli", "m.py")) == ["2: os (standard library)"]


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_cycles(root: Path, packages: tuple[str, ...]) -> list[list[str]]:
    """Groups of the project's modules that import each other, directly or round a loop (at any level).

    Every import counts, the ones inside functions too: a function-level import that only breaks a cycle at load
    time still ties the two modules together.  A package's ``__init__`` re-exporting its own modules is not a
    cycle of the design and is left out (an arrow from a package to its own submodule).
    """
    files = [f for package in packages for f in sorted((root / package).rglob("*.py")) if "migrations" not in f.parts]
    names = {_module_name(f, root): f for f in files}
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    for name, path in names.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            for target in targets:
                if target in names and target != name and not target.startswith(f"{name}."):
                    graph.add_edge(name, target)
    return sorted(sorted(group) for group in nx.strongly_connected_components(graph) if len(group) > 1)


def test_no_import_cycles() -> None:
    cycles = import_cycles(ROOT, ("deps", "supplychain", "optimizer", "app_pages"))
    assert cycles == [], f"modules that import each other: {cycles}"


def test_cycle_checker_sees_a_function_level_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.a import f\n", encoding="utf-8")
    (package / "a.py").write_text("from pkg.b import g\n\ndef f():\n    return g()\n", encoding="utf-8")
    (package / "b.py").write_text("def g():\n    from pkg.a import f\n    return f\n", encoding="utf-8")
    assert import_cycles(tmp_path, ("pkg",)) == [["pkg.a", "pkg.b"]]
