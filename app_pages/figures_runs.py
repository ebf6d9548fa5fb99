"""Plotly figure builders for the screen, simulator, optimiser and batch pages: pure functions, no Streamlit.

Every figure carries a title, axis titles with units and a source line.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from app_pages.figures import source_annotation

__all__ = [
    "allocation_by_line",
    "batch_comparison",
    "frontier",
    "losses_by_market",
    "losses_by_product",
    "mc_funding",
    "screen_scatter",
    "screen_years",
]


def _name(names: Mapping[str, str] | None, key: object) -> str:
    return (names or {}).get(str(key), str(key))


def screen_scatter(frame: pd.DataFrame, *, source: str, hhi: float, importance: float) -> go.Figure:
    """Products by extra-bloc import concentration (HHI) and import importance, dependent ones highlighted;
    the threshold lines are the sliders' values."""
    fig = go.Figure()
    for dependent, group in frame.groupby("dependent", sort=True):
        fig.add_scatter(
            x=group["hhi_extra"],
            y=group["importance"],
            mode="markers",
            name="dependent" if dependent else "not dependent",
            text=group["product"].astype(str),
            hovertemplate="HS %{text}: HHI %{x:.2f}, importance %{y:.2f}<extra></extra>",
        )
    fig.add_vline(x=hhi, line_dash="dash", annotation_text=f"HHI {hhi:g}")
    fig.add_hline(y=importance, line_dash="dash", annotation_text=f"importance {importance:g}")
    fig.update_layout(
        title="EU screen: concentration and importance of extra-bloc imports per product",
        xaxis_title="HHI of extra-bloc import origins (0-1)",
        yaxis_title="Extra-bloc share of the bloc's imports (0-1)",
    )
    return source_annotation(fig, source)


def screen_years(frame: pd.DataFrame, *, source: str) -> go.Figure:
    """Dependent and persistent products per year (bars)."""
    per_year = frame.groupby("year", sort=True).agg(dependent=("dependent", "sum"), persistent=("persistent", "sum"))
    fig = go.Figure()
    fig.add_bar(x=per_year.index.astype(str), y=per_year["dependent"], name="dependent")
    fig.add_bar(x=per_year.index.astype(str), y=per_year["persistent"], name="persistent")
    fig.update_layout(
        title="Dependent products per year (persistence)",
        xaxis_title="Year",
        yaxis_title="Products (count)",
        barmode="group",
    )
    return source_annotation(fig, source)


def losses_by_market(
    frames: Mapping[str, pd.DataFrame], *, source: str, market_names: Mapping[str, str] | None = None
) -> go.Figure:
    """Grouped bars of the weighted supply loss per focus market, one bar group per scenario (``markets`` tables
    with ``market`` and ``weighted_loss``, 0-1)."""
    fig = go.Figure()
    for scenario, frame in frames.items():
        fig.add_bar(
            x=[_name(market_names, m) for m in frame["market"]],
            y=frame["weighted_loss"] * 100.0,
            name=str(scenario),
        )
    fig.update_layout(
        title="Supply loss per focus market",
        xaxis_title="Focus market",
        yaxis_title="Weighted loss of final-product supply (%)",
        barmode="group",
        legend_title="Scenario",
    )
    return source_annotation(fig, source)


def losses_by_product(frames: Mapping[str, pd.DataFrame], *, source: str, top: int = 20) -> go.Figure:
    """Grouped horizontal bars of the loss per final product (``finals`` tables with ``node_id`` and ``loss``),
    the ``top`` products by largest loss in any scenario."""
    merged = pd.concat([f.assign(scenario=s) for s, f in frames.items()], ignore_index=True)
    order = merged.groupby("node_id")["loss"].max().sort_values(ascending=False).head(top).index[::-1]
    fig = go.Figure()
    for scenario, frame in frames.items():
        loss = frame.set_index("node_id")["loss"].reindex(order).fillna(0.0)
        fig.add_bar(x=loss * 100.0, y=list(order), orientation="h", name=str(scenario))
    fig.update_layout(
        title=f"Supply loss per final product (top {len(order)})",
        xaxis_title="Loss of supply (%)",
        yaxis_title="Final product",
        barmode="group",
        height=max(350, 24 * len(order) * max(1, len(frames)) + 150),
        legend_title="Scenario",
    )
    return source_annotation(fig, source)


def allocation_by_line(
    frame: pd.DataFrame,
    *,
    source: str,
    line_names: Mapping[str, str] | None = None,
    market_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Stacked bars of spend per action line, split by focus market (``allocation`` with ``action_line_id``,
    ``market``, ``spend_meur``)."""
    grid = frame.groupby(["action_line_id", "market"], sort=True)["spend_meur"].sum().reset_index()
    fig = go.Figure()
    for market, group in grid.groupby("market", sort=True):
        fig.add_bar(
            x=[_name(line_names, a) for a in group["action_line_id"]],
            y=group["spend_meur"],
            name=_name(market_names, market),
        )
    fig.update_layout(
        title="Allocation by action line and focus market",
        xaxis_title="Action line",
        yaxis_title="Spend (EUR million)",
        barmode="stack",
        legend_title="Focus market",
    )
    return source_annotation(fig, source)


def frontier(frame: pd.DataFrame, *, source: str) -> go.Figure:
    """The efficient frontier: weighted residual risk against budget (``budget_meur``,
    ``weighted_residual_risk``)."""
    data = frame.sort_values("budget_meur")
    fig = go.Figure(go.Scatter(x=data["budget_meur"], y=data["weighted_residual_risk"], mode="lines+markers"))
    fig.update_layout(
        title="Efficient frontier: residual risk per budget",
        xaxis_title="Budget (EUR million)",
        yaxis_title="Weighted residual risk (sum of risk scores)",
    )
    return source_annotation(fig, source)


def mc_funding(frame: pd.DataFrame, *, source: str, top: int = 20) -> go.Figure:
    """How often each (action line, target) option is funded over the Monte Carlo draws (top ``top``)."""
    data = frame[frame["frequency"] > 0].sort_values(["frequency", "target_id"], ascending=[False, True]).head(top)
    labels = data["action_line_id"].astype(str) + " → " + data["target_id"].astype(str)
    fig = go.Figure(go.Bar(x=data["frequency"] * 100.0, y=labels.iloc[::-1], orientation="h"))
    fig.data[0].x = (data["frequency"] * 100.0).iloc[::-1]
    fig.update_layout(
        title="Monte Carlo: how often each option is funded",
        xaxis_title="Draws in which the option is funded (%)",
        yaxis_title="Action line → target",
        height=max(350, 24 * len(data) + 150),
    )
    return source_annotation(fig, source)


def batch_comparison(frame: pd.DataFrame, *, source: str) -> go.Figure:
    """Objective (weighted residual risk) per stored scenario of a batch (``scenario_key``, ``objective``)."""
    data = frame.dropna(subset=["objective"]).sort_values("scenario_key")
    fig = go.Figure(go.Bar(x=data["scenario_key"], y=data["objective"]))
    fig.update_layout(
        title="Weighted residual risk per scenario",
        xaxis_title="Scenario",
        yaxis_title="Weighted residual risk (sum of risk scores)",
    )
    return source_annotation(fig, source)
