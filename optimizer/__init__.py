"""Budget optimiser: a pure LP engine (docs/methods/optimiser.md).

Allocates a budget across action lines and targets to minimise the weighted residual
dependency risk, with concave piecewise-linear effect curves. Pure: takes DataFrames, returns
frozen dataclasses; never touches files, databases or the clock; never imports ``deps`` or
``supplychain``.

Modules, leaves first (imports run one way; no cycle):

* leaves: :mod:`~optimizer.errors` (the error tree), :mod:`~optimizer.status` (``Status``),
  :mod:`~optimizer.tolerances` (the one tolerance table), :mod:`~optimizer.backends` (solver
  names validated in one place, HiGHS and CBC runs), :mod:`~optimizer.pool` (the shared
  process pool);
* inputs: :mod:`~optimizer.policy` (``Budget``, ``Constraints``, ``Policy``: validated on construction),
  :mod:`~optimizer.reach` (attribution by reach, the market-risk definition),
  :mod:`~optimizer.inputs` (validated frames and the option table);
* models: :mod:`~optimizer.model` (PuLP model from named constraint families),
  :mod:`~optimizer.fast` (highspy matrix path and exact greedy);
* answers: :mod:`~optimizer.diagnosis` (why infeasible), :mod:`~optimizer.selection` (one
  defined answer among the optima), :mod:`~optimizer.ranges` (line and market ranges over the
  optima), :mod:`~optimizer.solve` (solve, duals, reduced costs);
* analyses: :mod:`~optimizer.parametric` (breakpoints of the value in the budget),
  :mod:`~optimizer.frontier` (budget sweep), :mod:`~optimizer.sensitivity` (tornado data),
  :mod:`~optimizer.robust_box` (worst case and minimum regret over the effect box),
  :mod:`~optimizer.robust` (disruption-scenario robustness, Monte Carlo),
  :mod:`~optimizer.batch` (scenario grids on the pool or Dask).

The function ``solve`` lives in :mod:`optimizer.solve` (``from optimizer.solve import solve``;
a package attribute of that name would be shadowed by the submodule). The names below are
imported lazily, so ``import optimizer`` stays cheap (PuLP, highspy and
pandas load on first use).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "BoxRobustResult",
    "Budget",
    "Conflict",
    "Constraints",
    "FastModel",
    "ForcedOption",
    "Frontier",
    "MonteCarloResult",
    "OptimiserInputs",
    "Policy",
    "RobustResult",
    "ScenarioResult",
    "ScenarioSpec",
    "Sensitivity",
    "Solution",
    "Status",
    "ValueFunction",
    "build_inputs",
    "build_model",
    "efficient_frontier",
    "market_risk",
    "monte_carlo",
    "robust_allocation",
    "robust_box",
    "run_batch",
    "scenario_grid",
    "sensitivity",
    "value_function",
]

_WHERE = {
    "BoxRobustResult": "robust_box",
    "Budget": "policy",
    "Conflict": "diagnosis",
    "Constraints": "policy",
    "FastModel": "fast",
    "ForcedOption": "policy",
    "Frontier": "frontier",
    "MonteCarloResult": "robust",
    "OptimiserInputs": "inputs",
    "Policy": "policy",
    "RobustResult": "robust",
    "ScenarioResult": "batch",
    "ScenarioSpec": "batch",
    "Sensitivity": "sensitivity",
    "Solution": "solve",
    "Status": "status",
    "ValueFunction": "parametric",
    "build_inputs": "inputs",
    "build_model": "model",
    "efficient_frontier": "frontier",
    "market_risk": "reach",
    "monte_carlo": "robust",
    "robust_allocation": "robust",
    "robust_box": "robust_box",
    "run_batch": "batch",
    "scenario_grid": "batch",
    "sensitivity": "sensitivity",
    "value_function": "parametric",
}


def __getattr__(name: str) -> Any:
    """Import public names on first use (keeps ``import optimizer`` light)."""
    if name in _WHERE:
        module = importlib.import_module(f"optimizer.{_WHERE[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
