"""Golden results on the real CSET / ETO semiconductor supply-chain data."""

from __future__ import annotations

import math

import pytest
from cset_frames import available, cset_frames

from supplychain.analysis import analyse
from supplychain.concentration import STATUS_INSUFFICIENT
from supplychain.disruption import Shock, simulate

pytestmark = pytest.mark.skipif(not available(), reason="shared CSET data not present")


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return analyse(*cset_frames())


def _row(result, node: str):  # type: ignore[no-untyped-def]
    return result.table.set_index("node_id").loc[node]


@pytest.mark.parametrize(
    ("node", "country", "share"),
    [
        ("N20", "NLD", 1.0),  # EUV lithography tools
        ("N22", "NLD", 0.993),  # ArF immersion
        ("N19", "NLD", 0.815),  # lithography overall
        ("N8", "DEU", 1.0),  # crystal growing furnaces
        ("N9", "JPN", 0.997),  # crystal machining tools
        ("N45", "USA", 0.994),  # electrochemical plating
        ("N84", "USA", 0.96),  # EDA software
        ("N32", "JPN", 0.952),  # resist processing
        ("N71", "JPN", 0.95),  # dicing
    ],
)
def test_methods_check_values(result, node: str, country: str, share: float) -> None:  # type: ignore[no-untyped-def]
    row = _row(result, node)
    assert row["top_supplier"] == country
    assert row["top_share"] == pytest.approx(share, abs=1e-9)


def test_euv_is_a_nld_control_point_and_global_chokepoint(result) -> None:  # type: ignore[no-untyped-def]
    row = _row(result, "N20")
    assert row["global_chokepoint"] == "yes" and row["control_point"] == "yes"
    assert row["foreign_home_chokepoint"] == "no"
    assert row["top_firm"] == "ASML" and row["top_firm_share"] == 1.0
    # EUV is one of lithography's types with 13 of 32.6 billion dollars (CSET market sizes, 2025):
    # losing it removes 0.399 of lithography, hence of the chip: below the 0.5 knockout line
    structural = result.structural.set_index("node_id")
    assert row["knockout_chokepoint"] == "no" and row["single_supplier_knockout"] == "no"
    assert structural.loc["N20", "knockout_loss_low"] == pytest.approx(13 / 32.6, abs=1e-5)
    assert structural.loc["N20", "knockout_loss_high"] == pytest.approx(13 / 32.6, abs=1e-5)
    # lithography as a whole is a required input of the chip: a knockout, and NLD alone (81.5%)
    assert structural.loc["N19", "knockout_chokepoint"] == "yes"
    assert structural.loc["N19", "single_supplier_knockout"] == "yes"
    assert structural.loc["N19", "top_supplier_loss_low"] == pytest.approx(0.815)
    assert "NLD share 1.000" in row["explanation"]
    assert row["data_basis"] == "headquarters"  # CSET shares are by headquarters (SOURCE.md)
    cps = result.control_points.set_index("node_id")
    assert cps.loc["N20", "leverage"] == pytest.approx(13 / 32.6, abs=1e-5)  # 1.0 x (1 - 0) x reach 0.399


def test_foreign_chokepoints_for_home_and_bloc(result) -> None:  # type: ignore[no-untyped-def]
    furnaces, eda = _row(result, "N8"), _row(result, "N84")
    # home NLD: both are foreign chokepoints (the statement)
    assert furnaces["foreign_home_chokepoint"] == "yes" and eda["foreign_home_chokepoint"] == "yes"
    # bloc EU27: DEU is inside the bloc, so the furnaces are not foreign for the EU; EDA is
    assert furnaces["foreign_bloc_chokepoint"] == "no" and eda["foreign_bloc_chokepoint"] == "yes"
    assert furnaces["bloc_control_point"] == "yes"  # EU27 holds 100%


def test_photoresists_are_insufficient_data_not_zero(result) -> None:  # type: ignore[no-untyped-def]
    row = _row(result, "N31")
    assert row["status"] == STATUS_INSUFFICIENT
    assert math.isnan(row["top_share"]) and math.isnan(row["hhi"])
    # every photoresist supplier is named without a share: anything from 0 to 100% is possible
    assert (row["top_share_low"], row["top_share_high"]) == (0.0, 1.0)
    assert row["global_chokepoint"] == "possible"
    assert "insufficient data" in row["explanation"]
    assert "at least 0.0% and at most 100.0%" in row["explanation"]


