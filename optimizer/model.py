"""The allocation LP in PuLP, built from named constraint families (docs/methods/optimiser.md).

Variables ``0 <= y_atk <= L_atk`` (EUR million on segment k of line a for target t). The
objective is a MINIMISATION of the weighted residual risk, so dual signs agree across CBC and
HiGHS (docs/methods/optimiser.md)::

    minimise  sum_t w_t (r_t - R_t) - lambda * sum_t leverage_t * spend_t,
    R_t = sum_ak e_atk y_atk.

Every row carries a readable name (``budget``, ``line-max[financing]``, ``risk-floor[GA-01]``,
``forced[financing|GA-01]``, ``year-budget[2026]``); PuLP itself gets safe names (``c0``,
``c1``, ...) because it rewrites ``-[]|`` with a warning, and :class:`LpModel` maps between
them. With ``elastic=True`` every named row gets a non-negative slack and the objective becomes
the sum of slacks (a phase-1 LP used by the infeasibility diagnosis).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from optimizer.inputs import OptimiserInputs, Policy, line_bounds

__all__ = [
    "LpModel",
    "add_budget",
    "add_forbidden",
    "add_forced",
    "add_line_bounds",
    "add_market_shares",
    "add_risk_floor",
    "add_target_caps",
    "add_years",
    "build_model",
    "market_terms",
    "option_targets",
]

Terms = list[tuple[pulp.LpVariable, float]]


@dataclass(eq=False)
class LpModel:
    """A built PuLP problem with readable constraint names.

    Attributes
    ----------
    problem : pulp.LpProblem
    variables : list of pulp.LpVariable
        One per row of ``inputs.options`` (same order).
    constraints : dict of readable name -> pulp.LpConstraint
    families : dict of readable name -> family (``budget``, ``line-min``, ...)
    slacks : dict of readable name -> list of slack variables (elastic models only)
    year_variables : dict of (line, year) -> variable (multi-year models only)
    objective_constant : float
        sum_t w_t r_t, added to PuLP's objective to give the weighted residual risk.
    """

    problem: pulp.LpProblem
    inputs: OptimiserInputs
    policy: Policy
    variables: list[pulp.LpVariable]
    elastic: bool = False
    constraints: dict[str, pulp.LpConstraint] = field(default_factory=dict)
    families: dict[str, str] = field(default_factory=dict)
    slacks: dict[str, list[pulp.LpVariable]] = field(default_factory=dict)
    year_variables: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    objective_constant: float = 0.0

    def add(self, name: str, family: str, terms: Terms, sense: str, rhs: float) -> None:
        """Add the named row ``sum(terms) sense rhs`` with ``sense`` in ``<=, >=, ==``."""
        terms = list(terms)
        if self.elastic:
            if sense in ("<=", "=="):
                s = self.problem.add_variable(f"sm{len(self.constraints)}", lowBound=0)
                terms.append((s, -1.0))
                self.slacks.setdefault(name, []).append(s)
            if sense in (">=", "=="):
                s = self.problem.add_variable(f"sp{len(self.constraints)}", lowBound=0)
                terms.append((s, 1.0))
                self.slacks.setdefault(name, []).append(s)
        expr = pulp.LpAffineExpression(terms)
        pulp_sense = {
            "<=": pulp.LpConstraintLE,
            ">=": pulp.LpConstraintGE,
            "==": pulp.LpConstraintEQ,
        }[sense]
        con = pulp.LpConstraint(expr, sense=pulp_sense, rhs=rhs, name=f"c{len(self.constraints)}")
        self.problem += con
        self.constraints[name] = con
        self.families[name] = family.split("[")[0]

    def readable(self) -> Mapping[str, str]:
        """Map PuLP's safe row names back to the readable names."""
        return {con.name: name for name, con in self.constraints.items()}


