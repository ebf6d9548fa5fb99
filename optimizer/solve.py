"""Solve the allocation LP and report allocation, ranges, duals and reasons (docs/methods/optimiser.md).

Three steps: the first stage (the LP of :mod:`optimizer.model`, solved by the chosen back end of
:mod:`optimizer.backends`), the second stage that picks one defined allocation among the optimal
ones (:mod:`optimizer.selection`, so HiGHS and CBC give the same answer), and the range LPs
that say how much each line and market could receive at the same residual risk
(:mod:`optimizer.ranges`). Spend and risk per market follow attribution by reach
(:mod:`optimizer.reach`).

Sign conventions (the model is a minimisation): a row's ``dual`` is the change of the weighted
residual risk per unit increase of its right-hand side. The budget's shadow price is
``-dual(budget) >= 0``: weighted risk removed per extra EUR million. An unfunded option's
reduced cost is the increase of the weighted residual risk per EUR million forced onto it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from optimizer.backends import SOLVERS, check_solver, run_solver
from optimizer.diagnosis import Conflict, diagnose_infeasibility
from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy, validate_policy
from optimizer.model import LpModel, build_model
from optimizer.ranges import Ranges, allocation_ranges
from optimizer.reach import market_risk
from optimizer.selection import select_allocation
from optimizer.status import Status
from optimizer.tolerances import TOL

__all__ = ["SOLVERS", "Solution", "Status", "run_solver", "solve"]

LOG = logging.getLogger(__name__)
LINE_RANGE_COLUMNS = ["action_line_id", "spend_meur", "line_min_meur", "line_max_meur"]
MARKET_RANGE_COLUMNS = ["market", "spend_meur", "market_min_meur", "market_max_meur"]


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
      weighted_baseline_risk, weighted_residual_risk (:func:`optimizer.reach.market_risk`);
    * ``duals``: constraint, family, dual, slack, binding (every named row);
    * ``reduced_costs``: action_line_id, target_id, market, segment, slope, reduced_cost, reason
      (every unfunded option: "why not funded");
    * ``years``: year, action_line_id, spend_meur (multi-year models);
    * ``assumptions``: the effect curves used (with their ``source``);
    * ``line_ranges``: action_line_id, spend_meur, line_min_meur, line_max_meur and
      ``market_ranges``: market, spend_meur, market_min_meur, market_max_meur -- the spend over
      all allocations within ``range_tolerance`` of the optimal objective
      (:mod:`optimizer.ranges`); ``unique_split`` and ``split_note`` say it in a flag and words.

    Market columns follow attribution by reach (:mod:`optimizer.reach`): ``markets`` spend is
    split over the markets a target reaches, risks count in every market reached (weighted by
    rho_tm); ``market`` on the allocation and target frames is a label (``a;b``).
    The allocation is the second-stage answer (:mod:`optimizer.selection`): the same for HiGHS
    and CBC. ``selection`` says ``second-stage`` or why the first-stage vertex was kept.
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
    line_ranges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LINE_RANGE_COLUMNS))
    market_ranges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MARKET_RANGE_COLUMNS))
    unique_split: bool | None = None
    split_note: str = ""
    range_tolerance: float | None = None
    selection: str = "none"


def solve(
    inputs: OptimiserInputs,
    policy: Policy,
    *,
    solver: str = "highs",
    time_limit_s: float | None = None,
    diagnose: bool = True,
    second_stage: bool = True,
    ranges: bool = True,
    range_tolerance: float | None = None,
) -> Solution:
    """Allocate the budget: build the LP, solve it, pick the defined answer, explain it.

    Parameters
    ----------
    inputs : OptimiserInputs
    policy : Policy
    solver : {"highs", "cbc"}
    time_limit_s : float, optional
    diagnose : bool
        When infeasible, run the cheap pre-checks and the elastic (phase-1) LP to name the
        conflicting constraints (``Solution.conflicts``).
    second_stage : bool
        Pick the defined answer among the optimal allocations (:mod:`optimizer.selection`).
    ranges : bool
        Compute the line and market ranges (:mod:`optimizer.ranges`, on HiGHS).
    range_tolerance : float, optional
        Relative tolerance of the ranges on the objective (default 0: the exact optimal face).

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
    check_solver(solver)
    validate_policy(inputs, policy)
    model = build_model(inputs, policy)
    start = None
    if solver == "highs" and len(inputs.options):
        start = FastModel(inputs, policy, build_lp=False).greedy_fill()  # an exact or near start
    try:
        code = run_solver(model, solver=solver, time_limit_s=time_limit_s, start=start)
    except pulp.PulpSolverError as exc:  # solver crashed: a result, not a crash
        LOG.warning("solver %s failed: %s", solver, exc)
        return _empty(inputs, policy, Status.ERROR, f"solver {solver} failed: {exc}", solver)
    status = {1: Status.OPTIMAL, -1: Status.INFEASIBLE, -2: Status.UNBOUNDED}.get(code, Status.ERROR)
    if status is Status.OPTIMAL:
        return _optimal(model, solver, second_stage=second_stage, ranges=ranges, range_tolerance=range_tolerance)
    reason = f"{solver} reports {pulp.LpStatus.get(code, code)}"
    conflicts: tuple[Conflict, ...] = ()
    if status is Status.INFEASIBLE and diagnose:
        conflicts = diagnose_infeasibility(inputs, policy, solver=solver)
        if conflicts:
            reason = "infeasible: " + "; ".join(c.message for c in conflicts)
    return _empty(inputs, policy, status, reason, solver, conflicts)


