"""Batches of scenarios: a grid of budgets x weights x shocks x effect assumptions.

Scenarios are solved on the fast path (:class:`~optimizer.fast.FastModel`), one model per
effect assumption per chunk, warm-started from scenario to scenario: the greedy fill when it is
exact or its answer meets every row (then optimal), else HiGHS over a working set of columns
with every other column priced out (``solve(priced=True)``: the whole LP's optimum, duals and
shadow price). A scenario's weights and risks are computed once per chunk and shared by its
budgets. The stored allocation is the defined answer among the optimal ones, the same as
:func:`optimizer.solve.solve` gives for that scenario (least concentrated across lines, then a
strictly ordered perturbation; docs/methods/optimiser.md): the second stage runs only when the
first-stage optimum may not be unique, on a small LP of the optimal face's free columns
(:func:`optimizer.selection.select_scenario`). Executors:

* ``serial``: in this process (tests, tiny batches);
* ``process`` (default): ``concurrent.futures.ProcessPoolExecutor`` with chunks of 10-100
  scenarios per task (per-task overhead is about 0.1 ms; docs/performance.md) and the ``forkserver``
  start method (a forked HiGHS thread pool is unsafe);
* ``dask``: a ``dask.distributed.Client`` connected to the scheduler address given (the
  project must be installed where the scheduler and workers run; ``tcp://`` is unencrypted).

Results are yielded as they complete. An infeasible scenario carries the cheap pre-check
diagnosis in its reason (the elastic LP is left to single solves). A scenario that raises is reported as a result with
status ``error`` and the exception text; the others complete. This module never touches files
or a database: the caller stores each result and resumes by passing the finished keys in
``skip_keys``.
"""

from __future__ import annotations

import itertools
import logging
import pickle
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from optimizer.diagnosis import precheck
from optimizer.errors import ScenarioError
from optimizer.fast import FastModel, Labels, scale_from_lines
from optimizer.inputs import OptimiserInputs, Policy
from optimizer.pool import get_pool, worker_state
from optimizer.selection import select_scenario
from optimizer.status import Status

__all__ = [
    "EXECUTORS",
    "Labels",
    "ScenarioResult",
    "ScenarioSpec",
    "run_batch",
    "scenario_grid",
    "scenario_inputs",
    "solve_chunk",
]

LOG = logging.getLogger(__name__)
EXECUTORS = ("serial", "process", "dask")
Pairs = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class ScenarioSpec:
    """One scenario of a batch.

    Attributes
    ----------
    key : str
        Unique key (used to resume).
    budget_meur : float
    weights : tuple of (key, multiplier)
        Weight multipliers; a key is a market or a target id (both apply when both match).
        A market multiplier m_m reaches target t as ``sum_m s_tm m_m`` (its spend shares,
        :mod:`optimizer.reach`; markets not named count 1), so a target in one market gets m_m.
    shock : tuple of (key, multiplier)
        Baseline-risk multipliers; a key is a target id, a market (applied as for weights) or a
        supplier.
    effects : tuple of (action line id, multiplier)
        Multipliers on that line's reduction per EUR million (an effect assumption).
    """

    key: str
    budget_meur: float
    weights: Pairs = ()
    shock: Pairs = ()
    effects: Pairs = ()


_NO_LABELS = Labels(np.empty(0, dtype=object), np.empty(0, dtype=object), np.empty(0, dtype=object))


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """Outcome of one scenario.

    ``allocation``: action_line_id, target_id, spend_meur (funded pairs). ``markets``: market,
    spend_meur, weighted_residual_risk (attribution by reach, :mod:`optimizer.reach`). Both
    frames are built on first access from compact arrays, so a batch ships and keeps only
    numbers. ``error`` holds the traceback when the scenario raised. ``selection`` says how the
    allocation was chosen among equal optima (:func:`optimizer.selection.select_scenario`):
    ``unique``, ``second-stage``, ``first-stage (second stage not solved)`` or ``none``.
    """

    key: str
    status: Status
    reason: str
    objective: float | None
    total_spend_meur: float | None
    budget_shadow_price: float | None
    method: str
    labels: Labels = _NO_LABELS
    pair_index: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    pair_spend: np.ndarray = field(default_factory=lambda: np.empty(0))
    market_spend: np.ndarray = field(default_factory=lambda: np.empty(0))
    market_risk: np.ndarray = field(default_factory=lambda: np.empty(0))
    error: str | None = None
    selection: str = "none"

    @cached_property
    def allocation(self) -> pd.DataFrame:
        """Funded line x target pairs: action_line_id, target_id, spend_meur."""
        i = self.pair_index
        return pd.DataFrame(
            {
                "action_line_id": self.labels.pair_line[i],
                "target_id": self.labels.pair_target[i],
                "spend_meur": self.pair_spend,
            },
            columns=["action_line_id", "target_id", "spend_meur"],
        )

    @cached_property
    def markets(self) -> pd.DataFrame:
        """Per market: spend_meur and weighted_residual_risk."""
        if len(self.market_spend) == 0:
            return pd.DataFrame(columns=["market", "spend_meur", "weighted_residual_risk"])
        return pd.DataFrame(
            {
                "market": self.labels.markets,
                "spend_meur": self.market_spend,
                "weighted_residual_risk": self.market_risk,
            }
        )


