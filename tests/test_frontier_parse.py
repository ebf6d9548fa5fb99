"""One frontier parser for the command line and the app: ranges, lists, and the rules it refuses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from deps.services.frontier import MAX_BUDGET_MEUR, FrontierError, parse_frontier


def test_ranges_and_lists() -> None:
    assert parse_frontier("0:1000:250", max_points=10) == [0.0, 250.0, 500.0, 750.0, 1000.0]
    assert parse_frontier("0:100:30", max_points=10) == [0.0, 30.0, 60.0, 90.0]  # STOP need not be on the grid
    assert parse_frontier("500, 100;250,100", max_points=10) == [100.0, 250.0, 500.0]
    assert parse_frontier("1_000", max_points=10) == [1000.0]
    assert parse_frontier("  ", max_points=10) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-100:100:50", "number"),  # the CLI accepted this once, the app refused it
        ("100,-5", "number"),
        ("abc", "number"),
        ("nan", "number"),
        ("1e12", "number"),
        ("100:0:10", "range"),
        ("0:100:0", "range"),
        ("0:100", "range"),
        ("0:100:1", "count"),
        ("1,2,3,4,5,6", "count"),
    ],
)
def test_refusals_name_the_rule(text: str, reason: str) -> None:
    with pytest.raises(FrontierError) as info:
        parse_frontier(text, max_points=5)
    assert info.value.reason == reason and repr(text) in str(info.value)


@given(st.lists(st.floats(min_value=0, max_value=MAX_BUDGET_MEUR, allow_nan=False), min_size=1, max_size=20))
def test_any_list_of_valid_budgets_round_trips(budgets: list[float]) -> None:
    parsed = parse_frontier(", ".join(repr(b) for b in budgets), max_points=20)
    assert parsed == sorted(set(parsed)) and set(parsed) == set(budgets)
    assert all(math.isfinite(b) and 0 <= b <= MAX_BUDGET_MEUR for b in parsed)


def test_the_cli_takes_its_limit_from_the_setting(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    from deps.cli.main import app

    monkeypatch.setenv("DEPS_MAX_FRONTIER_POINTS", "3")
    result = CliRunner().invoke(app, ["optimise", "--budget", "10", "--frontier", "0:100:25", "--out", "x.csv"])
    assert result.exit_code == 1
    assert "at most 3 budgets (DEPS_MAX_FRONTIER_POINTS)" in str(result.exception or result.output)
