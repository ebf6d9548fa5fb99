"""Criticality: governance-weighted supply risk of materials (EU CRM method, docs/methods/supply-risk.md).

The engine (:mod:`supplychain.supply_risk`) computes HHI_WGI and SR; this module gathers its inputs from a dataset
(global shares), a trade dataset (EU sourcing from extra-EU imports, and the extra-EU imports and exports behind
import reliance), the seed's extract of EU CRM assessment parameters (``crm_parameters.csv``: EoL-RIR and SI with
their source) and the country table or an imported WGI dataset (governance), and records the run.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from deps.access.auth import Actor, require
from deps.config import Settings
from deps.services.analysis import ScreenRun, load_graph_inputs
from deps.services.boundary import engine_errors
from deps.services.runs import frames_hash, record_run
from deps.store.db import Database
from deps.store.models import utcnow
from deps.store.queries import governance_frame, nodes_frame, resolve_dataset, trade_frame
from supplychain.schema import validate_provision
from supplychain.shares import supplier_shares
from supplychain.supply_risk import governance_from_wgi, supply_risk

__all__ = ["run_supply_risk"]


def run_supply_risk(
    db: Database,
    settings: Settings,
    *,
    dataset: str,
    actor: Actor,
    trade_dataset: str | None = None,
    year: int | None = None,
    governance_dataset: str | None = None,
    governance_year: int | None = None,
) -> ScreenRun:
    """Governance-weighted supply risk of the dataset's materials (EU CRM method, docs/methods/supply-risk.md).

    Global supply shares come from the dataset's country view of each material (named suppliers without a share
    included: they make SR an interval).  With ``trade_dataset``, EU sourcing is the bloc's extra-bloc imports of the
    material's HS code by partner (intra-bloc trade is not supply to the bloc), and import reliance comes from the
    bloc's extra-bloc imports and exports; without it the global shares stand in and IR is only known to lie in
    [0, 1], and the result says so.  EoL-RIR and SI come from ``crm_parameters.csv`` in the seed folder where it has
    the material (2017 EU CRM study values, cited per row); elsewhere they are shown as assumed.  Governance scores
    come from the country table (the
    seed's WGI political-stability estimates) or, with ``governance_dataset``, from an imported WGI dataset for
    ``governance_year`` (default: each country's latest year).  Only one of the six WGI dimensions is available.
    """
    require(actor, "analyse")
    started = utcnow()
    inputs = load_graph_inputs(db, dataset, actor=actor, settings=settings)
    nodes = nodes_frame(db, inputs.dataset.id)
    materials = nodes[nodes["kind"] == "material"]
    shares = supplier_shares(validate_provision(inputs.provision), level="country")
    shares = shares[shares["node_id"].isin(materials["node_id"])]
    global_shares = shares[["node_id", "supplier_id", "share"]].rename(
        columns={"node_id": "material", "supplier_id": "country"}
    )
    countries = inputs.countries.copy()
    governance_source = "country table (WGI political stability, seed)"
    if governance_dataset is not None:
        scores = governance_frame(db, resolve_dataset(db, governance_dataset).id)
        if governance_year is not None:
            scores = scores[scores["year"] == governance_year]
        latest = scores.sort_values("year").groupby("iso3").last()["estimate"]
        countries["governance"] = countries["iso3"].map(latest).map(governance_from_wgi)
        governance_source = f"dataset {governance_dataset} ({governance_year or 'latest year per country'})"
    eu_shares = None
    params = _crm_parameters(settings.effective_seed_dir / "crm_parameters.csv")
    if trade_dataset is not None:
        trade = trade_frame(db, resolve_dataset(db, trade_dataset).id, year)
        members = set(countries.loc[countries["blocs"].str.split(";").map(lambda b: settings.bloc in b), "iso3"])
        codes = materials.set_index("node_id")["hs_code"]
        rows: list[dict[str, object]] = []
        flows_by: list[dict[str, object]] = []
        for material, code in codes[codes != ""].items():
            flows = trade[trade["product"] == code]
            imp_in, exp_in = flows["importer"].isin(members), flows["exporter"].isin(members)
            extra = flows[imp_in & ~exp_in]
            total = float(extra["value"].sum())
            if total > 0:
                by = extra.groupby("exporter")["value"].sum() / total
                rows.extend({"material": material, "country": c, "share": float(v)} for c, v in by.items())
            if len(flows):
                exports = float(flows.loc[exp_in & ~imp_in, "value"].sum())
                flows_by.append({"material": material, "eu_imports": total, "eu_exports": exports})
        eu_shares = pd.DataFrame(rows, columns=["material", "country", "share"])
        trade_params = pd.DataFrame(flows_by, columns=["material", "eu_imports", "eu_exports"])
        params = trade_params.merge(params, on="material", how="outer")
    with engine_errors(f"supply risk of dataset {dataset!r}"):
        table = supply_risk(
            global_shares, countries, eu_shares=eu_shares, parameters=params, thresholds=settings.thresholds
        )
    names = materials.set_index("node_id")["name"]
    table.insert(1, "name", table["material"].map(names).fillna(""))
    table["governance_source"] = governance_source
    run_id = record_run(
        db,
        kind="supply_risk",
        parameters={
            "dataset": dataset,
            "trade_dataset": trade_dataset,
            "year": year,
            "governance_dataset": governance_dataset,
            "governance_year": governance_year,
            "supply_risk": settings.thresholds.supply_risk,
            "economic_importance": settings.thresholds.economic_importance,
        },
        inputs_hash=frames_hash({"shares": global_shares, "countries": countries}),
        actor=actor,
        tables={"supply_risk": table},
        summary={
            "materials": len(table),
            "max_supply_risk": float(table["supply_risk"].max()) if table["supply_risk"].notna().any() else None,
            "max_supply_risk_high": float(table["supply_risk_high"].max()) if len(table) else None,
        },
        dataset_id=inputs.dataset.id,
        started_at=started,
    )
    return ScreenRun(run_id, inputs.dataset, table, pd.DataFrame())


def _crm_parameters(path: Path) -> pd.DataFrame:
    """EoL-RIR and SI per material with their source, from the seed's CRM extract (empty without it)."""
    columns = ["material", "eol_rir", "eol_rir_source", "substitution_index", "substitution_index_source"]
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    cited = raw["source"] + ", " + raw["page_or_table"] + " (" + raw["assessment_year"] + " values, "
    cited = cited + raw["crm_material"] + ")"
    out = pd.DataFrame({"material": raw["node_id"]})
    for col in ("eol_rir", "substitution_index"):
        out[col] = pd.to_numeric(raw[col].replace("", None), errors="coerce")
        out[f"{col}_source"] = cited.where(out[col].notna(), "")
    return out[columns]
