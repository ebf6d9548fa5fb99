"""Input validation, effect overrides and policy checks."""

from __future__ import annotations

import pandas as pd
import pytest
from opt_fixtures import hand_inputs, lines_frame

from optimizer.errors import InputError, PolicyError
from optimizer.inputs import Budget, ForcedOption, Policy, build_inputs, line_bounds, validate_policy


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    h = hand_inputs()
    return h.targets.drop(columns="leverage"), lines_frame(("fin", "res")), h.effects.drop(columns="source")


def test_options_carry_slopes_scaled_by_baseline_risk() -> None:
    t, a, e = _frames()
    t.loc[1, "baseline_risk"] = 0.5
    inputs = build_inputs(t, a, e)
    o = inputs.options.set_index(["action_line_id", "target_id", "segment"])
    # e_atk = reduction_per_meur * r_t: fin segment 1 for B = 0.05 * 0.5.
    assert o.loc[("fin", "B", 1), "slope"] == pytest.approx(0.025)
    assert o.loc[("fin", "A", 1), "slope"] == pytest.approx(0.05)
    assert len(o) == 6  # 2 targets x (2 + 1) segments


def test_override_replaces_a_whole_curve_and_is_marked() -> None:
    t, a, e = _frames()
    override = pd.DataFrame(
        {
            "action_line_id": ["fin"],
            "dependency_kind": ["k"],
            "segment": [1],
            "length_meur": [3.0],
            "reduction_per_meur": [0.2],
        }
    )
    inputs = build_inputs(t, a, e, effect_overrides=override)
    fin = inputs.effects[inputs.effects["action_line_id"] == "fin"]
    assert fin["segment"].tolist() == [1] and fin["source"].tolist() == ["override"]
    assert inputs.effects.loc[inputs.effects["action_line_id"] == "res", "source"].tolist() == ["default"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t, a, e: (pd.concat([t, t.iloc[:1]]), a, e), "duplicate target_id"),
        (lambda t, a, e: (t.assign(weight=[-1.0, 1.0]), a, e), "weight must be finite"),
        (lambda t, a, e: (t.drop(columns="market"), a, e), "lacks columns ['market']"),
        (lambda t, a, e: (t, a, e.assign(reduction_per_meur=[0.01, 0.02, 0.04])), "rise with the segment"),
        (lambda t, a, e: (t, a.iloc[:1], e), "unknown action_line_id ['res']"),
        (lambda t, a, e: (t, a, e.assign(length_meur=[0.0, 1.0, 1.0])), "length_meur must be > 0"),
    ],
)
def test_bad_frames_are_rejected(mutate: object, message: str) -> None:
    t, a, e = mutate(*_frames())  # type: ignore[operator]
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_inputs(t, a, e)


def test_every_problem_is_reported_at_once() -> None:
    t, a, e = _frames()
    with pytest.raises(InputError) as info:
        build_inputs(t.assign(weight=[-1.0, 1.0]), a, e.assign(length_meur=[0.0, 1.0, 1.0]))
    assert "weight" in str(info.value) and "length_meur" in str(info.value)


def test_policy_validates_its_numbers_on_construction() -> None:
    with pytest.raises(PolicyError) as info:
        Policy(budget_meur=-1.0, market_min_share={"X": 1.5}, line_max_meur={"fin": -2.0})
    text = str(info.value)
    for piece in ("budget -1.0", "market_min_share[X] = 1.5", "line_max_meur[fin] = -2.0"):
        assert piece in text
    for bad in (float("nan"), float("inf"), "500", None):
        with pytest.raises(PolicyError):
            Budget(bad)
    assert Budget(500) == 500.0 and isinstance(Policy(budget_meur=3).budget_meur, float)
    with pytest.raises(PolicyError, match="minimum -1"):
        ForcedOption("fin", None, -1.0)
    assert isinstance(PolicyError("x"), ValueError)  # callers catching ValueError still work


def test_policy_references_are_checked_against_the_inputs() -> None:
    inputs = hand_inputs()
    bad = Policy(
        budget_meur=1.0,
        line_max_meur={"nope": 1.0},
        market_min_share={"Q": 0.5},
        forced=(ForcedOption("fin", "Z", 1.0),),
    )
    with pytest.raises(PolicyError) as info:
        validate_policy(inputs, bad)
    text = str(info.value)
    for piece in ("unknown action line 'nope'", "unknown market 'Q'", "unknown target 'Z'"):
        assert piece in text


def test_line_bounds_merge_frame_and_policy() -> None:
    t, a, e = _frames()
    a = a.assign(min_meur=[1.0, float("nan")], max_meur=[float("nan"), 7.0])
    inputs = build_inputs(t, a, e)
    assert line_bounds(inputs, Policy(budget_meur=1.0)) == {"fin": (1.0, None), "res": (0.0, 7.0)}
    assert line_bounds(inputs, Policy(budget_meur=1.0, line_max_meur={"fin": 3.0}))["fin"] == (1.0, 3.0)


def test_seed_effect_table_builds_and_solves() -> None:
    # The shipped default curves (data/effects.csv) are valid concave curves for every line.
    from pathlib import Path

    from optimizer.solve import Status, solve

    root = Path(__file__).resolve().parents[2] / "data"
    if not (root / "effects.csv").is_file():
        pytest.skip("seed data not present")
    effects = pd.read_csv(root / "effects.csv")
    lines = pd.read_csv(root / "action_lines.csv")
    kinds = sorted(effects["dependency_kind"].unique())
    targets = pd.DataFrame(
        {
            "target_id": [f"t-{k}" for k in kinds],
            "market": ["semiconductors"] * len(kinds),
            "baseline_risk": [0.8] * len(kinds),
            "weight": [1.0] * len(kinds),
            "dependency_kind": kinds,
        }
    )
    inputs = build_inputs(targets, lines, effects)
    assert set(inputs.line_ids) == set(lines["action_line_id"])
    assert {"source_id", "evidence", "reasoning"} <= set(inputs.effects.columns)  # provenance travels with the curves
    s = solve(inputs, Policy(budget_meur=50.0))
    assert s.status is Status.OPTIMAL
    assert 0 <= s.objective <= inputs.weighted_baseline


def test_package_exports_resolve_lazily() -> None:
    import optimizer

    for name in optimizer.__all__:
        assert getattr(optimizer, name) is not None
    with pytest.raises(AttributeError):
        optimizer.no_such_name  # noqa: B018
