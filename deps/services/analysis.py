"""Analysis runs: load a dataset's frames, call the pure engine, record the run, return its tables.

``deps analyse``, ``deps screen`` and ``deps simulate`` and the app's pages call these functions, so the CLI, the
app and the reports show the same numbers.  Each function writes a run record (inputs hash, parameters, code
version, user) that reports cite by id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

import pandas as pd

from deps.access.auth import Actor, require
from deps.config import Settings
from deps.errors import NotFoundError, RunError
from deps.ingest.products import hs92_names
from deps.services.boundary import engine_errors
from deps.services.composition import Composition, fuse_composition, resolve_composition
from deps.services.fusion import Fusion
from deps.services.runs import frames_hash, record_run
from deps.store.db import Database
from deps.store.models import utcnow
from deps.store.queries import (
    RESILIENCE_NUMBERS,
    DatasetRef,
    countries_frame,
    edges_frame,
    node_resilience_frame,
    nodes_frame,
    provision_frame,
    resolve_dataset,
    trade_frame,
)
from supplychain.analysis import TRI_STATE_COLUMNS, analyse
from supplychain.bounds import supplier_share_bounds
from supplychain.disruption import SHOCK_KINDS, Shock, ShockKind, country_sweep, simulate, sweep_table
from supplychain.errors import SupplyChainError
from supplychain.graph import build_graph
from supplychain.schema import validate_provision
from supplychain.screening import eu_screen, transit_table
from supplychain.thresholds import Thresholds

__all__ = [
    "GraphInputs",
    "ScreenRun",
    "ShockSpec",
    "TablesRun",
    "load_graph_inputs",
    "make_shock",
    "member_versions",
    "parse_shock",
    "resolve_shock",
    "run_analysis",
    "run_screen",
    "run_simulation",
]

log = logging.getLogger(__name__)

ENGINE_PROVISION_COLUMNS = [
    "node_id",
    "supplier_id",
    "supplier_type",
    "country",
    "share",
    "year",
    "source",
    "evidence",
    "confidence",
    "basis",
]


@dataclass(frozen=True)
class GraphInputs:
    """The engine's input frames for one dataset version, and their hash."""

    dataset: DatasetRef
    nodes: pd.DataFrame
    edges: pd.DataFrame
    provision: pd.DataFrame
    countries: pd.DataFrame
    inputs_hash: str
    fusion: Fusion | None = None
    composition: Composition | None = None


def load_graph_inputs(db: Database, dataset: str, *, actor: Actor, settings: Settings | None = None) -> GraphInputs:
    """Frames of the newest version of ``dataset`` plus the countries, hashed for the run record.

    ``dataset`` may name a fused graph, ``base+other+...`` (see :mod:`deps.services.fusion`): the base's frames
    with the mapped observed shares of the others laid over them; ``settings`` then gives the seed folder (for
    ``commodity_map.csv``) and the conflict threshold.
    """
    require(actor, "read")
    composition = resolve_composition(db, dataset, actor=actor)
    ref = composition.base
    nodes = nodes_frame(db, ref.id)
    if nodes.empty:
        raise RunError(f"dataset {ref.name!r} has no nodes to analyse (is it a trade-flow or governance dataset?)")
    edges = edges_frame(db, ref.id)[["src", "dst", "relation", "share", "factor"]]
    provision = provision_frame(db, ref.id)
    fusion = None
    if composition.fused:
        fusion = fuse_composition(db, composition, provision, actor=actor, settings=settings)
        provision = fusion.provision
    engine_provision = provision[ENGINE_PROVISION_COLUMNS]
    countries = countries_frame(db)[["iso3", "name", "blocs", "governance"]]
    resilience = node_resilience_frame(db, ref.id)[["node_id", *RESILIENCE_NUMBERS]]
    engine_nodes = nodes[["node_id", "name", "kind", "sectors", "markets"]].merge(resilience, on="node_id", how="left")
    digest = frames_hash({"nodes": engine_nodes, "edges": edges, "provision": engine_provision, "countries": countries})
    return GraphInputs(ref, engine_nodes, edges, engine_provision, countries, digest, fusion, composition)


def _thresholds(settings: Settings, home: str | None, bloc: str | None) -> Thresholds:
    t = settings.thresholds
    return replace(t, home=(home or t.home).upper(), bloc=bloc or t.bloc)


