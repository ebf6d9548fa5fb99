"""Optimisation runs: targets from the analysis, effect curves from the data, the LP from ``optimizer``.

The targets are the analysis engine's dependency-risk rows (one per node and foreign supplier country,
docs/methods/optimiser.md). A target counts in every focus market its node reaches, weighted by the share of that
market's final products it reaches (rho_tm, :mod:`deps.services.markets`); the engine receives these shares as its
``target_markets`` frame, and the run's market view comes from the same single definition as the Overview's. A
target's weight is the reach-weighted mean of the priority weights of its markets (1 by default). The effect curves
are an assumption set chosen for the run (``NAME@VERSION``, recorded on the run) or else the dataset's own effect
curves (the seed's cited defaults unless the dataset brings its own), overridable per scenario; each curve carries
its low, central and high slope. The run says how many targets rest on an assumed substitutability or time to
recover (their risk range is stored with them); an assumed value never decides a target's kind.

Engines before attribution by reach take one ``market`` per target: such an engine gets the market with the
largest reach share, and a tie is labelled with all tied markets joined by ';' (no market is picked by its name).
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import highspy
import pandas as pd

from deps.access.auth import Actor, require
from deps.config import Settings
from deps.errors import DataValidationError, Problem, RunError
from deps.services.analysis import GraphInputs, load_graph_inputs, member_versions
from deps.services.assumptions import AssumptionVersion, engine_effects, show_set
from deps.services.boundary import engine_errors
from deps.services.markets import market_view, reach_shares, target_markets
from deps.services.runs import frames_hash, record_run
from deps.services.scenario import ScenarioConfig
from deps.store.db import Database
from deps.store.models import utcnow
from deps.store.queries import action_lines_frame, effects_frame, resolve_dataset
from optimizer.frontier import efficient_frontier
from optimizer.inputs import OptimiserInputs, Policy, build_inputs
from optimizer.robust import monte_carlo, robust_allocation
from optimizer.robust_box import robust_box
from optimizer.sensitivity import sensitivity
from optimizer.solve import Solution, solve
from supplychain.analysis import analyse

__all__ = [
    "OptimisationContext",
    "OptimisationRun",
    "build_context",
    "policy_from",
    "run_optimisation",
    "silence_highs_banner",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OptimisationContext:
    """Everything an optimisation needs, built once (also shipped to batch workers)."""

    graph_inputs: GraphInputs
    targets: pd.DataFrame
    lines: pd.DataFrame
    effects: pd.DataFrame
    effects_dataset: str
    inputs_hash: str
    target_markets: pd.DataFrame = field(default_factory=pd.DataFrame)
    reach: pd.DataFrame = field(default_factory=pd.DataFrame)
    assumptions: str = ""
    assumption_version_id: int | None = None


def _legacy_market(targets: pd.DataFrame, shares: pd.DataFrame) -> pd.Series:
    """One market per target for engines without ``target_markets``: the largest reach share; ties joined by ';'."""
    best = shares.groupby("target_id")["reach_share"].transform("max")
    top = shares[shares["reach_share"] >= best - 1e-12]
    label = top.groupby("target_id")["market_id"].agg(lambda m: ";".join(sorted(m)))
    return targets["target_id"].map(label).fillna("unassigned").astype(str)


def _weights(targets: pd.DataFrame, shares: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """w_t = sum_m rho_tm W_m / sum_m rho_tm (1 where the target reaches no market or no weight is given)."""
    if not weights or shares.empty:
        return pd.Series(1.0, index=targets.index)
    w = shares.assign(wr=shares["reach_share"] * shares["market_id"].map(lambda m: float(weights.get(m, 1.0))))
    sums = w.groupby("target_id")[["wr", "reach_share"]].sum()
    return targets["target_id"].map(sums["wr"] / sums["reach_share"]).fillna(1.0).astype(float)


def build_context(
    db: Database,
    settings: Settings,
    *,
    dataset: str,
    actor: Actor,
    market_weights: dict[str, float] | None = None,
    assumptions: AssumptionVersion | None = None,
) -> OptimisationContext:
    """Analyse ``dataset`` and turn its risk rows into optimiser targets; effects from ``assumptions`` when given."""
    graph_inputs = load_graph_inputs(db, dataset, actor=actor, settings=settings)
    result = analyse(
        graph_inputs.nodes,
        graph_inputs.edges,
        graph_inputs.provision,
        graph_inputs.countries,
        thresholds=settings.thresholds,
    )
    risk = result.risk[result.risk["risk"] > 0].copy()
    if risk.empty:
        raise RunError(f"dataset {dataset!r} has no dependency with a known share and downstream reach to target")
    reach = reach_shares(result.structural[["node_id", "finals_knockout"]], graph_inputs.nodes)
    leverage = result.control_points.set_index("node_id")["leverage"] if len(result.control_points) else pd.Series()
    targets = pd.DataFrame(
        {
            "target_id": risk["target_id"].astype(str),
            "node_id": risk["node_id"].astype(str),
            "supplier": risk["supplier_country"].astype(str),
            "baseline_risk": risk["risk"].astype(float),
            "baseline_risk_low": risk["risk_low"].astype(float),
            "baseline_risk_high": risk["risk_high"].astype(float),
            "dependency_kind": risk["dependency_kind"].astype(str),
            "assumed": risk["assumed"].astype(str),
        }
    )
    targets = targets.sort_values("target_id", kind="stable").reset_index(drop=True)
    shares = target_markets(targets, reach)
    targets.insert(3, "market", _legacy_market(targets, shares))
    targets["weight"] = _weights(targets, shares, market_weights or {})
    targets["leverage"] = targets["node_id"].map(leverage).fillna(0.0).astype(float)
    lines = action_lines_frame(db)
    if lines.empty:
        raise RunError("no action lines in the database; run `deps init` to load the seed")
    if assumptions is not None:
        effects, effects_dataset = engine_effects(assumptions.effects), ""
    else:
        # the base of a fused graph carries the effect assumptions
        effects_dataset = graph_inputs.dataset.name
        effects = effects_frame(db, graph_inputs.dataset.id)
        if effects.empty:
            effects_dataset = settings.seed_dataset
            effects = effects_frame(db, resolve_dataset(db, effects_dataset).id)
    digest = frames_hash(
        {"targets": targets, "target_markets": shares, "lines": lines, "effects": effects},
        extra={"graph": graph_inputs.inputs_hash},
    )
    return OptimisationContext(
        graph_inputs,
        targets,
        lines,
        effects,
        effects_dataset,
        digest,
        target_markets=shares,
        reach=reach,
        assumptions=assumptions.reference if assumptions is not None else "",
        assumption_version_id=assumptions.id if assumptions is not None else None,
    )


def policy_from(config: ScenarioConfig, budget: float) -> Policy:
    """The optimiser's Policy for a scenario and budget (the scenario's constraints at that budget)."""
    return config.constraints.with_budget(float(budget))


def optimiser_inputs(context: OptimisationContext, config: ScenarioConfig) -> OptimiserInputs:
    """Validated optimiser inputs; reference errors (unknown lines, markets, targets) come back as a report."""
    _check_references(context, config)
    overrides = pd.DataFrame(list(config.effect_overrides)) if config.effect_overrides else None
    extra: dict[str, Any] = {}
    if "target_markets" in inspect.signature(build_inputs).parameters and len(context.target_markets):
        extra["target_markets"] = context.target_markets
    with engine_errors("building the optimiser inputs"):
        return build_inputs(context.targets, context.lines, context.effects, effect_overrides=overrides, **extra)


def _check_references(context: OptimisationContext, config: ScenarioConfig) -> None:
    lines = set(context.lines["action_line_id"])
    markets = set(context.targets["market"])
    if len(context.target_markets):
        markets |= set(context.target_markets["market_id"])
    targets = set(context.targets["target_id"])
    problems: list[Problem] = []

    def check(where: str, key: str | None, known: set[str], what: str) -> None:
        if key is not None and key not in known:
            sample = ", ".join(sorted(known)[:12])
            problems.append(Problem("scenario", None, where, f"unknown {what} {key!r}", f"use one of: {sample}"))

    terms = config.constraints
    for key in (*terms.line_min_meur, *terms.line_max_meur):
        check("line_min_meur/line_max_meur", key, lines, "action line")
    for key in (*terms.market_min_share, *terms.market_max_share, *config.market_weights):
        check("market_*", key, markets, "market")
    for key in terms.target_cap_meur:
        check("target_cap_meur", key, targets, "target")
    for option in terms.forced:
        check("forced", option.action_line_id, lines, "action line")
        check("forced", option.target_id, targets, "target")
    for line, target in terms.forbidden:
        check("forbidden", line, lines, "action line")
        check("forbidden", target, targets, "target")
    for row in config.effect_overrides:
        check("effect_overrides", str(row["action_line_id"]), lines, "action line")
    if problems:
        raise DataValidationError(problems, "scenario references")


@dataclass(frozen=True)
class OptimisationRun:
    """The stored optimisation: run id, solver status and reason, and its tables."""

    run_id: str
    status: str
    reason: str
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]


_HIGHS_SILENCED = False


def silence_highs_banner() -> None:
    """HiGHS prints a copyright banner on stdout when the first solver object of a process is made; make that first
    object with stdout pointed at /dev/null, so that CLI output and exported files stay clean."""
    global _HIGHS_SILENCED
    if _HIGHS_SILENCED:
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _HIGHS_SILENCED = True


def run_optimisation(
    db: Database,
    settings: Settings,
    *,
    dataset: str,
    actor: Actor,
    config: ScenarioConfig,
    budget: float | None = None,
    frontier: list[float] | None = None,
    monte_carlo_draws: int = 0,
    seed: int = 0,
    sensitivity_analysis: bool = False,
    assumptions: str | None = None,
) -> OptimisationRun:
    """Allocate a budget across action lines and targets (docs/methods/optimiser.md) and record the run.

    ``assumptions`` (``NAME`` or ``NAME@VERSION``) picks an assumption set for the effect curves; the run records
    the version it used. Infeasible is a result: the run is stored with status ``infeasible`` and the conflicting
    named constraints. With ``sensitivity_analysis`` the run also stores the one-at-a-time sensitivity of every
    effect segment and of the budget (+-50 %) as a ``tornado`` table, and the worst-case and minimum-regret plans
    over the low-high box of the effect assumptions (``robust_plans``, ``robust_allocations``) with their cost
    against the central plan.
    """
    require(actor, "optimise")
    started = utcnow()
    silence_highs_banner()
    chosen_budget = budget if budget is not None else config.budget_meur
    if chosen_budget is None:
        raise RunError("no budget: give --budget or budget_meur in the scenario file")
    version = show_set(db, assumptions, actor=actor) if assumptions else None
    context = build_context(
        db, settings, dataset=dataset, actor=actor, market_weights=dict(config.market_weights), assumptions=version
    )
    inputs = optimiser_inputs(context, config)
    policy = policy_from(config, chosen_budget)
    with engine_errors("optimisation"):
        solution = solve(inputs, policy, solver=config.solver)
    tables = _solution_tables(solution, context, chosen_budget)
    summary = _solution_summary(solution, context)
    optimal = solution.status.value == "optimal"
    if frontier:
        front = efficient_frontier(inputs, policy, budgets=frontier)
        tables["frontier"] = front.table
        summary["frontier_method"] = front.method
    if sensitivity_analysis and optimal:
        _add_sensitivity(tables, summary, inputs, policy, chosen_budget)
    if monte_carlo_draws > 0 and optimal:
        mc = monte_carlo(inputs, policy, n_draws=monte_carlo_draws, seed=seed)
        tables["mc_funding"] = mc.funding
        tables["mc_bands"] = mc.bands
        summary["monte_carlo"] = {"draws": mc.n_draws, "seed": mc.seed, "spread": mc.spread}
    if config.robust_mode is not None:
        _add_robust(tables, summary, inputs, policy, context, config)
    solver_version = _solver_version(solution.solver)
    run_id = record_run(
        db,
        kind="optimisation",
        parameters={
            "dataset": dataset,
            "budget_meur": chosen_budget,
            "scenario": config.as_dict(),
            "frontier": frontier,
            "monte_carlo_draws": monte_carlo_draws,
            "sensitivity": sensitivity_analysis,
            "assumptions": context.assumptions or None,
            **member_versions(context.graph_inputs),
        },
        inputs_hash=context.inputs_hash,
        actor=actor,
        tables=tables,
        summary=summary,
        dataset_id=context.graph_inputs.dataset.id,
        solver=solver_version,
        seed=seed if monte_carlo_draws else None,
        status=solution.status.value,
        error="" if solution.status.value == "optimal" else solution.reason,
        started_at=started,
        assumption_version_id=context.assumption_version_id,
    )
    return OptimisationRun(run_id, solution.status.value, solution.reason, summary, tables)


def _solution_tables(solution: Solution, context: OptimisationContext, budget: float) -> dict[str, pd.DataFrame]:
    """The stored tables of one solve: allocation, targets with their descriptions, markets, duals, ranges."""
    described = ["target_id", "node_id", "supplier", "dependency_kind", "assumed"]
    ranges = ["baseline_risk_low", "baseline_risk_high"]
    targets = (
        solution.targets.merge(context.targets[[*described, *ranges]], on="target_id", how="left")
        if len(solution.targets)
        else solution.targets
    )
    tables: dict[str, pd.DataFrame] = {
        "allocation": solution.allocation,
        "targets": targets,
        "markets": _market_table(targets, context, solution.markets, budget),
        "target_markets": context.target_markets,
        "duals": solution.duals,
        "reduced_costs": solution.reduced_costs,
        "assumptions": solution.assumptions,
        "conflicts": pd.DataFrame([c.__dict__ for c in solution.conflicts]),
    }
    if len(solution.years):
        tables["years"] = solution.years
    if len(solution.line_ranges):  # spend range per line and market over all optimal allocations
        tables["line_ranges"] = solution.line_ranges
        tables["market_ranges"] = solution.market_ranges
    return tables


def _solution_summary(solution: Solution, context: OptimisationContext) -> dict[str, Any]:
    """The run summary of one solve: status, objective, budget dual, the defined split and the targets' assumptions."""
    assumed = context.targets["assumed"]
    return {
        "status": solution.status.value,
        "reason": solution.reason,
        "solver": solution.solver,
        "budget_meur": solution.budget_meur,
        "objective": solution.objective,
        "baseline_objective": solution.baseline_objective,
        "total_spend_meur": solution.total_spend_meur,
        "budget_shadow_price": solution.budget_shadow_price,
        "leverage_weight": solution.leverage_weight,
        "unique_split": solution.unique_split,
        "split_note": solution.split_note,
        "selection": solution.selection,
        "targets": len(context.targets),
        "targets_on_assumption": int(assumed.ne("").sum()),
        "targets_assumed_substitutability": int(assumed.str.contains("substitutability").sum()),
        "targets_assumed_time_to_recover": int(assumed.str.contains("time_to_recover").sum()),
        "effects_dataset": context.effects_dataset,
        "assumptions": context.assumptions or f"dataset {context.effects_dataset}",
    }


