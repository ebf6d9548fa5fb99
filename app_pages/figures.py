"""Plotly figure builders: pure functions from DataFrames to figures (no Streamlit, no database).

Every figure carries a title, axis titles with units and a source line, as the analysts' reports require.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

__all__ = ["coverage_histogram", "nodes_by_sector"]


def _source_line(fig: go.Figure, source: str) -> go.Figure:
    fig.add_annotation(
        text=f"Source: {source}",
        xref="paper",
        yref="paper",
        x=0,
        y=-0.22,
        showarrow=False,
        font={"size": 10, "color": "#555"},
        xanchor="left",
    )
    fig.update_layout(margin={"b": 90})
    return fig


def nodes_by_sector(frame: pd.DataFrame, *, source: str) -> go.Figure:
    """Stacked bars of node counts per sector and kind (columns ``sector``, ``kind``, ``nodes``)."""
    fig = go.Figure()
    for kind, group in frame.sort_values(["kind", "sector"]).groupby("kind", sort=True):
        fig.add_bar(x=group["sector"], y=group["nodes"], name=str(kind))
    fig.update_layout(
        barmode="stack",
        title="Nodes per sector and kind",
        xaxis_title="Sector",
        yaxis_title="Nodes (count)",
        legend_title="Kind",
    )
    return _source_line(fig, source)


def coverage_histogram(frame: pd.DataFrame, *, source: str) -> go.Figure:
    """Histogram of per-node share coverage (column ``coverage``, 0-1) in percent."""
    fig = go.Figure(go.Histogram(x=frame["coverage"] * 100.0, xbins={"start": 0, "end": 100.0001, "size": 10}))
    fig.update_layout(
        title="Share coverage per node (sum of known supplier shares)",
        xaxis_title="Coverage (% of the node's supply with a known share)",
        yaxis_title="Nodes (count)",
    )
    return _source_line(fig, source)
