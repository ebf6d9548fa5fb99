"""Solver back ends: the solver names and their validation, in one place (a leaf module).

HiGHS (through highspy, in process, no files) is the default solver; PuLP's bundled CBC is the
alternative. CBC is a command-line solver that writes the model in plain text: it always runs
in a private temporary directory (mode 0700) that is removed afterwards, even on error.
HiGHS presolve is off (pathological on this model class, docs/performance.md) and its ``threads``
option is never touched.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pulp

from optimizer.errors import SolverError
from optimizer.tolerances import TOL

if TYPE_CHECKING:
    from optimizer.model import LpModel

__all__ = ["DEFAULT_SOLVER", "SOLVERS", "cbc_path", "check_solver", "fix_face_highs", "new_highs", "run_solver"]

SOLVERS = ("highs", "cbc")
DEFAULT_SOLVER = "highs"


def check_solver(name: object) -> str:
    """Return ``name`` when it names a known solver.

    Raises
    ------
    SolverError
        For anything else (the message lists the choices).
    """
    if not isinstance(name, str) or name not in SOLVERS:
        raise SolverError(f"unknown solver {name!r}; use one of {', '.join(SOLVERS)}")
    return name


def new_highs() -> highspy.Highs:
    """A silent in-process HiGHS instance with presolve off."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")
    return h


class _HiGHSWithStart(pulp.HiGHS):
    """PuLP's HiGHS interface that passes a starting solution before ``run``."""

    def __init__(self, variables: list[pulp.LpVariable], start: np.ndarray, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._start_vars, self._start = variables, start

    def callSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        col = np.zeros(lp.solverModel.getNumCol())
        for var, value in zip(self._start_vars, self._start, strict=True):
            col[var.index] = value
        sol = highspy.HighsSolution()
        sol.col_value = list(col)
        sol.value_valid = True
        lp.solverModel.setSolution(sol)
        lp.solverModel.run()


def run_solver(
    model: LpModel,
    *,
    solver: str = DEFAULT_SOLVER,
    time_limit_s: float | None = None,
    start: np.ndarray | None = None,
) -> int:
    """Run ``solver`` on ``model.problem`` and return PuLP's status code.

    CBC runs in a private ``mkdtemp`` directory (mode 0700) removed afterwards, even on error.
    ``start`` (EUR million per option, HiGHS only) is passed as a starting solution.

    Raises
    ------
    SolverError
        For an unknown solver name or a missing CBC binary.
    """
    return solve_problem(
        model.problem, solver=solver, time_limit_s=time_limit_s, start=start, variables=model.variables
    )


def solve_problem(
    problem: pulp.LpProblem,
    *,
    solver: str = DEFAULT_SOLVER,
    time_limit_s: float | None = None,
    start: np.ndarray | None = None,
    variables: list[pulp.LpVariable] | None = None,
) -> int:
    """Solve a PuLP problem with a named solver (see :func:`run_solver`)."""
    check_solver(solver)
    if solver == "highs":
        opts: dict[str, Any] = {"msg": False, "timeLimit": time_limit_s, "presolve": "off"}
        if start is None or variables is None:
            cmd: pulp.LpSolver = pulp.HiGHS(**opts)
        else:
            cmd = _HiGHSWithStart(variables, np.asarray(start, dtype=float), **opts)
        return int(problem.solve(cmd))
    tmp = tempfile.mkdtemp(prefix="optimizer-cbc-")
    try:
        # CBC's default primal and dual tolerances (1e-7) are coarser than the smallest published effect slopes
        # (about 1e-6 risk per EUR million on far segments): with them CBC stops at a vertex that is optimal only
        # to 1e-7 and the defined answer would differ from HiGHS's. Tolerances from the one table.
        cbc = pulp.COIN_CMD(
            path=cbc_path(),
            msg=False,
            timeLimit=time_limit_s,
            threads=1,
            options=[f"primalTolerance {TOL.cbc_primal:g}", f"dualTolerance {TOL.cbc_dual:g}"],
        )
        cbc.tmpDir = tmp
        return int(problem.solve(cbc))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cbc_path() -> str:
    """A ``cbc`` on the PATH, else the binary bundled with PuLP 3.x (without the deprecated
    ``PULP_CBC_CMD`` class)."""
    found = shutil.which("cbc")
    if found:
        return found
    bundled = getattr(pulp.apis.coin_api.PULP_CBC_CMD, "pulp_cbc_path", None)
    if bundled is None:
        raise SolverError("CBC not found: install it (pip install 'pulp[cbc]') or use solver='highs'")
    return str(bundled)


def nearer_bound(value: np.ndarray, lower: np.ndarray | float, upper: np.ndarray | float) -> np.ndarray:
    """The bound each value sits at: the nearer of ``lower`` and ``upper`` (a tie goes to the lower).

    How a face fixes a column whose reduced cost, or a row whose dual, is nonzero (complementary
    slackness: the optimum holds it at that bound).
    """
    return np.where(np.abs(value - lower) <= np.abs(value - upper), lower, upper)


def fix_face_highs(h: highspy.Highs) -> None:
    """Restrict a solved highspy model to its optimal face (complementary slackness).

    Every column with a reduced cost above ``TOL.reduced_cost`` is fixed at the bound it sits
    on, and every row with such a dual at its active side: what remains feasible is exactly
    the set of optimal solutions (:mod:`optimizer.selection`). One bounds call for the columns
    and one for the rows.
    """
    sol = h.getSolution()
    lp = h.getLp()
    col_dual, col_value = np.asarray(sol.col_dual), np.asarray(sol.col_value)
    lo, hi = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    cols = np.flatnonzero(np.abs(col_dual) > TOL.reduced_cost)
    if len(cols):
        at = nearer_bound(col_value[cols], lo[cols], hi[cols])
        h.changeColsBounds(len(cols), cols.astype(np.int32), at, at)
    row_dual, row_value = np.asarray(sol.row_dual), np.asarray(sol.row_value)
    rlo, rhi = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    rows = np.flatnonzero(np.abs(row_dual) > TOL.reduced_cost)
    if len(rows):
        at = nearer_bound(row_value[rows], rlo[rows], rhi[rows])
        h.changeRowsBounds(len(rows), rows.astype(np.int32), at, at)  # type: ignore[attr-defined]