def build_model(inputs: OptimiserInputs, policy: Policy, *, elastic: bool = False) -> LpModel:
    """Build the allocation LP from the constraint families.

    Parameters
    ----------
    inputs : OptimiserInputs
    policy : Policy
    elastic : bool
        Phase-1 form: every named row gets slack variables and the objective minimises their
        sum (EUR million, or share points for share rows, or risk for risk floors).

    Returns
    -------
    LpModel
    """
    opts = inputs.options
    prob = pulp.LpProblem("allocation", pulp.LpMinimize)
    lengths = opts["length_meur"].to_numpy(dtype=float)
    variables = [prob.add_variable(f"y{i}", lowBound=0, upBound=float(lengths[i])) for i in range(len(opts))]
    model = LpModel(problem=prob, inputs=inputs, policy=policy, variables=variables, elastic=elastic)
    add_budget(model)
    add_line_bounds(model)
    add_market_shares(model)
    add_target_caps(model)
    add_risk_floor(model)
    add_forced(model)
    add_forbidden(model)
    add_years(model)
    model.objective_constant = inputs.weighted_baseline
    if elastic:
        slack_terms = [(s, 1.0) for group in model.slacks.values() for s in group]
        prob.setObjective(pulp.LpAffineExpression(slack_terms))
    else:
        prob.setObjective(pulp.LpAffineExpression(_objective_terms(model)))
    return model


def _objective_terms(model: LpModel) -> Terms:
    opts = model.inputs.options
    cost = -(opts["weight"] * opts["slope"]).to_numpy(dtype=float)
    lam = model.policy.leverage_weight
    if lam:
        lev = model.inputs.targets.set_index("target_id")["leverage"]
        cost = cost - lam * opts["target_id"].map(lev).to_numpy(dtype=float)
    return [(v, float(c)) for v, c in zip(model.variables, cost, strict=True) if c != 0.0]


def _group_terms(model: LpModel, column: str, coef: np.ndarray | None = None) -> dict[str, Terms]:
    """Terms per value of an option column (a stable sort keeps the option order in a group)."""
    codes, keys = pd.factorize(model.inputs.options[column])
    order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=len(keys)))]
    values = np.ones(len(codes)) if coef is None else coef
    groups: dict[str, Terms] = {}
    variables = model.variables
    for k, key in enumerate(keys):
        idx = order[bounds[k] : bounds[k + 1]]
        groups[str(key)] = [(variables[i], float(values[i])) for i in idx if values[i] != 0.0]
    return groups


def add_budget(model: LpModel) -> None:
    """``budget``: sum of all spend <= B."""
    model.add("budget", "budget", [(v, 1.0) for v in model.variables], "<=", model.policy.budget_meur)


def add_line_bounds(model: LpModel) -> None:
    """``line-min[a]`` and ``line-max[a]``: bounds on each action line's total spend."""
    groups = _group_terms(model, "action_line_id")
    for line, (lo, hi) in line_bounds(model.inputs, model.policy).items():
        terms = groups.get(line, [])
        if lo > 0:
            model.add(f"line-min[{line}]", "line-min", terms, ">=", lo)
        if hi is not None:
            model.add(f"line-max[{line}]", "line-max", terms, "<=", hi)


def market_terms(model: LpModel, market: str) -> Terms:
    """Spend attributed to market m (:mod:`optimizer.reach`): ``sum_j s_{t(j),m} y_j``."""
    inputs = model.inputs
    if market not in inputs.markets:
        return []
    split = inputs.reach_arrays[1][:, inputs.markets.index(market)]
    coef = split[option_targets(inputs)]
    return [(model.variables[i], float(coef[i])) for i in np.flatnonzero(coef > 0)]


def option_targets(inputs: OptimiserInputs) -> np.ndarray:
    """Position of each option's target in ``inputs.target_ids``."""
    tpos = {t: i for i, t in enumerate(inputs.target_ids)}
    return inputs.options["target_id"].map(tpos).to_numpy(dtype=np.int64)


