"""Explain an infeasible allocation: which named constraints conflict, and by how much.

Two methods, both returning :class:`Conflict` records in words:

1. Cheap pre-checks of known conflict patterns (:func:`precheck`): line minimums above the
   budget, market minimum shares above 1, a forced spend above a cap, a line maximum, the
   effect-curve capacity, or on a forbidden option, ...
2. A general method (:func:`elastic_conflicts`): the phase-1 LP that gives every named row a
   non-negative slack and minimises their sum. Rows with a positive slack are the ones that
   must be relaxed (the amount is the slack); rows with a non-zero dual in the phase-1 LP are
   the ones they collide with.

References
----------
J. W. Chinneck, *Feasibility and Infeasibility in Optimization*, Springer, 2008 (elastic
programming, chapter 6).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pulp

from optimizer.backends import run_solver
from optimizer.inputs import OptimiserInputs, Policy, line_bounds
from optimizer.model import build_model

__all__ = ["Conflict", "diagnose_infeasibility", "elastic_conflicts", "precheck"]

LOG = logging.getLogger(__name__)
EPS = 1e-7


@dataclass(frozen=True)
class Conflict:
    """A set of named constraints that cannot hold together.

    Attributes
    ----------
    constraints : tuple of str
        Readable constraint names, the relaxed one first.
    amount : float
        By how much they conflict (EUR million, or a share for share rows).
    message : str
        The conflict in words, e.g. ``line minimums sum to 620 > budget 500``.
    method : str
        ``precheck`` or ``elastic``.
    """

    constraints: tuple[str, ...]
    amount: float
    message: str
    method: str


def diagnose_infeasibility(inputs: OptimiserInputs, policy: Policy, *, solver: str = "highs") -> tuple[Conflict, ...]:
    """Pre-checks first; the elastic LP as well (its findings are added when new)."""
    found = list(precheck(inputs, policy))
    seen = {name for c in found for name in c.constraints}
    for c in elastic_conflicts(inputs, policy, solver=solver):
        if c.constraints[0] not in seen:
            found.append(c)
    return tuple(found)


def precheck(inputs: OptimiserInputs, policy: Policy) -> tuple[Conflict, ...]:
    """Known conflict patterns, checked without a solver (amounts in EUR million)."""
    out: list[Conflict] = []
    budget = float(policy.budget_meur)
    opts = inputs.options
    bounds = line_bounds(inputs, policy)
    forced_line = {f.action_line_id: f.min_meur for f in policy.forced if f.target_id is None}
    line_need = {a: max(lo, forced_line.get(a, 0.0)) for a, (lo, _) in bounds.items()}
    total_min = sum(line_need.values())
    if total_min > budget + EPS:
        names = tuple(f"line-min[{a}]" for a, v in sorted(line_need.items()) if v > 0)
        out.append(
            _c(("budget", *names), total_min - budget, f"line minimums sum to {total_min:g} > budget {budget:g}")
        )
    years = policy.year_budgets_meur
    if years and total_min > sum(years.values()) + EPS:
        ysum = float(sum(years.values()))
        out.append(
            _c(
                tuple(f"year-budget[{y}]" for y in sorted(years)),
                total_min - ysum,
                f"line minimums sum to {total_min:g} > year budgets {ysum:g}",
            )
        )
    share_sum = float(sum(policy.market_min_share.values()))
    if share_sum > 1 + EPS:
        names = tuple(f"market-min-share[{m}]" for m in sorted(policy.market_min_share))
        out.append(_c(names, share_sum - 1, f"market minimum shares sum to {share_sum:g} > 1"))
    for m in sorted(set(policy.market_min_share) & set(policy.market_max_share)):
        lo, hi = policy.market_min_share[m], policy.market_max_share[m]
        if lo > hi + EPS:
            out.append(
                _c(
                    (f"market-min-share[{m}]", f"market-max-share[{m}]"),
                    lo - hi,
                    f"market {m}: minimum share {lo:g} > maximum share {hi:g}",
                )
            )
    cap_line = opts.groupby("action_line_id")["length_meur"].sum()
    for a, (_lo, top) in sorted(bounds.items()):
        need = line_need[a]
        if top is not None and need > top + EPS:
            out.append(
                _c((f"line-min[{a}]", f"line-max[{a}]"), need - top, f"line {a}: minimum {need:g} > maximum {top:g}")
            )
        capacity = float(cap_line.get(a, 0.0))
        if need > capacity + EPS:
            out.append(
                _c(
                    (f"line-min[{a}]",),
                    need - capacity,
                    f"line {a}: minimum {need:g} > {capacity:g}, the length of its effect curves",
                )
            )
    forbidden = set(policy.forbidden)
    for f in policy.forced:
        m = opts["action_line_id"].to_numpy() == f.action_line_id
        if f.target_id is not None:
            m &= opts["target_id"].to_numpy() == f.target_id
        capacity = float(opts["length_meur"].to_numpy()[m].sum())
        if (f.action_line_id, None) in forbidden or (f.action_line_id, f.target_id) in forbidden:
            key = f.action_line_id if (f.action_line_id, None) in forbidden else f.key
            out.append(
                _c((f.name, f"forbidden[{key}]"), f.min_meur, f"{f.name} requires {f.min_meur:g} on a forbidden option")
            )
        if f.min_meur > capacity + EPS:
            out.append(
                _c(
                    (f.name,),
                    f.min_meur - capacity,
                    f"{f.name} {f.min_meur:g} > {capacity:g}, the length of its effect curves",
                )
            )
        if f.target_id is not None:
            cap = policy.target_cap_meur.get(f.target_id, policy.default_target_cap_meur)
            if cap is not None and f.min_meur > cap + EPS:
                out.append(
                    _c(
                        (f.name, f"target-cap[{f.target_id}]"),
                        f.min_meur - cap,
                        f"{f.name} {f.min_meur:g} > target-cap[{f.target_id}] {cap:g}",
                    )
                )
        line_hi = bounds[f.action_line_id][1]
        if line_hi is not None and f.min_meur > line_hi + EPS and f.target_id is not None:
            out.append(
                _c(
                    (f.name, f"line-max[{f.action_line_id}]"),
                    f.min_meur - line_hi,
                    f"{f.name} {f.min_meur:g} > line-max[{f.action_line_id}] {line_hi:g}",
                )
            )
    forced_sum = float(sum(f.min_meur for f in policy.forced if f.target_id is not None))
    if forced_sum > budget + EPS:
        names = tuple(f.name for f in policy.forced if f.target_id is not None)
        out.append(
            _c(("budget", *names), forced_sum - budget, f"forced spends sum to {forced_sum:g} > budget {budget:g}")
        )
    return tuple(out)


def elastic_conflicts(inputs: OptimiserInputs, policy: Policy, *, solver: str = "highs") -> tuple[Conflict, ...]:
    """Phase-1 LP: minimise the sum of slacks of all named rows.

    Each row with a positive slack becomes a :class:`Conflict` listing it first, then the rows
    with a non-zero phase-1 dual (the ones that hold it back). Returns ``()`` when the phase-1
    optimum is 0 (the model is feasible) or the phase-1 solve fails.
    """
    model = build_model(inputs, policy, elastic=True)
    code = run_solver(model, solver=solver)
    if code != 1:
        LOG.warning("elastic LP did not solve (status %s)", code)
        return ()
    blockers = sorted(
        name
        for name, con in model.constraints.items()
        if abs(float(con.pi or 0.0)) > EPS and not any((s.varValue or 0.0) > EPS for s in model.slacks.get(name, []))
    )
    out = []
    for name, group in model.slacks.items():
        amount = float(np.sum([s.varValue or 0.0 for s in group]))
        if amount <= 1e-6:
            continue
        con = model.constraints[name]
        rhs = -float(con.constant)
        verb = "raised" if con.sense == pulp.LpConstraintLE else "lowered"
        msg = f"{name} (limit {rhs:g}) must be {verb} by {amount:g}"
        if blockers:
            msg += f"; it conflicts with {', '.join(blockers)}"
        out.append(_c((name, *blockers), amount, msg, method="elastic"))
    return tuple(out)


def _c(names: tuple[str, ...], amount: float, message: str, *, method: str = "precheck") -> Conflict:
    return Conflict(constraints=names, amount=round(float(amount), 9), message=message, method=method)
