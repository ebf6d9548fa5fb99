"""Market reach shares: how much of each focus market a node's knockout reaches.

For node v and focus market m,

    rho_vm = |F(v) & F(m)| / |F(m)|

with F(v) the final products the node's knockout cuts (the ``finals_knockout`` column of
:func:`supplychain.chokepoints.structural_chokepoints`; a final product reaches itself) and F(m) the final products
of market m (a final product of several markets belongs to each). rho_vm lies in [0, 1]; it is 1 when the node cuts
every final product of the market. The application weighs a node's risk by rho_vm in every market it reaches, so a
node is never booked to one market by the order of names.

>>> import pandas as pd
>>> nodes = pd.DataFrame({"node_id": ["f1", "f2", "n"], "kind": ["final_product", "final_product", "product"],
...                       "markets": ["a", "a;b", ""]})
>>> reach_shares(pd.DataFrame({"node_id": ["n"], "finals_knockout": ["f2"]}), nodes).to_dict("records")
[{'node_id': 'n', 'market_id': 'a', 'reach_share': 0.5}, {'node_id': 'n', 'market_id': 'b', 'reach_share': 1.0}]
"""

from __future__ import annotations

import pandas as pd

__all__ = ["REACH_COLUMNS", "reach_shares"]

REACH_COLUMNS = ("node_id", "market_id", "reach_share")


def _items(cell: object) -> list[str]:
    return [part for part in str(cell).split(";") if part] if isinstance(cell, str) else []


def reach_shares(finals_knockout: pd.DataFrame, graph_nodes: pd.DataFrame) -> pd.DataFrame:
    """rho_vm for every node and focus market it reaches.

    Parameters
    ----------
    finals_knockout
        ``node_id`` and ``finals_knockout`` (';'-joined final products the node's knockout cuts), as in the
        analysis' structural or node table.
    graph_nodes
        The dataset's nodes with ``node_id``, ``kind`` and ``markets`` (';'-joined focus markets of a final product).

    Returns
    -------
    pandas.DataFrame
        :data:`REACH_COLUMNS`, one row per (node, market) with rho > 0, sorted by node and market.
    """
    finals = graph_nodes[graph_nodes["kind"].astype(str) == "final_product"]
    market_finals: dict[str, set[str]] = {}
    for node_id, markets in zip(finals["node_id"].astype(str), finals["markets"], strict=True):
        for market in _items(markets):
            market_finals.setdefault(market, set()).add(node_id)
    final_ids = set(finals["node_id"].astype(str))
    rows = []
    for node_id, cut in zip(finals_knockout["node_id"].astype(str), finals_knockout["finals_knockout"], strict=True):
        reached = set(_items(cut)) or ({node_id} if node_id in final_ids else set())
        for market, members in market_finals.items():
            hit = len(reached & members)
            if hit:
                rows.append((node_id, market, hit / len(members)))
    frame = pd.DataFrame(rows, columns=list(REACH_COLUMNS))
    frame = frame.astype({"node_id": "str", "market_id": "str", "reach_share": "float64"})
    return frame.sort_values(["node_id", "market_id"], kind="stable").reset_index(drop=True)
