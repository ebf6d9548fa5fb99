"""Concentration and structural chokepoints (docs/methods/chokepoints.md).

Concentration chokepoint (per node, in the country view and in the firm view):
    top supplier share >= ``chokepoint_top_share`` (0.65) or HHI > ``chokepoint_hhi`` (0.4).
    Counted three ways:

    - ``global``: over all suppliers;
    - ``foreign_home``: the largest supplier outside the home country has share >= 0.65, or
      HHI > 0.4 with the top supplier outside the home country;
    - ``foreign_bloc``: the same with "outside the home bloc".

    Where shares are unknown the flags are three-valued from the bounds of
    :mod:`supplychain.bounds`: ``yes`` when the lowest values already cross a threshold (so does
    every completion of the data), ``possible`` when only the highest values do, ``no``
    otherwise. The clause "top supplier outside home" counts as sure when the largest foreign
    share's lowest value exceeds the home share's highest, and as possible when a foreign
    supplier may hold anything. Nodes with no named supplier have no row ("insufficient data").

Structural chokepoint (needs the graph; ``docs/methods/alternatives.md``):
    (a) dominator: with a super-source over all nodes without inputs, the node dominates at
    least one final product other than itself; (b) knockout (``yes | possible | no``): losing
    the node removes at least ``knockout_loss`` (0.5) of some other final product's supply,
    given the alternatives (:mod:`supplychain.knockout`; ``possible`` when only the upper bound
    over unknown type shares does); (c) single-supplier knockout: losing the node's top country
    or top firm alone does. Reach fields never count the node itself: a final product's reach
    is the other final products it feeds.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from supplychain.bounds import tri_state
from supplychain.concentration import STATUS_OK
from supplychain.graph import SupplyGraph
from supplychain.knockout import Knockouts, knockouts
from supplychain.reach import Reach, bits_to_lists
from supplychain.schema import frame_of_columns, labels_from_codes
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "CONCENTRATION_FLAG_COLUMNS",
    "STRUCTURAL_COLUMNS",
    "concentration_chokepoints",
    "structural_chokepoints",
]

CONCENTRATION_FLAG_COLUMNS = (
    "node_id",
    "level",
    "status",
    "global_chokepoint",
    "foreign_home_chokepoint",
    "foreign_bloc_chokepoint",
    "explanation",
)
STRUCTURAL_COLUMNS = (
    "node_id",
    "dominator_chokepoint",
    "knockout_chokepoint",
    "single_supplier_knockout",
    "knockout_loss_low",
    "knockout_loss_high",
    "top_supplier_loss_low",
    "top_supplier_loss_high",
    "n_finals_dominated",
    "dominated_weight",
    "n_finals_knockout",
    "n_finals_knockout_possible",
    "knockout_weight",
    "knockout_weight_high",
    "finals_dominated",
    "finals_knockout",
    "markets_reached",
    "explanation",
)


def concentration_chokepoints(
    conc: pd.DataFrame, *, thresholds: Thresholds = DEFAULT_THRESHOLDS, explain: bool = True
) -> pd.DataFrame:
    """Flag concentration chokepoints from a :func:`supplychain.concentration.concentration` frame.

    Parameters
    ----------
    conc
        Concentration frame (country or firm level).
    thresholds
        ``chokepoint_top_share``, ``chokepoint_hhi``, ``home``, ``bloc``.
    explain
        Build the explanation text (False: empty strings, for large graphs).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CONCENTRATION_FLAG_COLUMNS`; ``explanation`` quotes the numbers and the
        thresholds that made (or withheld) each flag.
    """
    top_t, hhi_t = thresholds.chokepoint_top_share, thresholds.chokepoint_hhi

    def col(name: str) -> np.ndarray:
        return conc[name].to_numpy(dtype=np.float64)

    hhi_lo, hhi_hi = col("hhi_low"), col("hhi_high")
    out = pd.DataFrame({"node_id": conc["node_id"], "level": conc["level"]})
    out["status"] = conc["status"].to_numpy()
    sure = (col("top_share_low") >= top_t) | (hhi_lo > hhi_t)
    maybe = (col("top_share_high") >= top_t) | (hhi_hi > hhi_t)
    out["global_chokepoint"] = tri_state(sure, maybe)
    for view, prefix, inside in (("foreign_home", "foreign", "home"), ("foreign_bloc", "bloc_foreign", "bloc")):
        f_lo, f_hi = col(f"{prefix}_top_share_low"), col(f"{prefix}_top_share_high")
        sure = (f_lo >= top_t) | ((hhi_lo > hhi_t) & (f_lo > col(f"{inside}_share_high")))
        maybe = (f_hi >= top_t) | ((hhi_hi > hhi_t) & (f_hi > 0))
        out[f"{view}_chokepoint"] = tri_state(sure, maybe)
    out["explanation"] = [_explain_concentration(row, thresholds) for row in _records(conc, out)] if explain else ""
    return out[list(CONCENTRATION_FLAG_COLUMNS)].reset_index(drop=True)


def structural_chokepoints(
    graph: SupplyGraph,
    reach: Reach,
    knock: Knockouts | None = None,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    explain: bool = True,
) -> pd.DataFrame:
    """Structural chokepoints by dominators, knockout and single-supplier knockout, with reach.

    Parameters
    ----------
    graph
        Array form of the graph.
    reach
        :func:`supplychain.reach.compute_reach` of the same graph.
    knock
        :func:`supplychain.knockout.knockouts` of the same graph (``None``: computed here,
        without the single-supplier test).
    thresholds
        ``knockout_loss`` (theta).
    explain
        Build the lists of final products and the explanation text (False: empty strings;
        for large graphs where only the numbers are needed).

    Returns
    -------
    pandas.DataFrame
        One row per node, columns :data:`STRUCTURAL_COLUMNS`. ``knockout_chokepoint`` and
        ``single_supplier_knockout`` are ``yes | possible | no``; ``knockout_loss_*`` bound the
        largest loss of another final product when the node is lost, ``top_supplier_loss_*``
        when its top supplier is (NaN: no share data); counts and ``*_weight``
        (market-weighted share of all final products) exclude the node itself;
        ``knockout_weight`` (``_high``) is the reach: the market-weighted share of all final
        products' supply lost when the node is lost (low and high bound);
        ``n_finals_knockout`` counts final products with a loss >= theta for certain,
        ``..._possible`` those where it may be (NaN where the graph is too large to evaluate the
        node exactly); lists are ';'-joined final-product ids.
    """
    if knock is None:
        knock = knockouts(graph, reach, thresholds=thresholds)
    theta = thresholds.knockout_loss
    self_final = graph.is_final.astype(np.int64)
    total = float(graph.weight[reach.finals].sum()) or 1.0
    n_dom = reach.dominated_count - self_final
    dom_weight = reach.dominated_weight - np.where(graph.is_final, graph.weight, 0.0) / total
    ko_series = _crosses(knock.loss_low, knock.loss_high, theta)
    top_series = _crosses(knock.top_loss_low, knock.top_loss_high, theta)
    # Python strings per node only for the explanations
    ko_flag = ko_series.to_numpy(dtype=object) if explain else np.zeros(0, dtype=object)
    top_flag = top_series.to_numpy(dtype=object) if explain else np.zeros(0, dtype=object)
    labels = graph.ids[reach.finals] if explain else np.zeros(0, dtype=object)
    market_labels = np.asarray(graph.markets, dtype=object)
    dom_lists, ko_lists, market_lists, texts = [], [], [], []
    for v in range(graph.n if explain else 0):
        dom = [f for f in _finals_list(reach.dominated_bits, v, labels, int(n_dom[v])) if f != graph.ids[v]]
        n_ko = knock.n_finals[v]
        ko = _finals_list(knock.bits, v, labels, int(n_ko) if np.isfinite(n_ko) else 0)
        mk = bits_to_lists(reach.market_bits[v], market_labels) if len(market_labels) else []
        dom_lists.append(";".join(dom))
        ko_lists.append(";".join(ko))
        market_lists.append(";".join(mk))
        texts.append(_explain_structural(str(graph.ids[v]), dom, ko, mk, knock, v, ko_flag[v], top_flag[v], theta))
    empty = labels_from_codes(np.zeros(graph.n, dtype=np.int32), [""])
    if not explain:
        dom_lists = ko_lists = market_lists = texts = empty  # type: ignore[assignment]
    # the frame gets its own copy of each of knock's arrays, the others are fresh (not copied again)
    out = frame_of_columns(
        {
            "node_id": graph.id_series,
            "dominator_chokepoint": n_dom > 0,
            "knockout_chokepoint": ko_series,
            "single_supplier_knockout": top_series,
            "knockout_loss_low": knock.loss_low.copy(),
            "knockout_loss_high": knock.loss_high.copy(),
            "top_supplier_loss_low": knock.top_loss_low.copy(),
            "top_supplier_loss_high": knock.top_loss_high.copy(),
            "n_finals_dominated": n_dom,
            "dominated_weight": np.clip(dom_weight, 0.0, 1.0),
            "n_finals_knockout": pd.array(np.where(np.isfinite(knock.n_finals), knock.n_finals, np.nan), dtype="Int64"),
            "n_finals_knockout_possible": pd.array(
                np.where(np.isfinite(knock.n_finals_possible), knock.n_finals_possible, np.nan), dtype="Int64"
            ),
            "knockout_weight": knock.weight.copy(),
            "knockout_weight_high": knock.weight_high.copy(),
            "finals_dominated": dom_lists,
            "finals_knockout": ko_lists,
            "markets_reached": market_lists,
            "explanation": texts,
        }
    )
    return out if tuple(out.columns) == STRUCTURAL_COLUMNS else out[list(STRUCTURAL_COLUMNS)]


def _finals_list(bits: np.ndarray | None, v: int, labels: np.ndarray, count: int) -> list[str]:
    if count <= 0:
        return []
    if bits is None:
        return [f"({count} final products; lists kept only for smaller graphs)"]
    return sorted(bits_to_lists(bits[v], labels))


def _records(conc: pd.DataFrame, flags: pd.DataFrame) -> list[dict[Hashable, Any]]:
    merged = conc.reset_index(drop=True).copy()
    for col in ("global_chokepoint", "foreign_home_chokepoint", "foreign_bloc_chokepoint"):
        merged[col] = flags[col].to_numpy()
    return merged.to_dict("records")


def _explain_concentration(row: dict[Hashable, Any], t: Thresholds) -> str:
    level = row["level"]
    head = f"{level} view ({row['basis']}; data basis: {row.get('data_basis') or 'not stated'})"
    if row["status"] == STATUS_OK and float(row["residual"]) <= 0.0:
        parts = [
            f"{head}: top {row['top_supplier']} share {float(row['top_share']):.3f}, "
            f"HHI {float(row['hhi']):.3f}, coverage {float(row['coverage']):.3f} over {row['n_suppliers']} suppliers"
        ]
    else:
        known = (
            f"top {row['top_supplier']} share {float(row['top_share']):.3f}, "
            f"HHI {float(row['hhi']):.3f} from known shares; "
            if row["status"] == STATUS_OK
            else "insufficient data for a point value; "
        )
        parts = [
            f"{head}: known shares cover {float(row['coverage']):.3f} ({row['n_unknown_share']} of "
            f"{row['n_suppliers']} suppliers without a share); {known}"
            f"over every completion of the unknown {float(row['residual']):.3f}: top share "
            f"{_range_words(row, 'top_share')}, HHI {_range_words(row, 'hhi')}"
        ]
    verdicts = []
    for key, label in (("global_chokepoint", "global chokepoint"),):
        if row[key] != "no":
            verdicts.append(
                f"{label}: {row[key]} (top share >= {t.chokepoint_top_share} or HHI > {t.chokepoint_hhi}"
                f"{'' if row[key] == 'yes' else ' only at the upper bound'})"
            )
    for key, holder, prefix in (
        ("foreign_home_chokepoint", t.home, "foreign"),
        ("foreign_bloc_chokepoint", t.bloc, "bloc_foreign"),
    ):
        if row[key] != "no":
            verdicts.append(
                f"foreign chokepoint for {holder}: {row[key]}: largest supplier outside {holder} "
                f"{_name(row[f'{prefix}_top_supplier'])}{_range_words(row, f'{prefix}_top_share')}"
            )
    if not verdicts:
        verdicts.append(
            f"not a chokepoint (top share < {t.chokepoint_top_share} and HHI <= {t.chokepoint_hhi} in every completion)"
        )
    sources = row.get("sources") or ""
    text = "; ".join(parts + verdicts)
    return f"{text}; sources: {sources}" if sources else text


def _name(supplier: object) -> str:
    """'(USA) ' for a named supplier; '' where none is named (no point value below the coverage threshold)."""
    return f"({supplier}) " if supplier else ""


def _range_words(row: dict[Hashable, Any], name: str) -> str:
    """'3.0%' for a point, else 'at least 3.0% and at most 40.0%' (HHI on the 0-1 scale)."""
    low, high = float(row[f"{name}_low"]), float(row[f"{name}_high"])
    if name == "hhi":
        return f"{low:.3f}" if high - low < 5e-4 else f"at least {low:.3f} and at most {high:.3f}"
    return f"{low:.1%}" if high - low < 5e-4 else f"at least {low:.1%} and at most {high:.1%}"


def _explain_structural(
    node: str,
    dom: list[str],
    ko: list[str],
    markets: list[str],
    knock: Knockouts,
    v: int,
    ko_flag: str,
    top_flag: str,
    theta: float,
) -> str:
    lo, hi = float(knock.loss_low[v]), float(knock.loss_high[v])
    if hi <= 0 and not dom:
        return f"{node}: no other final product downstream loses supply; not a structural chokepoint"
    loss = f"{lo:.3f}" if hi - lo < 1e-9 else f"at least {lo:.3f} and at most {hi:.3f}"
    how = "" if knock.exact[v] else " (bounds: the graph is too large to evaluate this node exactly)"
    parts = [f"losing it costs another final product {loss} of its supply{how}; knockout {ko_flag} (threshold {theta})"]
    if ko:
        parts.append(f"final products losing >= {theta}: {', '.join(ko[:5])}{', ...' if len(ko) > 5 else ''}")
    if np.isfinite(knock.top_loss_high[v]):
        tlo, thi = float(knock.top_loss_low[v]), float(knock.top_loss_high[v])
        tl = f"{tlo:.3f}" if thi - tlo < 1e-9 else f"at least {tlo:.3f} and at most {thi:.3f}"
        parts.append(f"losing its top supplier alone costs {tl}; single-supplier knockout {top_flag}")
    if dom:
        parts.append(
            f"dominates {len(dom)} final product(s) ({', '.join(dom[:5])}"
            f"{', ...' if len(dom) > 5 else ''}): every supply path to them passes {node}"
        )
    if markets:
        parts.append(f"focus markets reached: {', '.join(markets)}")
    return f"{node}: " + "; ".join(parts)


def _crosses(low: np.ndarray, high: np.ndarray, threshold: float) -> pd.Series:
    """``yes | possible | no``: the low bound reaches ``threshold``, only the high one, neither (NaN: no)."""
    cut = threshold - 1e-9
    if cut > -1.0:  # NaN read as -1 stays below the cut, as NaN compares: no copies needed
        return tri_state(low >= cut, high >= cut)
    low, high = np.nan_to_num(low, nan=-1.0), np.nan_to_num(high, nan=-1.0)
    return tri_state(low >= cut, high >= cut)
