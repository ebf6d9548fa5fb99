"""Governance-weighted supply risk, the EU critical-raw-materials method (docs/methods/supply-risk.md).

JRC / European Commission, methodology for the EU list of critical raw materials (2017
guidelines, 2023 assessment):

    HHI_WGI = sum_c x_c^2 g_c t_c        (g_c governance 0-10, 10 = worst; t_c >= 1 export
                                          restriction factor, default 1)
    SR = [HHI_WGI(global supply) IR/2 + HHI_WGI(EU sourcing) (1 - IR/2)] (1 - EOL_RIR) SI
    IR = (imports - exports) / (production + imports - exports), set to 0 when negative

Critical when SR >= ``supply_risk`` (1.0) and EI >= ``economic_importance`` (2.8).

EU sourcing is the bloc's supply from outside it (extra-bloc imports by partner: the caller
builds it). IR comes from the bloc's extra-bloc imports and exports of the material
(``eu_imports``, ``eu_exports``) and its production (``eu_production``, same unit) where the
data have it; a net exporter has IR 0; without production, IR = 1 only where the bloc surely
produces none (no bloc supplier can hold a share of global supply), else IR lies in [0, 1].
An ``import_reliance`` given directly is used as is. EOL_RIR and SI are data columns with a
source per row; where missing they are assumed (0 and 1) and the table says "assumed".

Unknown shares (named suppliers without a share, and unless ``suppliers_complete`` unnamed
suppliers holding the residual R = 1 - sum of known shares) make HHI_WGI an interval: lowest
with R in ever smaller unnamed shares (sum b_c^2 g_c), or with a complete list by weighted
water-filling (x_c = max(b_c, mu / g_c)); highest with all of R on one supplier, the open one
or an unnamed one with the worst governance score (max over vertices of a convex function).
SR is increasing in both HHI_WGI and linear in IR, so its interval comes from the ends. Below
``min_coverage`` of known global shares no point SR is given (status "insufficient data").
Countries without a governance score are left out of HHI_WGI and their share is reported as
``governance_gap``. The shared data hold only one WGI dimension (political stability) while
the EU method averages all six: the explanation says so.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from supplychain.concentration import STATUS_INSUFFICIENT, STATUS_OK
from supplychain.schema import bloc_members
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = ["SUPPLY_RISK_COLUMNS", "governance_from_wgi", "hhi_wgi", "supply_risk"]

SUPPLY_RISK_COLUMNS = (
    "material",
    "coverage",
    "status",
    "hhi_wgi_global",
    "hhi_wgi_global_low",
    "hhi_wgi_global_high",
    "hhi_wgi_eu",
    "governance_gap",
    "import_reliance",
    "import_reliance_low",
    "import_reliance_high",
    "eol_rir",
    "eol_rir_source",
    "substitution_index",
    "substitution_index_source",
    "supply_risk",
    "supply_risk_low",
    "supply_risk_high",
    "economic_importance",
    "critical",
    "inputs",
    "explanation",
)


def governance_from_wgi(estimate: float) -> float:
    """Rescale a WGI estimate w in [-2.5, 2.5] to g = (2.5 - w) x 2 in [0, 10] (10 = worst)."""
    return float(np.clip((2.5 - estimate) * 2.0, 0.0, 10.0))


def hhi_wgi(shares: pd.DataFrame, countries: pd.DataFrame, *, restriction: pd.Series | None = None) -> pd.DataFrame:
    """HHI_WGI per material from ``material, country, share`` rows.

    Returns ``material, hhi_wgi, governance_gap`` (share of supply from countries without a
    governance score, left out of the sum).
    """
    gov = countries.set_index("iso3")["governance"]
    frame = shares.assign(g=shares["country"].map(gov))
    t = 1.0 if restriction is None else shares["country"].map(restriction).fillna(1.0)
    frame = frame.assign(term=frame["share"] ** 2 * frame["g"] * t)
    frame["gap"] = np.where(frame["g"].isna(), frame["share"], 0.0)
    out = frame.groupby("material", sort=True).agg(hhi_wgi=("term", "sum"), governance_gap=("gap", "sum"))
    return out.reset_index()


def supply_risk(
    global_shares: pd.DataFrame,
    countries: pd.DataFrame,
    *,
    eu_shares: pd.DataFrame | None = None,
    parameters: pd.DataFrame | None = None,
    restriction: pd.Series | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Supply risk SR (point where the data allow, and its interval) and criticality per material.

    Parameters
    ----------
    global_shares
        ``material, country, share`` (fractions) of global supply; a NaN share is a named
        supplier whose share is unknown.
    countries
        Countries frame (``governance`` 0-10; ``blocs`` for the bloc's members).
    eu_shares
        ``material, country, share`` of EU sourcing (extra-bloc imports by partner); missing ->
        global shares used, and the inputs say so.
    parameters
        Optional per-material ``material`` plus any of ``import_reliance``, ``eu_imports``,
        ``eu_exports``, ``eu_production``, ``eol_rir``, ``eol_rir_source``,
        ``substitution_index``, ``substitution_index_source``, ``economic_importance``.
    restriction
        Optional export-restriction factor t_c >= 1 by ISO3.
    thresholds
        ``supply_risk``, ``economic_importance``, ``min_coverage``, ``suppliers_complete``, ``bloc``.

    Returns
    -------
    pandas.DataFrame
        One row per material, columns :data:`SUPPLY_RISK_COLUMNS`; ``supply_risk`` is NaN where
        an input is only known as an interval (coverage below ``min_coverage``, or IR unknown),
        ``supply_risk_low``/``_high`` always hold the exact interval.
    """
    gov = countries.set_index("iso3")["governance"]
    g_max = float(np.nanmax(gov.to_numpy(dtype=float))) if gov.notna().any() else 0.0
    members = bloc_members(countries, thresholds.bloc) if "blocs" in countries.columns else frozenset()
    known = global_shares[global_shares["share"].notna()]
    glob = hhi_wgi(known, countries, restriction=restriction).set_index("material")
    materials = sorted(set(global_shares["material"]))
    out = pd.DataFrame(index=pd.Index(materials, name="material"))
    out["coverage"] = known.groupby("material")["share"].sum().reindex(out.index).fillna(0.0)
    ok = out["coverage"] >= thresholds.min_coverage
    out["status"] = np.where(ok, STATUS_OK, STATUS_INSUFFICIENT)
    out["hhi_wgi_global"] = glob["hhi_wgi"].reindex(out.index).fillna(0.0)
    out["governance_gap"] = glob["governance_gap"].reindex(out.index).fillna(0.0)
    t = 1.0 if restriction is None else global_shares["country"].map(restriction).fillna(1.0)
    weights = global_shares.assign(w=global_shares["country"].map(gov).fillna(0.0) * t)
    lows, highs, bloc_free = [], [], []
    for m in materials:
        rows = weights[weights["material"] == m]
        lo, hi = _hhi_wgi_bounds(rows["share"].to_numpy(dtype=float), rows["w"].to_numpy(), g_max, thresholds)
        lows.append(lo)
        highs.append(hi)
        in_bloc = rows["country"].isin(members).to_numpy()
        resid = 1.0 - float(np.nansum(rows["share"].to_numpy(dtype=float)))
        unnamed_may = not thresholds.suppliers_complete and resid > 1e-9
        bloc_free.append(not unnamed_may and not bool((in_bloc & ~(rows["share"].fillna(1.0) == 0)).any()))
    out["hhi_wgi_global_low"], out["hhi_wgi_global_high"] = _pinned(out["hhi_wgi_global"], lows, highs)
    eu_missing = np.ones(len(out), dtype=bool)
    out["hhi_wgi_eu"] = out["hhi_wgi_global"]
    eu_lo, eu_hi = out["hhi_wgi_global_low"].copy(), out["hhi_wgi_global_high"].copy()
    if eu_shares is not None:
        eu = hhi_wgi(eu_shares, countries, restriction=restriction).set_index("material")["hhi_wgi"]
        eu_missing = ~out.index.isin(eu.index)
        given = eu.reindex(out.index)
        out["hhi_wgi_eu"] = given.fillna(out["hhi_wgi_global"])
        eu_lo, eu_hi = given.fillna(eu_lo), given.fillna(eu_hi)
    params = parameters.set_index("material").reindex(out.index) if parameters is not None else None
    ir_lo, ir_hi, ir_note = _import_reliance(params, out.index, np.asarray(bloc_free))
    out["import_reliance_low"], out["import_reliance_high"] = ir_lo, ir_hi
    out["import_reliance"] = np.where(ir_lo == ir_hi, ir_lo, np.nan)
    for col, default in (("eol_rir", 0.0), ("substitution_index", 1.0)):
        values = _param(params, col, out.index)
        source = _param(params, f"{col}_source", out.index).astype(object)
        out[f"{col}_source"] = np.where(values.isna(), f"assumed {default}", source.fillna("").astype(str))
        out[col] = values.fillna(default).astype(float)
    factor = (1 - out["eol_rir"]) * out["substitution_index"]

    def sr(hg: pd.Series, he: pd.Series, ir: pd.Series) -> pd.Series:
        return (hg * ir / 2 + he * (1 - ir / 2)) * factor

    low_ends = [sr(out["hhi_wgi_global_low"], eu_lo, ir).to_numpy(dtype=float) for ir in (ir_lo, ir_hi)]
    out["supply_risk_low"] = np.minimum(low_ends[0], low_ends[1])
    high_ends = [sr(out["hhi_wgi_global_high"], eu_hi, ir).to_numpy(dtype=float) for ir in (ir_lo, ir_hi)]
    out["supply_risk_high"] = np.maximum(high_ends[0], high_ends[1])
    exact = (out["supply_risk_high"] - out["supply_risk_low"]).abs() <= 1e-12
    point = (ok & out["import_reliance"].notna()) | exact
    ir_point = out["import_reliance"].fillna(out["import_reliance_low"])
    out["supply_risk"] = sr(out["hhi_wgi_global"], out["hhi_wgi_eu"], ir_point).where(point)
    ei = _param(params, "economic_importance", out.index).astype(float)
    out["economic_importance"] = ei
    crit = pd.array(np.full(len(out), pd.NA), dtype="boolean")
    high_enough = ei.to_numpy() >= thresholds.economic_importance
    crit[(out["supply_risk_low"].to_numpy() >= thresholds.supply_risk) & high_enough] = True
    crit[(out["supply_risk_high"].to_numpy() < thresholds.supply_risk) | (ei.notna().to_numpy() & ~high_enough)] = False
    crit[ei.isna().to_numpy()] = pd.NA
    out["critical"] = crit
    coverage = out["coverage"].to_numpy(dtype=float)
    ei_missing = ei.isna().to_numpy()
    sources = {c: [str(x) for x in out[f"{c}_source"]] for c in ("eol_rir", "substitution_index")}
    out["inputs"] = [
        "; ".join(
            [
                f"global shares: coverage {coverage[i]:.2f}",
                "EU sourcing: " + ("missing, global used" if eu_missing[i] else "extra-EU imports"),
                f"import_reliance: {ir_note[i]}",
                *(f"{c}: {sources[c][i]}" for c in ("eol_rir", "substitution_index")),
                "EI: " + ("missing, criticality not assessed" if ei_missing[i] else "given"),
                "governance: WGI political stability only (EU method averages six)",
            ]
        )
        for i in range(len(out))
    ]
    out["explanation"] = [_explain(str(m), out.loc[m].to_dict(), thresholds) for m in out.index]
    return out.reset_index()[list(SUPPLY_RISK_COLUMNS)]


