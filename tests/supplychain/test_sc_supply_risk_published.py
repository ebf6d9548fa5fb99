"""Supply risk recomputed from the 2023 EU CRM study's own shares, against its published SR.

Inputs (``../shared/data``): the 2023 study's global supply and EU sourcing shares with the trade
variable t (Appendix 7), the 2017 study's EoL-RIR and SI(SR) where it has them (Tables 3 and 18;
else assumed 0 and 1), and WGI political stability 2022 (the study averages six WGI dimensions
and uses its own years). IR for 2023 is not in any source read, so SR is an interval over IR in
[0, 1], and over both stages (E, P) where the assessed stage is not given. The test reports how
many published values fall in the interval and the rank agreement of the interval midpoints.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplychain.supply_risk import governance_from_wgi, supply_risk

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CRM = SHARED / "eu-crm-assessment"
WGI = SHARED / "wgi-political-stability" / "wgi_pv_estimate.csv"
NAMES = {  # names in the study's tables that pycountry does not resolve by itself
    "Korea, South": "KOR",
    "Korea, North": "PRK",
    "Russia": "RUS",
    "Türkiye": "TUR",
    "Turkey": "TUR",
    "DR Congo": "COD",
    "Congo, DR": "COD",
    "Democratic Republic of the Congo": "COD",
    "Congo": "COG",
    "Taiwan": "TWN",
    "Laos": "LAO",
    "Iran": "IRN",
    "Vietnam": "VNM",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Tanzania": "TZA",
    "Syria": "SYR",
    "Moldova": "MDA",
    "Côte d'Ivoire": "CIV",
    "Ivory Coast": "CIV",
}


def _iso3(name: str) -> str | None:
    import pycountry

    if name in NAMES:
        return NAMES[name]
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        try:
            return str(pycountry.countries.search_fuzzy(name)[0].alpha_3)
        except LookupError:
            return None


@pytest.mark.skipif(not (CRM.exists() and WGI.exists()), reason="shared CRM/WGI data not present")
def test_computed_sr_against_published_2023() -> None:
    shares = pd.read_csv(CRM / "crm-producer-shares.csv")
    shares = shares[(shares["assessment_year"] == 2023) & shares["share_pct"].notna()].copy()
    shares["iso3"] = shares["country"].map({n: _iso3(n) for n in shares["country"].unique()})
    shares = shares[shares["iso3"].notna()]
    params = pd.read_csv(CRM / "crm-parameters.csv")
    published = params[params["assessment_year"] == 2023].set_index("material")["sr"]
    old = params[params["assessment_year"] == 2017].set_index("material")
    wgi = pd.read_csv(WGI).drop_duplicates("Code")
    countries = pd.DataFrame({"iso3": wgi["Code"], "name": wgi["Code"], "blocs": ""})
    countries["governance"] = wgi["2022"].map(lambda w: governance_from_wgi(w) if w == w else np.nan)
    rows = []
    for material, group in shares.groupby("material"):
        if material not in published.index or published[material] != published[material]:
            continue
        lows, highs = [], []
        for _stage, part in group.groupby("stage"):
            glob = part[part["scope"] == "global supply"]
            eu = part[part["scope"] == "EU sourcing"]
            if glob.empty or eu.empty:
                continue
            frames = [
                pd.DataFrame({"material": material, "country": p["iso3"], "share": p["share_pct"] / 100.0})
                for p in (glob, eu)
            ]
            restriction = part.groupby("iso3")["trade_variable_t"].max()
            par = pd.DataFrame({"material": [material]})
            if material in old.index:
                par["eol_rir"] = old.at[material, "eol_rir"] / 100.0
                par["substitution_index"] = old.at[material, "si_sr"]
            out = supply_risk(frames[0], countries, eu_shares=frames[1], parameters=par, restriction=restriction)
            lows.append(float(out["supply_risk_low"].iloc[0]))
            highs.append(float(out["supply_risk_high"].iloc[0]))
        if lows:
            rows.append((material, min(lows), max(highs), float(published[material])))
    table = pd.DataFrame(rows, columns=["material", "low", "high", "published"])
    assert len(table) >= 40  # materials with both tables and a published SR
    inside = ((table["published"] >= table["low"] - 0.05) & (table["published"] <= table["high"] + 0.05)).mean()
    mid = (table["low"] + table["high"]) / 2
    rho = mid.rank().corr(table["published"].rank())
    # measured here: 56 materials, 41% inside, Spearman 0.78; the floors guard against regressions
    assert rho >= 0.7
    assert inside >= 0.35
