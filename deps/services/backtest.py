"""Back-test of export controls: the controls in force from a year, as shocks on the data of the year before.

The controls come from ``export_controls.csv`` in the seed folder (derived from the USGS Mineral Commodity
Summaries 2026 table of export controls in force; ``scripts/build_export_controls.py`` regenerates it). Each control
becomes a shock on the controlling country's supply of the linked node only (``Shock(nodes=...)``), with the share
data as they stood before the control: for every node the latest reference year before ``year`` (rows without a
year are kept). The losses come back as intervals per node, final product and focus market, like any simulation.
A licensing requirement is not a ban: ``fraction`` says how much of the controlled supply is assumed lost (1 = all).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from deps.access.auth import Actor, require
from deps.config import Settings
from deps.errors import NotFoundError, RunError
from deps.services.analysis import ENGINE_PROVISION_COLUMNS, TablesRun, load_graph_inputs, resolve_shock
from deps.services.boundary import engine_errors
from deps.services.runs import record_run
from deps.store.db import Database
from deps.store.models import utcnow
from deps.store.queries import provision_frame
from supplychain.bounds import supplier_share_bounds
from supplychain.disruption import Shock, simulate
from supplychain.graph import build_graph
from supplychain.schema import validate_provision
from supplychain.shares import supplier_shares

__all__ = ["CONTROLS_FILE", "controls_in_force", "run_backtest"]

CONTROLS_FILE = "export_controls.csv"


def controls_in_force(controls: pd.DataFrame, *, year: int, nodes: set[str]) -> pd.DataFrame:
    """The controls that came into force in ``year`` and bear on a node of the graph, sorted by country and node."""
    chosen = controls[(controls["year_in_force"] == year) & controls["node_id"].isin(nodes)]
    return chosen.sort_values(["country_iso3", "node_id"], kind="stable").reset_index(drop=True)


def run_backtest(
    db: Database, settings: Settings, *, dataset: str, actor: Actor, year: int = 2023, fraction: float = 1.0
) -> TablesRun:
    """Simulate the export controls that came into force in ``year`` on the shares known before it.

    Tables: ``controls`` (the controls of the year on the graph's nodes, with their source; ``in_data`` is False
    where the data before ``year`` do not name the country as a supplier of the node, so the control cuts nothing;
    ``data_year``, ``share_low`` and ``share_high`` give the reference year and the share interval of the
    controlling country that the shock removes),
    ``nodes``, ``finals`` and ``markets`` (losses as ``loss_low``/``loss_high`` intervals, as in
    :func:`deps.services.analysis.run_simulation`).
    """
    require(actor, "simulate")
    started = utcnow()
    path = settings.effective_seed_dir / CONTROLS_FILE
    if not path.is_file():
        raise NotFoundError(f"{CONTROLS_FILE} is not in the seed folder; run scripts/build_export_controls.py")
    controls = pd.read_csv(path, dtype={"node_id": str}, keep_default_na=False)
    inputs = load_graph_inputs(db, dataset, actor=actor)
    applied = controls_in_force(controls, year=year, nodes=set(inputs.nodes["node_id"]))
    if applied.empty:
        raise RunError(f"no export control of {year} bears on a node of dataset {dataset!r}; try 2023 or 2024")
    yearly = provision_frame(db, inputs.dataset.id, observed_all=True, by_year=True)[list(ENGINE_PROVISION_COLUMNS)]
    years = pd.to_numeric(yearly["year"], errors="coerce")
    before = yearly[years.isna() | (years < year)]  # the data as they stood before the control (latest year used)
    thresholds = settings.thresholds
    with engine_errors(f"back-test of the {year} export controls on dataset {dataset!r}"):
        provision = validate_provision(before)
        country_shares = supplier_share_bounds(provision, level="country", thresholds=thresholds)
        firm_shares = supplier_share_bounds(provision, level="firm", thresholds=thresholds)
        applied = _with_data(applied, country_shares, supplier_shares(provision, level="country"))
        # a control by a country the data do not name as a supplier of the node cuts nothing there: kept, shown
        shocks = [
            resolve_shock(Shock("country", str(country), fraction, nodes=tuple(group["node_id"])), inputs)
            for country, group in applied[applied["in_data"]].groupby("country_iso3", sort=True)
        ]
        if not shocks:
            raise RunError(f"none of the {year} controls bears on a supplier the data name before {year}")
        graph = build_graph(inputs.nodes, inputs.edges)
        result = simulate(graph, shocks, country_shares=country_shares, firm_shares=firm_shares)
    names = inputs.nodes.set_index("node_id")["name"]
    finals = result.finals.copy()
    finals.insert(1, "name", finals["node_id"].map(names).fillna(""))
    finals = finals.sort_values(["loss_high", "loss_low", "node_id"], ascending=[False, False, True], kind="stable")
    tables = {
        "controls": applied,
        "nodes": result.nodes,
        "finals": finals.reset_index(drop=True),
        "markets": result.markets,
    }
    run_id = record_run(
        db,
        kind="simulation",
        parameters={"dataset": dataset, "backtest_year": year, "fraction": fraction, "data_before": year},
        inputs_hash=inputs.inputs_hash,
        actor=actor,
        tables=tables,
        summary={
            "shocks": [replace(s).label() for s in shocks],
            "controls": len(applied),
            "max_final_loss_low": float(finals["loss_low"].max()) if len(finals) else 0.0,
            "max_final_loss_high": float(finals["loss_high"].max()) if len(finals) else 0.0,
        },
        dataset_id=inputs.dataset.id,
        started_at=started,
    )
    return TablesRun(run_id, inputs.dataset, tables)


def _with_data(applied: pd.DataFrame, bounds: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """The controls with ``in_data``, ``data_year``, ``share_low`` and ``share_high`` of the controlled supply.

    Parameters
    ----------
    applied
        Controls in force (:func:`controls_in_force`).
    bounds
        Country share intervals of the data before the year (:func:`supplychain.bounds.supplier_share_bounds`).
    shares
        The country view those intervals rest on (:func:`supplychain.shares.supplier_shares`), for the
        reference year of each node and supplier.

    Returns
    -------
    pandas.DataFrame
        ``applied`` with the four columns; a control the data do not carry has ``in_data`` False and no year or share.
    """
    keys = list(zip(applied["node_id"], applied["country_iso3"], strict=True))
    interval = {
        (n, c): (lo, hi)
        for n, c, lo, hi in zip(
            bounds["node_id"], bounds["supplier"], bounds["share_low"], bounds["share_high"], strict=True
        )
    }
    years = {(n, c): y for n, c, y in zip(shares["node_id"], shares["supplier_id"], shares["year"], strict=True)}
    nan = float("nan")
    return applied.assign(
        in_data=[key in interval for key in keys],
        data_year=pd.array([years.get(key) if key in interval else None for key in keys], dtype="Int64"),
        share_low=[float(interval[key][0]) if key in interval else nan for key in keys],
        share_high=[float(interval[key][1]) if key in interval else nan for key in keys],
    )