def _parameters(t: Thresholds, **extra: object) -> dict[str, object]:
    params: dict[str, object] = {k: v for k, v in t.__dict__.items()}
    params["risk_weights"] = dict(t.risk_weights)
    params.update(extra)
    return params


def member_versions(inputs: GraphInputs) -> dict[str, object]:
    """``members`` (added dataset -> version) of a fused graph, for its run's parameters; nothing for a plain one."""
    composition = inputs.composition
    return {"members": composition.members} if composition is not None and composition.fused else {}


@dataclass(frozen=True)
class TablesRun:
    """A stored run: its id, the dataset version it read and its result tables by name.

    An analysis has ``nodes`` (one row per node), ``evidence``, ``risk``, ``mutual``, ``control_points``,
    ``bloc_control_points``, ``structural`` and ``concentration_firm``; a simulation ``nodes``, ``finals`` and
    ``markets`` (a sweep: ``finals`` and ``markets``, one column per country).
    """

    run_id: str
    dataset: DatasetRef
    tables: dict[str, pd.DataFrame]


def run_analysis(
    db: Database,
    settings: Settings,
    *,
    dataset: str,
    actor: Actor,
    home: str | None = None,
    bloc: str | None = None,
    year: int | None = None,
) -> TablesRun:
    """Concentration, chokepoints, control points, mutual dependency and risk targets of a dataset (docs/methods/)."""
    require(actor, "analyse")
    started = utcnow()
    inputs = load_graph_inputs(db, dataset, actor=actor, settings=settings)
    thresholds = _thresholds(settings, home, bloc)
    with engine_errors(f"analysis of dataset {dataset!r}"):
        result = analyse(
            inputs.nodes, inputs.edges, inputs.provision, inputs.countries, year=year, thresholds=thresholds
        )
    tables = {
        "nodes": result.table,
        "evidence": result.evidence,
        "risk": result.risk,
        "mutual": result.mutual,
        "control_points": result.control_points,
        "bloc_control_points": result.bloc_control_points,
        "structural": result.structural,
        "concentration_firm": result.concentration_firm,
    }
    if inputs.fusion is not None:
        tables["sources"] = inputs.fusion.evidence
        tables["conflicts"] = inputs.fusion.conflicts
    flags = [c for c in result.table.columns if c.endswith("chokepoint") or c.endswith("control_point")]
    summary: dict[str, int] = {"nodes": len(result.table)}
    for col in flags:  # yes/possible/no flags count their 'yes' (and 'possible' apart); boolean flags their True
        values = result.table[col].astype(str)
        summary[col] = int(values.isin(["yes", "True"]).sum())
        if col in TRI_STATE_COLUMNS:
            summary[f"{col}_possible"] = int((values == "possible").sum())
    run_id = record_run(
        db,
        kind="analysis",
        parameters=_parameters(thresholds, dataset=dataset, year=year, **member_versions(inputs)),
        inputs_hash=inputs.inputs_hash,
        actor=actor,
        tables=tables,
        summary=summary,
        dataset_id=inputs.dataset.id,
        started_at=started,
    )
    return TablesRun(run_id, inputs.dataset, tables)


@dataclass(frozen=True)
class ScreenRun:
    """The stored EU screen: run id, the per-product screen and the transit table."""

    run_id: str
    dataset: DatasetRef
    screen: pd.DataFrame
    transit: pd.DataFrame


