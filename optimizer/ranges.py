"""Ranges over optimal allocations: how much each action line and market could receive.

For a solved model with optimum ``z*``, the range of a linear quantity ``q'y`` (a line's total,
or the spend attributed to a market, :mod:`optimizer.reach`) over the optimal allocations is
the pair of LPs::

    q_min = min q'y,  q_max = max q'y   s.t.  y in the optimal face.

By default (``range_rel = 0``) the optimal face is exact: the model is solved once and
restricted by complementary slackness (:func:`optimizer.backends.fix_face_highs`). With
``range_rel > 0`` it is widened to the allocations within a tolerance of the optimum,
``c'y <= z* + range_rel * max(1, |z*|)`` (the "near-optimal" ranges).

Each pair is solved on one in-process HiGHS model built once from the named rows of the PuLP
model; only the cost vector changes between the LPs, so each re-solve starts from the last
basis. The answer's split is called *not unique* when some line or market has
``q_max - q_min`` above ``TOL.range_rel * max(1, B)`` EUR million (round-off of the exact
face stays far below it).

References
----------
J. Gondzio, "Interior point methods 25 years later", *EJOR* 218 (2012), section 5
(optimal faces); the HiGHS documentation on cost changes and warm starts, https://highs.dev.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
import pulp

from optimizer.backends import fix_face_highs, new_highs
from optimizer.errors import SolverError
from optimizer.model import LpModel, option_targets
from optimizer.tolerances import TOL

__all__ = ["Ranges", "allocation_ranges", "range_note"]

INF = highspy.kHighsInf


@dataclass(frozen=True, eq=False)
class Ranges:
    """Ranges of line and market spends over the near-optimal allocations.

    ``lines``: action_line_id, spend_meur, line_min_meur, line_max_meur. ``markets``: market,
    spend_meur, market_min_meur, market_max_meur. ``unique``: no spread above the threshold.
    ``note``: the same in words.
    """

    lines: pd.DataFrame
    markets: pd.DataFrame
    tolerance: float
    unique: bool
    note: str


def _to_highs(model: LpModel) -> tuple[highspy.Highs, np.ndarray, dict[str, int]]:
    """The model's named rows and objective as a highspy model (columns: every PuLP variable)."""
    variables = model.problem.variables()
    col = {v.name: i for i, v in enumerate(variables)}
    n = len(variables)
    lower = np.array([-INF if v.lowBound is None else float(v.lowBound) for v in variables])
    upper = np.array([INF if v.upBound is None else float(v.upBound) for v in variables])
    cost = np.zeros(n)
    for v, c in model.problem.objective.items():
        cost[col[v.name]] = float(c)
    h = new_highs()
    h.addVars(n, lower, upper)
    for con in model.constraints.values():
        items = [(col[v.name], float(c)) for v, c in con.items()]
        idx = np.array([i for i, _ in items], dtype=np.int32)
        val = np.array([c for _, c in items], dtype=float)
        rhs = -float(con.constant)
        lo = rhs if con.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ) else -INF
        hi = rhs if con.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ) else INF
        h.addRow(lo, hi, len(idx), idx, val)
    return h, cost, col


def allocation_ranges(
    model: LpModel,
    z_star: float,
    spend: np.ndarray,
    *,
    range_rel: float | None = None,
) -> Ranges:
    """Min and max spend per action line and per market within a tolerance of the optimum.

    Parameters
    ----------
    model : LpModel
        The first-stage model (its named rows; not modified).
    z_star : float
        First-stage optimum of PuLP's objective (without the constant ``sum w r``).
    spend : array
        The chosen allocation (EUR million per option), reported beside the ranges.
    range_rel : float, optional
        Relative tolerance on the objective; 0 (the default) gives the exact optimal face.

    Returns
    -------
    Ranges
    """
    rel = 0.0 if range_rel is None else float(range_rel)
    tol = rel * max(1.0, abs(z_star))
    h, cost, col = _to_highs(model)
    n = len(cost)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"range LP not solved: {h.modelStatusToString(h.getModelStatus())}")
    if rel > 0:
        nz = np.flatnonzero(cost)
        h.addRow(-INF, z_star + tol, len(nz), nz.astype(np.int32), cost[nz])
    else:
        fix_face_highs(h)
    inputs = model.inputs
    opt_cols = np.array([col[v.name] for v in model.variables], dtype=np.int64)
    lines = inputs.options["action_line_id"].to_numpy()
    rows = []
    for line in inputs.line_ids:
        q = (lines == line).astype(float)
        lo, hi = _min_max(h, n, opt_cols, q)
        rows.append((line, float(q @ spend), lo, hi))
    line_frame = pd.DataFrame(rows, columns=["action_line_id", "spend_meur", "line_min_meur", "line_max_meur"])
    split = inputs.reach_arrays[1]
    ti = option_targets(inputs)
    rows = []
    for j, market in enumerate(inputs.markets):
        q = split[ti, j]
        lo, hi = _min_max(h, n, opt_cols, q)
        rows.append((market, float(q @ spend), lo, hi))
    market_frame = pd.DataFrame(rows, columns=["market", "spend_meur", "market_min_meur", "market_max_meur"])
    budget = float(model.policy.budget_meur)
    threshold = TOL.range_rel * max(1.0, budget)
    spread_l = line_frame["line_max_meur"] - line_frame["line_min_meur"]
    spread_m = market_frame["market_max_meur"] - market_frame["market_min_meur"]
    unique = bool((spread_l <= threshold).all() and (spread_m <= threshold).all())
    note = range_note(line_frame, market_frame, threshold, rel)
    return Ranges(lines=line_frame, markets=market_frame, tolerance=tol, unique=unique, note=note)


def _min_max(h: highspy.Highs, n: int, opt_cols: np.ndarray, q: np.ndarray) -> tuple[float, float]:
    out = []
    for sign in (1.0, -1.0):
        c = np.zeros(n)
        c[opt_cols] = sign * q
        h.changeColsCost(n, np.arange(n, dtype=np.int32), c)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"range LP not solved: {h.modelStatusToString(h.getModelStatus())}")
        out.append(sign * float(h.getInfo().objective_function_value))
    lo, hi = out
    return max(0.0, lo) + 0.0, max(0.0, hi) + 0.0


def range_note(lines: pd.DataFrame, markets: pd.DataFrame, threshold: float, rel: float) -> str:
    """The ranges in words: which splits are not unique, and by how much (EUR million)."""
    found = []
    for label, frame, key, lo, hi in (
        ("action lines", lines, "action_line_id", "line_min_meur", "line_max_meur"),
        ("markets", markets, "market", "market_min_meur", "market_max_meur"),
    ):
        wide = frame[(frame[hi] - frame[lo]) > threshold]
        wide = wide.assign(spread=wide[hi] - wide[lo]).sort_values("spread", ascending=False, kind="mergesort")
        if len(wide):
            items = ", ".join(f"{r[key]} {r[lo]:,.1f} to {r[hi]:,.1f}" for _, r in wide.iterrows())
            found.append(f"{label}: {items}")
    where = "optimal allocations" if rel == 0 else f"allocations within a relative {rel:g} of the optimum"
    if not found:
        return f"The split is unique: all {where} give each action line and market the same spend."
    return (
        f"The split is not unique. Over all {where} the spend can range (M EUR) over "
        + "; ".join(found)
        + ". The allocation shown is the least concentrated across action lines (optimizer.selection)."
    )