def _add_sensitivity(
    tables: dict[str, pd.DataFrame],
    summary: dict[str, Any],
    inputs: OptimiserInputs,
    policy: Policy,
    budget: float,
) -> None:
    """One-at-a-time sensitivity (budget +-50 %) and the worst-case / minimum-regret plans over the effects' box."""
    with engine_errors("sensitivity analysis"):
        swings = sensitivity(inputs, policy, budget_low=0.5 * budget, budget_high=1.5 * budget)
        box = robust_box(inputs, policy)
    tables["tornado"] = swings.tornado
    tables["robust_plans"] = box.plans
    tables["robust_allocations"] = box.allocations
    summary["robust_box"] = box.note


def _add_robust(
    tables: dict[str, pd.DataFrame],
    summary: dict[str, Any],
    inputs: OptimiserInputs,
    policy: Policy,
    context: OptimisationContext,
    config: ScenarioConfig,
) -> None:
    """The scenario file's robust allocation over its shocks (``robust_mode``: expected or worst case)."""
    if config.robust_mode is None:
        return
    scenarios = _robust_scenarios(context.targets, config)
    robust = robust_allocation(inputs, policy, scenarios, mode=config.robust_mode, solver=config.solver)
    tables["robust_allocation"] = robust.allocation
    tables["robust_scenarios"] = robust.scenarios
    summary["robust"] = {
        "mode": robust.mode,
        "status": robust.status.value,
        "expected": robust.expected,
        "worst_case": robust.worst_case,
    }


