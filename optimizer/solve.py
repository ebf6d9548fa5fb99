"""Solve the allocation LP and report allocation, duals and reasons (docs/methods/optimiser.md).

HiGHS (through highspy, in process, no files) is the default solver; PuLP's bundled CBC is the
alternative. CBC is a command-line solver that writes the model in plain text: it always runs
in a private temporary directory (mode 0700) that is removed afterwards, even on error.

Sign conventions (the model is a minimisation): a row's ``dual`` is the change of the weighted
residual risk per unit increase of its right-hand side. The budget's shadow price is
``-dual(budget) >= 0``: weighted risk removed per extra EUR million. An unfunded option's
reduced cost is the increase of the weighted residual risk per EUR million forced onto it.
"""

from __future__ import annotations

import enum
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pandas as pd
import pulp

from optimizer.errors import SolverError
from optimizer.inputs import OptimiserInputs, Policy, validate_policy
from optimizer.model import LpModel, build_model

if TYPE_CHECKING:
    from optimizer.diagnosis import Conflict

__all__ = ["SOLVERS", "Solution", "Status", "run_solver", "solve"]

LOG = logging.getLogger(__name__)
SOLVERS = ("highs", "cbc")
TOL = 1e-7


class Status(enum.StrEnum):
    """Outcome of a solve."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"


@dataclass(frozen=True, eq=False)
class Solution:
    """Result of one solve.

    ``objective`` is the weighted residual risk ``sum_t w_t (r_t - R_t)`` minus
    ``leverage_bonus = lambda * sum_t leverage_t * spend_t`` (0 unless the policy's
    ``leverage_weight`` lambda is positive).

    Frames (empty when not optimal):

    * ``allocation``: action_line_id, target_id, market, spend_meur, risk_reduction
      (funded line x target pairs only);
    * ``targets``: target_id, market, baseline_risk, weight, spend_meur, risk_reduction,
      residual_risk;
    * ``markets``: market, spend_meur, share_of_budget, baseline_risk, residual_risk,
      weighted_residual_risk;
    * ``duals``: constraint, family, dual, slack, binding (every named row);
    * ``reduced_costs``: action_line_id, target_id, market, segment, slope, reduced_cost, reason
      (every unfunded option: "why not funded");
    * ``years``: year, action_line_id, spend_meur (multi-year models);
    * ``assumptions``: the effect curves used (with their ``source``).
    """

    status: Status
    reason: str
    solver: str
    objective: float | None
    baseline_objective: float
    budget_meur: float
    total_spend_meur: float | None
    budget_shadow_price: float | None
    leverage_weight: float
    leverage_bonus: float
    allocation: pd.DataFrame
    targets: pd.DataFrame
    markets: pd.DataFrame
    duals: pd.DataFrame
    reduced_costs: pd.DataFrame
    years: pd.DataFrame
    assumptions: pd.DataFrame
    conflicts: tuple[Conflict, ...] = field(default=())


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
    solver: str = "highs",
    time_limit_s: float | None = None,
    start: np.ndarray | None = None,
) -> int:
    """Run ``solver`` on ``model.problem`` and return PuLP's status code.

    CBC runs in a private ``mkdtemp`` directory (mode 0700) removed afterwards, even on error.
    ``start`` (EUR million per option, HiGHS only) is passed as a starting solution.

    Raises
    ------
    SolverError
        For an unknown solver name.
    """
    if solver == "highs":
        # Presolve off: pathological on this model class (docs/performance.md). Never set threads.
        opts: dict[str, Any] = {"msg": False, "timeLimit": time_limit_s, "presolve": "off"}
        if start is None:
            cmd: pulp.LpSolver = pulp.HiGHS(**opts)
        else:
            cmd = _HiGHSWithStart(model.variables, np.asarray(start, dtype=float), **opts)
        return int(model.problem.solve(cmd))
    if solver == "cbc":
        tmp = tempfile.mkdtemp(prefix="optimizer-cbc-")
        try:
            cbc = pulp.COIN_CMD(path=_cbc_path(), msg=False, timeLimit=time_limit_s, threads=1)
            cbc.tmpDir = tmp
            return int(model.problem.solve(cbc))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    raise SolverError(f"unknown solver {solver!r}; use one of {SOLVERS}")


def _cbc_path() -> str:
    """A ``cbc`` on the PATH, else the binary bundled with PuLP 3.x (without the deprecated
    ``PULP_CBC_CMD`` class)."""
    found = shutil.which("cbc")
    if found:
        return found
    bundled = getattr(pulp.apis.coin_api.PULP_CBC_CMD, "pulp_cbc_path", None)
    if bundled is None:
        raise SolverError("CBC not found: install it (pip install 'pulp[cbc]') or use solver='highs'")
    return str(bundled)


def solve(
    inputs: OptimiserInputs,
    policy: Policy,
    *,
    solver: str = "highs",
    time_limit_s: float | None = None,
    diagnose: bool = True,
) -> Solution:
    """Allocate the budget: build the LP, solve it and explain the answer.

    Parameters
    ----------
    inputs : OptimiserInputs
    policy : Policy
    solver : {"highs", "cbc"}
    time_limit_s : float, optional
    diagnose : bool
        When infeasible, run the cheap pre-checks and the elastic (phase-1) LP to name the
        conflicting constraints (``Solution.conflicts``).

    Returns
    -------
    Solution
        ``status`` is never an exception: an infeasible policy is a result with a reason.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"target_id": ["a"], "market": ["m"], "baseline_risk": [1.0],
    ...                   "weight": [1.0], "dependency_kind": ["k"]})
    >>> lines = pd.DataFrame({"action_line_id": ["fin"], "name_en": ["F"], "name_nl": ["F"]})
    >>> eff = pd.DataFrame({"action_line_id": ["fin"], "dependency_kind": ["k"], "segment": [1],
    ...                     "length_meur": [10.0], "reduction_per_meur": [0.05]})
    >>> from optimizer.inputs import build_inputs
    >>> s = solve(build_inputs(t, lines, eff), Policy(budget_meur=4.0))
    >>> s.status.value, round(s.objective, 6), round(s.budget_shadow_price, 6)
    ('optimal', 0.8, 0.05)
    """
    validate_policy(inputs, policy)
    model = build_model(inputs, policy)
    start = None
    if solver == "highs" and len(inputs.options):
        from optimizer.fast import FastModel  # the greedy fill: an exact or near start

        start = FastModel(inputs, policy, build_lp=False).greedy_fill()
    try:
        code = run_solver(model, solver=solver, time_limit_s=time_limit_s, start=start)
    except pulp.PulpSolverError as exc:  # solver crashed: a result, not a crash
        LOG.warning("solver %s failed: %s", solver, exc)
        return _empty(inputs, policy, Status.ERROR, f"solver {solver} failed: {exc}", solver)
    status = {1: Status.OPTIMAL, -1: Status.INFEASIBLE, -2: Status.UNBOUNDED}.get(code, Status.ERROR)
    if status is Status.OPTIMAL:
        return _optimal(model, solver)
    reason = f"{solver} reports {pulp.LpStatus.get(code, code)}"
    conflicts: tuple[Conflict, ...] = ()
    if status is Status.INFEASIBLE and diagnose:
        from optimizer.diagnosis import diagnose_infeasibility

        conflicts = diagnose_infeasibility(inputs, policy, solver=solver)
        if conflicts:
            reason = "infeasible: " + "; ".join(c.message for c in conflicts)
    return _empty(inputs, policy, status, reason, solver, conflicts)


def _optimal(model: LpModel, solver: str) -> Solution:
    inputs, policy = model.inputs, model.policy
    opts = inputs.options
    y = np.array([v.varValue or 0.0 for v in model.variables], dtype=float)
    y = np.where(np.abs(y) < 1e-9, 0.0, y)
    dj = np.array([v.dj or 0.0 for v in model.variables], dtype=float)
    frame = opts.assign(spend_meur=y, risk_reduction=y * opts["slope"].to_numpy())
    alloc = (
        frame.groupby(["action_line_id", "target_id", "market"], sort=True)[["spend_meur", "risk_reduction"]]
        .sum()
        .reset_index()
    )
    alloc = alloc[alloc["spend_meur"] > 1e-9].reset_index(drop=True)
    targets = _target_table(inputs, frame)
    lev = inputs.targets.set_index("target_id")["leverage"]
    spend_t = targets.set_index("target_id")["spend_meur"]
    bonus = float(policy.leverage_weight * (lev * spend_t).sum()) + 0.0
    duals = _dual_table(model)
    budget_dual = float(duals.loc[duals["constraint"] == "budget", "dual"].iloc[0])
    shadow = max(0.0, -budget_dual) + 0.0
    objective = float(model.objective_constant + (pulp.value(model.problem.objective) or 0.0))
    total = float(y.sum())
    forbidden = _forbidden_mask(inputs, policy)
    unfunded = frame.assign(reduced_cost=dj)[y <= 1e-9].copy()
    reasons = []
    for fb, rc, e in zip(forbidden[y <= 1e-9], unfunded["reduced_cost"], unfunded["slope"], strict=True):
        reasons.append(_why_not(bool(fb), float(rc), float(e)))
    unfunded["reason"] = reasons
    cols = ["action_line_id", "target_id", "market", "segment", "slope", "reduced_cost", "reason"]
    years = pd.DataFrame(
        [
            {"year": year, "action_line_id": line, "spend_meur": float(v.varValue or 0.0)}
            for (line, year), v in sorted(model.year_variables.items())
        ],
        columns=["year", "action_line_id", "spend_meur"],
    )
    return Solution(
        status=Status.OPTIMAL,
        reason="optimal",
        solver=solver,
        objective=objective,
        baseline_objective=inputs.weighted_baseline,
        budget_meur=float(policy.budget_meur),
        total_spend_meur=total,
        budget_shadow_price=shadow,
        leverage_weight=float(policy.leverage_weight),
        leverage_bonus=bonus,
        allocation=alloc,
        targets=targets,
        markets=_market_table(targets, policy.budget_meur),
        duals=duals,
        reduced_costs=unfunded.loc[:, cols].reset_index(drop=True),
        years=years,
        assumptions=inputs.effects.copy(),
    )


def _why_not(forbidden: bool, reduced_cost: float, slope: float) -> str:
    if forbidden:
        return "forbidden by the policy"
    if slope <= 0:
        return "no effect on this target (slope 0)"
    if reduced_cost > TOL:
        return (
            f"each EUR million here would leave {reduced_cost:.4g} more weighted risk "
            "than the marginal use of the budget"
        )
    return "tied with funded options (reduced cost 0): an alternative optimum may fund it"


def _forbidden_mask(inputs: OptimiserInputs, policy: Policy) -> np.ndarray:
    opts = inputs.options
    mask = np.zeros(len(opts), dtype=bool)
    for line, target in policy.forbidden:
        m = opts["action_line_id"].to_numpy() == line
        if target is not None:
            m &= opts["target_id"].to_numpy() == target
        mask |= m
    return mask


def _target_table(inputs: OptimiserInputs, frame: pd.DataFrame) -> pd.DataFrame:
    per = frame.groupby("target_id", sort=True)[["spend_meur", "risk_reduction"]].sum()
    t = inputs.targets[["target_id", "market", "baseline_risk", "weight"]].copy()
    t = t.merge(per, left_on="target_id", right_index=True, how="left").fillna(
        {"spend_meur": 0.0, "risk_reduction": 0.0}
    )
    t["risk_reduction"] = np.minimum(t["risk_reduction"], t["baseline_risk"])
    t["residual_risk"] = (t["baseline_risk"] - t["risk_reduction"]).clip(lower=0.0)
    return t.reset_index(drop=True)


def _market_table(targets: pd.DataFrame, budget: float) -> pd.DataFrame:
    t = targets.assign(weighted_residual_risk=targets["weight"] * targets["residual_risk"])
    m = t.groupby("market", sort=True)[["spend_meur", "baseline_risk", "residual_risk", "weighted_residual_risk"]].sum()
    m.insert(1, "share_of_budget", m["spend_meur"] / budget if budget > 0 else 0.0)
    return m.reset_index()


def _dual_table(model: LpModel) -> pd.DataFrame:
    rows = []
    for name, con in model.constraints.items():
        dual = float(con.pi or 0.0) + 0.0
        slack = float(con.slack or 0.0) + 0.0
        scale = max(1.0, abs(float(-con.constant)))
        rows.append(
            {
                "constraint": name,
                "family": model.families[name],
                "dual": dual,
                "slack": slack,
                "binding": bool(abs(slack) <= 1e-6 * scale),
            }
        )
    return pd.DataFrame(rows, columns=["constraint", "family", "dual", "slack", "binding"])


def _empty(
    inputs: OptimiserInputs,
    policy: Policy,
    status: Status,
    reason: str,
    solver: str,
    conflicts: tuple[Conflict, ...] = (),
) -> Solution:
    def frame(cols: list[str]) -> pd.DataFrame:
        return pd.DataFrame({c: [] for c in cols})

    return Solution(
        status=status,
        reason=reason,
        solver=solver,
        objective=None,
        baseline_objective=inputs.weighted_baseline,
        budget_meur=float(policy.budget_meur),
        total_spend_meur=None,
        budget_shadow_price=None,
        leverage_weight=float(policy.leverage_weight),
        leverage_bonus=0.0,
        allocation=frame(["action_line_id", "target_id", "market", "spend_meur", "risk_reduction"]),
        targets=frame(
            ["target_id", "market", "baseline_risk", "weight", "spend_meur", "risk_reduction", "residual_risk"]
        ),
        markets=frame(
            ["market", "spend_meur", "share_of_budget", "baseline_risk", "residual_risk", "weighted_residual_risk"]
        ),
        duals=frame(["constraint", "family", "dual", "slack", "binding"]),
        reduced_costs=frame(["action_line_id", "target_id", "market", "segment", "slope", "reduced_cost", "reason"]),
        years=frame(["year", "action_line_id", "spend_meur"]),
        assumptions=inputs.effects.copy(),
        conflicts=conflicts,
    )
