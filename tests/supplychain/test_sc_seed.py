"""Golden results on the project's seed (data/*.csv) for knockouts and loss intervals."""

from __future__ import annotations

import pytest
from seed_frames import seed_frames

from supplychain.analysis import analyse
from supplychain.disruption import Shock, simulate


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return analyse(*seed_frames())


def test_required_inputs_only_so_every_upstream_node_is_a_knockout(result) -> None:  # type: ignore[no-untyped-def]
    # the seed's edges are 280 required inputs and one type (HBM is a type of DRAM): losing any
    # upstream node cuts some final product entirely; the single-supplier test discriminates
    edges = seed_frames()[1]
    assert edges["relation"].value_counts().to_dict() == {"goes_into": 280, "is_type_of": 1}
    table = result.table[~result.table["is_final"]]
    assert len(table) == 159 and (table["knockout_chokepoint"] == "yes").all()
    assert table["single_supplier_knockout"].value_counts().to_dict() == {"possible": 86, "yes": 54, "no": 19}


def test_final_products_have_consistent_reach(result) -> None:  # type: ignore[no-untyped-def]
    finals = result.structural.set_index("node_id").loc[result.table.loc[result.table["is_final"], "node_id"]]
    assert len(finals) == 24
    assert (finals["n_finals_knockout"] == 0).all() and (finals["knockout_weight"] == 0.0).all()
    assert (finals["n_finals_dominated"] == 0).all() and (finals["dominated_weight"] == 0.0).all()
    assert (finals["knockout_chokepoint"] == "no").all()


def test_a_firm_without_shares_never_shows_zero_loss(result) -> None:  # type: ignore[no-untyped-def]
    # TSMC has three firm rows, none with a share: its failure gives intervals, not zeros
    tsmc = simulate(result.graph, [Shock("firm", "tsmc", 1.0)], firm_shares=result.shares_firm)
    hit = tsmc.finals[tsmc.finals["loss_high"] > 0]
    assert len(hit) > 0 and (hit["loss_low"] == 0.0).all()
    assert (tsmc.markets["weighted_loss_high"] > 0).any()
