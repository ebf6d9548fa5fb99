"""Shared builders of small optimiser instances for the optimiser tests (not a test module)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.inputs import OptimiserInputs, build_inputs

LINES = (
    "capacity",
    "ecosystems",
    "financing",
    "regulation",
    "infrastructure",
    "internationalisation",
    "human-capital",
    "market-creation",
    "research",
)
KINDS = ("concentration", "import-reliance", "substitutability", "stocks")


def lines_frame(ids: tuple[str, ...] = LINES) -> pd.DataFrame:
    return pd.DataFrame({"action_line_id": list(ids), "name_en": list(ids), "name_nl": list(ids)})


def random_inputs(
    seed: int,
    *,
    n_targets: int = 12,
    n_lines: int = 4,
    n_segments: int = 3,
    n_markets: int = 3,
) -> OptimiserInputs:
    """A random instance: every line has a concave curve for every kind."""
    rng = np.random.default_rng(seed)
    lines = LINES[:n_lines]
    kinds = KINDS[: min(3, len(KINDS))]
    targets = pd.DataFrame(
        {
            "target_id": [f"T{i:03d}" for i in range(n_targets)],
            "market": [f"M{rng.integers(n_markets)}" for _ in range(n_targets)],
            "baseline_risk": rng.uniform(0.2, 1.0, n_targets).round(3),
            "weight": rng.uniform(0.5, 2.0, n_targets).round(3),
            "dependency_kind": [kinds[rng.integers(len(kinds))] for _ in range(n_targets)],
        }
    )
    rows = []
    for line in lines:
        for kind in kinds:
            slopes = np.sort(rng.uniform(0.001, 0.05, n_segments))[::-1]
            for k in range(n_segments):
                rows.append(
                    {
                        "action_line_id": line,
                        "dependency_kind": kind,
                        "segment": k + 1,
                        "length_meur": round(float(rng.uniform(2.0, 10.0)), 2),
                        "reduction_per_meur": round(float(slopes[k]), 5),
                    }
                )
    return build_inputs(targets, lines_frame(lines), pd.DataFrame(rows))


def hand_inputs() -> OptimiserInputs:
    """Two targets, two lines: the hand-solved LP of test_opt_model.py.

    A: market X, r = 1, w = 2; B: market Y, r = 1, w = 1; both of kind k.
    fin: segment 1 length 10, f = 0.05; segment 2 length 10, f = 0.02. res: one segment of
    length 5, f = 0.04.
    """
    targets = pd.DataFrame(
        {
            "target_id": ["A", "B"],
            "market": ["X", "Y"],
            "baseline_risk": [1.0, 1.0],
            "weight": [2.0, 1.0],
            "dependency_kind": ["k", "k"],
        }
    )
    effects = pd.DataFrame(
        {
            "action_line_id": ["fin", "fin", "res"],
            "dependency_kind": ["k", "k", "k"],
            "segment": [1, 2, 1],
            "length_meur": [10.0, 10.0, 5.0],
            "reduction_per_meur": [0.05, 0.02, 0.04],
        }
    )
    return build_inputs(targets, lines_frame(("fin", "res")), effects)


def lp_matrices(inputs: OptimiserInputs, policy: object) -> dict[str, object]:
    """The LP in scipy.optimize.linprog form, written independently of optimizer.model."""
    from optimizer.inputs import Policy, line_bounds

    assert isinstance(policy, Policy)
    o = inputs.options
    n = len(o)
    c = -(o["weight"] * o["slope"]).to_numpy()
    a_ub: list[np.ndarray] = []
    b_ub: list[float] = []

    def row(mask: np.ndarray, coef: np.ndarray | float, rhs: float, sign: float) -> None:
        a_ub.append(sign * np.where(mask, coef, 0.0))
        b_ub.append(sign * rhs)

    ones = np.ones(n, dtype=bool)
    row(ones, 1.0, policy.budget_meur, 1.0)
    for line, (lo, hi) in line_bounds(inputs, policy).items():
        m = (o["action_line_id"] == line).to_numpy()
        if lo > 0:
            row(m, 1.0, lo, -1.0)
        if hi is not None:
            row(m, 1.0, hi, 1.0)
    reach = inputs.reach
    total = reach.groupby("target_id")["reach_share"].sum()

    def market_coef(market: str) -> np.ndarray:
        # spend on t counts in market m with rho_tm / sum_m rho_tm (attribution by reach)
        rho = reach[reach["market"] == market].set_index("target_id")["reach_share"]
        return o["target_id"].map(rho / total).fillna(0.0).to_numpy()

    for market, share in policy.market_min_share.items():
        row(ones, market_coef(market), share * policy.budget_meur, -1.0)
    for market, share in policy.market_max_share.items():
        row(ones, market_coef(market), share * policy.budget_meur, 1.0)
    for t in inputs.target_ids:
        m = (o["target_id"] == t).to_numpy()
        cap = policy.target_cap_meur.get(t, policy.default_target_cap_meur)
        if cap is not None:
            row(m, 1.0, cap, 1.0)
        r = float(inputs.targets.set_index("target_id").loc[t, "baseline_risk"])
        row(m, o["slope"].to_numpy(), r, 1.0)
    for f in policy.forced:
        m = np.array(o["action_line_id"] == f.action_line_id)
        if f.target_id is not None:
            m &= (o["target_id"] == f.target_id).to_numpy()
        row(m, 1.0, f.min_meur, -1.0)
    bounds = [(0.0, float(x)) for x in o["length_meur"]]
    return {
        "c": c,
        "A_ub": np.array(a_ub),
        "b_ub": np.array(b_ub),
        "bounds": bounds,
        "constant": inputs.weighted_baseline,
    }
