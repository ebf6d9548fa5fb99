"""Disruption propagation with loss intervals (docs/methods/disruption.md, docs/methods/alternatives.md).

A shock removes a fraction f of the supply of chosen suppliers (a country's export ban, a firm's
failure) or of a node. A supplier's share x_s(v) is known only as an interval
[x_low, x_high] (equal where the data give the share; :func:`supplychain.losses.as_share_bounds`):

    o_low(v)  = 1 - sum over shocked s of f_s x_high_s(v) - f_node(v)     (clipped to [0, 1])
    o_high(v) = 1 - sum over shocked s of f_s x_low_s(v)  - f_node(v)
    a(v) = combine(o(v), inputs)     (:func:`supplychain.alternatives.propagate`: required
                                      inputs by min, types share-weighted, substitutes)
    loss_low = 1 - a_high,  loss_high = 1 - a_low

Every step of ``combine`` is non-decreasing in o and in the inputs, so propagating o_low (with
the lowest completion of unknown type shares) and o_high (with the highest) brackets the loss of
every completion of the unknown shares: a supplier named without a share gives a loss interval,
never a zero the data do not support. Several shocks combine additively in o(v).

:func:`country_sweep` (:mod:`supplychain.sweep`, re-exported here) runs one scenario per country
in one pass, once for the low and once for the high bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from supplychain.alternatives import propagate
from supplychain.errors import ParameterError, SchemaError, UnknownItemError
from supplychain.graph import SupplyGraph
from supplychain.losses import final_loss_frame, market_loss, share_matrix
from supplychain.sweep import SweepResult, country_sweep, knockout_suppliers, sweep_table

__all__ = [
    "SHOCK_KINDS",
    "DisruptionResult",
    "Shock",
    "ShockKind",
    "SweepResult",
    "apply_stocks",
    "country_sweep",
    "knockout_suppliers",
    "market_loss",
    "own_availability",
    "propagate_availability",
    "share_matrix",
    "simulate",
    "sweep_table",
]


SHOCK_KINDS = ("country", "firm", "node")
ShockKind = Literal["country", "firm", "node"]


@dataclass(frozen=True)
class Shock:
    """Remove ``fraction`` (0-1) of the supply of a country, a firm or a node; it checks itself when built.

    ``nodes`` restricts a country or firm shock to the supply of those nodes (an export control on named
    products, such as China's 2023 licensing of gallium and germanium); empty means every node the supplier
    supplies. The one shock type of the analyser: the CLI, the app and scenario files build it.

    Examples
    --------
    >>> Shock("country", "CHN", 1.0, nodes=("gallium",))
    Shock(kind='country', target='CHN', fraction=1.0, nodes=('gallium',))
    >>> Shock("country", "CHN", 1.5)
    Traceback (most recent call last):
    ...
    supplychain.errors.SchemaError: shock country:CHN: the fraction 1.5 must lie between 0 and 1 (1 = all supply lost)
    """

    kind: ShockKind
    target: str
    fraction: float = 1.0
    nodes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in SHOCK_KINDS:
            raise SchemaError(f"shock kind {self.kind!r} is not one of {', '.join(SHOCK_KINDS)}")
        if not str(self.target).strip():
            raise SchemaError(f"a {self.kind} shock needs a target id")
        fraction = float(self.fraction)
        if not 0.0 <= fraction <= 1.0:  # also refuses NaN
            raise SchemaError(
                f"shock {self.kind}:{self.target}: the fraction {self.fraction:g} must lie between 0 and 1 "
                "(1 = all supply lost)"
            )
        if self.nodes and self.kind == "node":
            raise SchemaError(f"shock node:{self.target}: a node shock cannot be restricted to other nodes")
        object.__setattr__(self, "fraction", fraction)
        object.__setattr__(self, "nodes", tuple(str(n) for n in self.nodes))

    def label(self) -> str:
        """``country:CHN=1`` or ``country:CHN=1@gallium+germanium``: how runs record the shock."""
        where = f"@{'+'.join(self.nodes)}" if self.nodes else ""
        return f"{self.kind}:{self.target}={self.fraction:g}{where}"


@dataclass(frozen=True)
class DisruptionResult:
    """Result of :func:`simulate`.

    Attributes
    ----------
    nodes
        ``node_id, own_availability_low, own_availability_high, availability_low,
        availability_high, loss_low, loss_high, limiting_input, unknown_share_exposure,
        explanation`` (one row per node).
    finals
        ``node_id, markets, market_weight, loss_low, loss_high`` for the final products.
    markets
        ``market, n_finals, weighted_loss_low, weighted_loss_high, max_loss_low,
        max_loss_high`` per focus market.
    shocks
        The shocks applied.
    """

    nodes: pd.DataFrame
    finals: pd.DataFrame
    markets: pd.DataFrame
    shocks: tuple[Shock, ...]


def own_availability(
    graph: SupplyGraph,
    shocks: Sequence[Shock],
    *,
    country_shares: pd.DataFrame | None = None,
    firm_shares: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(o_low, o_high, unknown): own availability bounds for a set of shocks, and the mask of
    nodes where a shocked supplier's share is not a point value.

    ``country_shares``/``firm_shares``: interval frames (``node_id, supplier, share_low,
    share_high``) or point frames (``node_id, supplier_id, share``), see
    :func:`supplychain.losses.as_share_bounds`.

    Raises
    ------
    UnknownItemError
        When a shocked node, country or firm is not in the data.
    """
    cut_low = np.zeros(graph.n, dtype=np.float64)
    cut_high = np.zeros(graph.n, dtype=np.float64)
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
            cut_low[idx] += f
            cut_high[idx] += f
            continue
        if shock.kind not in matrices:
            raise UnknownItemError(f"no {shock.kind} shares given for the {shock.kind} shock")
        low, suppliers, high = matrices[shock.kind]
        if shock.target not in suppliers:
            raise UnknownItemError(f"{shock.kind} {shock.target!r} supplies no node in the data; check the id")
        j = suppliers.index(shock.target)
        lo, hi = low[:, j].toarray().ravel(), high[:, j].toarray().ravel()
        if shock.nodes:  # an export control on named products: the supplier's other supply stays
            where = graph.index_of(list(shock.nodes))
            if (where < 0).any():
                missing = [n for n, w in zip(shock.nodes, where, strict=True) if w < 0]
                raise UnknownItemError(f"shock {shock.label()}: nodes {missing} are not in the graph")
            keep = np.zeros(graph.n, dtype=bool)
            keep[where] = True
            lo, hi = np.where(keep, lo, 0.0), np.where(keep, hi, 0.0)
        cut_low += f * lo
        cut_high += f * hi
        unknown |= hi > lo + 1e-12
    return np.clip(1.0 - cut_high, 0.0, 1.0), np.clip(1.0 - cut_low, 0.0, 1.0), unknown


def apply_stocks(graph: SupplyGraph, own: np.ndarray, stock_months: pd.Series, *, duration_months: float) -> np.ndarray:
    """Own availability averaged over a shock of ``duration_months`` when stocks cover s_v months.

    A stock covering s_v months of normal use bridges the first s_v months of the shock, so the
    average own availability over the shock is o'(v) = 1 - (1 - o(v)) x max(0, 1 - s_v / T)
    (T = ``duration_months``; a time-to-survive s_v >= T means no loss). Nodes without a stock
    keep o(v). Works for one scenario (n,) or many (n, k).
    """
    if duration_months <= 0:
        raise ParameterError(f"duration_months must be > 0, got {duration_months}; give the shock's length")
    months = np.zeros(graph.n, dtype=np.float64)
    pos = graph.index_of(pd.Series(stock_months.index.astype(str), dtype="str"))
    found = pos >= 0
    months[pos[found]] = np.asarray(stock_months.to_numpy(dtype=np.float64))[found]
    keep = np.clip(1.0 - months / duration_months, 0.0, 1.0)
    if own.ndim == 2:
        keep = keep[:, None]
    return (1.0 - (1.0 - own) * keep).astype(own.dtype)


def propagate_availability(
    graph: SupplyGraph, own: np.ndarray, *, high: bool = False, in_place: bool = False
) -> np.ndarray:
    """a(v) for one scenario (n,) or many (n, k) at once (:func:`supplychain.alternatives.propagate`).

    ``high`` selects the highest completion of unknown type shares (use it with o_high);
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
    return propagate(graph, own, high=high, in_place=in_place)


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
        Country-view and firm-view share frames (:func:`supplychain.shares.supplier_shares`).
    stock_months, duration_months
        Optional stocks (months of normal use, indexed by node id) and the shock's duration:
        see :func:`apply_stocks` (Simchi-Levi's time-to-survive, averaged over the shock).

    Examples
    --------
    A chain gallium -> laser -> radar; China (0.98 of gallium) stops its exports. The loss
    travels down the chain, limited at each step by the scarcest input:

    >>> import pandas as pd
    >>> from supplychain.shares import supplier_shares
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
    >>> result.nodes[["node_id", "loss_low", "loss_high", "limiting_input"]].round(2).values.tolist()
    [['gallium', 0.98, 0.98, ''], ['laser', 0.98, 0.98, 'gallium'], ['radar', 0.98, 0.98, 'laser']]
    >>> result.markets[["market", "weighted_loss_low", "weighted_loss_high"]].round(2).values.tolist()
    [['dsii', 0.98, 0.98]]

    Six months of gallium in stock bridge half of a twelve-month shock, averaged over the shock:

    >>> stocks = pd.Series({"gallium": 6.0})
    >>> half = simulate(graph, [Shock("country", "CHN", 1.0)], country_shares=shares,
    ...                 stock_months=stocks, duration_months=12.0)
    >>> half.nodes["loss_high"].round(2).tolist()
    [0.49, 0.49, 0.49]
    """
    own_low, own_high, unknown = own_availability(graph, shocks, country_shares=country_shares, firm_shares=firm_shares)
    if stock_months is not None and duration_months is not None:
        own_low = apply_stocks(graph, own_low, stock_months, duration_months=duration_months)
        own_high = apply_stocks(graph, own_high, stock_months, duration_months=duration_months)
    avail_low = propagate(graph, own_low)
    avail_high = propagate(graph, own_high, high=True)
    exposed = or_downstream_bool(graph, unknown)
    limiting = _limiting_input(graph, avail_low, own_low)
    loss_low, loss_high = 1.0 - avail_high, 1.0 - avail_low
    texts = [_explain(graph, v, loss_low, loss_high, limiting, own_low, avail_low, exposed) for v in range(graph.n)]
    nodes = pd.DataFrame(
        {
            "node_id": graph.id_series,
            "own_availability_low": own_low,
            "own_availability_high": own_high,
            "availability_low": avail_low,
            "availability_high": avail_high,
            "loss_low": loss_low,
            "loss_high": loss_high,
            "limiting_input": limiting,
            "unknown_share_exposure": exposed,
            "explanation": texts,
        }
    )
    both = np.column_stack([loss_low, loss_high])
    finals = final_loss_frame(graph, both, ["loss_low", "loss_high"])
    markets = market_loss(graph, both, ["weighted_loss_low", "weighted_loss_high"])
    maxima = market_loss(graph, both, ["max_loss_low", "max_loss_high"], how="max")
    markets = markets.merge(maxima.drop(columns="n_finals"), on="market", how="left")
    return DisruptionResult(nodes=nodes, finals=finals, markets=markets, shocks=tuple(shocks))


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


def _explain(
    graph: SupplyGraph,
    v: int,
    loss_low: np.ndarray,
    loss_high: np.ndarray,
    limiting: list[str],
    own: np.ndarray,
    avail: np.ndarray,
    exposed: np.ndarray,
) -> str:
    node = str(graph.ids[v])
    if loss_high[v] <= 0:
        return f"{node}: no loss"
    amount = (
        f"loss {loss_low[v]:.3f}"
        if loss_high[v] - loss_low[v] < 1e-9
        else f"loss at least {loss_low[v]:.3f} and at most {loss_high[v]:.3f}"
    )
    src = (
        f"limited by input {limiting[v]} (availability at least {avail[v]:.3f})"
        if limiting[v]
        else f"own supply falls to at least o = {own[v]:.3f}"
    )
    note = "; a shocked supplier's share is unknown here or upstream, hence the interval" if exposed[v] else ""
    return f"{node}: {amount}: {src}{note}"
