"""Benchmark of the supply-chain analysis: array form vs plain networkx vs a numpy floor.

Generates layered supply DAGs (6 tiers, hub stages, about 17% single-supplier stages, 60
countries; see docs/performance.md) of about 10k, 100k and 1M edges with seeded randomness, then
times for each size:

- ``arrays``: the engine's path on validated frames with string ids: build (frames -> CSR,
  with alternatives: 5% of the nodes are categories of typed inputs, 2% of the other edges are
  substitutes, 30% of type shares and of multi-supplier provision shares unknown), supplier
  rows (the country view's rows coded once, shared by the next two steps),
  concentration (country view, with the exact bounds of every metric over unknown shares),
  supplier share bounds (the intervals behind loss bounds, as sparse matrices built once),
  dominators + downstream and market reach, knockouts and single-supplier knockouts, control
  points, and a 60-country disruption sweep for both loss bounds (explanation strings off, ``explain=False``: they are
  per-row text, not analysis; the sweep keeps final-product and market losses only);
- ``networkx``: the same steps with a plain networkx graph and Python loops (the naive
  baseline: min-propagation over every edge, unknown shares read as 0, the sweep run twice for
  the two bounds; it times the work, it does not reproduce the alternatives' semantics, which
  ``tests/supplychain`` compare against ``supplychain.reference``); by default run at 10k and
  100k edges and extrapolated linearly to 1M (said so in the output); ``--networkx-all`` runs
  it at every size;
- ``floor``: one numpy pass over the edges (gather + segmented minimum), the least any method
  touching every edge must do.

``cpu (process time)`` is the array path's CPU time: on a shared machine it is closer to what an
idle machine would show than the wall time. Peak memory is the process's maximum resident set
size (``resource.getrusage``), read after the array path of each size (the networkx baseline
runs afterwards). Imports are done before timing.

Usage: ``python -m benchmarks.graph [--sizes 10000,100000,1000000] [--seed 7] [--networkx-all]``
"""

from __future__ import annotations

import argparse
import gc
import importlib
import itertools
import math
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Synthetic", "generate", "main", "run_arrays", "run_floor", "run_networkx"]

TIER_FRACTIONS = (0.30, 0.25, 0.19, 0.14, 0.115, 0.005)
N_COUNTRIES = 60
SINGLE_SUPPLIER = 0.17
MARKETS = ("semiconductors", "defence", "biotech", "digital", "machines", "chemistry")
NX_DEFAULT_MAX = 100_000
#: fraction of the non-final nodes that are categories (their in-edges become is_type_of)
CATEGORY = 0.05
#: fraction of the remaining edges that become substitutes edges
SUBSTITUTE = 0.02
#: fraction of the type shares and of the multi-supplier provision shares left unknown
UNKNOWN_SHARE = 0.3


@dataclass(frozen=True)
class Synthetic:
    """A generated dataset: engine input frames."""

    nodes: pd.DataFrame
    edges: pd.DataFrame
    provision: pd.DataFrame
    countries: pd.DataFrame