def scenario_grid(
    *,
    budgets: Sequence[float],
    weights: Mapping[str, Mapping[str, float]] | None = None,
    shocks: Mapping[str, Mapping[str, float]] | None = None,
    effects: Mapping[str, Mapping[str, float]] | None = None,
) -> list[ScenarioSpec]:
    """The full grid budgets x weights x shocks x effect assumptions.

    Each mapping names a set of multipliers (``{"focus-semis": {"semiconductors": 2.0}}``); the
    defaults are one neutral set named ``base`` / ``none``. Keys look like
    ``B=500|w=base|s=none|e=base``.
    """
    w = dict(weights or {"base": {}})
    s = dict(shocks or {"none": {}})
    e = dict(effects or {"base": {}})
    specs = []
    for b, wn, sn, en in itertools.product(budgets, sorted(w), sorted(s), sorted(e)):
        specs.append(
            ScenarioSpec(
                key=f"B={float(b):g}|w={wn}|s={sn}|e={en}",
                budget_meur=float(b),
                weights=tuple(sorted((str(k), float(v)) for k, v in w[wn].items())),
                shock=tuple(sorted((str(k), float(v)) for k, v in s[sn].items())),
                effects=tuple(sorted((str(k), float(v)) for k, v in e[en].items())),
            )
        )
    return specs


