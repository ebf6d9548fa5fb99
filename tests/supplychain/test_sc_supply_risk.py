"""Governance-weighted supply risk, the EU CRM method (docs/methods/supply-risk.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from supplychain.supply_risk import governance_from_wgi, hhi_wgi, supply_risk

COUNTRIES = pd.DataFrame(
    {"iso3": ["CHN", "AUS", "XXX"], "name": "", "blocs": "", "governance": [6.0, 2.0, float("nan")]}
)
GLOBAL = pd.DataFrame(
    {"material": ["ga", "ga", "li", "li"], "country": ["CHN", "AUS", "AUS", "XXX"], "share": [0.9, 0.1, 0.5, 0.5]}
)


def test_governance_rescaling() -> None:
    assert governance_from_wgi(2.5) == 0.0
    assert governance_from_wgi(-2.5) == 10.0
    assert governance_from_wgi(0.0) == 5.0


def test_hhi_wgi_hand_checked() -> None:
    out = hhi_wgi(GLOBAL, COUNTRIES).set_index("material")
    # ga: 0.81 x 6 + 0.01 x 2 = 4.88 ; li: 0.25 x 2 = 0.5, XXX has no score: gap 0.5
    assert out.loc["ga", "hhi_wgi"] == pytest.approx(4.88)
    assert out.loc["li", "hhi_wgi"] == pytest.approx(0.5)
    assert out.loc["li", "governance_gap"] == pytest.approx(0.5)


def test_supply_risk_formula_and_assumptions() -> None:
    eu = pd.DataFrame({"material": ["ga"], "country": ["AUS"], "share": [1.0]})  # HHI_WGI = 2
    params = pd.DataFrame(
        {
            "material": ["ga"],
            "import_reliance": [0.8],
            "eol_rir": [0.1],
            "substitution_index": [0.9],
            "economic_importance": [3.0],
        }
    )
    out = supply_risk(GLOBAL, COUNTRIES, eu_shares=eu, parameters=params).set_index("material")
    # SR = [4.88 x 0.4 + 2 x 0.6] x 0.9 x 0.9 = (1.952 + 1.2) x 0.81 = 2.55312
    assert out.loc["ga", "supply_risk"] == pytest.approx(2.55312)
    assert out.loc["ga", "critical"]  # SR >= 1 and EI 3.0 >= 2.8
    li = out.loc["li"]
    # no EU sourcing, IR, EOL_RIR, SI or EI: SR = 0.5 x 0.5 + 0.5 x 0.5 = 0.5, not assessed
    assert li["supply_risk"] == pytest.approx(0.5)
    assert li["critical"] is pd.NA
    assert "EU sourcing: missing, global used" in li["inputs"]
    assert "import_reliance: assumed 1.0" in li["inputs"]
    assert "political stability only" in li["inputs"]
    assert "2.553" in out.loc["ga", "explanation"]


def test_export_restriction_multiplies() -> None:
    t = pd.Series({"CHN": 1.5})
    out = hhi_wgi(GLOBAL, COUNTRIES, restriction=t).set_index("material")
    assert out.loc["ga", "hhi_wgi"] == pytest.approx(0.81 * 6 * 1.5 + 0.01 * 2)