def generate(n_edges: int, *, seed: int = 7) -> Synthetic:
    """A layered supply DAG with about ``n_edges`` edges (seeded, deterministic).

    Tier t >= 1 nodes take 1 + Poisson(2.3) inputs, 80% from tier t-1 and 20% from any earlier
    tier; inputs are drawn with Zipf-like weights so a few hub stages feed many nodes. 17% of
    nodes have one supplier country (share 1); the others 2-6 with gamma-distributed shares
    (countries drawn Zipf-like from 60). The last tier (0.5% of nodes, at least 50; 2,222 at 1M
    edges) holds the final products, one of six focus markets each with that market's weight.
    Knockout reach costs n x finals / 64 words per pass, so the number of final products
    matters: a catalogue of a few thousand final products is the scale this models.
    """
    rng = np.random.default_rng(seed)
    n = max(60, int(n_edges / 2.25))
    sizes = np.maximum(50, (np.array(TIER_FRACTIONS) * n).astype(np.int64))
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    n = int(bounds[-1])
    src_parts, dst_parts = [], []
    for t in range(1, len(sizes)):
        dst = np.arange(bounds[t], bounds[t + 1])
        deg = 1 + rng.poisson(2.3, size=len(dst))
        d = np.repeat(dst, deg)
        m = len(d)
        prev_lo, prev_hi = bounds[t - 1], bounds[t]
        hub_rank = rng.zipf(1.6, size=m) - 1
        pick_prev = prev_lo + np.minimum(hub_rank, prev_hi - prev_lo - 1)
        mix = rng.integers(prev_lo, prev_hi, size=m)
        prev = np.where(rng.random(m) < 0.5, pick_prev, mix)
        anywhere = rng.integers(0, prev_hi, size=m)
        s = np.where(rng.random(m) < 0.8, prev, anywhere)
        src_parts.append(s)
        dst_parts.append(d)
    src = np.concatenate(src_parts)
    dst = np.concatenate(dst_parts)
    key = np.unique(src * n + dst)
    src, dst = key // n, key % n
    ids = np.char.add("v", np.char.zfill(np.arange(n).astype(str), 7)).astype(object)
    final_lo = bounds[-2]
    kind = np.where(np.arange(n) >= final_lo, "final_product", "product")
    pick = rng.integers(0, len(MARKETS), size=n)
    market = np.asarray(MARKETS, dtype=object)[pick]
    weight_of = np.round(rng.uniform(0.5, 2.0, size=len(MARKETS)), 2)[pick]
    nodes = pd.DataFrame(
        {
            "node_id": ids,
            "name": ids,
            "kind": kind,
            "sectors": "synthetic",
            "markets": np.where(kind == "final_product", market, ""),
            "market_weight": np.where(kind == "final_product", weight_of, 1.0),
        }
    )
    edges = _with_alternatives(pd.DataFrame({"src": ids[src], "dst": ids[dst]}), dst, final_lo, rng)
    countries = [f"C{i:02d}" for i in range(N_COUNTRIES)]
    k = np.where(rng.random(n) < SINGLE_SUPPLIER, 1, rng.integers(2, 7, size=n))
    rows = np.repeat(np.arange(n), k)
    pop = rng.zipf(1.3, size=len(rows)) - 1
    cty = np.minimum(pop, N_COUNTRIES - 1)
    raw = rng.gamma(0.6, size=len(rows))
    sums = np.bincount(rows, weights=raw, minlength=n)
    share = np.round(raw / sums[rows], 4)
    prov = pd.DataFrame({"node_id": ids[rows], "c": cty, "share": share})
    prov = prov.groupby(["node_id", "c"], sort=True)["share"].sum().reset_index()
    # a share unknown for UNKNOWN_SHARE of the rows of multi-supplier nodes (bounds matter)
    multi = prov.groupby("node_id")["c"].transform("size").to_numpy() > 1
    prov["share"] = prov["share"].mask(multi & (rng.random(len(prov)) < UNKNOWN_SHARE))
    cnames = np.asarray(countries, dtype=object)[prov["c"].to_numpy()]
    provision = pd.DataFrame(
        {
            "node_id": prov["node_id"],
            "supplier_id": cnames,
            "supplier_type": "country",
            "country": cnames,
            "share": prov["share"].clip(0.0, 1.0),
            "year": pd.array(np.full(len(prov), 2025), dtype="Int64"),
            "source": "synthetic",
            "evidence": "",
            "confidence": "",
            "basis": "production",
        }
    )
    country_frame = pd.DataFrame(
        {
            "iso3": countries,
            "name": countries,
            "blocs": ["EU27" if i < 10 else "" for i in range(N_COUNTRIES)],
            "governance": np.round(rng.uniform(0, 10, N_COUNTRIES), 2),
        }
    )
    from supplychain.schema import (
        validate_countries,
        validate_edges,
        validate_nodes,
        validate_provision,
    )

    return Synthetic(
        nodes=validate_nodes(nodes),
        edges=validate_edges(edges),
        provision=validate_provision(provision),
        countries=validate_countries(country_frame),
    )