def add_market_shares(model: LpModel) -> None:
    """``market-min-share[m]`` / ``market-max-share[m]``: spend attributed to m within shares of B.

    The spend attributed to market m is ``sum_t s_tm spend_t`` with
    ``s_tm = rho_tm / sum_m' rho_tm'`` (attribution by reach, :mod:`optimizer.reach`).
    """
    budget = model.policy.budget_meur
    for market, share in sorted(model.policy.market_min_share.items()):
        model.add(f"market-min-share[{market}]", "market-min-share", market_terms(model, market), ">=", share * budget)
    for market, share in sorted(model.policy.market_max_share.items()):
        model.add(f"market-max-share[{market}]", "market-max-share", market_terms(model, market), "<=", share * budget)


def add_target_caps(model: LpModel) -> None:
    """``target-cap[t]``: total spend on target t <= its cap (policy or default cap)."""
    groups = _group_terms(model, "target_id")
    default = model.policy.default_target_cap_meur
    for target in model.inputs.target_ids:
        cap = model.policy.target_cap_meur.get(target, default)
        if cap is not None:
            model.add(f"target-cap[{target}]", "target-cap", groups.get(target, []), "<=", float(cap))


def add_risk_floor(model: LpModel) -> None:
    """``risk-floor[t]``: reduction R_t = sum e_atk y_atk <= r_t (risk cannot fall below 0)."""
    slopes = model.inputs.options["slope"].to_numpy(dtype=float)
    groups = _group_terms(model, "target_id", slopes)
    risk = dict(zip(model.inputs.target_ids, model.inputs.targets["baseline_risk"].tolist(), strict=True))
    for target in sorted(groups):
        if groups[target]:
            model.add(f"risk-floor[{target}]", "risk-floor", groups[target], "<=", float(risk[target]))


def add_forced(model: LpModel) -> None:
    """``forced[a|t]`` / ``forced[a]``: minimum spend on a (line, target) pair or a line."""
    opts = model.inputs.options
    for f in model.policy.forced:
        mask = opts["action_line_id"].to_numpy() == f.action_line_id
        if f.target_id is not None:
            mask &= opts["target_id"].to_numpy() == f.target_id
        terms = [(model.variables[i], 1.0) for i in np.flatnonzero(mask)]
        model.add(f.name, "forced", terms, ">=", float(f.min_meur))


def add_forbidden(model: LpModel) -> None:
    """``forbidden[a|t]`` / ``forbidden[a]``: spend on the option (or line) == 0 (as ``<= 0``)."""
    opts = model.inputs.options
    for line, target in model.policy.forbidden:
        mask = opts["action_line_id"].to_numpy() == line
        if target is not None:
            mask &= opts["target_id"].to_numpy() == target
        terms = [(model.variables[i], 1.0) for i in np.flatnonzero(mask)]
        key = line if target is None else f"{line}|{target}"
        model.add(f"forbidden[{key}]", "forbidden", terms, "<=", 0.0)


def add_years(model: LpModel) -> None:
    """Multi-year budgets: spend x_{a,year} >= 0 per line and year.

    ``year-link[a]``: sum_year x_{a,year} == sum_tk y_atk (curves apply to the total) and
    ``year-budget[year]``: sum_a x_{a,year} <= budget of that year.
    """
    years = sorted(model.policy.year_budgets_meur)
    if not years:
        return
    groups = _group_terms(model, "action_line_id")
    for line in model.inputs.line_ids:
        for year in years:
            model.year_variables[(line, year)] = model.problem.add_variable(f"x{len(model.year_variables)}", lowBound=0)
        terms = [(model.year_variables[(line, y)], 1.0) for y in years]
        terms += [(v, -1.0) for v, _ in groups.get(line, [])]
        model.add(f"year-link[{line}]", "year-link", terms, "==", 0.0)
    for year in years:
        terms = [(model.year_variables[(line, year)], 1.0) for line in model.inputs.line_ids]
        budget = float(model.policy.year_budgets_meur[year])
        model.add(f"year-budget[{year}]", "year-budget", terms, "<=", budget)
