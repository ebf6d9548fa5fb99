"""Bounds of concentration under unknown shares: hand-checked cases and brute force (hypothesis)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_fixtures import countries_frame, provision_frame

from supplychain.bounds import (
    BOUNDS_COLUMNS,
    SHARE_BOUNDS_COLUMNS,
    bound_arrays,
    supplier_share_bounds,
)
from supplychain.concentration import concentration, concentration_bounds
from supplychain.thresholds import Thresholds

COMPLETE = Thresholds(suppliers_complete=True)


def _row(frame: pd.DataFrame, node: str) -> pd.Series:
    return frame.set_index("node_id").loc[node]


def test_methods_example_complete_and_incomplete() -> None:
    # known 0.5 (USA) and 0.2 (NLD), two named without a share, R = 0.3
    prov = provision_frame(
        [
            ("x", "USA", "country", "USA", 0.5),
            ("x", "NLD", "country", "NLD", 0.2),
            ("x", "CHN", "country", "CHN", float("nan")),
            ("x", "JPN", "country", "JPN", float("nan")),
        ]
    )
    row = _row(concentration_bounds(prov, countries_frame(), thresholds=COMPLETE), "x")
    assert row["n_open"] == 2
    assert row["residual"] == pytest.approx(0.3)
    assert row["hhi_low"] == pytest.approx(0.25 + 0.04 + 0.09 / 2)  # R spread over the two named
    assert row["hhi_high"] == pytest.approx(0.25 + 0.04 + 0.09)  # all of R with one of them
    assert (row["top_share_low"], row["top_share_high"]) == pytest.approx((0.5, 0.5))
    assert (row["cr3_low"], row["cr3_high"]) == pytest.approx((0.85, 1.0))
    assert (row["home_share_low"], row["home_share_high"]) == pytest.approx((0.2, 0.2))
    assert (row["bloc_share_low"], row["bloc_share_high"]) == pytest.approx((0.2, 0.2))
    loose = _row(concentration_bounds(prov, countries_frame()), "x")
    assert loose["hhi_low"] == pytest.approx(0.29)  # unnamed suppliers may take R in tiny parts
    assert loose["cr3_low"] == pytest.approx(0.7)
    assert loose["home_share_high"] == pytest.approx(0.2)  # NLD is named with its share: closed
    assert loose["bloc_share_high"] == pytest.approx(0.5)  # an unnamed DEU or FRA may hold R


def test_all_known_summing_to_one_gives_points() -> None:
    prov = provision_frame([("x", "USA", "country", "USA", 0.6), ("x", "NLD", "country", "NLD", 0.4)])
    b = _row(concentration_bounds(prov, countries_frame()), "x")
    c = _row(concentration(prov, countries_frame()), "x")
    for name in ("top_share", "cr3", "hhi", "home_share", "bloc_share"):
        assert b[f"{name}_low"] == pytest.approx(c[name]) and b[f"{name}_high"] == pytest.approx(c[name])


def test_only_unknown_named_suppliers() -> None:
    prov = provision_frame([("p", "A", "firm", "USA", float("nan")), ("p", "B", "firm", "JPN", float("nan"))])
    strict = _row(concentration_bounds(prov, countries_frame(), level="firm", thresholds=COMPLETE), "p")
    assert (strict["top_share_low"], strict["top_share_high"]) == pytest.approx((0.5, 1.0))
    assert (strict["hhi_low"], strict["hhi_high"]) == pytest.approx((0.5, 1.0))
    assert (strict["home_share_low"], strict["home_share_high"]) == pytest.approx((0.0, 0.0))
    loose = _row(concentration_bounds(prov, countries_frame(), level="firm"), "p")
    assert (loose["top_share_low"], loose["top_share_high"]) == pytest.approx((0.0, 1.0))
    assert loose["home_share_high"] == pytest.approx(1.0)  # an unnamed Dutch firm may supply it all


def test_country_view_from_firm_rows_keeps_partly_known_countries_open() -> None:
    # firm a (USA) 0.4 known, firm b (USA) unknown, firm c (JPN) 0.3: USA is >= 0.4 and open
    prov = provision_frame(
        [("n", "a", "firm", "USA", 0.4), ("n", "b", "firm", "USA", float("nan")), ("n", "c", "firm", "JPN", 0.3)]
    )
    row = _row(concentration_bounds(prov, countries_frame(), thresholds=COMPLETE), "n")
    assert (row["top_share_low"], row["top_share_high"]) == pytest.approx((0.7, 0.7))  # R = 0.3 must go to USA
    frame = supplier_share_bounds(prov, thresholds=COMPLETE)
    assert tuple(frame.columns) == SHARE_BOUNDS_COLUMNS
    shares = frame.set_index("supplier")
    assert (shares.loc["USA", "share_low"], shares.loc["USA", "share_high"]) == pytest.approx((0.7, 0.7))
    assert (shares.loc["JPN", "share_low"], shares.loc["JPN", "share_high"]) == pytest.approx((0.3, 0.3))
    loose = supplier_share_bounds(prov).set_index("supplier")
    assert (loose.loc["JPN", "share_low"], loose.loc["JPN", "share_high"]) == pytest.approx((0.3, 0.6))


def test_columns_and_node_order_match_concentration() -> None:
    prov = provision_frame(
        [("b", "USA", "country", "USA", 0.7), ("a", "X", "firm", "JPN", float("nan")), ("a", "Y", "firm", "NLD", 0.2)]
    )
    out = concentration_bounds(prov, countries_frame())
    assert tuple(out.columns) == BOUNDS_COLUMNS
    assert list(out["node_id"]) == list(concentration(prov, countries_frame())["node_id"])


# --- brute force -------------------------------------------------------------------------------

GRID = 12


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[tuple[float, bool, bool]], bool, bool]:
    n = draw(st.integers(1, 4))
    rows = []
    left = 20
    for _ in range(n):
        is_open = draw(st.booleans())
        units = 0 if is_open and draw(st.booleans()) else draw(st.integers(0, left))
        left -= units
        rows.append((units / 20, is_open, draw(st.booleans())))
    return rows, draw(st.booleans()), draw(st.booleans())


def _stats(x: np.ndarray, home: np.ndarray) -> dict[str, np.ndarray]:
    """Per completion (rows of x): top, CR3, HHI, home share, largest share outside home."""
    srt = -np.sort(-x, axis=1)
    return {
        "top_share": srt[:, 0],
        "cr3": srt[:, :3].sum(axis=1),
        "hhi": (x * x).sum(axis=1),
        "home_share": np.where(home, x, 0.0).sum(axis=1),
        "foreign_top": np.where(home, -1.0, x).max(axis=1).clip(min=0.0),
    }


def _completions(rows: list[tuple[float, bool, bool]], unnamed: bool, unnamed_home: bool) -> tuple[np.ndarray, ...]:
    base = np.array([r[0] for r in rows])
    home = np.array([r[2] for r in rows])
    open_idx = [i for i, r in enumerate(rows) if r[1]]
    resid = max(0.0, 1.0 - base.sum())
    n_pieces = 2 if unnamed else 0
    slots = len(open_idx) + n_pieces
    if slots == 0 or resid == 0:
        return base[None, :], np.r_[home][None, :]
    grid = GRID if n_pieces else 24
    xs, homes = [], []
    labels = list(itertools.product([False, True] if unnamed_home else [False], repeat=n_pieces))
    for parts in itertools.product(range(grid + 1), repeat=slots - 1):
        if sum(parts) > grid:
            continue
        alloc = np.array([*parts, grid - sum(parts)]) * resid / grid
        x = base.copy()
        x[open_idx] += alloc[: len(open_idx)]
        for lab in labels:
            xs.append(np.r_[x, alloc[len(open_idx) :]])
            homes.append(np.r_[home, np.array(lab, dtype=bool)])
    return np.array(xs), np.array(homes)


@settings(max_examples=120, deadline=None)
@given(cases())
def test_every_completion_inside_bounds_and_bounds_attained(case: tuple) -> None:
    rows, unnamed, unnamed_home = case
    base = np.array([r[0] for r in rows])
    is_open = np.array([r[1] for r in rows])
    home = np.array([r[2] for r in rows])
    codes = np.zeros(len(rows), dtype=np.int64)
    res = bound_arrays(codes, 1, base, is_open, np.array([unnamed]), {"home": (home, np.array([unnamed_home]))})
    x, h = _completions(rows, unnamed, unnamed_home)
    stats = _stats(x, h)
    names = {"home_share": "home_share", "foreign_top": "home_foreign_top"}
    r = float(res["residual"][0]) if (is_open.any() or unnamed) else 0.0
    k = max(1, int(is_open.sum()))
    for stat, values in stats.items():
        low, high = float(res[f"{names.get(stat, stat)}_low"][0]), float(res[f"{names.get(stat, stat)}_high"][0])
        assert values.min() >= low - 1e-9, stat
        assert values.max() <= high + 1e-9, stat
        assert values.max() == pytest.approx(high, abs=1e-9), stat  # the high end is a vertex: on the grid
        if not unnamed or stat == "home_share":
            step = r / 24
            assert values.min() <= low + 3 * k * step + 1e-9, stat
    if unnamed:  # lows are infima: R split into many tiny unnamed shares outside home
        many = 2000
        w = np.r_[base, np.full(many, r / many)]
        wit = _stats(w[None, :], np.r_[home, np.zeros(many, dtype=bool)][None, :])
        for stat in ("top_share", "cr3", "hhi", "foreign_top"):
            low = float(res[f"{names.get(stat, stat)}_low"][0])
            assert wit[stat][0] == pytest.approx(low, abs=2e-3), stat
    # per supplier: every completion's share inside [share_low, share_high], both ends reached
    named = x[:, : len(rows)]
    assert (named >= res["share_low"] - 1e-9).all() and (named <= res["share_high"] + 1e-9).all()
    np.testing.assert_allclose(named.max(axis=0), res["share_high"], atol=1e-9)
    np.testing.assert_allclose(named.min(axis=0), res["share_low"], atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000))
def test_vectorised_over_nodes_equals_one_node_at_a_time(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = 6
    counts = rng.integers(1, 5, size=m)
    codes = np.repeat(np.arange(m), counts)
    raw = rng.dirichlet(np.ones(len(codes))) * rng.uniform(0.3, 1.0)
    is_open = rng.random(len(codes)) < 0.4
    base = np.where(is_open & (rng.random(len(codes)) < 0.5), 0.0, raw)
    unnamed = rng.random(m) < 0.5
    home = rng.random(len(codes)) < 0.3
    free = rng.random(m) < 0.5
    whole = bound_arrays(codes, m, base, is_open, unnamed, {"home": (home, free)})
    for v in range(m):
        sel = codes == v
        one = bound_arrays(
            np.zeros(int(sel.sum()), dtype=np.int64),
            1,
            base[sel],
            is_open[sel],
            unnamed[v : v + 1],
            {"home": (home[sel], free[v : v + 1])},
        )
        for key, values in one.items():
            expect = whole[key][sel] if len(values) == sel.sum() and key.startswith("share_") else whole[key][v]
            assert np.allclose(values if key.startswith("share_") else values[0], expect), key


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000))
def test_given_sums_change_nothing(seed: int) -> None:
    """bound_arrays with the per-node sums passed in (as concentration does) returns exactly the
    arrays it computes itself."""
    rng = np.random.default_rng(seed)
    m = 7
    codes = np.repeat(np.arange(m), rng.integers(1, 5, size=m))
    base = np.round(rng.dirichlet(np.ones(len(codes))), 3) * (rng.random(len(codes)) < 0.7)
    is_open = rng.random(len(codes)) < 0.4
    unnamed = rng.random(m) < 0.5
    groups = {name: (rng.random(len(codes)) < 0.4, rng.random(m) < 0.5) for name in ("home", "bloc")}

    def total(w: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=w, minlength=m)

    sums = {"base": total(base), "square": total(base * base)}
    sums |= {name: total(np.where(inside, base, 0.0)) for name, (inside, _) in groups.items()}
    alone = bound_arrays(codes, m, base, is_open, unnamed, groups)
    given_sums = bound_arrays(codes, m, base, is_open, unnamed, groups, sums=sums)
    assert alone.keys() == given_sums.keys()
    for key, values in alone.items():
        np.testing.assert_array_equal(given_sums[key], values, err_msg=key)
