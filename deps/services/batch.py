"""Batches of optimisations: a scenario grid solved on local processes or a Dask cluster, stored run by run.

A batch's id is the hash of its scenario file and of the optimiser's inputs, so running the same command again
after a crash resumes it: scenarios already stored as member runs are not solved again.  Every finished scenario is
stored at once as a member run (kind ``member``), so a crash loses at most the scenarios in flight.  A scenario that
fails is stored with status ``error`` and its reason; the others go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from deps.access.auth import Actor, require
from deps.config import Settings
from deps.errors import RunError
from deps.services.analysis import member_versions
from deps.services.optimisation import (
    OptimisationContext,
    build_context,
    optimiser_inputs,
    policy_from,
    silence_highs_banner,
)
from deps.services.runs import finish_run, finished_members, list_runs, named_tables, record_run, start_run
from deps.services.scenario import BatchSpec, parse_batch
from deps.store.db import Database
from optimizer.batch import ScenarioResult, ScenarioSpec, run_batch, scenario_grid

__all__ = ["BatchOutcome", "run_batch_file", "scenario_specs"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch did: its id, how many scenarios were solved now, skipped (done before) and failed."""

    batch_id: str
    total: int
    solved_now: int
    skipped: int
    failed: int
    summary: pd.DataFrame
    allocations: pd.DataFrame


def scenario_specs(spec: BatchSpec) -> list[ScenarioSpec]:
    """The optimiser's ScenarioSpec list of a batch grid (or of its CSV rows)."""
    if spec.rows:
        return [
            ScenarioSpec(
                key=key,
                budget_meur=budget,
                weights=tuple(sorted(weights.items())),
                shock=tuple(sorted(shock.items())),
                effects=tuple(sorted(effects.items())),
            )
            for key, budget, weights, shock, effects in spec.rows
        ]
    return list(
        scenario_grid(
            budgets=list(spec.budgets),
            weights={k: dict(v) for k, v in spec.weights.items()},
            shocks={k: dict(v) for k, v in spec.shocks.items()},
            effects={k: dict(v) for k, v in spec.effects.items()},
        )
    )


def run_batch_file(
    db: Database,
    settings: Settings,
    path: Path,
    *,
    dataset: str,
    actor: Actor,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: str = "process",
    progress: Callable[[int, int], None] | None = None,
) -> BatchOutcome:
    """Validate the batch file, then solve every scenario not yet stored, storing each as it finishes."""
    require(actor, "batch")
    silence_highs_banner()
    spec = parse_batch(path)
    context = build_context(db, settings, dataset=dataset, actor=actor, market_weights=dict(spec.base.market_weights))
    inputs = optimiser_inputs(context, spec.base)
    scenarios = scenario_specs(spec)
    policy = policy_from(spec.base, scenarios[0].budget_meur)
    batch_id = hashlib.sha256(path.read_bytes() + context.inputs_hash.encode()).hexdigest()[:32]
    created = start_run(
        db,
        run_id=batch_id,
        kind="batch",
        parameters={
            "file": path.name,
            "dataset": dataset,
            "base": spec.base.as_dict(),
            "scenarios": len(scenarios),
            **member_versions(context.graph_inputs),
        },
        inputs_hash=context.inputs_hash,
        actor=actor,
        dataset_id=context.graph_inputs.dataset.id,
    )
    done = finished_members(db, batch_id, actor=actor)
    if not created:
        log.info("resuming batch %s: %d of %d scenarios already stored", batch_id, len(done), len(scenarios))
    solved = failed = 0
    with _quiet_dask(settings) if scheduler else contextlib.nullcontext():
        try:
            for result in run_batch(
                inputs,
                policy,
                scenarios,
                executor="dask" if scheduler else executor,
                scheduler_address=scheduler,
                max_workers=workers,
                skip_keys=done,
                progress=progress,
            ):
                failed += result.status.value == "error"
                solved += 1
                _store_member(db, batch_id, context, actor, result, dataset=dataset)
        except _lost_worker_errors() as exc:
            reason = " ".join(str(exc).split())  # Dask's messages run over several lines: keep the error on one
            raise RunError(
                f"the batch stopped after {len(done) + solved} of {len(scenarios)} scenarios: a worker or the Dask "
                f"scheduler was lost ({type(exc).__name__}: {reason}). The finished scenarios are stored: run the same "
                "command again to solve the rest"
            ) from exc
    summary, allocations = collect(db, batch_id, actor=actor)
    failures = int((summary["status"] == "error").sum()) if len(summary) else 0
    finish_run(
        db,
        batch_id,
        actor=actor,
        status="done" if len(summary) == len(scenarios) and failures == 0 else "partial",
        summary={"scenarios": len(scenarios), "stored": len(summary), "errors": failures},
    )
    return BatchOutcome(batch_id, len(scenarios), solved, len(done), failed, summary, allocations)