def _param(params: pd.DataFrame | None, col: str, index: pd.Index) -> pd.Series:
    if params is None or col not in params.columns:
        return pd.Series(np.nan, index=index, dtype=object)
    return params[col]


def _import_reliance(
    params: pd.DataFrame | None, index: pd.Index, bloc_free: np.ndarray
) -> tuple[pd.Series, pd.Series, list[str]]:
    """IR interval per material and a note on where it comes from."""
    given = _param(params, "import_reliance", index).to_numpy(dtype=float)
    imports = _param(params, "eu_imports", index).to_numpy(dtype=float)
    exports = _param(params, "eu_exports", index).to_numpy(dtype=float)
    prod = _param(params, "eu_production", index).to_numpy(dtype=float)
    lo: list[float] = []
    hi: list[float] = []
    notes: list[str] = []
    for i in range(len(index)):
        if given[i] == given[i]:
            lo.append(float(given[i]))
            hi.append(float(given[i]))
            notes.append(f"given {given[i]:.2f}")
            continue
        imp, exp, p = float(imports[i]), float(exports[i]), float(prod[i])
        if imp != imp or exp != exp:
            lo.append(0.0)
            hi.append(1.0)
            notes.append("no trade data: between 0 and 1")
            continue
        net = imp - exp
        if net <= 0:
            value, note = 0.0, f"net exporter (imports {imp:.4g} <= exports {exp:.4g}): 0"
        elif p == p:
            value, note = net / (p + net), f"({imp:.4g} - {exp:.4g}) / ({p:.4g} + {imp:.4g} - {exp:.4g})"
        elif bloc_free[i]:
            value, note = 1.0, "net importer, no production in the bloc: 1"
        else:
            lo.append(0.0)
            hi.append(1.0)
            notes.append("net importer, bloc production unknown: between 0 and 1")
            continue
        lo.append(value)
        hi.append(value)
        notes.append(f"from trade: {note} = {value:.3f}")
    return pd.Series(lo, index=index), pd.Series(hi, index=index), notes


