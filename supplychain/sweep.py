"""Every country at once: the all-countries sweep with loss intervals (docs/methods/disruption.md).

:func:`country_sweep` runs one scenario per country in one pass: scenarios are the columns of a
float32 matrix propagated level by level (:func:`supplychain.alternatives.propagate`), once with
the countries' highest shares and the lowest type completion (availability_low, loss_high) and
once with their lowest shares and the highest completion (availability_high, loss_low).
:func:`knockout_suppliers` lists the suppliers whose failure cuts final products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplychain.alternatives import propagate_blocks
from supplychain.errors import UnknownItemError
from supplychain.graph import SupplyGraph
from supplychain.losses import ShareMatrices, final_loss_frame, market_loss, share_matrix

__all__ = ["SweepResult", "country_sweep", "knockout_suppliers", "sweep_table"]


@dataclass(frozen=True)
class SweepResult:
    """Result of :func:`country_sweep`: one scenario (column) per country.

    ``availability_low``/``_high`` are (n_nodes, n_countries) float32 matrices (``None`` when not
    kept); ``final_loss_low``/``_high`` have one row per final product and one column per
    country; ``market_loss_low``/``_high`` one row per market (:func:`sweep_table` gives the
    long form with ``loss_low, loss_high``).
    """

    countries: tuple[str, ...]
    fraction: float
    availability_low: np.ndarray | None
    availability_high: np.ndarray | None
    final_loss_low: pd.DataFrame
    final_loss_high: pd.DataFrame
    market_loss_low: pd.DataFrame
    market_loss_high: pd.DataFrame


def country_sweep(
    graph: SupplyGraph,
    country_shares: pd.DataFrame | ShareMatrices,
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
    low_m, suppliers, high_m = share_matrix(graph, country_shares)
    if countries is not None:
        missing = [c for c in countries if c not in suppliers]
        if missing:
            raise UnknownItemError(f"countries {missing} supply no node in the data")
        picked = [suppliers.index(c) for c in countries]
        low_m, high_m = low_m[:, picked], high_m[:, picked]
        suppliers = tuple(countries)
    out: dict[str, tuple[np.ndarray | None, np.ndarray]] = {}
    for bound, cut, high in (("low", high_m, False), ("high", low_m, True)):
        avail, loss = _sweep(graph, cut, fraction, high=high, chunk_columns=chunk_columns, keep=keep_availability)
        out[bound] = (avail, loss)
    (avail_low, loss_high), (avail_high, loss_low) = out["low"], out["high"]
    cols = [str(s) for s in suppliers]
    return SweepResult(
        countries=suppliers,
        fraction=float(fraction),
        availability_low=avail_low,
        availability_high=avail_high,
        final_loss_low=final_loss_frame(graph, loss_low, cols, finals_aligned=True),
        final_loss_high=final_loss_frame(graph, loss_high, cols, finals_aligned=True),
        market_loss_low=market_loss(graph, loss_low, cols, finals_aligned=True),
        market_loss_high=market_loss(graph, loss_high, cols, finals_aligned=True),
    )


def sweep_table(sweep: SweepResult, *, markets: bool = False) -> pd.DataFrame:
    """Long form of a sweep: one row per (final product or market, country), ``loss_low, loss_high``.

    Final products: ``node_id, markets, market_weight, country, loss_low, loss_high``; markets
    (``markets=True``): ``market, n_finals, country, weighted_loss_low, weighted_loss_high``.
    """
    if markets:
        keys, low, high, names = ["market", "n_finals"], sweep.market_loss_low, sweep.market_loss_high, "weighted_loss"
    else:
        keys, low, high, names = (
            ["node_id", "markets", "market_weight"],
            sweep.final_loss_low,
            sweep.final_loss_high,
            "loss",
        )
    parts = []
    for bound, frame in (("low", low), ("high", high)):
        long = frame.melt(
            id_vars=keys, value_vars=list(sweep.countries), var_name="country", value_name=f"{names}_{bound}"
        )
        parts.append(long)
    out = parts[0].merge(parts[1], on=[*keys, "country"], how="left")
    return out.sort_values([keys[0], "country"], kind="stable").reset_index(drop=True)


def knockout_suppliers(graph: SupplyGraph, shares: pd.DataFrame, *, tolerance: float = 1e-6) -> pd.DataFrame:
    """Suppliers whose complete failure cuts final products (availability <= ``tolerance``).

    Returns ``supplier_id, n_nodes_cut, n_finals_cut, finals_cut, n_finals_cut_possible``
    sorted by ``n_finals_cut`` descending then id: a final product is cut when even its
    highest availability is gone, possibly cut when its lowest is; a node is cut by a supplier
    whose share there is 1 for certain.
    """
    sweep = country_sweep(graph, shares, fraction=1.0)
    assert sweep.availability_high is not None and sweep.availability_low is not None
    cut = sweep.availability_high <= tolerance
    maybe = sweep.availability_low <= tolerance
    own_cut = (1.0 - share_matrix(graph, shares)[0].toarray()) <= tolerance
    finals = graph.finals
    rows = []
    for j, sup in enumerate(sweep.countries):
        fin = graph.ids_at(finals[cut[finals, j]])
        rows.append((sup, int(own_cut[:, j].sum()), len(fin), ";".join(map(str, fin)), int(maybe[finals, j].sum())))
    cols = ["supplier_id", "n_nodes_cut", "n_finals_cut", "finals_cut", "n_finals_cut_possible"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["n_finals_cut", "supplier_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def _sweep(
    graph: SupplyGraph, cut: object, fraction: float, *, high: bool, chunk_columns: int, keep: bool
) -> tuple[np.ndarray | None, np.ndarray]:
    """Availability (kept or not) and final-product loss, one column per supplier of ``cut``.

    Without ``keep`` only the final products' values are needed, so the propagation runs on
    the part of the graph upstream of them (:attr:`SupplyGraph.final_inputs`: the same values
    there, fewer rows and edges).
    """
    part = None if keep else graph.final_inputs
    csr = cut.tocsr()  # type: ignore[attr-defined]
    csc = (csr if part is None else csr[part.nodes]).tocsc()
    n, k = csc.shape
    finals = graph.finals if part is None else part.finals
    blocks = graph if part is None else part
    loss = np.empty((len(finals), k), dtype=np.float32)
    avail = np.empty((n, k), dtype=np.float32) if keep else None
    width = max(1, min(chunk_columns, k))
    buf = np.empty((n, width), dtype=np.float32)
    for lo in range(0, k, width):
        hi = min(lo + width, k)
        block = buf if hi - lo == width else np.empty((n, hi - lo), dtype=np.float32)
        block.fill(1.0)
        sub = csc[:, lo:hi].tocoo()
        flat = block.reshape(-1)  # a view: (row, col) pairs are unique, one flat gather-subtract
        flat[sub.row.astype(np.int64) * (hi - lo) + sub.col] -= np.float32(fraction) * sub.data.astype(np.float32)
        np.clip(block, 0.0, 1.0, out=block)
        propagate_blocks(blocks, block, high=high)
        loss[:, lo:hi] = 1.0 - block[finals]  # only final products are reported
        if avail is not None:
            avail[:, lo:hi] = block
    return avail, loss
