"""The errors the service, access, store and report layers raise, in Dutch (issue 13): every ``raise SomeError(...)``
of the exception tree in ``deps/services``, ``deps/access``, ``deps/store`` and ``deps/reports``, read from the source
as in ``tests/test_app_import_messages.py``, has a Dutch wording (:mod:`app_pages.messages_service` and the patterns
before it), so a new English error fails here until it has one.

Left out on purpose: ``deps/cli`` (the command line stays English), ``deps/services/output.py`` (the checks of an
output path: the app writes a report only to a fresh name in a temporary folder of its own), ``deps/config.py`` (its
errors stop the process before any page is drawn) and ``deps/ingest`` (its own test).  The service layer's wrapping
of an engine error (``deps/services/boundary.py``: ``"<task> failed: <engine message>"``) is checked for its lead-in
only; the engine messages inside are the engines' own.
"""

from __future__ import annotations

import ast
from pathlib import Path

from app_pages.sentences import FAILED, localise_error
from deps import errors
from deps.errors import DataValidationError, NotFoundError, PermissionDeniedError
from tests.test_app_import_messages import Message, _Collector, _data_only, _Module, _translated, _unique

DEPS = Path(__file__).resolve().parents[1] / "deps"
LAYERS = ("services", "access", "store", "reports")
#: Modules of the layers whose errors the app cannot meet (it writes only to fresh names in its own folders).
COMMAND_LINE_ONLY = {"output.py"}
#: The exception tree's classes (a ``DataValidationError`` carries problems: the importers' test reads those).
RAISED = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, Exception) and value is not DataValidationError
}
#: Real samples of messages whose fields the source reading fills with stand-ins a vocabulary does not know (a shock
#: kind, the roles an action needs, the fusable formats, a solve's status) or joins (a count of two terms).
REAL = {
    "batch.py": (
        "the batch stopped after 12 of 40 scenarios: a worker or the Dask scheduler was lost (OSError: timed out). "
        "The finished scenarios are stored: run the same command again to solve the rest",
    ),
    "analysis.py": ("no country 'XYZ' in dataset 'seed'; similar ids: CHN, CHE",),
    "roles.py": (
        "user 'vic' has role 'viewer', which may not 'optimise': that needs role analyst or admin. Ask an admin to "
        "change your role (deps users set-role NAME ROLE).",
        "'read' needs an authenticated actor, not str 'vic'",
    ),
    "composition.py": ("dataset 'baci' (baci) cannot be fused: only usgs, iea and cset imports map to nodes",),
    "parametric.py": ("the LP is infeasible at budget 50; sweep budget by budget",),
    "sensitivity.py": ("the central problem is unbounded; sensitivity needs an optimal answer",),
}


def raised_messages() -> list[Message]:
    """Every message of a ``raise`` of the exception tree in the layers, as variants of samples."""
    paths = [path for layer in LAYERS for path in sorted((DEPS / layer).rglob("*.py"))]
    modules = [_Module(path) for path in paths if path.name not in COMMAND_LINE_ONLY]
    collector = _Collector(modules)
    found = []
    for module in modules:
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in RAISED:
                variants = _unique(collector.value(module, node.exc.args[0]))
                found.append(Message(f"{module.path.name}:{node.lineno}", "error", tuple(map(tuple, variants))))
    return found


def _covered(message: Message, variant: tuple[str, ...]) -> bool:
    if _data_only(variant) or any(_translated(sample) for sample in variant):
        return True
    if message.where.startswith("boundary.py"):  # "<task> failed: <engine message>": the lead-in is translated
        return any(FAILED.match(sample) for sample in variant)
    real = REAL.get(message.where.split(":")[0], ())
    return bool(real) and all(_translated(sample) for sample in real)


def test_every_raised_service_message_has_a_dutch_wording() -> None:
    messages = raised_messages()
    assert {m.where.split(":")[0] for m in messages} >= {"auth.py", "roles.py", "db.py", "service.py", "runs.py"}
    assert sum(len(m.variants) for m in messages) > 60
    uncovered = [(m.where, v[0]) for m in messages for v in m.variants if not _covered(m, v)]
    assert uncovered == []


def test_the_reading_finds_a_new_english_error(tmp_path: Path) -> None:
    """The check is not empty: an invented error in a layer module is found and has no Dutch wording."""
    path = tmp_path / "invented.py"
    path.write_text('from deps.errors import RunError\n\ndef f(x):\n    raise RunError(f"the widget {x!r} is bent")\n')
    module = _Module(path)
    raise_node = next(n for n in ast.walk(module.tree) if isinstance(n, ast.Raise))
    assert isinstance(raise_node.exc, ast.Call)
    variants = _unique(_Collector([module]).value(module, raise_node.exc.args[0]))
    message = Message("invented.py:4", "error", tuple(map(tuple, variants)))
    assert [v for v in message.variants if not _covered(message, v)]


def test_errors_the_app_shows_in_dutch() -> None:
    assert localise_error(PermissionDeniedError(REAL["roles.py"][0]), "nl").startswith("gebruiker 'vic' heeft de rol")
    assert localise_error(NotFoundError("no assumption set 'x'; see `deps assumptions list`"), "nl") == (
        "geen aannameset 'x'; zie `deps assumptions list`"
    )
    english = "the classification marking is longer than 200 characters"
    assert localise_error(errors.DepsError(english), "en") == english


#: The engine modules whose errors an analyst can meet through the app (inside the service layer's "<task> failed:
#: ..."): the optimiser's solvers, ranges, frontier, robust plans and sensitivity, and the simulator's sweep.
ENGINE_MODULES = (
    *(f"optimizer/{name}.py" for name in ("backends", "fast", "parametric", "ranges", "robust", "robust_box")),
    "optimizer/sensitivity.py",
    "supplychain/sweep.py",
)
#: Contract errors of those modules: arguments the service layer builds itself, never from what a user typed.
CONTRACT = ("an option names a target", "need 0 <= low <= high")


def test_every_engine_error_an_analyst_can_meet_has_a_dutch_wording() -> None:
    root = DEPS.parent
    modules = [_Module(root / name) for name in ENGINE_MODULES]
    collector = _Collector(modules)
    found = []
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                func = node.exc.func
                if (func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")).endswith("Error"):
                    variants = _unique(collector.value(module, node.exc.args[0]))
                    found.append(Message(f"{module.path.name}:{node.lineno}", "error", tuple(map(tuple, variants))))
    assert len(found) >= 12
    uncovered = [
        (m.where, v[0])
        for m in found
        for v in m.variants
        if not _covered(m, v) and not any(v[0].startswith(c) for c in CONTRACT)
    ]
    assert uncovered == []
    wrapped = "optimisation failed: the LP is infeasible at budget 50; sweep budget by budget"
    assert localise_error(errors.RunError(wrapped), "nl") == (
        "de optimalisatie is mislukt: het LP is onuitvoerbaar bij budget 50; bereken het budget voor budget"
    )