def run_screen(
    db: Database, settings: Settings, *, dataset: str, actor: Actor, bloc: str | None = None, year: int | None = None
) -> ScreenRun:
    """The EU three-criteria dependency screen on a trade-flow dataset (docs/methods/eu-screen.md)."""
    require(actor, "analyse")
    started = utcnow()
    ref = resolve_dataset(db, dataset)
    trade = trade_frame(db, ref.id)
    if trade.empty:
        raise RunError(f"dataset {dataset!r} has no trade flows; import one with `deps import baci FILE`")
    if year is not None and not (trade["year"] == year).any():
        years = sorted(set(trade["year"]))
        raise NotFoundError(f"dataset {dataset!r} has no trade flows for {year}; it has {years}")
    countries = countries_frame(db)[["iso3", "name", "blocs", "governance"]]
    thresholds = _thresholds(settings, None, bloc)
    if not countries["blocs"].str.split(";").map(lambda b: thresholds.bloc in b).any():
        raise NotFoundError(f"no country is a member of bloc {thresholds.bloc!r}; load the seed (`deps init`) first")
    with engine_errors(f"screen of dataset {dataset!r}"):
        screen = eu_screen(trade, countries, year=year, thresholds=thresholds)
        transit = transit_table(trade, thresholds=thresholds)
    screen = _with_product_names(screen)
    transit = _with_product_names(transit)
    if year is not None:
        transit = transit[transit["year"] == year].reset_index(drop=True)
    summary = {
        "products": len(screen),
        "dependent": int(screen["dependent"].sum()),
        "more_vulnerable": int(screen["more_vulnerable"].sum()) if "more_vulnerable" in screen else None,
    }
    run_id = record_run(
        db,
        kind="screen",
        parameters=_parameters(thresholds, dataset=dataset, year=year),
        inputs_hash=frames_hash({"trade": trade, "countries": countries}),
        actor=actor,
        tables={"screen": screen, "transit": transit},
        summary=summary,
        dataset_id=ref.id,
        started_at=started,
    )
    return ScreenRun(run_id, ref, screen, transit)


