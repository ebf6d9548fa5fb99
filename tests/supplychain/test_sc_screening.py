"""EU three-criteria screen and transit rule (docs/methods/eu-screen.md), incl. BACI 2022."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cset_frames import EU27
from sc_fixtures import countries_frame

from supplychain.errors import SchemaError
from supplychain.screening import eu_screen, transit_table
from supplychain.thresholds import Thresholds

BACI = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "baci-rawmaterials-2022" / "baci_hs92_2022.csv"


def _trade(rows: list[tuple[int, str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "exporter", "importer", "product", "value"])


FLOWS = [
    (2022, "CHN", "NLD", "p1", 80.0),
    (2022, "USA", "DEU", "p1", 20.0),
    (2022, "DEU", "NLD", "p1", 30.0),
    (2022, "NLD", "USA", "p1", 10.0),
    (2022, "CHN", "NLD", "p2", 50.0),
    (2022, "NLD", "USA", "p2", 100.0),
    (2022, "JPN", "FRA", "p3", 10.0),
]


def test_hand_checked_screen() -> None:
    out = eu_screen(_trade(FLOWS), countries_frame()).set_index("product")
    p1 = out.loc["p1"]
    # extra imports 80 + 20 = 100: HHI = 0.8^2 + 0.2^2 = 0.68 > 0.4
    assert p1["hhi_extra"] == pytest.approx(0.68) and p1["top_partner"] == "CHN"
    # importance 100 / (100 + 30) = 0.7692 > 0.5; substitutability: extra imports 100 over TOTAL
    # EU exports 30 (DEU -> NLD, intra-EU) + 10 (NLD -> USA) = 40: 2.5 > 1 (SWD(2021) 352)
    assert p1["importance"] == pytest.approx(100 / 130)
    assert p1["total_exports"] == pytest.approx(40.0) and p1["extra_exports"] == pytest.approx(10.0)
    assert p1["substitutability_ratio"] == pytest.approx(2.5)
    assert p1["dependent"]
    extra = eu_screen(_trade(FLOWS), countries_frame(), thresholds=Thresholds(eu_exports_base="extra"))
    assert extra.set_index("product").loc["p1", "substitutability_ratio"] == pytest.approx(10.0)
    # world exports CHN 80, DEU 30, USA 20, NLD 10 of 140
    world = (80**2 + 30**2 + 20**2 + 10**2) / 140**2  # = 0.398 <= 0.4
    assert p1["world_hhi"] == pytest.approx(world)
    assert not p1["more_vulnerable"]
    p2 = out.loc["p2"]
    assert p2["substitutability_ratio"] == pytest.approx(0.5) and not p2["dependent"]
    p3 = out.loc["p3"]
    assert p3["substitutability_ratio"] == float("inf")  # no extra-EU exports
    assert p3["dependent"] and p3["more_vulnerable"]  # world HHI 1.0 > 0.4
    assert "(3) extra imports / total EU27 exports inf > 1.0" in p3["explanation"]
    assert p1["persistent"] is pd.NA  # a single year: no persistence verdict


def test_exports_base_must_be_total_or_extra() -> None:
    with pytest.raises(SchemaError, match="eu_exports_base"):
        eu_screen(_trade(FLOWS), countries_frame(), thresholds=Thresholds(eu_exports_base="intra"))


def test_transit_rule() -> None:
    table = transit_table(_trade(FLOWS)).set_index(["product", "country"])
    # NLD p2: exports 100, imports 50 -> imports cover 0.5 of exports >= 0.5: transit
    assert table.loc[("p2", "NLD"), "import_cover"] == pytest.approx(0.5)
    assert table.loc[("p2", "NLD"), "transit"]
    assert not table.loc[("p1", "CHN"), "transit"]  # exports 80, imports 0
    screen = eu_screen(_trade(FLOWS), countries_frame()).set_index("product")
    assert screen.loc["p2", "top_exporter"] == "NLD" and screen.loc["p2", "top_exporter_transit"]
    assert screen.loc["p2", "world_hhi_excl_transit"] == pytest.approx(1.0)  # CHN alone


def test_persistence_two_of_three_years() -> None:
    rows = [(y, "JPN", "FRA", "p3", 10.0) for y in (2020, 2021, 2022)]
    rows.append((2021, "FRA", "USA", "p3", 50.0))  # 2021: ratio 10 / 50 = 0.2 -> not dependent
    out = eu_screen(_trade(rows), countries_frame()).set_index("year")
    assert out["dependent"].tolist() == [True, False, True]
    assert out.loc[2022, "years_flagged"] == 2 and out.loc[2022, "persistent"]
    assert out.loc[2021, "years_flagged"] == 1 and not out.loc[2021, "persistent"]
    only = eu_screen(_trade(rows), countries_frame(), year=2022)
    assert len(only) == 1 and bool(only["persistent"].iloc[0])


@pytest.mark.skipif(not BACI.exists(), reason="shared BACI data not present")
def test_baci_2022_golden() -> None:
    raw = pd.read_csv(BACI, dtype={"hs92": str})
    trade = pd.DataFrame(
        {
            "year": raw["year"],
            "exporter": raw["exporter_iso3"],
            "importer": raw["importer_iso3"],
            "product": raw["hs92"],
            "value": raw["value_kusd"],
        }
    )
    isos = sorted(set(trade["exporter"]) | set(trade["importer"]) | set(EU27))
    countries = pd.DataFrame({"iso3": isos, "name": isos, "blocs": ["EU27" if c in EU27 else "" for c in isos]})
    out = eu_screen(trade, countries, year=2022)
    assert len(out) == raw.loc[raw["value_kusd"] > 0, "hs92"].nunique() == 71
    # independent computation of the three criteria, product by product, for both export bases
    eu = set(EU27)
    expected: dict[str, set[str]] = {"total": set(), "extra": set()}
    for product, flows in trade[trade["value"] > 0].groupby("product"):
        ext = flows[flows["importer"].isin(eu) & ~flows["exporter"].isin(eu)]
        intra = flows[flows["importer"].isin(eu) & flows["exporter"].isin(eu)]["value"].sum()
        exports = {
            "extra": flows[flows["exporter"].isin(eu) & ~flows["importer"].isin(eu)]["value"].sum(),
            "total": flows[flows["exporter"].isin(eu)]["value"].sum(),
        }
        by = ext.groupby("exporter")["value"].sum()
        if by.sum() == 0:
            continue
        hhi = ((by / by.sum()) ** 2).sum()
        importance = by.sum() / (by.sum() + intra)
        for base, value in exports.items():
            ratio = by.sum() / value if value > 0 else float("inf")
            if hhi > 0.4 and importance > 0.5 and ratio > 1.0:
                expected[base].add(product)
    assert set(out.loc[out["dependent"], "product"]) == expected["total"]
    extra = eu_screen(trade, countries, year=2022, thresholds=Thresholds(eu_exports_base="extra"))
    assert set(extra.loc[extra["dependent"], "product"]) == expected["extra"]
    # 12 dependent products with extra-EU exports as the base, 9 with total EU exports as published:
    # arsenic (280480), lithium carbonate (283691) and bismuth (810600) pass criterion 3 only
    # because intra-EU exports are left out of the denominator
    assert len(expected["extra"]) == 12 and len(expected["total"]) == 9
    assert expected["extra"] - expected["total"] == {"280480", "283691", "810600"}
    row = out.set_index("product").loc["261210"]  # uranium ores: Namibia
    assert row["dependent"] and row["top_partner"] == "NAM"
    transit = transit_table(trade).set_index(["product", "country"])
    for product in ("720292", "261390"):  # ferro-vanadium, molybdenum ores (SOURCE.md)
        nld = transit.loc[(product, "NLD")]
        assert nld["transit"], product
        assert nld["world_export_share"] > 0.08
    assert not transit.loc[("261390", "PER"), "transit"]  # Peru mines molybdenum