def _market_table(
    targets: pd.DataFrame, context: OptimisationContext, engine_markets: pd.DataFrame, budget: float
) -> pd.DataFrame:
    """The market view by :func:`deps.services.markets.market_view` (the Overview's definition of market risk)."""
    if targets.empty or "residual_risk" not in targets.columns:
        return engine_markets
    results = targets[["target_id", "node_id", "spend_meur", "baseline_risk", "residual_risk"]].merge(
        context.targets[["target_id", "weight"]], on="target_id", how="left"
    )
    return market_view(results, context.reach, budget_meur=float(budget))


def _solver_version(solver: str) -> str:
    """The solver with the version of the package that provides it (recorded on every run)."""
    package = "highspy" if solver == "highs" else "pulp"
    try:
        return f"{solver} ({package} {metadata.version(package)})"
    except metadata.PackageNotFoundError:  # pragma: no cover - both are dependencies
        return solver


def _robust_scenarios(targets: pd.DataFrame, config: ScenarioConfig) -> pd.DataFrame:
    """Baseline risk per disruption scenario: r_ts = r_t x (1 + f_s(c)) for a target supplied by a shocked country c.

    A shock of fraction f on a supplier country makes the dependency on it materialise; the multiplier (1 + f)
    weighs targets exposed to the shock up to twice as heavily (an explicit, documented assumption).
    """
    rows = []
    for name, shocks in sorted(config.robust_shocks.items()):
        factor = targets["supplier"].map(lambda c, s=shocks: 1.0 + float(s.get(c, 0.0)))
        rows.append(
            pd.DataFrame(
                {
                    "scenario_id": name,
                    "target_id": targets["target_id"],
                    "baseline_risk": targets["baseline_risk"] * factor,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
