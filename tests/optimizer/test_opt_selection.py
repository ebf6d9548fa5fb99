"""One defined answer among optimal allocations, and the ranges around it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from opt_fixtures import lines_frame, random_inputs

from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy, build_inputs
from optimizer.selection import perturbation_weights, select_fast
from optimizer.solve import solve
from optimizer.status import Status


def tied_inputs(seed: int, *, rename: bool = False) -> OptimiserInputs:
    """Random instance where every line has the same curve per kind: many optimal splits."""
    base = random_inputs(seed, n_targets=10, n_lines=4)
    e = base.effects
    first = e[e["action_line_id"] == base.line_ids[0]]
    effects = pd.concat([first.assign(action_line_id=line) for line in base.line_ids], ignore_index=True)
    targets = base.targets.drop(columns=["market", "leverage"])
    lines = lines_frame(tuple(base.line_ids))
    if rename:  # reverse the alphabetical order of every id, keep the rows' order
        tmap = {t: f"z{99 - i:02d}" for i, t in enumerate(targets["target_id"])}
        lmap = {a: f"{chr(ord('z') - i)}-line" for i, a in enumerate(lines["action_line_id"])}
        targets = targets.assign(target_id=targets["target_id"].map(tmap))
        lines = lines.assign(action_line_id=lines["action_line_id"].map(lmap))
        effects = effects.assign(action_line_id=effects["action_line_id"].map(lmap))
    return build_inputs(targets.assign(market=base.targets["market"].to_numpy()), lines, effects)


def _pairs(s: object) -> pd.Series:
    return s.allocation.set_index(["action_line_id", "target_id"])["spend_meur"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", range(4))
def test_highs_and_cbc_return_the_same_allocation(seed: int) -> None:
    inputs = tied_inputs(seed)
    for policy in (
        Policy(budget_meur=40.0),
        Policy(budget_meur=80.0, line_max_meur={inputs.line_ids[0]: 10.0}, market_min_share={"M1": 0.2}),
    ):
        h, c = solve(inputs, policy, solver="highs"), solve(inputs, policy, solver="cbc")
        assert h.selection == c.selection == "second-stage"
        assert h.objective == pytest.approx(c.objective, abs=1e-8)
        diff = _pairs(h).sub(_pairs(c), fill_value=0.0).abs().max()
        assert diff <= 1e-6
        # the chosen allocation is optimal
        assert (h.targets["weight"] * h.targets["residual_risk"]).sum() == pytest.approx(h.objective, abs=1e-7)


def test_answer_is_least_concentrated_across_lines() -> None:
    inputs = tied_inputs(1)
    s = solve(inputs, Policy(budget_meur=40.0))
    assert not s.unique_split and "not unique" in s.split_note
    top = s.line_ranges["spend_meur"].max()
    # no optimal allocation has a smaller largest line: every line's minimum over the face is <= top,
    # and spreading evenly is optimal here (identical curves), so the largest line is B / lines.
    assert top == pytest.approx(40.0 / len(inputs.line_ids), abs=1e-6)


def test_renaming_ids_does_not_change_the_answer() -> None:
    a = solve(tied_inputs(2), Policy(budget_meur=50.0))
    b = solve(tied_inputs(2, rename=True), Policy(budget_meur=50.0))
    line_a = a.line_ranges["spend_meur"].to_numpy()
    order_b = b.line_ranges.set_index("action_line_id").loc[sorted(b.line_ranges["action_line_id"], reverse=True)]
    np.testing.assert_allclose(np.sort(line_a), np.sort(order_b["spend_meur"].to_numpy()), atol=1e-6)
    # target spends in the rows' order are the same whatever the names
    ta = a.targets.sort_values("baseline_risk", kind="mergesort")["spend_meur"].to_numpy()
    tb = b.targets.sort_values("baseline_risk", kind="mergesort")["spend_meur"].to_numpy()
    np.testing.assert_allclose(ta, tb, atol=1e-6)


def test_fast_path_second_stage_equals_pulp() -> None:
    inputs = tied_inputs(3)
    policy = Policy(budget_meur=60.0, line_max_meur={inputs.line_ids[1]: 12.0})
    ref = solve(inputs, policy)
    model = FastModel(inputs, policy)
    sol = model.solve(force_lp=True)
    chosen = select_fast(model, sol.spend)
    assert chosen is not None
    o = inputs.options.assign(spend_meur=chosen)
    fast = o.groupby(["action_line_id", "target_id"])["spend_meur"].sum()
    assert fast.sub(_pairs(ref), fill_value=0.0).abs().max() <= 1e-6
    again = model.solve(force_lp=True)  # the model is restored: same optimum again
    assert again.status is Status.OPTIMAL and again.objective == pytest.approx(sol.objective, abs=1e-9)


def test_perturbation_weights_rise_strictly() -> None:
    g = perturbation_weights(500)
    assert (np.diff(g) > 0).all() and g[0] == pytest.approx(np.sqrt(2.0))


@pytest.mark.parametrize("seed", range(3))
def test_ranges_match_brute_force_resolves(seed: int) -> None:
    inputs = tied_inputs(seed)
    policy = Policy(budget_meur=45.0, line_max_meur={inputs.line_ids[0]: 9.0})
    s = solve(inputs, policy)
    z = s.objective
    delta = 0.05

    def objective(extra: dict[str, object]) -> float | None:
        p = Policy(budget_meur=45.0, **extra)  # type: ignore[arg-type]
        r = solve(inputs, p, second_stage=False, ranges=False, diagnose=False)
        return r.objective if r.status is Status.OPTIMAL else None

    for row in s.line_ranges.itertuples():
        line, lo, hi = row.action_line_id, row.line_min_meur, row.line_max_meur
        cap = dict(policy.line_max_meur)
        assert lo <= row.spend_meur + 1e-6 <= hi + 2e-6
        # at its minimum and maximum the optimum is still reached ...
        assert objective({"line_max_meur": {**cap, line: min(lo, cap.get(line, lo))}}) == pytest.approx(z, abs=1e-7)
        assert objective({"line_max_meur": cap, "line_min_meur": {line: hi}}) == pytest.approx(z, abs=1e-7)
        # ... and beyond them it is not
        if lo > delta:
            worse = objective({"line_max_meur": {**cap, line: lo - delta}})
            assert worse is None or worse > z + 1e-7
        beyond = objective({"line_max_meur": cap, "line_min_meur": {line: hi + delta}})
        assert beyond is None or beyond > z + 1e-7
    for row in s.market_ranges.itertuples():
        m, lo, hi = row.market, row.market_min_meur, row.market_max_meur
        assert objective(
            {"line_max_meur": dict(policy.line_max_meur), "market_max_share": {m: lo / 45.0}}
        ) == pytest.approx(z, abs=1e-7)
        if lo > delta:
            worse = objective(
                {"line_max_meur": dict(policy.line_max_meur), "market_max_share": {m: (lo - delta) / 45.0}}
            )
            assert worse is None or worse > z + 1e-7
        if hi + delta <= 45.0:
            beyond = objective(
                {"line_max_meur": dict(policy.line_max_meur), "market_min_share": {m: (hi + delta) / 45.0}}
            )
            assert beyond is None or beyond > z + 1e-7


def test_unique_split_says_so() -> None:
    inputs = random_inputs(5, n_targets=6)
    s = solve(inputs, Policy(budget_meur=15.0))
    spread = (s.line_ranges["line_max_meur"] - s.line_ranges["line_min_meur"]).max()
    assert s.unique_split == (spread <= 1e-6 * 15.0)
    assert ("unique" in s.split_note) and (("not unique" in s.split_note) != s.unique_split)


def test_identical_targets_are_split_by_row_order_not_by_name() -> None:
    effects = pd.DataFrame(
        {
            "action_line_id": ["fin", "res"],
            "dependency_kind": ["k", "k"],
            "segment": [1, 1],
            "length_meur": [10.0, 10.0],
            "reduction_per_meur": [0.05, 0.05],
        }
    )

    def run(names: list[str]) -> list[float]:
        targets = pd.DataFrame(
            {
                "target_id": names,
                "market": ["X", "X"],
                "baseline_risk": [1.0, 1.0],
                "weight": [1.0, 1.0],
                "dependency_kind": ["k", "k"],
            }
        )
        s = solve(build_inputs(targets, lines_frame(("fin", "res")), effects), Policy(budget_meur=15.0))
        spend = s.targets.set_index("target_id")["spend_meur"]
        return [float(spend[n]) for n in names]  # in the rows' order

    first, second = run(["a", "b"]), run(["b", "a"])
    assert first == pytest.approx(second, abs=1e-9)  # the first row gets the same spend whatever its name
    assert sum(first) == pytest.approx(15.0)
