"""One access rule: every public service function that reads or writes the database takes the acting user, and refuses
anything but an Actor.

The functions are enumerated from the modules (``__all__``), so a new service function is covered without editing
this file. A function that takes a database handle must also take an actor, unless it is one of the few named in
:data:`SIGN_IN` (they turn credentials into an actor, so there is none yet). Each is called with a bare user name as
its actor and ``None`` for every other required argument (a run kind where one decides the role): the role check
comes first, so the call must end in
:class:`PermissionDeniedError` before anything is read or written. The role x action matrix itself is
``tests/test_permissions.py``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest

import deps.services
from deps.access.roles import Actor
from deps.errors import PermissionDeniedError
from deps.store.models import ROLES

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

MODULES = [
    "deps.access.auth",
    "deps.access.audit",
    "deps.access.sessions",
    "deps.ingest",
    "deps.reports.service",
    *(f"deps.services.{m.name}" for m in pkgutil.iter_modules(deps.services.__path__)),
]
ACTOR_PARAMETERS = ("actor", "by")
#: Database functions without an actor, and why: each one makes the actor from credentials or ends a login.
SIGN_IN = {
    "deps.access.auth.authenticate": "checks a name and password and returns the actor",
    "deps.access.auth.actor_for": "re-reads a signed-in user's current role, i.e. makes the actor anew",
    "deps.access.sessions.resume_session": "turns a session token (the credential) into the actor",
    "deps.access.sessions.end_session": "logout: revokes the session the token names",
}


def _database_functions() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            function = getattr(module, attr)
            if inspect.isfunction(function) and "db" in inspect.signature(function).parameters:
                found[f"{name}.{attr}"] = function
    return found


def _functions() -> dict[str, tuple[Callable[..., Any], str]]:
    found: dict[str, tuple[Callable[..., Any], str]] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            function = getattr(module, attr)
            if not inspect.isfunction(function) or function.__module__ == "deps.access.roles":
                continue  # the check itself (allowed, require), re-exported
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


def test_every_database_service_takes_the_actor() -> None:
    database = _database_functions()
    assert {"deps.services.runs.list_runs", "deps.services.views.node_detail", "deps.services.runs.get_run"} <= set(
        database
    )
    without = sorted(set(database) - set(FUNCTIONS) - set(SIGN_IN))
    assert not without, f"these read or write the database but take no actor: {without}"
    assert set(SIGN_IN) <= set(database), "an exemption names a function that no longer exists"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_bare_name_is_no_actor(name: str) -> None:
    function, actor = FUNCTIONS[name]
    with pytest.raises(PermissionDeniedError, match="authenticated actor"):
        _call(function, actor, "admin")


def _call(function: Callable[..., Any], actor: str, acting: object) -> Any:
    """Call ``function`` with ``acting`` as its actor parameter, the :data:`DECIDING` values where they apply and
    ``None`` for every other required argument (optional ones keep their defaults)."""
    arguments: dict[str, Any] = {}
    positional: list[Any] = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name != actor and parameter.default is not inspect.Parameter.empty:
            continue
        value = acting if parameter.name == actor else DECIDING.get(parameter.name)
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            arguments[parameter.name] = value
        else:
            positional.append(value)
    return function(*positional, **arguments)


#: The access policy: the lowest role each acting function lets past its check (viewer < analyst < admin).
#: "viewer" means any signed-in role; ``finish_run`` checks the stored run's kind after reading it (covered on a
#: real database by tests/test_permissions.py), so its up-front check is "viewer".
LOWEST_ROLE: dict[str, str] = {
    **dict.fromkeys(
        [
            "deps.access.audit.list_events",
            "deps.access.audit.verify",
            "deps.access.auth.add_user",
            "deps.access.auth.ensure_admin",
            "deps.access.auth.list_users",
            "deps.access.auth.reset_password",
            "deps.access.auth.set_active",
            "deps.access.auth.set_role",
            "deps.ingest.import_file",
        ],
        "admin",
    ),
    **dict.fromkeys(
        [
            "deps.reports.service.build_report",
            "deps.services.analysis.run_analysis",
            "deps.services.analysis.run_screen",
            "deps.services.analysis.run_simulation",
            "deps.services.assumptions.export_set",
            "deps.services.assumptions.import_set",
            "deps.services.assumptions.save_set",
            "deps.services.backtest.run_backtest",
            "deps.services.batch.run_batch_file",
            "deps.services.criticality.run_supply_risk",
            "deps.services.exports.export_run",
            "deps.services.exports.log_export",
            "deps.services.optimisation.run_optimisation",
            "deps.services.runs.record_run",
            "deps.services.runs.start_run",
            "deps.services.trends.run_trends",
        ],
        "analyst",
    ),
    **dict.fromkeys(
        [
            "deps.access.sessions.change_password",
            "deps.access.sessions.open_session",
            "deps.access.sessions.password_change_required",
            "deps.services.analysis.load_graph_inputs",
            "deps.services.assumptions.dataset_effects",
            "deps.services.assumptions.history",
            "deps.services.assumptions.list_sets",
            "deps.services.assumptions.show_set",
            "deps.services.composition.composition_frames",
            "deps.services.composition.fuse_composition",
            "deps.services.composition.offered_compositions",
            "deps.services.composition.resolve_composition",
            "deps.services.coverage.dataset_coverage",
            "deps.services.optimisation.build_context",
            "deps.services.runs.finish_run",
            "deps.services.runs.finished_members",
            "deps.services.runs.get_run",
            "deps.services.runs.list_runs",
            "deps.services.runs.named_tables",
            "deps.services.runs.run_tables",
            "deps.services.views.dataset_diff",
            "deps.services.views.latest_analysis",
            "deps.services.views.markets_frame",
            "deps.services.views.node_detail",
        ],
        "viewer",
    ),
}
#: Values for required arguments that decide which role a call needs (everything else is ``None``).
DECIDING = {"kind": "optimisation"}


def _passes_check(function: Callable[..., Any], actor: str, role: str) -> bool:
    """Call ``function`` as ``role`` with ``None`` arguments: False if refused by the role check, else True."""
    try:
        _call(function, actor, Actor("probe", role))
    except PermissionDeniedError:
        return False
    except Exception:  # past the check, the None arguments fail; that is all this needs
        return True
    return True


def test_every_acting_function_has_a_policy_line() -> None:
    assert sorted(set(FUNCTIONS) - set(LOWEST_ROLE)) == [], "add the new function's lowest role to LOWEST_ROLE"
    assert sorted(set(LOWEST_ROLE) - set(FUNCTIONS)) == [], "LOWEST_ROLE names a function that no longer acts"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_role_is_checked_as_the_policy_says(name: str) -> None:
    function, actor = FUNCTIONS[name]
    passes = {role: _passes_check(function, actor, role) for role in ROLES}
    lowest = LOWEST_ROLE[name]
    expected = {role: ROLES.index(role) >= ROLES.index(lowest) for role in ROLES}
    assert passes == expected, f"{name}: got past the check {passes}, the policy says from {lowest!r} up"
