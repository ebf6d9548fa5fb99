"""The market-centred network picture: a focus market's whole upstream chain, layered from raw inputs (left) to
final products (right), edges drawn, nodes coloured by chokepoint status and sized by reach; pure, no Streamlit.

Status comes from the stored analysis (any chokepoint flag, a control point, "possible" where a range leaves it
open, otherwise no flag); reach is the number of focus markets a node's output reaches (``markets_reached``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from app_pages.figures import mark_selected, source_annotation
from app_pages.plain import html_text
from app_pages.texts import translate

__all__ = ["STATUS_COLOURS", "chain_network", "node_status", "status_label", "upstream_chain"]

#: Status -> colour (colour-blind-safe Okabe-Ito hues), in legend order.
STATUS_COLOURS = {
    "chokepoint": "#D55E00",
    "control point": "#0072B2",
    "possible chokepoint": "#E69F00",
    "no flag": "#999999",
}
FLAG_COLUMNS = (
    "global_chokepoint",
    "foreign_home_chokepoint",
    "foreign_bloc_chokepoint",
    "firm_global_chokepoint",
    "dominator_chokepoint",
    "knockout_chokepoint",
)


def status_label(state: str, lang: str = "en") -> str:
    """A status in words in ``lang``."""
    words = {
        "chokepoint": translate("chokepoint", lang),
        "control point": translate("control point", lang),
        "possible chokepoint": translate("possible chokepoint", lang),
        "no flag": translate("no flag", lang),
    }
    return words.get(state, state)


def upstream_chain(edges: pd.DataFrame, finals: set[str]) -> set[str]:
    """``finals`` and every node that goes into them, recursively (``edges``: ``src`` goes into ``dst``)."""
    inputs: dict[str, list[str]] = {}
    for src, dst in zip(edges["src"].astype(str), edges["dst"].astype(str), strict=True):
        inputs.setdefault(dst, []).append(src)
    seen = set(finals)
    todo = list(finals)
    while todo:
        for src in inputs.get(todo.pop(), ()):
            if src not in seen:
                seen.add(src)
                todo.append(src)
    return seen


def _yes(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "yes") or value == 1


def node_status(analysis: pd.DataFrame) -> dict[str, str]:
    """Node id -> ``chokepoint``, ``control point``, ``possible chokepoint`` or ``no flag``."""
    out: dict[str, str] = {}
    flags = [c for c in FLAG_COLUMNS if c in analysis.columns]
    for row in analysis.to_dict("records"):
        status = "no flag"
        if any(_yes(row.get(c)) for c in flags) or _yes(row.get("chokepoint")):
            status = "chokepoint"
        elif _yes(row.get("control_point")) or _yes(row.get("bloc_control_point")):
            status = "control point"
        elif str(row.get("chokepoint", "")).lower() == "possible" or str(row.get("control_point", "")) == "possible":
            status = "possible chokepoint"
        out[str(row["node_id"])] = status
    return out


def _reach(value: object) -> int:
    """How many focus markets a node reaches (``markets_reached`` lists them, ``;``-separated)."""
    if isinstance(value, str):
        return len([part for part in value.split(";") if part])
    return int(value) if isinstance(value, int | float) and value == value else 0


def _share(value: object) -> str:
    if not isinstance(value, int | float) or value != value:  # None, text or NaN: the share is not known
        return "?"
    return f"{float(value) * 100:.0f}%"


def chain_network(
    positions: pd.DataFrame,
    segments: pd.DataFrame,
    analysis: pd.DataFrame,
    *,
    source: str,
    title: str,
    selected: str | None = None,
    sources: Mapping[str, str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """The chain picture: ``positions`` (``node_id``, ``name``, ``level``, ``y``) and ``segments`` as from the
    layered layout; ``analysis`` the stored analysis' node table (flags, ``top_supplier``, ``top_share``,
    ``markets_reached``); ``sources`` node id -> its source ids (hover)."""
    status = node_status(analysis)
    facts: dict[str, Any] = (
        {str(k): v for k, v in analysis.set_index("node_id").to_dict("index").items()}
        if "node_id" in analysis.columns
        else {}
    )
    xs: list[float | None] = []
    ys: list[float | None] = []
    for seg in segments.to_dict("records"):
        xs += [float(seg["x0"]), float(seg["x1"]), None]
        ys += [float(seg["y0"]), float(seg["y1"]), None]
    fig = go.Figure(
        go.Scatter(x=xs, y=ys, mode="lines", line={"width": 0.8, "color": "#bbb"}, hoverinfo="skip", showlegend=False)
    )
    data = positions.assign(status=positions["node_id"].map(lambda n: status.get(str(n), "no flag")))
    for state, colour in STATUS_COLOURS.items():
        group = data[data["status"] == state]
        if group.empty:
            continue
        hover, sizes = [], []
        for node in group.to_dict("records"):
            row = facts.get(str(node["node_id"]), {})
            reach = _reach(row.get("markets_reached", ""))
            sizes.append(9 + 4 * reach)
            hover.append(
                "<br>".join(
                    [
                        f"<b>{html_text(node['name'])}</b> ({html_text(node['node_id'])})",
                        translate(
                            "top supplier {who}: {share}",
                            lang,
                            who=html_text(row.get("top_supplier", "")),
                            share=_share(row.get("top_share")),
                        ),
                        translate("reaches {n} focus markets", lang, n=int(reach)),
                        translate(
                            "sources: {ids}", lang, ids=html_text((sources or {}).get(str(node["node_id"]), "-"))
                        ),
                    ]
                )
            )
        fig.add_scatter(
            x=group["level"],
            y=group["y"],
            mode="markers",
            name=status_label(state, lang),
            marker={"size": sizes, "color": colour, "line": {"width": 1, "color": "white"}},
            customdata=group["node_id"],
            hovertext=hover,
            hoverinfo="text",
        )
    mark_selected(fig, positions, selected, lang, size=22)
    fig.update_layout(
        title=title,
        xaxis_title=translate("Level (steps from a raw input, count)", lang),
        yaxis_title=translate("Nodes in the level (rank)", lang),
        yaxis={"showticklabels": False},
        height=620,
        legend_title=translate("Status", lang),
    )
    return source_annotation(fig, source, lang)