@contextlib.contextmanager
def _quiet_dask(settings: Settings) -> Iterator[None]:
    """Keep the Dask client's own log records (a lost scheduler logs a traceback) off the terminal while a batch runs,
    unless ``DEPS_LOG_LEVEL`` is DEBUG: the batch reports a lost cluster in one line of its own."""
    if settings.log_level.upper() == "DEBUG":
        yield
        return
    import distributed.client  # noqa: F401  (imported first: importing applies Dask's logging config)

    names = ["distributed", *(n for n in logging.root.manager.loggerDict if n.startswith("distributed."))]
    loggers = [logging.getLogger(n) for n in names]  # Dask's config gives some children levels of their own
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, before, strict=True):
            lg.setLevel(level)


def _lost_worker_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean a worker process or the Dask cluster went away (not a fault of one scenario).

    ``CommClosedError`` is the scheduler's connection closing under the client (while the inputs are scattered or
    results gathered) and ``OSError`` its reconnection timing out (the loop around these only solves and stores
    rows; database errors are SQLAlchemy's own). A worker lost while others live is rescheduled by Dask itself, three
    times at most (``KilledWorker`` after that).
    """
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError

    return (
        CancelledError,
        asyncio.CancelledError,
        BrokenProcessPool,
        KilledWorker,
        FutureCancelledError,
        CommClosedError,
        OSError,
    )


def _store_member(
    db: Database, batch_id: str, context: OptimisationContext, actor: Actor, result: ScenarioResult, *, dataset: str
) -> None:
    status = result.status.value
    member_id = hashlib.sha256(f"{batch_id}|{result.key}".encode()).hexdigest()[:32]
    record_run(
        db,
        run_id=member_id,
        kind="member",
        batch_id=batch_id,
        scenario_key=result.key,
        parameters={"key": result.key, "dataset": dataset, **member_versions(context.graph_inputs)},
        inputs_hash=context.inputs_hash,
        actor=actor,
        tables={"allocation": result.allocation, "markets": result.markets},
        summary={
            "status": status,
            "reason": result.reason,
            "objective": result.objective,
            "total_spend_meur": result.total_spend_meur,
            "budget_shadow_price": result.budget_shadow_price,
            "method": result.method,
            "selection": result.selection,
        },
        dataset_id=context.graph_inputs.dataset.id,
        status=status,
        error=result.error or ("" if status == "optimal" else result.reason),
    )


def collect(db: Database, batch_id: str, *, actor: Actor) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per stored member (key, status, objective, spend, shadow price, run id), and all allocations."""
    members = sorted(list_runs(db, actor=actor, batch_id=batch_id, limit=10**7), key=lambda r: r.scenario_key or "")
    summary = pd.DataFrame(
        [
            {
                "scenario_key": r.scenario_key,
                "status": r.status,
                "objective": r.summary.get("objective"),
                "total_spend_meur": r.summary.get("total_spend_meur"),
                "budget_shadow_price": r.summary.get("budget_shadow_price"),
                "reason": r.summary.get("reason"),
                "run_id": r.id,
            }
            for r in members
        ],
        columns=["scenario_key", "status", "objective", "total_spend_meur", "budget_shadow_price", "reason", "run_id"],
    )
    tables = named_tables(db, [r.id for r in members], "allocation", actor=actor)
    parts = [tables[r.id].assign(scenario_key=r.scenario_key) for r in members if len(tables.get(r.id, ()))]
    allocations = (
        pd.concat(parts, ignore_index=True)[["scenario_key", "action_line_id", "target_id", "spend_meur"]]
        if parts
        else pd.DataFrame(columns=["scenario_key", "action_line_id", "target_id", "spend_meur"])
    )
    return summary, allocations
