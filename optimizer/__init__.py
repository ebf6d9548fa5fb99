"""Budget optimiser: a pure LP engine (docs/methods/optimiser.md).

Allocates a budget across action lines and targets to minimise the weighted residual
dependency risk, with concave piecewise-linear effect curves. Pure: takes DataFrames, returns
frozen dataclasses; never touches files, databases or the clock; never imports ``deps`` or
``supplychain``.

Modules: :mod:`~optimizer.inputs` (validated inputs, :class:`Policy`), :mod:`~optimizer.model`
(PuLP model from named constraint families), :mod:`~optimizer.solve` (solve, duals, reduced
costs), :mod:`~optimizer.diagnosis` (why infeasible), :mod:`~optimizer.fast` (highspy matrix
path and exact greedy), :mod:`~optimizer.frontier` (budget sweep), :mod:`~optimizer.robust`
(scenario-robust allocation, Monte Carlo), :mod:`~optimizer.batch` (scenario grids on local
processes or Dask).

The function ``solve`` lives in :mod:`optimizer.solve` (``from optimizer.solve import solve``;
a package attribute of that name would be shadowed by the submodule). The names below are
imported lazily, so ``import optimizer`` stays cheap (PuLP, highspy and
pandas load on first use).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Conflict",
    "FastModel",
    "ForcedOption",
    "Frontier",
    "MonteCarloResult",
    "OptimiserInputs",
    "Policy",
    "RobustResult",
    "ScenarioResult",
    "ScenarioSpec",
    "Solution",
    "Status",
    "build_inputs",
    "build_model",
    "efficient_frontier",
    "monte_carlo",
    "robust_allocation",
    "run_batch",
    "scenario_grid",
]

_WHERE = {
    "Conflict": "diagnosis",
    "FastModel": "fast",
    "ForcedOption": "inputs",
    "Frontier": "frontier",
    "MonteCarloResult": "robust",
    "OptimiserInputs": "inputs",
    "Policy": "inputs",
    "RobustResult": "robust",
    "ScenarioResult": "batch",
    "ScenarioSpec": "batch",
    "Solution": "solve",
    "Status": "solve",
    "build_inputs": "inputs",
    "build_model": "model",
    "efficient_frontier": "frontier",
    "monte_carlo": "robust",
    "robust_allocation": "robust",
    "run_batch": "batch",
    "scenario_grid": "batch",
}


def __getattr__(name: str) -> Any:
    """Import public names on first use (keeps ``import optimizer`` light)."""
    if name in _WHERE:
        module = importlib.import_module(f"optimizer.{_WHERE[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
