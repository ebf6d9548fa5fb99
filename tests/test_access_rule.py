"""One access rule: every public function of the services that takes the acting user refuses anything but an Actor.

The functions are enumerated from the modules (``__all__``), so a new service function is covered without editing
this file.  Each is called with a bare user name as its actor and ``None`` for every other required argument:
the role check comes first, so the call must end in :class:`PermissionDeniedError` before anything is read or
written.  The role x action matrix itself is ``tests/test_permissions.py``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest

import deps.services
from deps.errors import PermissionDeniedError

MODULES = [
    "deps.access.auth",
    "deps.access.audit",
    "deps.ingest",
    "deps.reports.service",
    *(f"deps.services.{m.name}" for m in pkgutil.iter_modules(deps.services.__path__)),
]
ACTOR_PARAMETERS = ("actor", "by")


def _functions() -> dict[str, tuple[Callable[..., Any], str]]:
    found: dict[str, tuple[Callable[..., Any], str]] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            function = getattr(module, attr)
            if not inspect.isfunction(function):
                continue
            parameters = inspect.signature(function).parameters
            actor = next((p for p in ACTOR_PARAMETERS if p in parameters), None)
            if actor is not None:
                found[f"{name}.{attr}"] = (function, actor)
    return found


FUNCTIONS = _functions()


def test_the_acting_functions_are_found() -> None:
    assert {
        "deps.access.auth.set_role",
        "deps.access.auth.list_users",
        "deps.access.audit.list_events",
        "deps.access.audit.verify",
        "deps.ingest.import_file",
        "deps.reports.service.build_report",
        "deps.services.analysis.run_analysis",
        "deps.services.batch.run_batch_file",
        "deps.services.exports.export_run",
    } <= set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_bare_name_is_no_actor(name: str) -> None:
    function, actor = FUNCTIONS[name]
    arguments: dict[str, Any] = {}
    positional: list[Any] = []
    for parameter in inspect.signature(function).parameters.values():
        value: Any = "admin" if parameter.name == actor else None
        if parameter.name != actor and parameter.default is not inspect.Parameter.empty:
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            arguments[parameter.name] = value
        else:
            positional.append(value)
    with pytest.raises(PermissionDeniedError, match="authenticated actor"):
        function(*positional, **arguments)
