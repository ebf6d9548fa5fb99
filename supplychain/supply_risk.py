"""Governance-weighted supply risk, the EU critical-raw-materials method (docs/methods/supply-risk.md).

JRC / European Commission, methodology for the EU list of critical raw materials (2017
guidelines, 2023 assessment):

    HHI_WGI = sum_c x_c^2 g_c t_c        (g_c governance 0-10, 10 = worst; t_c >= 1 export
                                          restriction factor, default 1)
    SR = [HHI_WGI(global supply) IR/2 + HHI_WGI(EU sourcing) (1 - IR/2)] (1 - EOL_RIR) SI
    IR = (imports - exports) / (production + imports - exports)

Critical when SR >= ``supply_risk`` (1.0) and EI >= ``economic_importance`` (2.8).

Inputs that are missing are replaced by stated assumptions and the ``inputs`` column says
which were given and which assumed: no EU-sourcing shares -> the global shares are used; no IR
-> 1 (fully import reliant); no EOL_RIR -> 0; no SI -> 1 (no substitutes); no EI -> not
assessed. Countries without a governance score are left out of HHI_WGI and their share is
reported as ``governance_gap``. The shared data hold only one WGI dimension (political
stability) while the EU method averages all six: the explanation says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = ["SUPPLY_RISK_COLUMNS", "governance_from_wgi", "hhi_wgi", "supply_risk"]

SUPPLY_RISK_COLUMNS = (
    "material",
    "hhi_wgi_global",
    "hhi_wgi_eu",
    "governance_gap",
    "import_reliance",
    "eol_rir",
    "substitution_index",
    "supply_risk",
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
    """Supply risk SR and criticality per material.

    Parameters
    ----------
    global_shares
        ``material, country, share`` (fractions) of global supply.
    countries
        Countries frame (``governance`` 0-10).
    eu_shares
        ``material, country, share`` of EU sourcing; missing -> global shares used.
    parameters
        Optional per-material ``material`` plus any of ``import_reliance``, ``eol_rir``,
        ``substitution_index``, ``economic_importance``.
    restriction
        Optional export-restriction factor t_c >= 1 by ISO3.
    thresholds
        ``supply_risk`` and ``economic_importance``.

    Returns
    -------
    pandas.DataFrame
        One row per material, columns :data:`SUPPLY_RISK_COLUMNS`.
    """
    glob = hhi_wgi(global_shares, countries, restriction=restriction).set_index("material")
    out = pd.DataFrame(index=glob.index)
    out["hhi_wgi_global"] = glob["hhi_wgi"]
    out["governance_gap"] = glob["governance_gap"]
    given: dict[str, pd.Series] = {}
    if eu_shares is not None:
        eu = hhi_wgi(eu_shares, countries, restriction=restriction).set_index("material")
        given["eu"] = eu["hhi_wgi"].reindex(out.index)
    out["hhi_wgi_eu"] = given.get("eu", pd.Series(np.nan, index=out.index))
    eu_missing = out["hhi_wgi_eu"].isna()
    out["hhi_wgi_eu"] = out["hhi_wgi_eu"].fillna(out["hhi_wgi_global"])
    params = (
        parameters.set_index("material").reindex(out.index) if parameters is not None else pd.DataFrame(index=out.index)
    )
    defaults = {"import_reliance": 1.0, "eol_rir": 0.0, "substitution_index": 1.0}
    assumed: dict[str, pd.Series] = {}
    for col, default in defaults.items():
        values = params[col] if col in params.columns else pd.Series(np.nan, index=out.index)
        assumed[col] = values.isna()
        out[col] = values.fillna(default).astype(float)
    ir = out["import_reliance"]
    out["supply_risk"] = (
        (out["hhi_wgi_global"] * ir / 2 + out["hhi_wgi_eu"] * (1 - ir / 2))
        * (1 - out["eol_rir"])
        * out["substitution_index"]
    )
    ei = (
        params["economic_importance"] if "economic_importance" in params.columns else pd.Series(np.nan, index=out.index)
    )
    out["economic_importance"] = ei.astype(float)
    crit = (out["supply_risk"] >= thresholds.supply_risk) & (
        out["economic_importance"] >= thresholds.economic_importance
    )
    critical = pd.array(crit.to_numpy(dtype=bool), dtype="boolean")
    critical[ei.isna().to_numpy()] = pd.NA
    out["critical"] = critical
    notes = []
    texts = []
    for m in out.index:
        parts = ["global shares: given"]
        parts.append("EU sourcing: " + ("missing, global used" if eu_missing[m] else "given"))
        for col, default in defaults.items():
            parts.append(f"{col}: " + (f"assumed {default}" if assumed[col][m] else "given"))
        parts.append("EI: " + ("missing, criticality not assessed" if pd.isna(ei[m]) else "given"))
        parts.append("governance: WGI political stability only (EU method averages six)")
        notes.append("; ".join(parts))
        r = out.loc[m]
        verdict = "criticality not assessed (no EI)" if pd.isna(ei[m]) else ("critical" if crit[m] else "not critical")
        texts.append(
            f"{m}: SR = [{r['hhi_wgi_global']:.3f} x {r['import_reliance']:.2f}/2 + "
            f"{r['hhi_wgi_eu']:.3f} x (1 - {r['import_reliance']:.2f}/2)] x "
            f"(1 - {r['eol_rir']:.2f}) x {r['substitution_index']:.2f} = {r['supply_risk']:.3f} "
            f"(threshold {thresholds.supply_risk}; EI threshold "
            f"{thresholds.economic_importance}): {verdict}; share without governance score "
            f"{r['governance_gap']:.3f}"
        )
    out["inputs"] = notes
    out["explanation"] = texts
    return out.reset_index()[list(SUPPLY_RISK_COLUMNS)]
