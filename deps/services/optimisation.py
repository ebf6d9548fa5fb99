"""Optimisation runs: targets from the analysis, effect curves from the data, the LP from ``optimizer``.

The targets are the analysis engine's dependency-risk rows (one per node and foreign supplier country,
docs/methods/optimiser.md), each assigned to the focus market it reaches most (by final products its knockout cuts) and
weighted by that market's priority weight.  The effect curves are the dataset's effect assumptions (the seed's
documented defaults unless the dataset brings its own), overridable per scenario; every run stores the curves it
used so reports can show them.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from deps.access.auth import Actor, require
from deps.config import Settings
from deps.errors import DataValidationError, Problem, RunError
from deps.services.analysis import GraphInputs, load_graph_inputs
from deps.services.boundary import engine_errors
from deps.services.runs import frames_hash, record_run
from deps.services.scenario import ScenarioConfig
from deps.store.models import utcnow
from deps.store.queries import action_lines_frame, effects_frame, resolve_dataset
from optimizer.frontier import efficient_frontier
from optimizer.inputs import ForcedOption, OptimiserInputs, Policy, build_inputs
from optimizer.robust import monte_carlo, robust_allocation
from optimizer.robust_box import robust_box
from optimizer.sensitivity import sensitivity
from optimizer.solve import solve
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


def _target_markets(structural: pd.DataFrame, nodes: pd.DataFrame) -> dict[str, str]:
    """Node -> the focus market its knockout reaches most often (ties: alphabetical); a final product -> its own."""
    markets_of = {r.node_id: [m for m in str(r.markets).split(";") if m] for r in nodes.itertuples()}
    out: dict[str, str] = {}
    for row in structural.itertuples():
        finals = [f for f in str(getattr(row, "finals_knockout", "") or "").split(";") if f] or [str(row.node_id)]
        counts = Counter(m for f in finals for m in markets_of.get(f, []))
        if counts:
            best = max(counts.values())
            out[str(row.node_id)] = sorted(m for m, c in counts.items() if c == best)[0]
    return out


def build_context(
    settings: Settings, *, dataset: str, market_weights: dict[str, float] | None = None
) -> OptimisationContext:
    """Analyse ``dataset`` and turn its risk rows into optimiser targets."""
    url = settings.effective_database_url
    graph_inputs = load_graph_inputs(url, dataset)
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
    market_of = _target_markets(result.structural, graph_inputs.nodes)
    leverage = result.control_points.set_index("node_id")["leverage"] if len(result.control_points) else pd.Series()
    weights = market_weights or {}
    targets = pd.DataFrame(
        {
            "target_id": risk["target_id"].astype(str),
            "node_id": risk["node_id"].astype(str),
            "supplier": risk["supplier_country"].astype(str),
            "market": risk["node_id"].map(market_of).fillna("unassigned").astype(str),
            "baseline_risk": risk["risk"].astype(float),
            "dependency_kind": risk["dependency_kind"].astype(str),
        }
    )
    targets["weight"] = targets["market"].map(lambda m: float(weights.get(m, 1.0)))
    targets["leverage"] = targets["node_id"].map(leverage).fillna(0.0).astype(float)
    targets = targets.sort_values("target_id", kind="stable").reset_index(drop=True)
    lines = action_lines_frame(url)
    if lines.empty:
        raise RunError("no action lines in the database; run `deps init` to load the seed")
    ref = resolve_dataset(url, dataset)
    effects = effects_frame(url, ref.id)
    effects_dataset = dataset
    if effects.empty:
        effects_dataset = settings.seed_dataset
        effects = effects_frame(url, resolve_dataset(url, effects_dataset).id)
    digest = frames_hash(
        {"targets": targets, "lines": lines, "effects": effects}, extra={"graph": graph_inputs.inputs_hash}
    )
    return OptimisationContext(graph_inputs, targets, lines, effects, effects_dataset, digest)


def policy_from(config: ScenarioConfig, budget: float) -> Policy:
    """The optimiser's Policy for a scenario and budget."""
    return Policy(
        budget_meur=float(budget),
        line_min_meur=dict(config.line_min_meur),
        line_max_meur=dict(config.line_max_meur),
        market_min_share=dict(config.market_min_share),
        market_max_share=dict(config.market_max_share),
        target_cap_meur=dict(config.target_cap_meur),
        default_target_cap_meur=config.default_target_cap_meur,
        forced=tuple(ForcedOption(line, target, amount) for line, target, amount in config.forced),
        forbidden=tuple(config.forbidden),
        year_budgets_meur=dict(config.year_budgets_meur),
        leverage_weight=float(config.leverage_weight),
    )


def optimiser_inputs(context: OptimisationContext, config: ScenarioConfig) -> OptimiserInputs:
    """Validated optimiser inputs; reference errors (unknown lines, markets, targets) come back as a report."""
    _check_references(context, config)
    overrides = pd.DataFrame(list(config.effect_overrides)) if config.effect_overrides else None
    with engine_errors("building the optimiser inputs"):
        return build_inputs(context.targets, context.lines, context.effects, effect_overrides=overrides)


