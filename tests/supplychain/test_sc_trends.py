"""Concentration trends: hand-checked HHI changes, three-valued rising flag, bounds that hold."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.schema import validate_provision
from supplychain.trends import concentration_by_year, concentration_trends


def _rows(records: list[tuple[str, str, float | None, int]]) -> pd.DataFrame:
    return validate_provision(
        pd.DataFrame(
            {
                "node_id": [r[0] for r in records],
                "supplier_type": "country",
                "supplier_id": [r[1] for r in records],
                "country": [r[1] for r in records],
                "share": [r[2] for r in records],
                "year": [r[3] for r in records],
            }
        )
    )


def test_known_shares_give_a_point_change() -> None:
    # 2015: 0.5^2 + 0.5^2 = 0.5; 2022: 0.8^2 + 0.2^2 = 0.68 -> +0.18, rising yes
    data = _rows([("x", "CHN", 0.5, 2015), ("x", "USA", 0.5, 2015), ("x", "CHN", 0.8, 2022), ("x", "USA", 0.2, 2022)])
    trend = concentration_trends(concentration_by_year(data)).iloc[0]
    assert trend["hhi_change_low"] == pytest.approx(0.18)
    assert trend["hhi_change_high"] == pytest.approx(0.18)
    assert trend["rising"] == "yes"
    assert trend["top_supplier_last"] == "CHN"
    assert "0.500" in trend["explanation"] and "0.680" in trend["explanation"]


def test_falling_concentration_is_not_rising() -> None:
    data = _rows([("x", "CHN", 0.9, 2015), ("x", "USA", 0.1, 2015), ("x", "CHN", 0.5, 2022), ("x", "USA", 0.5, 2022)])
    assert concentration_trends(concentration_by_year(data)).iloc[0]["rising"] == "no"


def test_an_unknown_residual_makes_the_rise_possible_only() -> None:
    # 2015: HHI 0.5. 2022 names only CHN 0.6; 0.4 may sit with many small unnamed suppliers (HHI 0.36) or with
    # one (0.36 + 0.16 = 0.52): the change lies in [-0.14, +0.02], so a rise of 0.01 is possible, not sure.
    data = _rows([("x", "CHN", 0.5, 2015), ("x", "USA", 0.5, 2015), ("x", "CHN", 0.6, 2022)])
    trend = concentration_trends(concentration_by_year(data)).iloc[0]
    assert trend["hhi_change_low"] == pytest.approx(-0.14)
    assert trend["hhi_change_high"] == pytest.approx(0.02)
    assert trend["rising"] == "possible"
    assert "at least" in trend["explanation"]


def test_a_single_year_has_no_trend() -> None:
    data = _rows([("x", "CHN", 1.0, 2022), ("y", "CHN", 0.5, 2015), ("y", "CHN", 0.5, 2022)])
    trends = concentration_trends(concentration_by_year(data))
    assert list(trends["node_id"]) == ["y"]


def test_delta_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        concentration_trends(concentration_by_year(_rows([("x", "CHN", 1.0, 2022)])), rising_delta=0)


shares = st.lists(st.one_of(st.none(), st.floats(0.0, 0.5)), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(first=shares, last=shares)
def test_every_completion_change_lies_inside_the_bounds(first: list[float | None], last: list[float | None]) -> None:
    """Any completion of the unknown shares (here: residual spread evenly over named unknowns) gives a change inside."""
    recs = [("x", f"C{i}", s, 2015) for i, s in enumerate(first)] + [
        ("x", f"C{i}", s, 2022) for i, s in enumerate(last)
    ]
    trend = concentration_trends(concentration_by_year(_rows(recs))).iloc[0]

    def completed_hhi(values: list[float | None]) -> float:
        known = sum(v for v in values if v is not None)
        unknown = [v for v in values if v is None]
        residual = max(0.0, 1.0 - known)
        filled = [v if v is not None else residual / len(unknown) for v in values]
        extra = 0.0 if unknown else residual  # no named unknown: the residual sits with one unnamed supplier
        return sum(v * v for v in filled) + extra * extra

    change = completed_hhi(last) - completed_hhi(first)
    assert trend["hhi_change_low"] - 1e-9 <= change <= trend["hhi_change_high"] + 1e-9
