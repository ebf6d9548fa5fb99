"""Concentration metrics (docs/methods/concentration.md) on hand-checked fixtures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_fixtures import countries_frame, provision_frame

from supplychain.concentration import (
    BASIS_COUNTRY_ROWS,
    BASIS_HEADQUARTERS,
    STATUS_INSUFFICIENT,
    cbs_band,
    concentration,
    supplier_shares,
)
from supplychain.schema import validate_provision
from supplychain.thresholds import Thresholds


def _row(frame: pd.DataFrame, node: str) -> pd.Series:
    return frame.set_index("node_id").loc[node]


def test_hand_checked_metrics() -> None:
    # shares USA 0.5, NLD 0.3, CHN 0.2: HHI = .25 + .09 + .04 = 0.38; 1/HHI = 2.6316
    prov = provision_frame(
        [("x", "USA", "country", "USA", 0.5), ("x", "NLD", "country", "NLD", 0.3), ("x", "CHN", "country", "CHN", 0.2)]
    )
    row = _row(concentration(prov, countries_frame()), "x")
    assert row["hhi"] == pytest.approx(0.38)
    assert row["effective_suppliers"] == pytest.approx(1 / 0.38)
    assert row["top_supplier"] == "USA" and row["top_share"] == pytest.approx(0.5)
    assert row["cr3"] == pytest.approx(1.0)
    assert row["home_share"] == pytest.approx(0.3)  # NLD
    assert row["bloc_share"] == pytest.approx(0.3)  # NLD is the only EU member here
    assert row["foreign_top_supplier"] == "USA"
    assert row["cbs_band"] == "concentrated"  # 0.38 >= 0.25
    assert row["basis"] == BASIS_COUNTRY_ROWS


def test_unknown_shares_are_not_zero() -> None:
    # known 0.4 (USA) + unknown (CHN): coverage 0.4 < 0.5 -> insufficient data, no numbers
    prov = provision_frame([("x", "USA", "country", "USA", 0.4), ("x", "CHN", "country", "CHN", float("nan"))])
    row = _row(concentration(prov), "x")
    assert row["status"] == STATUS_INSUFFICIENT
    assert row["coverage"] == pytest.approx(0.4)
    assert row["n_unknown_share"] == 1
    assert math.isnan(row["hhi"]) and math.isnan(row["top_share"])
    assert row["top_supplier"] == ""
    # with a lower threshold the known part is reported, still never as a zero share for CHN
    row = _row(concentration(prov, thresholds=Thresholds(min_coverage=0.3)), "x")
    assert row["hhi"] == pytest.approx(0.16)


def test_all_unknown_is_insufficient() -> None:
    prov = provision_frame([("p", "JPN", "country", "JPN", float("nan")), ("p", "USA", "country", "USA", float("nan"))])
    row = _row(concentration(prov), "p")
    assert row["status"] == STATUS_INSUFFICIENT and row["coverage"] == 0.0


def test_firms_aggregate_to_headquarters_when_no_country_rows() -> None:
    # node y has only firm rows: A (NLD) 0.6, B (NLD) 0.1, C (USA) 0.3 -> NLD 0.7, USA 0.3
    prov = provision_frame(
        [
            ("y", "A", "firm", "NLD", 0.6),
            ("y", "B", "firm", "NLD", 0.1),
            ("y", "C", "firm", "USA", 0.3),
            ("z", "NLD", "country", "NLD", 1.0),
            ("z", "A", "firm", "NLD", 0.2),
        ]
    )
    shares = supplier_shares(prov)
    y = shares[shares["node_id"] == "y"].set_index("supplier_id")["share"]
    assert y.to_dict() == pytest.approx({"NLD": 0.7, "USA": 0.3})
    assert set(shares.loc[shares["node_id"] == "y", "basis"]) == {BASIS_HEADQUARTERS}
    # z has country rows: they are used, its firm rows are a separate view
    z = shares[shares["node_id"] == "z"]
    assert z["share"].tolist() == [1.0] and z["basis"].iloc[0] == BASIS_COUNTRY_ROWS
    firms = concentration(prov, level="firm")
    assert _row(firms, "y")["top_supplier"] == "A"
    assert _row(firms, "y")["home_share"] == pytest.approx(0.7)


def test_latest_year_per_node_or_chosen_year() -> None:
    old = provision_frame([("x", "USA", "country", "USA", 1.0)], year=2019)
    new = provision_frame([("x", "CHN", "country", "CHN", 1.0)], year=2022)
    prov = validate_provision(pd.concat([old, new], ignore_index=True))
    assert _row(concentration(prov), "x")["top_supplier"] == "CHN"
    assert _row(concentration(prov, year=2019), "x")["top_supplier"] == "USA"


@pytest.mark.parametrize(
    ("hhi", "band"),
    [
        (0.25, "concentrated"),
        (0.2, "somewhat concentrated"),
        (0.15, "somewhat concentrated"),
        (0.1, "not concentrated"),
        (float("nan"), STATUS_INSUFFICIENT),
    ],
)
def test_cbs_bands(hhi: float, band: str) -> None:
    assert cbs_band(hhi) == band


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(min_value=0.01, max_value=10.0), min_size=1, max_size=12))
def test_hhi_bounds(raw: list[float]) -> None:
    shares = np.asarray(raw) / sum(raw)
    prov = provision_frame([("x", f"S{i:02d}", "country", f"S{i:02d}", float(s)) for i, s in enumerate(shares)])
    row = _row(concentration(prov), "x")
    n = len(raw)
    assert 1.0 / n - 1e-9 <= row["hhi"] <= 1.0 + 1e-9
    assert row["top_share"] >= row["hhi"] - 1e-9  # sum x^2 <= max x * sum x = max x
    assert row["cr3"] >= row["top_share"] - 1e-12


def test_fast_rank_order_matches_lexsort() -> None:
    from supplychain.concentration import _rank_order

    rng = np.random.default_rng(4)
    codes = np.sort(rng.integers(0, 5000, size=20000))
    shares = rng.choice([0.0, 0.1, 0.25, 0.5, 1.0, 0.333], size=len(codes))
    assert np.array_equal(_rank_order(codes, shares), np.lexsort((-shares, codes)))


def test_sources_joined_per_node() -> None:
    prov = provision_frame([("x", "USA", "country", "USA", 0.5), ("y", "USA", "country", "USA", 1.0)])
    prov.loc[0, "source"] = "report B"
    extra = provision_frame([("x", "CHN", "country", "CHN", 0.5)])
    extra["source"] = "report A"
    both = validate_provision(pd.concat([prov, extra], ignore_index=True))
    out = concentration(both).set_index("node_id")["sources"]
    assert out["x"] == "report A; report B" and out["y"] == "fixture"


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 1.0))
def test_first_ranked_row_in_a_mask_by_either_path(seed: int, density: float) -> None:
    """concentration._first_where (rank by rank, or one pass when most first rows miss the mask;
    with or without each node's first ranked row given) equals a per-node scan of the ranked rows."""
    from supplychain.concentration import _first_where, _rank_order

    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 6, size=12)
    codes = np.repeat(np.arange(len(counts)), counts)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    share = np.round(rng.random(len(codes)), 1)
    mask = rng.random(len(codes)) < density
    order = _rank_order(codes, share)
    for has, at in (
        _first_where(mask, order, starts, counts, codes),
        _first_where(mask, order, starts, counts, codes, top=order[starts]),
    ):
        assert has.dtype == bool and at.dtype == np.int64
        for j, (lo, k) in enumerate(zip(starts, counts, strict=True)):
            ranked = [int(r) for r in order[lo : lo + k] if mask[r]]
            assert bool(has[j]) == bool(ranked)
            assert int(at[j]) == (ranked[0] if ranked else 0)