def _check_references(context: OptimisationContext, config: ScenarioConfig) -> None:
    lines = set(context.lines["action_line_id"])
    markets = set(context.targets["market"])
    targets = set(context.targets["target_id"])
    problems: list[Problem] = []

    def check(where: str, key: str | None, known: set[str], what: str) -> None:
        if key is not None and key not in known:
            sample = ", ".join(sorted(known)[:12])
            problems.append(Problem("scenario", None, where, f"unknown {what} {key!r}", f"use one of: {sample}"))

    for key in (*config.line_min_meur, *config.line_max_meur):
        check("line_min_meur/line_max_meur", key, lines, "action line")
    for key in (*config.market_min_share, *config.market_max_share, *config.market_weights):
        check("market_*", key, markets, "market")
    for key in config.target_cap_meur:
        check("target_cap_meur", key, targets, "target")
    for line, target, _amount in config.forced:
        check("forced", line, lines, "action line")
        check("forced", target, targets, "target")
    for line, target in config.forbidden:
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
    import os
    import sys

    import highspy

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
) -> OptimisationRun:
    """Allocate a budget across action lines and targets (docs/methods/optimiser.md) and record the run.

    Infeasible is a result: the run is stored with status ``infeasible`` and the conflicting named constraints.
    With ``sensitivity_analysis`` the run also stores the one-at-a-time sensitivity of every effect segment and of
    the budget (+-50 %) as a ``tornado`` table, and the worst-case and minimum-regret plans over the low-high box of
    the effect assumptions (``robust_plans``, ``robust_allocations``) with their cost against the central plan.
    """
    require(actor, "optimise")
    started = utcnow()
    silence_highs_banner()
    chosen_budget = budget if budget is not None else config.budget_meur
    if chosen_budget is None:
        raise RunError("no budget: give --budget or budget_meur in the scenario file")
    context = build_context(settings, dataset=dataset, market_weights=dict(config.market_weights))
    inputs = optimiser_inputs(context, config)
    policy = policy_from(config, chosen_budget)
    with engine_errors("optimisation"):
        solution = solve(inputs, policy, solver=config.solver)
    tables: dict[str, pd.DataFrame] = {
        "allocation": solution.allocation,
        "targets": solution.targets.merge(
            context.targets[["target_id", "node_id", "supplier", "dependency_kind"]], on="target_id", how="left"
        )
        if len(solution.targets)
        else solution.targets,
        "markets": solution.markets,
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
    summary: dict[str, Any] = {
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
        "effects_dataset": context.effects_dataset,
    }
    if frontier:
        front = efficient_frontier(inputs, policy, budgets=frontier)
        tables["frontier"] = front.table
        summary["frontier_method"] = front.method
    if sensitivity_analysis and solution.status.value == "optimal":
        with engine_errors("sensitivity analysis"):
            swings = sensitivity(inputs, policy, budget_low=0.5 * chosen_budget, budget_high=1.5 * chosen_budget)
            box = robust_box(inputs, policy)
        tables["tornado"] = swings.tornado
        tables["robust_plans"] = box.plans
        tables["robust_allocations"] = box.allocations
        summary["robust_box"] = box.note
    if monte_carlo_draws > 0 and solution.status.value == "optimal":
        mc = monte_carlo(inputs, policy, n_draws=monte_carlo_draws, seed=seed)
        tables["mc_funding"] = mc.funding
        tables["mc_bands"] = mc.bands
        summary["monte_carlo"] = {"draws": mc.n_draws, "seed": mc.seed, "spread": mc.spread}
    if config.robust_mode is not None:
        robust = robust_allocation(
            inputs, policy, _robust_scenarios(context.targets, config), mode=config.robust_mode, solver=config.solver
        )
        tables["robust_allocation"] = robust.allocation
        tables["robust_scenarios"] = robust.scenarios
        summary["robust"] = {
            "mode": robust.mode,
            "status": robust.status.value,
            "expected": robust.expected,
            "worst_case": robust.worst_case,
        }
    solver_version = _solver_version(solution.solver)
    run_id = record_run(
        settings.effective_database_url,
        kind="optimisation",
        parameters={
            "dataset": dataset,
            "budget_meur": chosen_budget,
            "scenario": config.as_dict(),
            "frontier": frontier,
            "monte_carlo_draws": monte_carlo_draws,
            "sensitivity": sensitivity_analysis,
        },
        inputs_hash=context.inputs_hash,
        user=actor.name,
        tables=tables,
        summary=summary,
        dataset_id=context.graph_inputs.dataset.id,
        solver=solver_version,
        seed=seed if monte_carlo_draws else None,
        status=solution.status.value,
        error="" if solution.status.value == "optimal" else solution.reason,
        started_at=started,
    )
    return OptimisationRun(run_id, solution.status.value, solution.reason, summary, tables)


def _solver_version(solver: str) -> str:
    """The solver with the version of the package that provides it (recorded on every run)."""
    from importlib import metadata

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
