"""Disruption propagation (docs/methods/disruption.md).

A shock removes a fraction f of the supply of chosen suppliers (a country's export ban, a firm's
failure) or of a node:

    o(v) = 1 - sum over shocked suppliers s of x_s(v) f_s - f_node(v)    (clipped to [0, 1])
    a(v) = min(o(v), min over inputs u of a(u))      ("only as far as its scarcest input allows")
    loss(v) = 1 - a(v)

Several shocks combine additively in o(v). Country shocks use the country view of the shares
(country rows, else firm rows summed by headquarters); firm shocks use firm rows. Unknown shares
(NaN) cannot be subtracted: the point estimate uses the known shares and each node reports
``unknown_share_exposure`` when a shocked supplier has an unknown share there (or upstream).

:func:`country_sweep` runs one scenario per country in one pass: scenarios are the columns of a
float32 matrix propagated level by level (one gather and one ``minimum.reduceat`` per level).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from supplychain.errors import UnknownItemError
from supplychain.graph import SupplyGraph
from supplychain.losses import final_loss_frame, market_loss, share_matrix

__all__ = [
    "DisruptionResult",
    "Shock",
    "SweepResult",
    "apply_stocks",
    "country_sweep",
    "knockout_suppliers",
    "market_loss",
    "own_availability",
    "propagate_availability",
    "share_matrix",
    "simulate",
]


@dataclass(frozen=True)
class Shock:
    """Remove ``fraction`` (0-1) of the supply of a country, a firm or a node."""

    kind: Literal["country", "firm", "node"]
    target: str
    fraction: float = 1.0


@dataclass(frozen=True)
class DisruptionResult:
    """Result of :func:`simulate`.

    Attributes
    ----------
    nodes
        ``node_id, own_availability, availability, loss, limiting_input,
        unknown_share_exposure, explanation`` (one row per node).
    finals
        ``node_id, markets, market_weight, loss`` for the final products.
    markets
        ``market, n_finals, weighted_loss, max_loss`` per focus market.
    shocks
        The shocks applied.
    """

    nodes: pd.DataFrame
    finals: pd.DataFrame
    markets: pd.DataFrame
    shocks: tuple[Shock, ...]


@dataclass(frozen=True)
class SweepResult:
    """Result of :func:`country_sweep`: one scenario (column) per country.

    ``availability`` is an (n_nodes, n_countries) float32 matrix (``None`` when not kept);
    ``final_loss`` has one row per final product and one column per country; ``market_loss`` one
    row per market.
    """

    countries: tuple[str, ...]
    fraction: float
    availability: np.ndarray | None
    final_loss: pd.DataFrame
    market_loss: pd.DataFrame


def own_availability(
    graph: SupplyGraph,
    shocks: Sequence[Shock],
    *,
    country_shares: pd.DataFrame | None = None,
    firm_shares: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """o(v) for a set of shocks, and the unknown-share exposure mask.

    Raises
    ------
    UnknownItemError
        When a shocked node, country or firm is not in the data.
    """
    own = np.ones(graph.n, dtype=np.float64)
    unknown = np.zeros(graph.n, dtype=bool)
    matrices = {}
    for kind, frame in (("country", country_shares), ("firm", firm_shares)):
        if frame is not None:
            matrices[kind] = share_matrix(graph, frame)
    for shock in shocks:
        f = float(shock.fraction)
        if shock.kind == "node":
            idx = graph.index_of([shock.target])[0]
            if idx < 0:
                raise UnknownItemError(f"node {shock.target!r} is not in the graph")
            own[idx] -= f
            continue
        if shock.kind not in matrices:
            raise UnknownItemError(f"no {shock.kind} shares given for the {shock.kind} shock")
        known, suppliers, unk = matrices[shock.kind]
        if shock.target not in suppliers:
            raise UnknownItemError(f"{shock.kind} {shock.target!r} supplies no node in the data; check the id")
        j = suppliers.index(shock.target)
        own -= f * known[:, j].toarray().ravel()
        unknown |= unk[:, j].toarray().ravel() > 0
    return np.clip(own, 0.0, 1.0), unknown


def apply_stocks(graph: SupplyGraph, own: np.ndarray, stock_months: pd.Series, *, duration_months: float) -> np.ndarray:
    """Own availability averaged over a shock of ``duration_months`` when stocks cover s_v months.

    A stock covering s_v months of normal use bridges the first s_v months of the shock, so the
    average own availability over the shock is o'(v) = 1 - (1 - o(v)) x max(0, 1 - s_v / T)
    (T = ``duration_months``; a time-to-survive s_v >= T means no loss). Nodes without a stock
    keep o(v). Works for one scenario (n,) or many (n, k).
    """
    if duration_months <= 0:
        raise ValueError(f"duration_months must be > 0, got {duration_months}; give the shock's length")
    months = np.zeros(graph.n, dtype=np.float64)
    pos = graph.index_of(pd.Series(stock_months.index.astype(str), dtype="str"))
    found = pos >= 0
    months[pos[found]] = np.asarray(stock_months.to_numpy(dtype=np.float64))[found]
    keep = np.clip(1.0 - months / duration_months, 0.0, 1.0)
    if own.ndim == 2:
        keep = keep[:, None]
    return (1.0 - (1.0 - own) * keep).astype(own.dtype)


def propagate_availability(graph: SupplyGraph, own: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """a(v) = min(o(v), min over inputs a(u)), for one scenario (n,) or many (n, k) at once.

    ``in_place=True`` overwrites ``own`` (saves one copy of a large scenario matrix).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from supplychain.graph import build_graph
    >>> nodes = pd.DataFrame({"node_id": ["a", "b", "c"], "kind": ["material", "tool", "final_product"]})
    >>> graph = build_graph(nodes, pd.DataFrame({"src": ["a", "b"], "dst": ["b", "c"], "relation": "goes_into"}))
    >>> propagate_availability(graph, np.array([0.5, 1.0, 0.8])).tolist()
    [0.5, 0.5, 0.5]
    >>> propagate_availability(graph, np.array([1.0, 0.7, 0.9])).tolist()
    [1.0, 0.7, 0.7]
    """
    avail = own if in_place else np.array(own, copy=True)
    for block in graph.levels_in:
        if len(block.nodes) == 0:
            continue
        low = block.reduce(avail, np.minimum)
        avail[block.nodes] = np.minimum(low, np.take(avail, block.nodes, axis=0), out=low)
    return avail


def simulate(
    graph: SupplyGraph,
    shocks: Sequence[Shock],
    *,
    country_shares: pd.DataFrame | None = None,
    firm_shares: pd.DataFrame | None = None,
    stock_months: pd.Series | None = None,
    duration_months: float | None = None,
) -> DisruptionResult:
    """Propagate one combination of shocks; report loss per node, final product and market.

    Parameters
    ----------
    graph, shocks
        The graph and the shocks (combined additively in o(v)).
    country_shares, firm_shares
        Country-view and firm-view share frames (:func:`supplychain.concentration.supplier_shares`).
    stock_months, duration_months
        Optional stocks (months of normal use, indexed by node id) and the shock's duration:
        see :func:`apply_stocks` (Simchi-Levi's time-to-survive, averaged over the shock).

    Examples
    --------
    A chain gallium -> laser -> radar; China (0.98 of gallium) stops its exports. The loss
    travels down the chain, limited at each step by the scarcest input:

    >>> import pandas as pd
    >>> from supplychain.concentration import supplier_shares
    >>> from supplychain.graph import build_graph
    >>> from supplychain.schema import validate_provision
    >>> nodes = pd.DataFrame({"node_id": ["gallium", "laser", "radar"],
    ...                       "kind": ["material", "tool", "final_product"], "markets": ["", "", "dsii"]})
    >>> edges = pd.DataFrame({"src": ["gallium", "laser"], "dst": ["laser", "radar"], "relation": "goes_into"})
    >>> graph = build_graph(nodes, edges)
    >>> shares = supplier_shares(validate_provision(pd.DataFrame({
    ...     "node_id": ["gallium", "gallium", "laser"], "supplier_id": ["CHN", "JPN", "NLD"],
    ...     "supplier_type": "country", "country": ["CHN", "JPN", "NLD"], "share": [0.98, 0.02, 1.0]})))
    >>> result = simulate(graph, [Shock("country", "CHN", 1.0)], country_shares=shares)
    >>> result.nodes[["node_id", "loss", "limiting_input"]].round(2).values.tolist()
    [['gallium', 0.98, ''], ['laser', 0.98, 'gallium'], ['radar', 0.98, 'laser']]
    >>> result.markets[["market", "weighted_loss"]].round(2).values.tolist()
    [['dsii', 0.98]]

    Six months of gallium in stock bridge half of a twelve-month shock, averaged over the shock:

    >>> stocks = pd.Series({"gallium": 6.0})
    >>> half = simulate(graph, [Shock("country", "CHN", 1.0)], country_shares=shares,
    ...                 stock_months=stocks, duration_months=12.0)
    >>> half.nodes["loss"].round(2).tolist()
    [0.49, 0.49, 0.49]
    """
    own, unknown = own_availability(graph, shocks, country_shares=country_shares, firm_shares=firm_shares)
    if stock_months is not None and duration_months is not None:
        own = apply_stocks(graph, own, stock_months, duration_months=duration_months)
    avail = propagate_availability(graph, own)
    exposed = or_downstream_bool(graph, unknown)
    limiting = _limiting_input(graph, avail, own)
    loss = 1.0 - avail
    texts = []
    for v in range(graph.n):
        node = str(graph.ids[v])
        if loss[v] <= 0:
            texts.append(f"{node}: no loss")
            continue
        src = (
            f"limited by input {limiting[v]} (availability {avail[v]:.3f})"
            if limiting[v]
            else f"own supply falls to o = {own[v]:.3f}"
        )
        note = "; a shocked supplier has an unknown share upstream" if exposed[v] else ""
        texts.append(f"{node}: loss {loss[v]:.3f}: {src}{note}")
    nodes = pd.DataFrame(
        {
            "node_id": graph.id_series,
            "own_availability": own,
            "availability": avail,
            "loss": loss,
            "limiting_input": limiting,
            "unknown_share_exposure": exposed,
            "explanation": texts,
        }
    )
    finals = final_loss_frame(graph, loss[:, None], ["loss"])
    markets = market_loss(graph, loss[:, None], ["loss"]).rename(columns={"loss": "weighted_loss"})
    return DisruptionResult(nodes=nodes, finals=finals, markets=markets, shocks=tuple(shocks))


def country_sweep(
    graph: SupplyGraph,
    country_shares: pd.DataFrame,
    *,
    fraction: float = 1.0,
    countries: Sequence[str] | None = None,
    keep_availability: bool = True,
    chunk_columns: int = 16,
) -> SweepResult:
    """One scenario per country (its supply cut by ``fraction``), as columns of float32 matrices.

    Parameters
    ----------
    graph, country_shares
        The graph and the country-view shares.
    fraction
        Share of each country's supply removed (1.0 = full export ban).
    countries
        Countries to sweep (default: every supplier country in the data).
    keep_availability
        Return the (n_nodes x n_countries) availability matrix; False keeps only the final
        products' and markets' losses (saves memory on large graphs).
    chunk_columns
        Scenarios propagated together (one reused float32 buffer of n_nodes x chunk_columns).
    """
    known, suppliers, _ = share_matrix(graph, country_shares)
    if countries is not None:
        missing = [c for c in countries if c not in suppliers]
        if missing:
            raise UnknownItemError(f"countries {missing} supply no node in the data")
        known = known[:, [suppliers.index(c) for c in countries]]
        suppliers = tuple(countries)
    n, k = known.shape
    csc = known.tocsc()  # duplicates are summed by the sparse constructor: pairs are unique
    finals = graph.finals
    loss = np.empty((len(finals), k), dtype=np.float32)
    avail = np.empty((n, k), dtype=np.float32) if keep_availability else None
    width = max(1, min(chunk_columns, k))
    buf = np.empty((n, width), dtype=np.float32)
    for lo in range(0, k, width):
        hi = min(lo + width, k)
        block = buf if hi - lo == width else np.empty((n, hi - lo), dtype=np.float32)
        block.fill(1.0)
        part = csc[:, lo:hi].tocoo()
        flat = block.reshape(-1)  # a view: (row, col) pairs are unique, one flat gather-subtract
        flat[part.row.astype(np.int64) * (hi - lo) + part.col] -= np.float32(fraction) * part.data.astype(np.float32)
        np.clip(block, 0.0, 1.0, out=block)
        propagate_availability(graph, block, in_place=True)
        loss[:, lo:hi] = 1.0 - block[finals]  # only final products are reported
        if avail is not None:
            avail[:, lo:hi] = block
    return SweepResult(
        countries=suppliers,
        fraction=float(fraction),
        availability=avail,
        final_loss=final_loss_frame(graph, loss, list(suppliers), finals_aligned=True),
        market_loss=market_loss(graph, loss, list(suppliers), finals_aligned=True),
    )


def knockout_suppliers(graph: SupplyGraph, shares: pd.DataFrame, *, tolerance: float = 1e-6) -> pd.DataFrame:
    """Suppliers whose complete failure cuts final products (availability <= ``tolerance``).

    Returns ``supplier_id, n_nodes_cut, n_finals_cut, finals_cut`` sorted by ``n_finals_cut``
    descending then id; a node is cut by a supplier whose known shares there sum to 1.
    """
    sweep = country_sweep(graph, shares, fraction=1.0)
    assert sweep.availability is not None
    cut = sweep.availability <= tolerance
    own_cut = (1.0 - share_matrix(graph, shares)[0].toarray()) <= tolerance
    finals = graph.finals
    rows = []
    for j, sup in enumerate(sweep.countries):
        fin = graph.ids[finals[cut[finals, j]]]
        rows.append((sup, int(own_cut[:, j].sum()), len(fin), ";".join(map(str, fin))))
    out = pd.DataFrame(rows, columns=["supplier_id", "n_nodes_cut", "n_finals_cut", "finals_cut"])
    out = out.sort_values(["n_finals_cut", "supplier_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def or_downstream_bool(graph: SupplyGraph, mask: np.ndarray) -> np.ndarray:
    """True for nodes at or downstream of a True node (the flag flows along the edges)."""
    out = mask.astype(np.uint8)
    for block in graph.levels_in:
        if len(block.nodes) == 0:
            continue
        low = block.reduce(out, np.bitwise_or)
        out[block.nodes] = np.bitwise_or(out[block.nodes], low)
    return out > 0


def _limiting_input(graph: SupplyGraph, avail: np.ndarray, own: np.ndarray) -> list[str]:
    """The input with the lowest availability where it is below the node's own o(v)."""
    out = [""] * graph.n
    dst = np.repeat(np.arange(graph.n), np.diff(graph.in_ptr))
    if len(dst) == 0:
        return out
    vals = avail[graph.in_idx]
    order = np.lexsort((graph.in_idx, vals, dst))
    first = order[np.r_[True, dst[order][1:] != dst[order][:-1]]]
    for pos in first:
        v, u = int(dst[pos]), int(graph.in_idx[pos])
        if avail[u] < own[v] and avail[u] <= avail[v]:
            out[v] = str(graph.ids[u])
    return out
