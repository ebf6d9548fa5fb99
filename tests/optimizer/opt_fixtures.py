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
