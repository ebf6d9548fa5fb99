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
    # no EU sourcing, IR, EOL_RIR, SI or EI: SR = 0.5 x IR/2 + 0.5 x (1 - IR/2) = 0.5 for any IR
    assert li["supply_risk"] == pytest.approx(0.5)
    assert (li["supply_risk_low"], li["supply_risk_high"]) == pytest.approx((0.5, 0.5))
    assert li["critical"] is pd.NA
    assert "EU sourcing: missing, global used" in li["inputs"]
    assert "import_reliance: no trade data: between 0 and 1" in li["inputs"]
    assert li["eol_rir_source"] == "assumed 0.0" and "assumed: eol_rir, substitution_index" in li["explanation"]
    assert "political stability only" in li["inputs"]
    assert "2.553" in out.loc["ga", "explanation"]


def test_export_restriction_multiplies() -> None:
    t = pd.Series({"CHN": 1.5})
    out = hhi_wgi(GLOBAL, COUNTRIES, restriction=t).set_index("material")
    assert out.loc["ga", "hhi_wgi"] == pytest.approx(0.81 * 6 * 1.5 + 0.01 * 2)


def test_import_reliance_from_trade_and_production() -> None:
    countries = pd.DataFrame(
        {"iso3": ["CHN", "DEU", "USA"], "name": "", "blocs": ["", "EU27", ""], "governance": [6.0, 1.0, 2.0]}
    )
    shares = pd.DataFrame(
        {
            "material": ["a", "b", "c", "c", "d", "d"],
            "country": ["CHN", "CHN", "CHN", "DEU", "CHN", "DEU"],
            "share": [1.0, 1.0, 0.8, 0.2, 0.8, 0.2],
        }
    )
    params = pd.DataFrame(
        {
            "material": ["a", "b", "c", "d"],
            "eu_imports": [100.0, 50.0, 100.0, 100.0],
            "eu_exports": [20.0, 80.0, 20.0, 20.0],
            "eu_production": [float("nan"), float("nan"), float("nan"), 40.0],
        }
    )
    eu = pd.DataFrame({"material": ["c"], "country": ["USA"], "share": [1.0]})  # extra-EU sourcing: HHI_WGI 2
    out = supply_risk(shares, countries, eu_shares=eu, parameters=params).set_index("material")
    assert out.loc["a", "import_reliance"] == 1.0  # net importer, no bloc supplier
    assert out.loc["b", "import_reliance"] == 0.0  # net exporter: negative IR set to 0
    c = out.loc["c"]  # DEU produces: production unknown, IR in [0, 1], no point SR
    assert (c["import_reliance_low"], c["import_reliance_high"]) == (0.0, 1.0)
    assert c["supply_risk"] != c["supply_risk"]
    # global HHI_WGI = .64 x 6 + .04 x 1 = 3.88, EU 2: SR = 3.88 IR/2 + 2 (1 - IR/2), IR 0 -> 2, IR 1 -> 2.94
    assert (c["supply_risk_low"], c["supply_risk_high"]) == pytest.approx((2.0, 2.94))
    assert out.loc["d", "import_reliance"] == pytest.approx(80 / 120)  # (100 - 20) / (40 + 100 - 20)


def test_partial_coverage_gives_bounds_not_a_point() -> None:
    # hafnium-like: known shares cover 0.45 < min_coverage 0.5
    shares = pd.DataFrame({"material": ["hf", "hf"], "country": ["CHN", "AUS"], "share": [0.3, 0.15]})
    params = pd.DataFrame({"material": ["hf"], "import_reliance": [1.0], "economic_importance": [3.0]})
    row = supply_risk(shares, COUNTRIES, parameters=params).set_index("material").loc["hf"]
    assert row["status"] == "insufficient data" and row["supply_risk"] != row["supply_risk"]
    # lowest: R = 0.55 in tiny unnamed shares: .09 x 6 + .0225 x 2 = 0.585; highest: R with one
    # unnamed supplier of the worst score (6): 0.585 + 0.3025 x 6 = 2.4
    assert (row["supply_risk_low"], row["supply_risk_high"]) == pytest.approx((0.585, 2.4))
    assert row["critical"] is pd.NA  # possibly critical
    assert "SR at least 0.585 and at most 2.400" in row["explanation"]


def test_weighted_hhi_bounds_contain_every_completion() -> None:
    import itertools

    import numpy as np

    from supplychain.supply_risk import _hhi_wgi_bounds
    from supplychain.thresholds import Thresholds

    share = np.array([0.3, np.nan, np.nan])
    w = np.array([5.0, 2.0, 8.0])
    complete = Thresholds(suppliers_complete=True)
    lo, hi = _hhi_wgi_bounds(share, w, 9.0, complete)
    values = []
    for k in range(0, 71):
        x = np.array([0.3, k / 100, 0.7 - k / 100])
        values.append(float((x * x * w).sum()))
    assert min(values) >= lo - 1e-9 and max(values) <= hi + 1e-9
    assert min(values) == pytest.approx(lo, abs=1e-3) and max(values) == pytest.approx(hi)
    lo2, hi2 = _hhi_wgi_bounds(share, w, 9.0, Thresholds())
    assert lo2 == pytest.approx(0.45) and hi2 == pytest.approx(0.45 + 9.0 * 0.49)
    assert all(lo2 <= v <= hi2 for v in values)
    del itertools


def test_a_fully_known_material_has_its_point_inside_its_interval() -> None:
    # neon's four shares (EU CRM study 2023) with governance scores of the same order as WGI's: the bounds and the
    # point formula once differed in the last bit, and the lower bound lay one ulp above the point value
    countries = pd.DataFrame(
        {"iso3": ["USA", "UKR", "CHN", "TWN"], "name": "", "blocs": "", "governance": [4.38, 8.705, 5.995, 3.32]}
    )
    shares = pd.DataFrame(
        {"material": "ne", "country": ["USA", "UKR", "CHN", "TWN"], "share": [0.466, 0.297, 0.236, 0.001]}
    )
    row = supply_risk(shares, countries).set_index("material").loc["ne"]
    assert row["status"] == "ok"
    for name in ("hhi_wgi_global", "supply_risk"):
        assert row[f"{name}_low"] <= row[name] <= row[f"{name}_high"]
        assert row[f"{name}_low"] == row[name] == row[f"{name}_high"]  # all shares known: one value, not an interval
