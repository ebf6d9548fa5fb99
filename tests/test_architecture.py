"""The layers stay one-way: a test walks every import of every module.

Rules (ARCHITECTURE.md): supplychain/ and optimizer/ are pure (no deps, no streamlit, no database, not each other);
only deps/ imports sqlmodel/sqlalchemy/alembic; only the app (app_streamlit.py, app_pages/) imports streamlit;
the app talks to deps, never to the engines or the database directly.
"""

from __future__ import annotations

import ast
from pathlib import Path

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
