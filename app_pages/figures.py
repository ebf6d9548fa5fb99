"""Plotly figure builders for the overview, explorer and chokepoint pages: pure functions, no Streamlit.

Every figure carries a title, axis titles with units and a source line, as the analysts' reports require; ``lang``
(``en`` or ``nl``) picks the language of these texts (:func:`app_pages.texts.translate`), data values stay as they
are.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from app_pages.labels import value_label
from app_pages.plain import html_text, wrap
from app_pages.texts import translate

__all__ = [
    "coverage_histogram",
    "mark_selected",
    "mutual_dependency",
    "network",
    "nodes_by_sector",
    "risk_heatmap",
    "source_annotation",
    "supplier_shares",
    "top_chokepoints",
]


def mark_selected(fig: go.Figure, positions: pd.DataFrame, selected: str | None, lang: str, *, size: int) -> None:
    """Ring and label the selected node of a layered network drawing (nothing when it is not drawn)."""
    if selected is None or not (positions["node_id"] == selected).any():
        return
    row = positions[positions["node_id"] == selected].to_dict("records")[0]
    fig.add_scatter(
        x=[row["level"]],
        y=[row["y"]],
        mode="markers+text",
        marker={"size": size, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": "black"}},
        text=[html_text(row["name"])],
        textposition="top center",
        name=translate("selected", lang),
        hoverinfo="skip",
    )


def source_annotation(fig: go.Figure, source: str, lang: str = "en") -> go.Figure:
    """Add the ``Source: ...`` line (``Bron: ...`` in Dutch) as the title's subtitle, where no tick label can overlap
    it; axes make room for long tick labels (``automargin``) and titles wrap instead of being cut."""
    title = fig.layout.title.text or ""
    fig.update_layout(
        title={
            "text": wrap(title, 70, escape=False),
            "subtitle": {"text": html_text(translate("Source: {source}", lang, source=source)), "font": {"size": 10}},
        },
        margin={"t": 100},
        modebar={"remove": ["sendDataToCloud"]},
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def nodes_by_sector(frame: pd.DataFrame, *, source: str, lang: str = "en") -> go.Figure:
    """Stacked bars of node counts per sector and kind (columns ``sector``, ``kind``, ``nodes``)."""
    fig = go.Figure()
    for kind, group in frame.sort_values(["kind", "sector"]).groupby("kind", sort=True):
        fig.add_bar(x=group["sector"], y=group["nodes"], name=str(kind))
    fig.update_layout(
        barmode="stack",
        title=translate("Nodes per sector and kind", lang),
        xaxis_title=translate("Sector", lang),
        yaxis_title=translate("Nodes (count)", lang),
        legend_title=translate("Kind", lang),
    )
    return source_annotation(fig, source, lang)


def coverage_histogram(frame: pd.DataFrame, *, source: str, lang: str = "en") -> go.Figure:
    """Histogram of per-node share coverage (column ``coverage``, 0-1) in percent."""
    fig = go.Figure(go.Histogram(x=frame["coverage"] * 100.0, xbins={"start": 0, "end": 100.0001, "size": 10}))
    fig.update_layout(
        title=translate("Share coverage per node (sum of known supplier shares)", lang),
        xaxis_title=translate("Coverage (% of the node's supply with a known share)", lang),
        yaxis_title=translate("Nodes (count)", lang),
    )
    return source_annotation(fig, source, lang)


def risk_heatmap(
    frame: pd.DataFrame, *, source: str, market_names: Mapping[str, str] | None = None, lang: str = "en"
) -> go.Figure:
    """Heat map of summed dependency risk per focus market (rows) and sector (columns).

    ``frame`` has ``market``, ``sector``, ``risk`` (sum of the nodes' largest risk score, unitless) and ``nodes``.
    """
    names = market_names or {}
    grid = frame.pivot_table(index="market", columns="sector", values="risk", aggfunc="sum", fill_value=0.0)
    counts = frame.pivot_table(index="market", columns="sector", values="nodes", aggfunc="sum", fill_value=0)
    counts = counts.reindex(index=grid.index, columns=grid.columns, fill_value=0)
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[str(c) for c in grid.columns],
            y=[wrap(names.get(str(m), str(m)), 28) for m in grid.index],
            customdata=counts.to_numpy(),
            colorscale="Reds",
            colorbar={"title": translate("Risk (sum of scores)", lang)},
            hovertemplate=translate("%{y} / %{x}<br>risk %{z:.3f}<br>%{customdata} nodes<extra></extra>", lang),
        )
    )
    fig.update_layout(
        title=translate("Dependency risk by focus market and sector", lang),
        xaxis_title=translate("Sector", lang),
        yaxis_title=translate("Focus market", lang),
    )
    return source_annotation(fig, source, lang)


def top_chokepoints(frame: pd.DataFrame, *, source: str, top: int = 15, lang: str = "en") -> go.Figure:
    """Horizontal bars of the ``top`` nodes by largest dependency risk (columns ``name``, ``max_risk``,
    ``main_risk_supplier``)."""
    data = frame.dropna(subset=["max_risk"]).sort_values(["max_risk", "node_id"], ascending=[False, True]).head(top)
    data = data.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=data["max_risk"],
            y=[wrap(n, 32) for n in data["name"]],
            orientation="h",
            text=[html_text(v) for v in data["main_risk_supplier"]],
            hovertemplate=translate("%{y}: risk %{x:.3f} (supplier %{text})<extra></extra>", lang),
        )
    )
    fig.update_layout(
        title=translate("Top {n} chokepoints by dependency risk", lang, n=len(data)),
        xaxis_title=translate("Largest dependency risk (score 0-1)", lang),
        yaxis_title=translate("Node", lang),
        height=max(300, 28 * len(data) + 150),
    )
    return source_annotation(fig, source, lang)


def network(
    positions: pd.DataFrame, segments: pd.DataFrame, *, source: str, selected: str | None = None, lang: str = "en"
) -> go.Figure:
    """Layered supply-graph drawing: x = level from raw inputs, colour = kind, the selected node ringed.

    ``positions`` has ``node_id``, ``name``, ``kind``, ``level``, ``y``; ``segments`` has ``x0``, ``y0``, ``x1``,
    ``y1`` per edge.
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    for seg in segments.to_dict("records"):
        xs += [float(seg["x0"]), float(seg["x1"]), None]
        ys += [float(seg["y0"]), float(seg["y1"]), None]
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"width": 0.6, "color": "#bbb"},
            hoverinfo="skip",
            name=translate("input to", lang),
        )
    )
    for kind, group in positions.groupby("kind", sort=True):
        fig.add_scatter(
            x=group["level"],
            y=group["y"],
            mode="markers",
            name=str(kind),
            marker={"size": 9},
            customdata=group["node_id"],
            text=[html_text(n) for n in group["name"]],
            hovertemplate="%{text} (%{customdata})<extra></extra>",
        )
    mark_selected(fig, positions, selected, lang, size=18)
    fig.update_layout(
        title=translate("Supply network (inputs left, final products right)", lang),
        xaxis_title=translate("Level (steps from a raw input, count)", lang),
        yaxis_title=translate("Nodes in the level (rank)", lang),
        yaxis={"showticklabels": False},
        height=600,
        legend_title=translate("Kind", lang),
    )
    return source_annotation(fig, source, lang)