def run_arrays(data: Synthetic) -> dict[str, float]:
    """Time the engine's array path step by step (seconds)."""
    from supplychain.bounds import supplier_share_bounds
    from supplychain.chokepoints import structural_chokepoints
    from supplychain.concentration import concentration
    from supplychain.control_points import control_points
    from supplychain.disruption import country_sweep
    from supplychain.graph import build_graph
    from supplychain.knockout import knockouts, top_share_bounds
    from supplychain.losses import share_matrix
    from supplychain.reach import compute_reach
    from supplychain.supplier_rows import supplier_rows
    from supplychain.thresholds import Thresholds

    importlib.import_module("scipy.sparse")  # imported lazily by the engine: not timed here
    t = Thresholds(home="C00")
    times: dict[str, float] = {}
    cpu_start = time.process_time()
    out: dict[str, object] = {}

    def step(name: str, fn: Callable[[], object]) -> None:
        start = time.perf_counter()
        out[name] = fn()
        times[name] = time.perf_counter() - start

    step("build", lambda: build_graph(data.nodes, data.edges, validate=False))
    graph = out["build"]
    step("supplier rows", lambda: supplier_rows(data.provision))
    rows = out["supplier rows"]
    step("concentration", lambda: concentration(data.provision, data.countries, thresholds=t, rows=rows))  # type: ignore[arg-type]
    step(
        "share bounds",
        lambda: share_matrix(
            graph,  # type: ignore[arg-type]
            supplier_share_bounds(data.provision, thresholds=t, rows=rows),  # type: ignore[arg-type]
            rows=rows,  # type: ignore[arg-type]
        ),
    )
    # an intermediate: the analysis keeps its results, not the coded rows (their memory is reused)
    out.pop("supplier rows")
    rows = None
    step("reach+dominators", lambda: compute_reach(graph))  # type: ignore[arg-type]
    step(
        "knockouts",
        lambda: knockouts(
            graph,  # type: ignore[arg-type]
            out["reach+dominators"],  # type: ignore[arg-type]
            top_shares=top_share_bounds(graph, out["share bounds"]),  # type: ignore[arg-type]
            thresholds=t,
        ),
    )
    step(
        "control points",
        lambda: control_points(
            out["concentration"],  # type: ignore[arg-type]
            structural_chokepoints(graph, out["reach+dominators"], out["knockouts"], explain=False),  # type: ignore[arg-type]
            data.nodes,
            thresholds=t,
            explain=False,
        ),
    )
    step(
        "sweep 60 countries (low+high)",
        lambda: country_sweep(graph, out["share bounds"], keep_availability=False),  # type: ignore[arg-type]
    )
    times["total"] = sum(times.values())
    times["cpu (process time)"] = time.process_time() - cpu_start
    return times


def run_networkx(data: Synthetic, *, home: str = "C00") -> dict[str, float]:
    """Time the same steps with a plain networkx graph and Python loops (seconds)."""
    import networkx as nx

    times: dict[str, float] = {}
    start = time.perf_counter()
    graph: nx.DiGraph = nx.DiGraph()
    nodes = data.nodes
    for node, kind, weight in zip(nodes["node_id"], nodes["kind"], nodes["market_weight"], strict=True):
        graph.add_node(node, final=kind == "final_product", weight=float(weight))
    graph.add_edges_from(zip(data.edges["src"], data.edges["dst"], strict=True))
    shares: dict[str, dict[str, float]] = {}
    prov = data.provision
    for node, country, share in zip(prov["node_id"], prov["country"], prov["share"], strict=True):
        shares.setdefault(str(node), {})[str(country)] = 0.0 if math.isnan(share) else float(share)
    times["build"] = time.perf_counter() - start

    start = time.perf_counter()
    conc = {}
    for v, sup in shares.items():
        values = list(sup.values())
        conc[v] = (sum(x * x for x in values), max(values), sup.get(home, 0.0))
    times["concentration"] = time.perf_counter() - start

    start = time.perf_counter()
    finals = [v for v, d in graph.nodes(data=True) if d["final"]]
    weight = {v: graph.nodes[v]["weight"] for v in finals}
    total = sum(weight.values())
    aug = graph.copy()
    aug.add_edges_from(("__S__", v) for v in graph if graph.in_degree(v) == 0)
    idom = nx.immediate_dominators(aug, "__S__")
    dominated: dict[str, float] = {}
    for f in finals:
        cur = f
        while cur != "__S__":
            dominated[cur] = dominated.get(cur, 0.0) + weight[f]
            cur = idom[cur]
    reach: dict[str, set[str]] = {}
    for v in reversed(list(nx.topological_sort(graph))):
        acc = {v} if graph.nodes[v]["final"] else set()
        for u in graph.successors(v):
            acc |= reach[u]
        reach[v] = acc
    ko_weight = {v: sum(weight[f] for f in r) / total for v, r in reach.items()}
    times["reach+dominators"] = time.perf_counter() - start

    start = time.perf_counter()
    control = {
        v: h * ko_weight.get(v, 0.0) for v, (hhi, top, h) in conc.items() if h >= 0.65 or (h == top and hhi > 0.4)
    }
    times["control points"] = time.perf_counter() - start
    del control

    start = time.perf_counter()
    order = list(nx.topological_sort(graph))
    countries = sorted({c for sup in shares.values() for c in sup})
    for c, _bound in itertools.product(countries, ("low", "high")):  # the same work as both bounds
        avail: dict[str, float] = {}
        for v in order:
            a = 1.0 - shares.get(v, {}).get(c, 0.0)
            for u in graph.predecessors(v):
                a = min(a, avail[u])
            avail[v] = a
    times["sweep 60 countries (low+high)"] = time.perf_counter() - start
    times["total"] = sum(times.values())
    return times


