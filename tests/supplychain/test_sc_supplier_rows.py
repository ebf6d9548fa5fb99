"""Supplier rows coded once (supplychain.supplier_rows) give the same concentration, bounds and share
matrices as each step computing them itself, and the ranked metrics match a per-node reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_fixtures import countries_frame, edges_frame, nodes_frame, provision_frame

from supplychain.bounds import supplier_share_bounds
from supplychain.concentration import concentration
from supplychain.graph import build_graph
from supplychain.losses import share_matrix
from supplychain.supplier_rows import supplier_rows
from supplychain.thresholds import Thresholds

COUNTRIES = ("NLD", "DEU", "USA", "CHN", "JPN")
FIRMS = {"fa": "NLD", "fb": "USA", "fc": "USA", "fd": "CHN"}
#: shares drawn from a few values so that ties (broken by supplier id) are common
SHARES = st.sampled_from([float("nan"), 0.0, 0.1, 0.2, 0.25, 0.3, 0.5])


@st.composite
def provisions(draw: st.DrawFn) -> pd.DataFrame:
    """Provision rows of up to six nodes: country rows, firm rows or both, some shares unknown."""
    rows: list[tuple[str, str, str, str, float]] = []
    for v in range(draw(st.integers(1, 6))):
        node = f"n{v}"
        for c in draw(st.lists(st.sampled_from(COUNTRIES), unique=True, max_size=4)):
            rows.append((node, c, "country", c, draw(SHARES)))
        for f in draw(st.lists(st.sampled_from(sorted(FIRMS)), unique=True, max_size=3)):
            rows.append((node, f, "firm", FIRMS[f], draw(SHARES)))
    if not rows:
        rows.append(("n0", "NLD", "country", "NLD", 0.5))
    return provision_frame(rows)


def _reference(shares: pd.DataFrame, home: str, bloc: frozenset[str]) -> pd.DataFrame:
    """Top supplier, top share, CR3 and the largest supplier outside home / bloc per node, one
    node at a time: suppliers ranked by share (unknown = 0), ties by supplier id."""
    out = []
    for node, group in shares.groupby("node_id", sort=True):
        ranked = sorted(
            zip(group["share"].fillna(0.0), group["supplier_id"], group["country"], strict=True),
            key=lambda t: (-t[0], t[1]),
        )
        row: dict[str, object] = {"node_id": node, "top_supplier": ranked[0][1], "top_share": ranked[0][0]}
        row["cr3"] = sum(t[0] for t in ranked[:3])
        for prefix, inside in (("foreign", {home}), ("bloc_foreign", bloc)):
            outside = [t for t in ranked if t[2] not in inside]
            row[f"{prefix}_top_supplier"] = outside[0][1] if outside else ""
            row[f"{prefix}_top_share"] = outside[0][0] if outside else 0.0
        out.append(row)
    return pd.DataFrame(out)


@pytest.mark.slow  # 80 drawn graphs through three engines: 15 s
@settings(max_examples=80, deadline=None)
@given(provisions(), st.sampled_from(["country", "firm"]), st.booleans())
def test_rows_computed_once_give_the_same_concentration_bounds_and_matrices(
    provision: pd.DataFrame, level: str, complete: bool
) -> None:
    t = Thresholds(home="NLD", suppliers_complete=complete, min_coverage=0.0)
    countries = countries_frame()
    rows = supplier_rows(provision, level=level)  # type: ignore[arg-type]
    shared = concentration(provision, countries, level=level, thresholds=t, rows=rows)  # type: ignore[arg-type]
    alone = concentration(provision, countries, level=level, thresholds=t)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(shared, alone, check_exact=True)
    bounds = supplier_share_bounds(provision, level=level, thresholds=t, rows=rows)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(bounds, supplier_share_bounds(provision, level=level, thresholds=t))  # type: ignore[arg-type]
    # the ranked metrics against one node at a time
    if len(rows.shares):
        ref = _reference(rows.shares, "NLD", frozenset({"NLD", "DEU", "FRA"})).set_index("node_id")
        got = shared.set_index("node_id").loc[ref.index]
        for col in ("top_supplier", "foreign_top_supplier", "bloc_foreign_top_supplier"):
            assert got[col].tolist() == ref[col].tolist(), col
        for col in ("top_share", "cr3", "foreign_top_share", "bloc_foreign_top_share"):
            assert all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got[col], ref[col], strict=True)), col
    # share matrices: from the coded rows and from the frame's strings, also when the graph
    # lacks some of the nodes (their rows are dropped, and so are suppliers only they have)
    ids = sorted(set(provision["node_id"]))
    for kept in (ids, ids[::2]):
        graph = build_graph(nodes_frame(kept), edges_frame([]))
        low, sup, high = share_matrix(graph, bounds, rows=rows)
        low_s, sup_s, high_s = share_matrix(graph, bounds)
        assert sup == sup_s
        assert (low != low_s).nnz == 0 and (high != high_s).nnz == 0
        np.testing.assert_array_equal(low.indptr, low_s.indptr)


def test_rows_of_another_view_are_not_used() -> None:
    provision = provision_frame(
        [("x", "NLD", "country", "NLD", 0.6), ("x", "fb", "firm", "USA", 0.9), ("x", "fd", "firm", "CHN", 0.1)]
    )
    firm_rows = supplier_rows(provision, level="firm")
    got = concentration(provision, countries_frame(), level="country", rows=firm_rows)
    pd.testing.assert_frame_equal(got, concentration(provision, countries_frame(), level="country"))
    bounds = supplier_share_bounds(provision, level="country", rows=firm_rows)
    pd.testing.assert_frame_equal(bounds, supplier_share_bounds(provision, level="country"))
