"""Every docstring example in the code runs: doctest over every module of the engines and the application.

Modules are found by walking the packages (Alembic's migration scripts are left out: importing them runs them). The
app's page modules render when imported, so of ``app_pages`` only the helper modules in ``APP_HELPERS`` are read.
Only modules that hold examples become test cases; a last test keeps the number of examples from silently dropping.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("supplychain", "optimizer", "deps")
APP_HELPERS = ("app_pages.texts",)
SKIP = (".migrations",)
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _module_names() -> list[str]:
    names = list(APP_HELPERS)
    for package in PACKAGES:
        root = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if not any(part in info.name for part in SKIP):
                names.append(info.name)
    return sorted(names)


def _examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [t for t in finder.find(module, name) if t.examples and t.name.startswith(name)]


MODULES_WITH_EXAMPLES = [name for name in _module_names() if _examples(name)]


@pytest.mark.parametrize("name", MODULES_WITH_EXAMPLES)
def test_docstring_examples_run(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    failures = []
    for test in _examples(name):
        result = runner.run(test, out=failures.append)
        assert result.attempted
    assert not failures, "".join(failures)


def test_the_code_keeps_its_examples() -> None:
    count = sum(len(t.examples) for name in MODULES_WITH_EXAMPLES for t in _examples(name))
    assert count >= 30, f"only {count} docstring examples left"