def run_floor(data: Synthetic) -> float:
    """Seconds for one numpy pass over the edges (gather + segmented minimum)."""
    index = pd.Index(data.nodes["node_id"])
    src = index.get_indexer(data.edges["src"]).astype(np.int64)
    dst = index.get_indexer(data.edges["dst"]).astype(np.int64)
    order = np.argsort(dst, kind="stable")
    src, dst = src[order], dst[order]
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    values = np.random.default_rng(0).random(len(data.nodes), dtype=np.float32)
    start = time.perf_counter()
    np.minimum.reduceat(values[src], starts)
    return time.perf_counter() - start


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one block per size (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.graph", description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="edge counts, comma-separated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--networkx-all", action="store_true", help="also run networkx above 100k edges")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    nx_ref: tuple[int, float] | None = None
    print(f"supply-graph benchmark (seed {args.seed}); times in seconds")
    for size in sizes:
        data = generate(size, seed=args.seed)
        gc.collect()
        arrays = run_arrays(data)
        peak = _peak_mib()
        floor = run_floor(data)
        n_edges, n_nodes = len(data.edges), len(data.nodes)
        n_finals = int((data.nodes["kind"] == "final_product").sum())
        print(f"\n{n_edges:,} edges, {n_nodes:,} nodes, {n_finals:,} final products")
        for name, seconds in arrays.items():
            print(f"  arrays   {name:<20} {seconds:8.3f}")
        print(f"  peak RSS after the array path: {peak:,.0f} MiB")
        print(f"  floor    one numpy pass          {floor:8.4f}")
        if size <= NX_DEFAULT_MAX or args.networkx_all:
            nxt = run_networkx(data)
            nx_ref = (n_edges, nxt["total"])
            for name, seconds in nxt.items():
                print(f"  networkx {name:<20} {seconds:8.3f}")
            label, nx_total = "measured", nxt["total"]
        else:
            if nx_ref is None:  # measure networkx once at the default maximum to extrapolate
                ref_data = generate(NX_DEFAULT_MAX, seed=args.seed)
                nx_ref = (len(ref_data.edges), run_networkx(ref_data)["total"])
                del ref_data
            nx_total = nx_ref[1] * n_edges / nx_ref[0]
            label = f"extrapolated linearly from {nx_ref[0]:,} edges (not run at this size)"
        print(
            f"  networkx total {nx_total:.2f} s ({label}); arrays are "
            f"{nx_total / arrays['total']:.1f}x faster; arrays / floor = "
            f"{arrays['total'] / max(floor, 1e-9):.0f}x"
        )
    sys.stdout.flush()


def _with_alternatives(pairs: pd.DataFrame, dst: np.ndarray, final_lo: int, rng: np.random.Generator) -> pd.DataFrame:
    """Relations for the generated pairs: the in-edges of CATEGORY of the non-final nodes are
    ``is_type_of`` (shares from a gamma draw, UNKNOWN_SHARE of them unknown), SUBSTITUTE of the
    rest ``substitutes`` (uniform factors), the others ``goes_into``."""
    m = len(pairs)
    is_cat = np.zeros(final_lo, dtype=bool)
    is_cat[rng.random(final_lo) < CATEGORY] = True
    typed = (dst < final_lo) & is_cat[np.minimum(dst, final_lo - 1)]
    sub = ~typed & (rng.random(m) < SUBSTITUTE)
    relation = np.where(typed, "is_type_of", np.where(sub, "substitutes", "goes_into")).astype(object)
    raw = rng.gamma(0.8, size=m)
    sums = np.bincount(dst, weights=np.where(typed, raw, 0.0), minlength=int(dst.max(initial=0)) + 1)
    share = np.where(typed, np.round(raw / np.maximum(sums[dst], 1e-12) * 0.999, 4), np.nan)
    share = np.where(typed & (rng.random(m) < UNKNOWN_SHARE), np.nan, share)
    factor = np.where(sub, np.round(rng.uniform(0.1, 1.0, size=m), 3), np.nan)
    return pairs.assign(relation=relation, share=share, factor=factor, source="synthetic")


if __name__ == "__main__":
    main()
