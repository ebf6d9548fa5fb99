"""Many disruption scenarios at once: every country's export ban as columns of one matrix.

Builds on :mod:`supplychain.disruption` (same formulas): o(v) = 1 - x_c(v) f per scenario c,
a(v) = min(o(v), min over inputs a(u)), propagated level by level on float32 blocks of
``chunk_columns`` scenarios (a few contiguous gathers per level, one reused buffer).
:func:`knockout_suppliers` is the supplier-level knockout test: which suppliers' complete failure
leaves final products with no supply at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplychain.disruption import final_loss_frame, market_loss, propagate_availability, share_matrix
from supplychain.errors import UnknownItemError
from supplychain.graph import SupplyGraph

__all__ = ["SweepResult", "country_sweep", "knockout_suppliers"]


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
        block[part.row, part.col] -= np.float32(fraction) * part.data.astype(np.float32)
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