#: interval width (and distance to the point value) below which an HHI_WGI interval is one value met by rounding
PINNED_TOLERANCE = 1e-12


def _pinned(point: pd.Series, lows: list[float], highs: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """The HHI_WGI interval, pinned to the point value where both bounds equal it up to rounding.

    A material whose shares are all known has ``low = high = point``; computed along two paths (the bounds over
    completions and the point formula) the three can differ in the last bit, and a lower bound one ulp above the
    point would put the point value outside its own interval.  Where ``|high - low|`` and ``|point - low|`` are both
    within :data:`PINNED_TOLERANCE`, both bounds take the point value; every other interval is returned unchanged.
    """
    lo, hi, p = np.asarray(lows, dtype=float), np.asarray(highs, dtype=float), point.to_numpy(dtype=float)
    same = (np.abs(hi - lo) <= PINNED_TOLERANCE) & (np.abs(p - lo) <= PINNED_TOLERANCE)
    return np.where(same, p, lo), np.where(same, p, hi)


def _hhi_wgi_bounds(share: np.ndarray, w: np.ndarray, g_max: float, t: Thresholds) -> tuple[float, float]:
    """Lowest and highest sum_c x_c^2 w_c over every completion of the unknown shares."""
    is_open = np.isnan(share)
    b = np.where(is_open, 0.0, share)
    r = max(0.0, 1.0 - float(b.sum()))
    base = float((b * b * w).sum())
    unnamed = not t.suppliers_complete
    gains = [float(w[j] * (2 * b[j] * r + r * r)) for j in np.flatnonzero(is_open)]
    if unnamed:
        gains.append(g_max * r * r)
    high = base + (max(gains) if gains else 0.0)
    if unnamed or not is_open.any() or r == 0.0 or (w[is_open] <= 0).any():
        return base, high
    wo, bo = w[is_open], b[is_open]  # weighted water-filling: x = max(b, mu / w), sum x = sum b + r
    lo_mu, hi_mu = 0.0, float((wo * (bo + r)).max())
    for _ in range(100):
        mu = (lo_mu + hi_mu) / 2
        if np.maximum(bo, mu / wo).sum() < bo.sum() + r:
            lo_mu = mu
        else:
            hi_mu = mu
    x = np.maximum(bo, hi_mu / wo)
    return base - float((bo * bo * wo).sum()) + float((x * x * wo).sum()), high


def _explain(m: str, r: dict[Hashable, Any], t: Thresholds) -> str:
    ei = r["economic_importance"]
    if r["supply_risk"] == r["supply_risk"]:
        value = (
            f"SR = [{r['hhi_wgi_global']:.3f} x {r['import_reliance']:.2f}/2 + {r['hhi_wgi_eu']:.3f} x "
            f"(1 - {r['import_reliance']:.2f}/2)] x (1 - {r['eol_rir']:.2f}) x {r['substitution_index']:.2f} "
            f"= {r['supply_risk']:.3f}"
        )
    else:
        why = "known shares cover " + f"{r['coverage']:.2f}" if r["status"] != STATUS_OK else "IR is an interval"
        value = f"SR at least {r['supply_risk_low']:.3f} and at most {r['supply_risk_high']:.3f} ({why})"
    if r["supply_risk_high"] - r["supply_risk_low"] > 5e-4 and r["supply_risk"] == r["supply_risk"]:
        value += f"; over every completion of the unknown shares between {r['supply_risk_low']:.3f} and "
        value += f"{r['supply_risk_high']:.3f}"
    crit = r["critical"]
    verdict = (
        "criticality not assessed (no EI)"
        if pd.isna(ei)
        else "possibly critical"
        if crit is pd.NA
        else ("critical" if crit else "not critical")
    )
    assumed = [c for c in ("eol_rir", "substitution_index") if str(r[f"{c}_source"]).startswith("assumed")]
    note = f"; assumed: {', '.join(assumed)}" if assumed else ""
    return (
        f"{m}: {value} (threshold {t.supply_risk}; EI threshold {t.economic_importance}): {verdict}{note}; "
        f"share without governance score {r['governance_gap']:.3f}"
    )
