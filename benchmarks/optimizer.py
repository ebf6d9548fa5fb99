"""Benchmark of the optimiser: batch path against a naive PuLP+CBC rebuild per scenario.

``python -m benchmarks optimizer`` (through the lead's dispatcher) calls :func:`main`.

* 1,000 seeded scenarios of 9 action lines x 100 targets x 4 segments (50 budgets x 20 weight
  sets), with line maximums and a market maximum share so HiGHS is needed. Batch path:
  :func:`optimizer.batch.run_batch` on local processes (and serially, for reference).
* Naive loop: build the PuLP model and solve with CBC for every scenario; run on a sample
  (50 by default) and extrapolated to 1,000 (the output says so).
* Floor: the greedy fill on the budget-only relaxation for the same 1,000 scenarios.
* One model of 9 x 1,000 x 4 built and solved on highspy (and through PuLP+HiGHS).

Targets: <= 5 s for the 1,000 and >= 25x the naive loop; <= 2 s for the large model.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from optimizer.batch import run_batch, scenario_grid
from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy, build_inputs
from optimizer.solve import solve

__all__ = ["main", "make_inputs", "make_policy"]

LINES = (
    "capacity",
    "ecosystems",
    "financing",
    "regulation",
    "infrastructure",
    "internationalisation",
    "human-capital",
    "market-creation",
    "knowledge",
)
KINDS = ("concentration", "import-reliance", "substitutability", "stocks")
MARKETS = ("semiconductors", "defence", "biotech", "digital", "machines", "chemistry")


def make_inputs(n_targets: int, *, seed: int = 0, n_segments: int = 4) -> OptimiserInputs:
    """A seeded synthetic instance: 9 lines x ``n_targets`` x ``n_segments``."""
    rng = np.random.default_rng(seed)
    targets = pd.DataFrame(
        {
            "target_id": [f"T{i:05d}" for i in range(n_targets)],
            "market": rng.choice(MARKETS, n_targets),
            "baseline_risk": rng.uniform(0.1, 1.0, n_targets),
            "weight": rng.uniform(0.5, 2.0, n_targets),
            "dependency_kind": rng.choice(KINDS, n_targets),
        }
    )
    lines = pd.DataFrame({"action_line_id": LINES, "name_en": LINES, "name_nl": LINES})
    rows = []
    for line in LINES:
        for kind in KINDS:
            slopes = np.sort(rng.uniform(0.002, 0.08, n_segments))[::-1]
            lengths = rng.uniform(1.0, 5.0, n_segments)
            for k in range(n_segments):
                rows.append((line, kind, k + 1, float(lengths[k]), float(slopes[k])))
    effects = pd.DataFrame(
        rows,
        columns=["action_line_id", "dependency_kind", "segment", "length_meur", "reduction_per_meur"],
    )
    return build_inputs(targets, lines, effects)


def make_policy(budget: float, *, line_max: float = 60.0) -> Policy:
    """Line maximums and one market maximum share: the greedy fill is not exact here."""
    return Policy(
        budget_meur=budget,
        line_max_meur={line: line_max for line in LINES},
        market_max_share={"semiconductors": 0.3},
    )


def _timed(label: str, fn: object) -> float:
    """Print wall-clock and this process's CPU time (the CPU time is steadier on a busy box)."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()  # type: ignore[operator]
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{label:<58s} {dt:8.3f} s  (cpu here {cpu:.3f} s)")
    return dt


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the timings (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="benchmarks optimizer")
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--naive-sample", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    inputs = make_inputs(100, seed=args.seed)
    policy = make_policy(300.0)
    rng = np.random.default_rng(args.seed + 1)
    n_weights = 20
    n_budgets = max(1, args.scenarios // n_weights)
    budgets = [round(float(b), 3) for b in np.linspace(50.0, 600.0, n_budgets)]
    weights = {
        f"w{i:02d}": {m: float(x) for m, x in zip(MARKETS, rng.uniform(0.5, 2.0, len(MARKETS)), strict=True)}
        for i in range(n_weights)
    }
    specs = scenario_grid(budgets=budgets, weights=weights)
    n = len(specs)
    print(f"optimizer benchmark: {n} scenarios, 9 lines x 100 targets x 4 segments ({len(inputs.options)} columns)")

    results: list[object] = []
    batch_s = _timed(
        f"batch path, {args.workers} processes (highspy, warm start)",
        lambda: results.extend(run_batch(inputs, policy, specs, max_workers=args.workers, chunk_size=50)),
    )
    bad = [r for r in results if getattr(r, "status", None) != "optimal"]
    print(f"  statuses: {n - len(bad)} optimal, {len(bad)} other")
    _timed("batch path, serial (one process)", lambda: list(run_batch(inputs, policy, specs, executor="serial")))

    sample = specs[:: max(1, n // args.naive_sample)][: args.naive_sample]

    def naive() -> None:
        for s in sample:
            w = inputs.targets["market"].map(dict(s.weights)).fillna(1.0) * inputs.targets["weight"]
            t2 = inputs.targets.assign(weight=w)
            inp = build_inputs(t2, inputs.lines, inputs.effects)
            solve(inp, replace(policy, budget_meur=s.budget_meur), solver="cbc", diagnose=False)

    naive_s = _timed(f"naive PuLP+CBC rebuild, {len(sample)} scenarios (measured)", naive)
    naive_full = naive_s * n / len(sample)
    print(f"{'naive PuLP+CBC rebuild, extrapolated to ' + str(n):<58s} {naive_full:8.3f} s")
    ratio = naive_full / batch_s
    print(f"{'speed-up of the batch path over the naive loop':<58s} {ratio:8.1f} x")
    print(
        f"  targets: batch <= 5 s: {'met' if batch_s <= 5 else 'NOT met'}; "
        f">= 25x naive: {'met' if ratio >= 25 else 'NOT met'}"
    )

    relax = Policy(budget_meur=300.0)
    fm = FastModel(inputs, relax)
    w0 = fm.weight
    mult = {
        k: np.array([dict(s.weights).get(m, 1.0) for m in inputs.targets["market"]])
        for k, s in ((s.key, s) for s in specs)
    }
    _timed(
        "floor: greedy on the budget-only relaxation, all scenarios",
        lambda: [fm.solve(budget_meur=s.budget_meur, weights=w0 * mult[s.key]) for s in specs],
    )

    big = make_inputs(1000, seed=args.seed)
    big_policy = make_policy(3000.0, line_max=600.0)
    big_s = _timed(
        "one model 9 x 1,000 x 4: highspy build + solve", lambda: FastModel(big, big_policy).solve(force_lp=True)
    )
    _timed("one model 9 x 1,000 x 4: PuLP build + HiGHS solve + report", lambda: solve(big, big_policy, diagnose=False))
    print(f"  target: large model <= 2 s: {'met' if big_s <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