def supplier_shares(frame: pd.DataFrame, *, source: str, node_name: str, lang: str = "en") -> go.Figure:
    """Bars of supplier shares in percent (columns ``supplier_name`` or ``supplier_id``, ``share``,
    ``supplier_type``); unknown shares are drawn as 0 with 'share unknown' in the hover text."""
    data = frame.copy()
    data["label"] = [wrap(v, 20) for v in data["supplier_name"].where(data["supplier_name"] != "", data["supplier_id"])]
    data["pct"] = data["share"].fillna(0.0) * 100.0
    data["note"] = data["share"].map(lambda s: translate("share unknown", lang) if pd.isna(s) else f"{s * 100:.1f}%")
    fig = go.Figure()
    for kind, group in data.sort_values(["supplier_type", "pct"], ascending=[True, False]).groupby(
        "supplier_type", sort=True
    ):
        fig.add_bar(
            x=group["label"],
            y=group["pct"],
            name=str(kind),
            text=group["note"],
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    fig.update_layout(
        title=translate("Supplier shares of {name}", lang, name=html_text(node_name)),
        xaxis_title=translate("Supplier (country or firm)", lang),
        yaxis_title=translate("Share of supply (%)", lang),
        legend_title=translate("Supplier type", lang),
    )
    return source_annotation(fig, source, lang)


def mutual_dependency(frame: pd.DataFrame, *, source: str, lang: str = "en") -> go.Figure:
    """Per partner country: our dependency risk on it against its dependency (our leverage) on us.

    ``frame`` has ``partner``, ``risk``, ``leverage`` and ``verdict``.
    """
    fig = go.Figure()
    for verdict, group in frame.groupby("verdict", sort=True):
        fig.add_scatter(
            x=group["risk"],
            y=group["leverage"],
            mode="markers+text",
            text=[html_text(p) for p in group["partner"]],
            textposition="top center",
            name=value_label("verdict", str(verdict), lang),
        )
    fig.update_layout(
        title=translate("Mutual dependency per partner country", lang),
        xaxis_title=translate("Our dependency risk on the partner (sum of risk scores)", lang),
        yaxis_title=translate("Partner's dependency on us (sum of leverage scores)", lang),
        legend_title=translate("Verdict", lang),
    )
    return source_annotation(fig, source, lang)
