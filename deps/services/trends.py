"""Concentration trends of a dataset: per node and reference year, and the first-to-last change (rising flag).

The engine (:mod:`supplychain.trends`) computes the bounds per year and the three-valued rising flag; this module
reads the dataset's provision rows (every reference year it holds), names the nodes and records the run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from deps.access.auth import Actor, require
from deps.config import Settings
from deps.services.analysis import ENGINE_PROVISION_COLUMNS, load_graph_inputs
from deps.services.boundary import engine_errors
from deps.services.runs import frames_hash, record_run
from deps.store.db import Database
from deps.store.models import utcnow
from deps.store.queries import DatasetRef, provision_frame
from supplychain.schema import validate_provision
from supplychain.trends import concentration_by_year, concentration_trends

__all__ = ["TrendsRun", "run_trends"]


@dataclass(frozen=True)
class TrendsRun:
    """The stored trend analysis: run id, dataset version, per-node trends and the per-year table."""

    run_id: str
    dataset: DatasetRef
    trends: pd.DataFrame
    by_year: pd.DataFrame


def run_trends(db: Database, settings: Settings, *, dataset: str, actor: Actor) -> TrendsRun:
    """Concentration per node and reference year and its change (docs/methods/concentration.md, Trends).

    Every node with shares for two or more reference years gets a row: HHI of its first and last year as bounds,
    the change as an interval, the top supplier in both years and ``rising`` (yes/possible/no against
    ``DEPS_RISING_HHI_DELTA``). Nodes with a single year appear only in the per-year table.
    """
    require(actor, "analyse")
    started = utcnow()
    inputs = load_graph_inputs(db, dataset, actor=actor)
    thresholds = settings.thresholds
    # every reference year, each once (the newest release that has it), not only the newest year the analysis uses
    yearly = provision_frame(db, inputs.dataset.id, observed_all=True, by_year=True)[list(ENGINE_PROVISION_COLUMNS)]
    with engine_errors(f"trend analysis of dataset {dataset!r}"):
        provision = validate_provision(yearly)
        by_year = concentration_by_year(provision, inputs.countries, thresholds=thresholds)
        trends = concentration_trends(by_year, rising_delta=thresholds.rising_hhi_delta)
    names = inputs.nodes.set_index("node_id")["name"]
    for table in (trends, by_year):
        table.insert(1, "name", table["node_id"].map(names).fillna("").astype(str))
    run_id = record_run(
        db,
        kind="trends",
        parameters={"dataset": dataset, "rising_hhi_delta": thresholds.rising_hhi_delta},
        inputs_hash=frames_hash({"provision": yearly, "countries": inputs.countries}),
        actor=actor,
        tables={"trends": trends, "by_year": by_year},
        summary={
            "nodes_with_years": int(by_year["node_id"].nunique()) if len(by_year) else 0,
            "nodes_with_trend": len(trends),
            "rising_yes": int((trends["rising"] == "yes").sum()),
            "rising_possible": int((trends["rising"] == "possible").sum()),
        },
        dataset_id=inputs.dataset.id,
        started_at=started,
    )
    return TrendsRun(run_id, inputs.dataset, trends, by_year)