def _optimal(
    model: LpModel,
    solver: str,
    *,
    second_stage: bool,
    ranges: bool,
    range_tolerance: float | None,
) -> Solution:
    inputs, policy = model.inputs, model.policy
    opts = inputs.options
    y = np.array([v.varValue or 0.0 for v in model.variables], dtype=float)
    y = np.where(np.abs(y) < TOL.zero_spend, 0.0, y)
    dj = np.array([v.dj or 0.0 for v in model.variables], dtype=float)
    duals = _dual_table(model)
    budget_dual = float(duals.loc[duals["constraint"] == "budget", "dual"].iloc[0])
    shadow = max(0.0, -budget_dual) + 0.0
    z_star = float(pulp.value(model.problem.objective) or 0.0)
    years = pd.DataFrame(
        [
            {"year": year, "action_line_id": line, "spend_meur": float(v.varValue or 0.0)}
            for (line, year), v in sorted(model.year_variables.items())
        ],
        columns=["year", "action_line_id", "spend_meur"],
    )
    range_result: Ranges | None = None
    if ranges and len(opts):
        range_result = allocation_ranges(model, z_star, y, range_rel=range_tolerance)
    selection = "off"
    if second_stage:
        chosen = select_allocation(model, z_star, solver=solver)
        selection = "second-stage" if chosen is not None else "first-stage (second stage not solved)"
        if chosen is not None:
            y = chosen
    frame = opts.assign(spend_meur=y, risk_reduction=y * opts["slope"].to_numpy())
    targets = _target_table(inputs, frame)
    label = targets.set_index("target_id")["market"]
    alloc = frame.groupby(["action_line_id", "target_id"], sort=True)[["spend_meur", "risk_reduction"]].sum()
    alloc = alloc.reset_index()
    alloc.insert(2, "market", alloc["target_id"].map(label))
    alloc = alloc[alloc["spend_meur"] > TOL.zero_spend].reset_index(drop=True)
    lev = inputs.targets.set_index("target_id")["leverage"]
    spend_t = targets.set_index("target_id")["spend_meur"]
    bonus = float(policy.leverage_weight * (lev * spend_t).sum()) + 0.0
    # The first-stage optimum (the second-stage allocation reaches it within its tolerance).
    objective = float(model.objective_constant + z_star)
    forbidden = _forbidden_mask(inputs, policy)
    unfunded = frame.assign(market=frame["target_id"].map(label), reduced_cost=dj)[y <= TOL.zero_spend].copy()
    reasons = []
    for fb, rc, e in zip(forbidden[y <= TOL.zero_spend], unfunded["reduced_cost"], unfunded["slope"], strict=True):
        reasons.append(_why_not(bool(fb), float(rc), float(e)))
    unfunded["reason"] = reasons
    cols = ["action_line_id", "target_id", "market", "segment", "slope", "reduced_cost", "reason"]
    line_ranges, market_ranges = _range_frames(range_result, alloc, targets, inputs)
    return Solution(
        status=Status.OPTIMAL,
        reason="optimal",
        solver=solver,
        objective=objective,
        baseline_objective=inputs.weighted_baseline,
        budget_meur=float(policy.budget_meur),
        total_spend_meur=float(y.sum()),
        budget_shadow_price=shadow,
        leverage_weight=float(policy.leverage_weight),
        leverage_bonus=bonus,
        allocation=alloc,
        targets=targets,
        markets=market_risk(targets, inputs.reach, budget_meur=policy.budget_meur),
        duals=duals,
        reduced_costs=unfunded.loc[:, cols].reset_index(drop=True),
        years=years,
        assumptions=inputs.effects.copy(),
        line_ranges=line_ranges,
        market_ranges=market_ranges,
        unique_split=None if range_result is None else range_result.unique,
        split_note="" if range_result is None else range_result.note,
        range_tolerance=None if range_result is None else range_result.tolerance,
        selection=selection,
    )


def _range_frames(
    ranges: Ranges | None, alloc: pd.DataFrame, targets: pd.DataFrame, inputs: OptimiserInputs
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Range tables with the chosen (second-stage) spends beside them."""
    if ranges is None:
        return pd.DataFrame(columns=LINE_RANGE_COLUMNS), pd.DataFrame(columns=MARKET_RANGE_COLUMNS)
    per_line = alloc.groupby("action_line_id")["spend_meur"].sum()
    lines = ranges.lines.assign(spend_meur=ranges.lines["action_line_id"].map(per_line).fillna(0.0))
    per_market = market_risk(targets, inputs.reach).set_index("market")["spend_meur"]
    markets = ranges.markets.assign(spend_meur=ranges.markets["market"].map(per_market).fillna(0.0))
    return lines, markets


def _why_not(forbidden: bool, reduced_cost: float, slope: float) -> str:
    if forbidden:
        return "forbidden by the policy"
    if slope <= 0:
        return "no effect on this target (slope 0)"
    if reduced_cost > TOL.reduced_cost:
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
                "binding": bool(abs(slack) <= TOL.binding * scale),
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
            [
                "market",
                "spend_meur",
                "share_of_budget",
                "baseline_risk",
                "residual_risk",
                "weighted_baseline_risk",
                "weighted_residual_risk",
            ]
        ),
        duals=frame(["constraint", "family", "dual", "slack", "binding"]),
        reduced_costs=frame(["action_line_id", "target_id", "market", "segment", "slope", "reduced_cost", "reason"]),
        years=frame(["year", "action_line_id", "spend_meur"]),
        assumptions=inputs.effects.copy(),
        conflicts=conflicts,
    )
