"""EU three-criteria dependency screen on trade flows (docs/methods/eu-screen.md).

European Commission SWD(2021) 352 and SWD(2022) 41; Arjona, Connell & Herghelegiu (2023), DG GROW
WP2023/14. For product p (HS6), bloc B and year y:

1. concentration: HHI of extra-B imports over partner countries > ``eu_hhi`` (0.4);
2. importance: extra-B imports / (extra-B + intra-B imports) > ``eu_importance`` (0.5);
3. substitutability: extra-B imports / total B exports > ``eu_substitutability`` (1.0), as
   SWD(2021) 352 words it ("the ratio between extra-EU imports and total EU exports"): total B
   exports go to every destination, intra-B included. ``Thresholds.eu_exports_base = "extra"``
   divides by extra-B exports instead (an earlier reading of the method). Exports of 0 count as
   an infinitely large ratio.

Dependent when all three hold. "More vulnerable" (CEPII GeoDep): also HHI of world exports >
``world_hhi`` (0.4). Persistence: with several years, a product is persistently dependent in
year y when flagged in at least ``persistence_years`` (2) of the ``persistence_window`` (3)
years y-2..y that are present in the data; with one year only, ``persistent`` is NA.

Transit (re-exports are not capacity): without production data, country c is a transit hub for
p when its imports of p cover at least ``reexport_ratio`` of its exports of p (imports >= ratio x
exports); its exports are then likely re-exports (e.g. Rotterdam). The literal alternative
"exports >= X% of imports" would flag every producer that imports nothing, so it is not used.
The world-export HHI is reported with and without transit hubs.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from supplychain.errors import SchemaError
from supplychain.schema import bloc_members, validate_trade
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = ["SCREEN_COLUMNS", "TRANSIT_COLUMNS", "eu_screen", "transit_table"]

TRANSIT_COLUMNS = (
    "year",
    "product",
    "country",
    "exports",
    "imports",
    "import_cover",
    "world_export_share",
    "transit",
)
SCREEN_COLUMNS = (
    "year",
    "product",
    "extra_imports",
    "intra_imports",
    "extra_exports",
    "total_exports",
    "exports_base",
    "n_partners",
    "top_partner",
    "top_partner_share",
    "hhi_extra",
    "importance",
    "substitutability_ratio",
    "c1_concentration",
    "c2_importance",
    "c3_substitutability",
    "dependent",
    "world_exports",
    "top_exporter",
    "top_exporter_share",
    "top_exporter_transit",
    "world_hhi",
    "world_hhi_excl_transit",
    "more_vulnerable",
    "years_flagged",
    "persistent",
    "explanation",
)


def transit_table(trade: pd.DataFrame, *, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """Exports, imports and the transit flag per (year, product, country).

    ``import_cover`` = imports / exports (inf when exports are 0 is impossible: rows exist only
    for exporters); ``transit`` = import_cover >= ``reexport_ratio``.
    """
    trade = validate_trade(trade)
    exp = trade.groupby(["year", "product", "exporter"], sort=True)["value"].sum()
    imp = trade.groupby(["year", "product", "importer"], sort=True)["value"].sum()
    exp.index.names = imp.index.names = ["year", "product", "country"]
    out = pd.DataFrame({"exports": exp}).join(pd.DataFrame({"imports": imp}), how="left")
    out["imports"] = out["imports"].fillna(0.0)
    out["import_cover"] = out["imports"] / out["exports"]
    world = out.groupby(level=["year", "product"])["exports"].transform("sum")
    out["world_export_share"] = out["exports"] / world
    out["transit"] = out["import_cover"] >= thresholds.reexport_ratio
    return out.reset_index()[list(TRANSIT_COLUMNS)]


def eu_screen(
    trade: pd.DataFrame,
    countries: pd.DataFrame,
    *,
    year: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Run the EU three-criteria screen for the bloc ``thresholds.bloc``.

    Parameters
    ----------
    trade
        Trade frame (values in thousand USD).
    countries
        Countries frame; the bloc's members are those whose ``blocs`` name ``thresholds.bloc``.
    year
        Screen one year only (persistence still uses the earlier years present); ``None``
        screens every year.
    thresholds
        ``eu_hhi``, ``eu_importance``, ``eu_substitutability``, ``world_hhi``,
        ``persistence_years``, ``persistence_window``, ``reexport_ratio``.

    Returns
    -------
    pandas.DataFrame
        One row per (year, product) with any trade, columns :data:`SCREEN_COLUMNS`, sorted by
        year and product. Value columns are in thousand USD.
    """
    trade = validate_trade(trade)
    bloc = bloc_members(countries, thresholds.bloc)
    exp_in = trade["exporter"].isin(bloc)
    imp_in = trade["importer"].isin(bloc)
    keys = ["year", "product"]
    extra = trade[imp_in & ~exp_in]
    by_partner = extra.groupby([*keys, "exporter"], sort=True)["value"].sum().reset_index()
    base = trade[keys].drop_duplicates().set_index(keys).sort_index()
    out = base.copy()
    out["extra_imports"] = extra.groupby(keys)["value"].sum()
    out["intra_imports"] = trade[imp_in & exp_in].groupby(keys)["value"].sum()
    out["extra_exports"] = trade[exp_in & ~imp_in].groupby(keys)["value"].sum()
    out["total_exports"] = trade[exp_in].groupby(keys)["value"].sum()
    flows = ["extra_imports", "intra_imports", "extra_exports", "total_exports"]
    out[flows] = out[flows].fillna(0.0)
    if thresholds.eu_exports_base not in ("total", "extra"):
        raise SchemaError(f"eu_exports_base must be 'total' or 'extra', not {thresholds.eu_exports_base!r}")
    out["exports_base"] = thresholds.eu_exports_base
    hhi, top, top_share, n = _hhi_by(by_partner, keys, "exporter")
    out["n_partners"] = n.reindex(out.index).fillna(0).astype(int)
    out["top_partner"] = top.reindex(out.index).fillna("")
    out["top_partner_share"] = top_share
    out["hhi_extra"] = hhi
    total = out["extra_imports"] + out["intra_imports"]
    out["importance"] = (out["extra_imports"] / total).where(total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        exports = out[f"{thresholds.eu_exports_base}_exports"]
        ratio = out["extra_imports"] / exports
    out["substitutability_ratio"] = ratio.where(exports > 0, np.inf).where(out["extra_imports"] > 0, 0.0)
    t = thresholds
    out["c1_concentration"] = out["hhi_extra"].fillna(0.0) > t.eu_hhi
    out["c2_importance"] = out["importance"].fillna(0.0) > t.eu_importance
    out["c3_substitutability"] = out["substitutability_ratio"] > t.eu_substitutability
    out["dependent"] = out["c1_concentration"] & out["c2_importance"] & out["c3_substitutability"]
    transit = transit_table(trade, thresholds=thresholds)
    world = trade.groupby([*keys, "exporter"], sort=True)["value"].sum().reset_index()
    w_hhi, w_top, w_share, _ = _hhi_by(world, keys, "exporter")
    out["world_exports"] = world.groupby(keys)["value"].sum()
    out["top_exporter"] = w_top.reindex(out.index).fillna("")
    out["top_exporter_share"] = w_share
    tflag = transit.set_index([*keys, "country"])["transit"]
    idx = pd.MultiIndex.from_arrays([out.index.get_level_values(0), out.index.get_level_values(1), out["top_exporter"]])
    out["top_exporter_transit"] = tflag.reindex(idx).fillna(False).to_numpy(dtype=bool)
    out["world_hhi"] = w_hhi
    producers = world.merge(
        transit[[*keys, "country", "transit"]].rename(columns={"country": "exporter"}),
        on=[*keys, "exporter"],
        how="left",
    )
    producers = producers[~producers["transit"].fillna(False).astype(bool)]
    out["world_hhi_excl_transit"] = _hhi_by(producers, keys, "exporter")[0]
    out["more_vulnerable"] = out["dependent"] & (out["world_hhi"].fillna(0.0) > t.world_hhi)
    out = out.reset_index()
    out["years_flagged"], out["persistent"] = _persistence(out, thresholds)
    if year is not None:
        out = out[out["year"] == year]
    out["explanation"] = [_explain(row, thresholds) for row in out.to_dict("records")]
    return out[list(SCREEN_COLUMNS)].reset_index(drop=True)


def _hhi_by(flows: pd.DataFrame, keys: list[str], who: str) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    total = flows.groupby(keys)["value"].transform("sum")
    share = flows["value"] / total
    frame = flows.assign(_share=share, _sq=share * share)
    grouped = frame.groupby(keys, sort=True)
    hhi = grouped["_sq"].sum()
    ranked = frame.sort_values([*keys, "_share", who], ascending=[True, True, False, True])
    first = ranked.drop_duplicates(keys).set_index(keys)
    return hhi, first[who], first["_share"], grouped.size()


def _persistence(out: pd.DataFrame, t: Thresholds) -> tuple[pd.Series, pd.Series]:
    years = sorted(out["year"].unique().tolist())
    if len(years) < 2:
        na = pd.Series(pd.NA, index=out.index, dtype="boolean")
        return out["dependent"].astype(int), na
    flags = out.pivot_table(index="product", columns="year", values="dependent", aggfunc="max")
    flags = flags.reindex(columns=range(min(years), max(years) + 1)).astype("float64")
    window = flags.T.rolling(t.persistence_window, min_periods=1).sum().T
    counts = pd.DataFrame(window.stack()).reset_index()
    counts.columns = pd.Index(["product", "year", "n"])
    merged = out[["year", "product"]].merge(counts, on=["product", "year"], how="left")
    n = merged["n"].fillna(0).astype(int).to_numpy()
    return pd.Series(n, index=out.index), pd.Series(n >= t.persistence_years, index=out.index, dtype="boolean")


def _explain(row: dict[Hashable, Any], t: Thresholds) -> str:
    def num(key: str) -> float:
        value = row[key]
        return float(value) if value is not None and value == value else float("nan")

    verdict = "dependent" if row["dependent"] else "not dependent"
    text = (
        f"{row['product']} {row['year']}: {verdict}: "
        f"(1) extra-{t.bloc} import HHI {num('hhi_extra'):.3f} "
        f"{'>' if row['c1_concentration'] else '<='} {t.eu_hhi} (top partner "
        f"{row['top_partner']} {num('top_partner_share'):.3f}); "
        f"(2) importance {num('importance'):.3f} {'>' if row['c2_importance'] else '<='} "
        f"{t.eu_importance}; (3) extra imports / {t.eu_exports_base} {t.bloc} exports "
        f"{num('substitutability_ratio'):.3f} "
        f"{'>' if row['c3_substitutability'] else '<='} {t.eu_substitutability}; "
        f"world export HHI {num('world_hhi'):.3f} ({num('world_hhi_excl_transit'):.3f} without "
        f"transit hubs), top exporter {row['top_exporter']} {num('top_exporter_share'):.3f}"
    )
    if row["top_exporter_transit"]:
        text += f" (transit hub: imports cover >= {t.reexport_ratio} of its exports)"
    if row["more_vulnerable"]:
        text += f"; more vulnerable (world HHI > {t.world_hhi})"
    if row["persistent"] is not pd.NA and row["persistent"] is not None:
        text += f"; flagged {row['years_flagged']} of the last {t.persistence_window} years"
    return text + "; source: trade flows (thousand USD)"