def test_asm_international_in_ald(result) -> None:  # type: ignore[no-untyped-def]
    firms = result.concentration_firm.set_index("node_id")
    assert firms.loc["N41", "top_supplier"] == "ASM International"
    assert firms.loc["N41", "top_share"] == pytest.approx(0.545)


def test_structure_and_evidence(result) -> None:  # type: ignore[no-untyped-def]
    table = result.table.set_index("node_id")
    assert table["is_final"].sum() == 1 and table.loc["N99", "is_final"]
    assert table.loc["N78", "dominator_chokepoint"]  # Testing: the only input of N99
    evidence = result.evidence
    euv = evidence[evidence["node_id"] == "N20"]
    assert set(euv["supplier_id"]) == {"NLD", "ASML"}
    assert euv["source"].str.contains("TechInsights").all()


def test_nld_export_ban_cuts_the_chip(result) -> None:  # type: ignore[no-untyped-def]
    res = simulate(result.graph, [Shock("country", "NLD", 1.0)], country_shares=result.shares_country)
    chip = res.finals.set_index("node_id").loc["N99"]
    # NLD holds 81.5% of lithography tools: the chip loses at least that much
    assert chip["loss_low"] == pytest.approx(0.815)
    assert 0.815 < chip["loss_high"] < 1.0


def test_a_firm_without_a_share_gives_an_interval_not_zero(result) -> None:  # type: ignore[no-untyped-def]
    tsmc = simulate(result.graph, [Shock("firm", "TSMC", 1.0)], firm_shares=result.shares_firm)
    chip = tsmc.finals.set_index("node_id").loc["N99"]
    assert chip["loss_low"] == 0.0 and chip["loss_high"] == pytest.approx(1.0)
    assert tsmc.markets.set_index("market").loc["semiconductors", "weighted_loss_high"] == pytest.approx(1.0)


def test_ald_is_a_leading_position_below_the_default_control_point_line(result) -> None:  # type: ignore[no-untyped-def]
    # NLD holds 54.5% of ALD tools (ASM International), top supplier, but the country HHI is
    # 0.376 <= 0.4 and 0.545 < 0.65: not a control point by the default thresholds. ALD is a type
    # of deposition tools (4.1 of 26.2 billion dollars): its reach is 0.156, leverage 0.085
    cps = result.control_points.set_index("node_id")
    assert cps.loc["N41", "control_point"] == "no"
    assert cps.loc["N41", "reach"] == pytest.approx(4.1 / 26.2, abs=1e-5)
    assert cps.loc["N41", "leverage"] == pytest.approx(0.545 * 4.1 / 26.2, abs=1e-5)
    from supplychain.analysis import analyse
    from supplychain.thresholds import Thresholds

    looser = analyse(*cset_frames(), thresholds=Thresholds(control_home_share=0.5))
    assert looser.control_points.set_index("node_id").loc["N41", "control_point"] == "yes"


def test_knockouts_discriminate_given_the_type_shares(result) -> None:  # type: ignore[no-untyped-def]
    # before (types as required inputs): all 125 non-final nodes were knockouts. With types
    # share-weighted by CSET's market sizes, a type counts for its share of its category.
    table = result.table[~result.table["is_final"]]
    assert table["knockout_chokepoint"].value_counts().to_dict() == {"no": 65, "yes": 48, "possible": 12}
    assert table["single_supplier_knockout"].value_counts().to_dict() == {"no": 85, "yes": 21, "possible": 19}
    # 'possible' only where some type share is unknown (e.g. maskless lithography, AI ASICs)
    possible = result.structural.set_index("node_id").loc[
        table.loc[table["knockout_chokepoint"] == "possible", "node_id"]
    ]
    assert (possible["knockout_loss_low"] < 0.5).all() and (possible["knockout_loss_high"] >= 0.5).all()
