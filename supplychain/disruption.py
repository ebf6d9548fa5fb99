"""Disruption propagation (METHODS.md section 6).

A shock removes a fraction f of the supply of chosen suppliers (a country's export ban, a firm's
failure) or of a node:

    o(v) = 1 - sum over shocked suppliers s of x_s(v) f_s - f_node(v)    (clipped to [0, 1])
    a(v) = min(o(v), min over inputs u of a(u))      ("only as far as its scarcest input allows")
    loss(v) = 1 - a(v)

Several shocks combine additively in o(v). Country shocks use the country view of the shares
(country rows, else firm rows summed by headquarters); firm shocks use firm rows. Unknown shares
(NaN) cannot be subtracted: the point estimate uses the known shares and each node reports
``unknown_share_exposure`` when a shocked supplier has an unknown share there (or upstream).

:func:`supplychain.sweep.country_sweep` runs one scenario per country in one pass: scenarios are
the columns of a float32 matrix propagated level by level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from supplychain.errors import UnknownItemError
from supplychain.graph import SupplyGraph

__all__ = [
    "DisruptionResult",
    "Shock",
    "apply_stocks",
    "final_loss_frame",
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


def share_matrix(graph: SupplyGraph, shares: pd.DataFrame) -> tuple[sp.csr_matrix, tuple[str, ...], sp.csr_matrix]:
    """Sparse (node x supplier) matrices of known shares and of unknown-share markers.

    Parameters
    ----------
    graph
        Array form of the graph (row order).
    shares
        Frame with ``node_id, supplier_id, share`` (e.g. from
        :func:`supplychain.concentration.supplier_shares`); rows of unknown nodes are ignored.

    Returns
    -------
    (known, suppliers, unknown)
        ``known[v, j]`` = share of supplier j at node v (0 where unknown); ``unknown[v, j]`` = 1
        where the supplier is known and its share is not; ``suppliers`` sorted ids.
    """
    codes, uniques = pd.factorize(shares["node_id"])
    uniq = np.asarray(uniques, dtype=object)
    if len(uniq) == graph.n and np.array_equal(uniq, graph.ids):
        rows = codes.astype(np.int64)
    else:
        rows = graph.index_of(pd.Series(uniq, dtype="str"))[codes] if len(uniq) else codes.astype(np.int64)
    keep = rows >= 0
    sup_codes, suppliers = pd.factorize(shares["supplier_id"].to_numpy()[keep], sort=True)
    vals = shares["share"].to_numpy(dtype=np.float64)[keep]
    r = rows[keep]
    shape = (graph.n, len(suppliers))
    known_mask = ~np.isnan(vals)
    known = sp.csr_matrix((vals[known_mask], (r[known_mask], sup_codes[known_mask])), shape=shape)
    unknown = sp.csr_matrix((np.ones(int((~known_mask).sum())), (r[~known_mask], sup_codes[~known_mask])), shape=shape)
    return known, tuple(str(s) for s in suppliers), unknown


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
    """
    avail = own if in_place else np.array(own, copy=True)
    for block in graph.levels_in:
        if len(block.nodes) == 0:
            continue
        low = block.reduce(avail, np.minimum)
        avail[block.nodes] = np.minimum(np.take(avail, block.nodes, axis=0), low)
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


def market_loss(
    graph: SupplyGraph, loss: np.ndarray, columns: list[str], *, finals_aligned: bool = False
) -> pd.DataFrame:
    """Market-weighted mean loss of the final products serving each focus market.

    weighted_loss(m) = sum_f w_f loss_f / sum_f w_f over final products f in market m.
    ``loss`` has one row per node, or one row per final product (``graph.finals`` order) when
    ``finals_aligned``.
    """
    finals = graph.finals
    if not finals_aligned:
        loss = loss[finals]
    rows = []
    for j, market in enumerate(graph.markets):
        word, bit = divmod(j, 64)
        inside = (graph.market_bits[finals, word] >> np.uint64(bit)) & np.uint64(1) > 0
        member = finals[inside]
        w = graph.weight[member]
        total = float(w.sum())
        lf = loss[inside].astype(np.float64)
        weighted = (w[:, None] * lf).sum(axis=0) / total if total > 0 else lf.mean(axis=0)
        rows.append([market, len(member), *weighted.tolist()])
    out = pd.DataFrame(rows, columns=["market", "n_finals", *columns])
    if len(columns) == 1:
        out["max_loss"] = [
            float(loss[np.isin(finals, _members(graph, j))].max(initial=0.0)) for j in range(len(graph.markets))
        ]
    return out


def or_downstream_bool(graph: SupplyGraph, mask: np.ndarray) -> np.ndarray:
    """True for nodes at or downstream of a True node (the flag flows along the edges)."""
    out = mask.astype(np.uint8)
    for block in graph.levels_in:
        if len(block.nodes) == 0:
            continue
        low = block.reduce(out, np.bitwise_or)
        out[block.nodes] = np.bitwise_or(out[block.nodes], low)
    return out > 0


def _members(graph: SupplyGraph, j: int) -> np.ndarray:
    finals = graph.finals
    word, bit = divmod(j, 64)
    return finals[(graph.market_bits[finals, word] >> np.uint64(bit)) & np.uint64(1) > 0]


def final_loss_frame(
    graph: SupplyGraph, loss: np.ndarray, columns: list[str], *, finals_aligned: bool = False
) -> pd.DataFrame:
    """``node_id, markets, market_weight`` and one loss column per scenario, per final product."""
    finals = graph.finals
    labels = np.asarray(graph.markets, dtype=object)
    patterns, inverse = np.unique(graph.market_bits[finals], axis=0, return_inverse=True)
    names = []
    for bits in patterns:
        flags = np.unpackbits(np.ascontiguousarray(bits).view(np.uint8), bitorder="little")[: len(labels)]
        names.append(";".join(labels[flags.astype(bool)]))
    markets: np.ndarray | list[str] = np.asarray(names, dtype=object)[inverse.ravel()] if len(finals) else []
    out = pd.DataFrame({"node_id": graph.ids[finals].astype(str), "markets": markets})
    out["market_weight"] = graph.weight[finals]
    values = pd.DataFrame((loss if finals_aligned else loss[finals]).astype(np.float64), columns=columns)
    return pd.concat([out, values], axis=1)


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