def _with_product_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``product_name`` (the HS92 description, empty when the table lacks the code) after
    ``product``."""
    if "product" not in frame.columns:
        return frame
    names = hs92_names()
    out = frame.copy()
    out.insert(list(out.columns).index("product") + 1, "product_name", [names.get(str(c), "") for c in out["product"]])
    return out


#: The shock type is the engine's own (it checks its kind and fraction); kept under this name for callers.
ShockSpec = Shock


def parse_shock(text: str) -> Shock:
    """Parse ``CHN=1.0``, ``country:CHN=1``, ``firm:asml=0.5``, ``node:ID=1.0`` or ``CHN=1@gallium+germanium``.

    The fraction defaults to 1; ``@NODE+NODE`` restricts a country or firm shock to those nodes' supply (an export
    control on named products). The text is parsed once, here, into the engine's :class:`Shock`.

    >>> parse_shock("firm:asml=0.5")
    Shock(kind='firm', target='asml', fraction=0.5, nodes=())
    >>> parse_shock("CHN=1@mat_gallium+mat_germanium").label()
    'country:CHN=1@mat_gallium+mat_germanium'
    """
    body, _, rest = text.partition("=")
    fraction_text, _, where = rest.partition("@")
    if "@" in body:  # CHN@node without a fraction
        body, _, where = body.partition("@")
    kind, _, target = body.partition(":") if ":" in body else ("country", "", body)
    kind = kind.strip().lower()
    target = target.strip()
    if kind not in SHOCK_KINDS or not target:
        raise RunError(
            f"shock {text!r}: write COUNTRY=F, country:ISO3=F, firm:ID=F or node:ID=F (F between 0 and 1), "
            "optionally @NODE+NODE to limit it to those nodes"
        )
    try:
        fraction = float(fraction_text) if fraction_text.strip() else 1.0
    except ValueError as exc:
        raise RunError(f"shock {text!r}: the fraction {fraction_text!r} is not a number between 0 and 1") from exc
    nodes = tuple(n.strip() for n in where.split("+") if n.strip())
    return make_shock(kind, target, fraction, nodes=nodes)


def make_shock(kind: str, target: str, fraction: float = 1.0, *, nodes: tuple[str, ...] = ()) -> Shock:
    """The engine's :class:`Shock` from its fields as a form or a table gives them (no text in between).

    The kind is case-insensitive and a country code is upper-cased; a wrong kind, an empty target or a fraction
    outside 0-1 is a :class:`RunError` that says how to write it.

    >>> make_shock("Country", " chn ", 0.5)
    Shock(kind='country', target='CHN', fraction=0.5, nodes=())
    """
    kind, target = kind.strip().lower(), target.strip()
    if kind not in SHOCK_KINDS or not target:
        raise RunError(
            f"shock {kind}:{target}: the kind is one of {', '.join(SHOCK_KINDS)} and the target an ISO3 code, "
            "a firm id or a node id"
        )
    try:
        kind_name = cast(ShockKind, kind)  # checked against SHOCK_KINDS above
        return Shock(kind_name, target.upper() if kind == "country" else target, fraction, nodes=nodes)
    except SupplyChainError as exc:
        raise RunError(str(exc)) from exc


def run_simulation(
    db: Database,
    settings: Settings,
    *,
    dataset: str,
    actor: Actor,
    shocks: list[Shock],
    sweep_fraction: float | None = None,
    year: int | None = None,
) -> TablesRun:
    """Propagate shocks through the supply graph (docs/methods/disruption.md), or sweep every country at once.

    With ``sweep_fraction`` set, every supplying country is shocked in turn by that fraction (one scenario per
    country, in one matrix) and ``shocks`` must be empty.
    """
    require(actor, "simulate")
    if sweep_fraction is not None and not 0.0 < sweep_fraction <= 1.0:
        raise RunError(f"--sweep {sweep_fraction:g}: give the shock as a fraction above 0 and at most 1, e.g. 0.5")
    started: datetime = utcnow()
    inputs = load_graph_inputs(db, dataset, actor=actor, settings=settings)
    thresholds = settings.thresholds
    provision = validate_provision(inputs.provision)
    # share intervals (exact over unknown shares, DEPS_SUPPLIERS_COMPLETE): the loss bounds rest on them
    country_shares = supplier_share_bounds(provision, level="country", year=year, thresholds=thresholds)
    firm_shares = supplier_share_bounds(provision, level="firm", year=year, thresholds=thresholds)
    with engine_errors(f"simulation on dataset {dataset!r}"):
        graph = build_graph(inputs.nodes, inputs.edges)
        if sweep_fraction is not None:
            if shocks:
                raise RunError("give either --shock options or --sweep, not both")
            sweep = country_sweep(graph, country_shares, fraction=sweep_fraction)
            tables = {"finals": sweep_table(sweep), "markets": sweep_table(sweep, markets=True)}
            summary: dict[str, object] = {"countries": len(sweep.countries), "fraction": sweep_fraction}
        else:
            if not shocks:
                raise RunError("give at least one --shock (e.g. --shock CHN=1.0) or --sweep")
            resolved = [resolve_shock(s, inputs) for s in shocks]
            result = simulate(graph, resolved, country_shares=country_shares, firm_shares=firm_shares)
            tables = {"nodes": result.nodes, "finals": result.finals, "markets": result.markets}
            summary = {
                "shocks": [s.label() for s in resolved],
                "max_final_loss_low": float(result.finals["loss_low"].max()) if len(result.finals) else 0.0,
                "max_final_loss_high": float(result.finals["loss_high"].max()) if len(result.finals) else 0.0,
            }
    run_id = record_run(
        db,
        kind="simulation",
        parameters={
            "dataset": dataset,
            "shocks": [s.label() for s in shocks],  # as written; the summary has the resolved ids
            "sweep_fraction": sweep_fraction,
            "year": year,
            "knockout_loss": thresholds.knockout_loss,
            **member_versions(inputs),
        },
        inputs_hash=inputs.inputs_hash,
        actor=actor,
        tables=tables,
        summary=summary,
        dataset_id=inputs.dataset.id,
        started_at=started,
    )
    return TablesRun(run_id, inputs.dataset, tables)


def resolve_shock(shock: Shock, inputs: GraphInputs) -> Shock:
    """The shock with its target and restricting nodes resolved to ids (a unique case-insensitive name also works)."""
    nodes = tuple(_resolve_target(Shock("node", n), inputs) for n in shock.nodes)
    return replace(shock, target=_resolve_target(shock, inputs), nodes=nodes)


def _resolve_target(spec: Shock, inputs: GraphInputs) -> str:
    """Accept an id, or a unique case-insensitive name, for firms and nodes."""
    if spec.kind == "country":
        return spec.target
    if spec.kind == "node":
        ids, names = inputs.nodes["node_id"], inputs.nodes["name"]
    else:
        firms = inputs.provision[inputs.provision["supplier_type"] == "firm"]
        ids = firms["supplier_id"]
        names = ids  # firm names are matched through their ids here
    if (ids == spec.target).any():
        return spec.target
    lowered = spec.target.lower()
    matches = sorted(set(ids[(ids.str.lower() == lowered) | (names.str.lower() == lowered)]))
    if len(matches) == 1:
        return str(matches[0])
    near = sorted(set(ids[ids.str.lower().str.contains(lowered, regex=False)]))[:8]
    hint = f"; similar ids: {', '.join(near)}" if near else ""
    raise NotFoundError(f"no {spec.kind} {spec.target!r} in dataset {inputs.dataset.name!r}{hint}")