def run_batch(
    inputs: OptimiserInputs,
    policy: Policy,
    scenarios: Iterable[ScenarioSpec],
    *,
    executor: str = "process",
    scheduler_address: str | None = None,
    max_workers: int | None = None,
    chunk_size: int = 50,
    skip_keys: Iterable[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[ScenarioResult]:
    """Solve a batch of scenarios and yield each result as it completes.

    Parameters
    ----------
    inputs, policy
        Shared by every scenario (each overrides budget, weights, risks and effects).
    scenarios : iterable of ScenarioSpec
    executor : {"serial", "process", "dask"}
        ``dask`` is implied when ``scheduler_address`` is given.
    scheduler_address : str, optional
        Address of a running Dask scheduler, e.g. ``tcp://127.0.0.1:8786``.
    max_workers : int, optional
        Processes of the local pool (default: the CPU count).
    chunk_size : int
        Scenarios per task (10-100 recommended).
    skip_keys : iterable of str
        Keys already finished (resume): they are not solved again.
    progress : callable(done, total), optional
        Called after each result.

    Yields
    ------
    ScenarioResult
    """
    skip = set(skip_keys)
    todo = [s for s in scenarios if s.key not in skip]
    keys = [s.key for s in todo]
    if len(set(keys)) != len(keys):
        raise ScenarioError("scenario keys must be unique")
    if scheduler_address is not None:
        executor = "dask"
    if executor not in EXECUTORS:
        raise ScenarioError(f"unknown executor {executor!r}; use one of {EXECUTORS}")
    chunks = _chunks(todo, max(1, int(chunk_size)))
    total = len(todo)
    results = _dispatch(inputs, policy, chunks, executor, scheduler_address, max_workers)
    for done, result in enumerate(results, start=1):
        if progress is not None:
            progress(done, total)
        yield result


def _dispatch(
    inputs: OptimiserInputs,
    policy: Policy,
    chunks: list[list[ScenarioSpec]],
    executor: str,
    address: str | None,
    max_workers: int | None,
) -> Iterator[ScenarioResult]:
    if executor == "serial" or not chunks or (len(chunks) == 1 and executor == "process"):
        models: dict[Pairs, FastModel] = {}  # one model per effect assumption for the whole batch
        for chunk in chunks:
            yield from solve_chunk(inputs, policy, chunk, models=models)
        return
    if executor == "process":
        token = uuid.uuid4().hex
        payload = pickle.dumps((inputs, policy), protocol=pickle.HIGHEST_PROTOCOL)
        pool = get_pool(max_workers)
        futures = [pool.submit(_solve_task, token, payload, c) for c in chunks]
        try:
            for fut in as_completed(futures):
                yield from fut.result()
        finally:
            for fut in futures:
                fut.cancel()
        return
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    if address is None:
        raise ScenarioError("the dask executor needs scheduler_address (e.g. tcp://127.0.0.1:8786)")
    client = Client(address, set_as_default=False)
    try:
        shared = client.scatter([inputs, policy], broadcast=True)
        tasks: list[Any] = [client.submit(solve_chunk, *shared, c, pure=False) for c in chunks]
        for task in dask_completed(tasks, loop=client.loop):
            yield from task.result()
    finally:
        client.close()


def _solve_task(token: str, payload: bytes, specs: Sequence[ScenarioSpec]) -> list[ScenarioResult]:
    """A pool task: the batch's inputs and models are loaded once per worker (optimizer.pool)."""

    def load() -> tuple[OptimiserInputs, Policy, dict[Pairs, FastModel]]:
        inputs, policy = pickle.loads(payload)
        return inputs, policy, {}

    inputs, policy, models = worker_state(token, load)
    return solve_chunk(inputs, policy, specs, models=models)


def _chunks(specs: list[ScenarioSpec], size: int) -> list[list[ScenarioSpec]]:
    # Same effect assumption in a chunk (one model); then weights and shocks, then budgets
    # ascending, so consecutive scenarios differ little and warm starts pay off.
    ordered = sorted(specs, key=lambda s: (s.effects, s.shock, s.weights, s.budget_meur, s.key))
    out: list[list[ScenarioSpec]] = []
    for _, group in itertools.groupby(ordered, key=lambda s: s.effects):
        g = list(group)
        out.extend(g[i : i + size] for i in range(0, len(g), size))
    return out


def solve_chunk(
    inputs: OptimiserInputs,
    policy: Policy,
    specs: Sequence[ScenarioSpec],
    *,
    models: dict[Pairs, FastModel] | None = None,
) -> list[ScenarioResult]:
    """Solve scenarios in order, one warm-started model per effect assumption.

    ``models`` caches the built models between calls (a worker keeps it for the whole batch).
    """
    models = {} if models is None else models
    out = []
    prepared: dict[tuple[Pairs, Pairs, Pairs], tuple[np.ndarray, np.ndarray]] = {}
    for spec in specs:
        try:
            if spec.effects not in models:
                scale = _effect_scale(inputs, spec.effects)
                models[spec.effects] = FastModel(inputs, policy, slope_scale=scale)
            model = models[spec.effects]
            case = (spec.effects, spec.weights, spec.shock)
            if case not in prepared:  # weights and risks are shared by the chunk's budgets
                prepared[case] = _weights_and_risks(model, spec)
            out.append(_solve_one(model, spec, *prepared[case]))
        except Exception as exc:  # a failing scenario is a result, not a crash of the batch
            LOG.warning("scenario %s failed: %s", spec.key, exc)
            out.append(_failed(spec, exc))
    return out


def scenario_inputs(inputs: OptimiserInputs, policy: Policy, spec: ScenarioSpec) -> OptimiserInputs:
    """The inputs of one scenario on its own: what a single :func:`optimizer.solve.solve` of it reads.

    Targets carry the scenario's weights ``w_t m_t`` and baseline risks ``r_t s_t``
    (:class:`ScenarioSpec`); options their new weight, fraction ``f_atk c_a`` (the effect
    multiplier ``c_a`` of its line) and slope ``e_atk = f_atk c_a r_t s_t``; the targets' row
    order (the second stage's last criterion) is kept; ``effects`` stays the unscaled table.
    ``solve(scenario_inputs(...), replace(policy, budget_meur=spec.budget_meur))`` gives the
    batch member's objective and, within the solvers' tolerance, its allocation.
    """
    model = FastModel(inputs, policy, slope_scale=_effect_scale(inputs, spec.effects), build_lp=False)
    w, r = _weights_and_risks(model, spec)
    targets = inputs.targets.assign(weight=w, baseline_risk=r)
    opts = inputs.options.assign(
        weight=w[model.target], reduction_per_meur=model.frac, slope=model.frac * r[model.target]
    )
    return replace(inputs, targets=targets, options=opts)


def _effect_scale(inputs: OptimiserInputs, effects: Pairs) -> np.ndarray:
    unknown = sorted({k for k, _ in effects} - set(inputs.line_ids))
    if unknown:
        raise ScenarioError(f"effect assumption names unknown action lines {unknown}")
    if any(v < 0 for _, v in effects):
        raise ScenarioError("effect multipliers must be >= 0")
    return scale_from_lines(inputs, dict(effects))


def _multipliers(model: FastModel, pairs: Pairs, names: tuple[str, ...], label: str) -> np.ndarray:
    columns = model.target_columns
    n = len(columns["target_id"])
    mult = np.ones(n)
    markets = list(model.market_names)
    per_market = np.ones(len(markets))
    for key, value in pairs:
        if not np.isfinite(value) or value < 0:
            raise ScenarioError(f"{label} multiplier for {key!r} must be finite and >= 0, got {value}")
        hit = np.zeros(n, dtype=bool)
        for col in names:
            if col in columns:
                hit |= columns[col] == key
        matched = bool(hit.any())
        mult[hit] *= value
        if key in markets:
            per_market[markets.index(key)] *= value
            matched = True
        if not matched:
            raise ScenarioError(f"{label} key {key!r} matches no {' or '.join((*names, 'market'))}")
    return mult * (model.split @ per_market)


def _weights_and_risks(model: FastModel, spec: ScenarioSpec) -> tuple[np.ndarray, np.ndarray]:
    """A scenario's weights ``w_t m_t`` and baseline risks ``r_t s_t`` (multipliers as in :class:`ScenarioSpec`)."""
    w = model.weight * _multipliers(model, spec.weights, ("target_id",), "weight")
    r = model.risk * _multipliers(model, spec.shock, ("target_id", "supplier"), "shock")
    return w, r


def _solve_one(model: FastModel, spec: ScenarioSpec, w: np.ndarray, r: np.ndarray) -> ScenarioResult:
    """Solve one scenario and keep the defined answer among its optima (:func:`optimizer.selection.select_scenario`)."""
    sol = model.solve(budget_meur=spec.budget_meur, weights=w, baseline_risk=r, priced=True)
    spend, selection = select_scenario(model, sol, budget_meur=spec.budget_meur, weights=w, baseline_risk=r)
    if sol.status is Status.OPTIMAL:  # equal optima may spend different totals (a slack budget)
        sol = replace(sol, spend=spend, total_spend_meur=float(spend.sum()))
    reason = sol.reason
    if sol.status is Status.INFEASIBLE:
        found = precheck(model.inputs, replace(model.policy, budget_meur=spec.budget_meur))
        if found:
            reason = "infeasible: " + "; ".join(c.message for c in found)
    # Sums over the funded options only (the same sums: the others add exact zeros).
    nz = np.flatnonzero(sol.spend)
    y, tgt = sol.spend[nz], model.target[nz]
    pair_spend = np.bincount(model.pair_codes[nz], weights=y, minlength=len(model.pair_line))
    funded = np.flatnonzero(pair_spend > 0)
    n_t = len(w)
    phi = np.minimum(np.bincount(tgt, weights=model.frac[nz] * y, minlength=n_t), 1.0)
    spend_t = np.bincount(tgt, weights=y, minlength=n_t)
    return ScenarioResult(
        key=spec.key,
        status=sol.status,
        reason=reason,
        objective=sol.objective,
        total_spend_meur=sol.total_spend_meur,
        budget_shadow_price=sol.budget_shadow_price,
        method=sol.method,
        labels=model.labels,
        pair_index=funded,
        pair_spend=pair_spend[funded],
        market_spend=spend_t @ model.split,
        market_risk=(w * r * (1 - phi)) @ model.rho,
        selection=selection,
    )


def _failed(spec: ScenarioSpec, exc: Exception) -> ScenarioResult:
    return ScenarioResult(
        key=spec.key,
        status=Status.ERROR,
        reason=f"{type(exc).__name__}: {exc}",
        objective=None,
        total_spend_meur=None,
        budget_shadow_price=None,
        method="none",
        error="".join(traceback.format_exception(exc)),
    )
