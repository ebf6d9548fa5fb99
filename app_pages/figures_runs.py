"""Plotly figure builders for the screen, simulator, optimiser and batch pages: pure functions, no Streamlit.

Every figure carries a title, axis titles with units and a source line; ``lang`` (``en`` or ``nl``) picks the
language of these texts (:func:`app_pages.texts.translate`), data values stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from app_pages.figures import source_annotation
from app_pages.labels import value_label
from app_pages.plain import html_text, wrap
from app_pages.texts import translate

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


def _name(names: Mapping[str, str] | None, key: object, width: int = 24) -> str:
    """The name of ``key`` (its id when unnamed) as a wrapped, escaped Plotly label."""
    return wrap((names or {}).get(str(key), str(key)), width)


def _range(frame: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    """The ``column_low`` and ``column_high`` bounds of a measure (both equal to ``column`` where only a point value
    is stored)."""
    if f"{column}_low" in frame.columns and f"{column}_high" in frame.columns:
        return frame[f"{column}_low"].fillna(0.0), frame[f"{column}_high"].fillna(0.0)
    return frame[column].fillna(0.0), frame[column].fillna(0.0)


def _natural(text: object) -> list[object]:
    """Sort key reading the numbers inside a text as numbers ("budget=20" before "budget=100")."""
    parts = re.split(r"(-?\d+(?:\.\d+)?)", str(text))
    return [float(p) if i % 2 else p for i, p in enumerate(parts)]


def screen_scatter(frame: pd.DataFrame, *, source: str, hhi: float, importance: float, lang: str = "en") -> go.Figure:
    """Products by extra-bloc import concentration (HHI) and import importance, dependent ones highlighted;
    the threshold lines are the sliders' values."""
    fig = go.Figure()
    for dependent, group in frame.groupby("dependent", sort=True):
        fig.add_scatter(
            x=group["hhi_extra"],
            y=group["importance"],
            mode="markers",
            name=translate("dependent", lang) if dependent else translate("not dependent", lang),
            text=_products(group),
            hovertemplate=translate("HS %{text}: HHI %{x:.2f}, importance %{y:.2f}<extra></extra>", lang),
        )
    fig.add_vline(x=hhi, line_dash="dash", annotation_text=f"HHI {hhi:g}")
    fig.add_hline(
        y=importance, line_dash="dash", annotation_text=translate("importance {value:g}", lang, value=importance)
    )
    fig.update_layout(
        title=translate("EU screen: concentration and importance of extra-bloc imports per product", lang),
        xaxis_title=translate("HHI of extra-bloc import origins (0-1)", lang),
        yaxis_title=translate("Extra-bloc share of the bloc's imports (0-1)", lang),
    )
    return source_annotation(fig, source, lang)


def _products(frame: pd.DataFrame) -> list[str]:
    """Each row's HS code with its name (``product_name``; runs stored before names were added have codes only)."""
    names = frame["product_name"] if "product_name" in frame.columns else pd.Series("", index=frame.index)
    return [
        f"{code} {wrap(str(name), 40)}".strip() for code, name in zip(frame["product"], names.fillna(""), strict=True)
    ]


def screen_years(frame: pd.DataFrame, *, source: str, lang: str = "en") -> go.Figure:
    """Dependent and persistent products per year (bars)."""
    per_year = frame.groupby("year", sort=True).agg(dependent=("dependent", "sum"), persistent=("persistent", "sum"))
    fig = go.Figure()
    fig.add_bar(x=per_year.index.astype(str), y=per_year["dependent"], name=translate("dependent", lang))
    fig.add_bar(x=per_year.index.astype(str), y=per_year["persistent"], name=translate("persistent", lang))
    fig.update_layout(
        title=translate("Dependent products per year (persistence)", lang),
        xaxis_title=translate("Year", lang),
        yaxis_title=translate("Products (count)", lang),
        barmode="group",
    )
    return source_annotation(fig, source, lang)


def losses_by_market(
    frames: Mapping[str, pd.DataFrame], *, source: str, market_names: Mapping[str, str] | None = None, lang: str = "en"
) -> go.Figure:
    """Grouped bars of the weighted supply loss per focus market, one bar group per scenario (``markets`` tables
    with ``market`` and ``weighted_loss``, 0-1)."""
    fig = go.Figure()
    for scenario, frame in frames.items():
        low, high = _range(frame, "weighted_loss")
        fig.add_bar(
            x=[_name(market_names, m, 16) for m in frame["market"]],
            y=high * 100.0,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [0.0] * len(frame),
                "arrayminus": (high - low) * 100.0,
            },
            customdata=list(zip(low * 100.0, high * 100.0, strict=True)),
            hovertemplate=translate("at least %{customdata[0]:.1f}%, at most %{customdata[1]:.1f}%", lang)
            + "<extra></extra>",
            name=html_text(scenario),
        )
    fig.update_layout(
        title=translate("Supply loss per focus market", lang),
        xaxis_title=translate("Focus market", lang),
        yaxis_title=translate("Weighted loss of final-product supply (%)", lang),
        barmode="group",
        legend_title=translate("Scenario", lang),
    )
    return source_annotation(fig, source, lang)


def losses_by_product(
    frames: Mapping[str, pd.DataFrame],
    *,
    source: str,
    top: int = 20,
    node_names: Mapping[str, str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """Grouped horizontal bars of the loss per final product (``finals`` tables with ``node_id`` and ``loss``),
    the ``top`` products by largest loss in any scenario."""
    frames = {s: f.assign(loss_low=_range(f, "loss")[0], loss_high=_range(f, "loss")[1]) for s, f in frames.items()}
    merged = pd.concat([f.assign(scenario=s) for s, f in frames.items()], ignore_index=True)
    order = merged.groupby("node_id")["loss_high"].max().sort_values(ascending=False).head(top).index[::-1]
    fig = go.Figure()
    for scenario, frame in frames.items():
        loss = frame.set_index("node_id")["loss_high"].reindex(order).fillna(0.0)
        pct = loss * 100.0
        bars: dict[str, object] = {"x": pct, "y": [_name(node_names, n, 36) for n in order], "orientation": "h"}
        # a range: the bar reaches the most that can be lost, the whisker down to the least
        low = frame.set_index("node_id")["loss_low"].reindex(order).fillna(0.0) * 100.0
        bars["error_x"] = {"type": "data", "symmetric": False, "array": [0.0] * len(pct), "arrayminus": pct - low}
        fig.add_bar(name=html_text(scenario), **bars)
    fig.update_layout(
        title=translate("Supply loss per final product (top {n})", lang, n=len(order)),
        xaxis_title=translate("Loss of supply (%)", lang),
        yaxis_title=translate("Final product", lang),
        barmode="group",
        height=max(350, 24 * len(order) * max(1, len(frames)) + 150),
        legend_title=translate("Scenario", lang),
    )
    return source_annotation(fig, source, lang)


def allocation_by_line(
    frame: pd.DataFrame,
    *,
    source: str,
    line_names: Mapping[str, str] | None = None,
    market_names: Mapping[str, str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """Stacked bars of spend per action line, split by focus market (``allocation`` with ``action_line_id``,
    ``market``, ``spend_meur``)."""
    grid = frame.groupby(["action_line_id", "market"], sort=True)["spend_meur"].sum().reset_index()
    fig = go.Figure()
    for market, group in grid.groupby("market", sort=True):
        fig.add_bar(
            x=[_name(line_names, a, 18) for a in group["action_line_id"]],
            y=group["spend_meur"],
            name=_name(market_names, market, 40),
        )
    fig.update_layout(
        title=translate("Allocation by action line and focus market", lang),
        xaxis_title=translate("Action line", lang),
        yaxis_title=translate("Spend (EUR million)", lang),
        barmode="stack",
        legend_title=translate("Focus market", lang),
    )
    return source_annotation(fig, source, lang)


def frontier(frame: pd.DataFrame, *, source: str, lang: str = "en") -> go.Figure:
    """The efficient frontier: weighted residual risk against budget (``budget_meur``,
    ``weighted_residual_risk``)."""
    data = frame.sort_values("budget_meur")
    fig = go.Figure(go.Scatter(x=data["budget_meur"], y=data["weighted_residual_risk"], mode="lines+markers"))
    fig.update_layout(
        title=translate("Efficient frontier: residual risk per budget", lang),
        xaxis_title=translate("Budget (EUR million)", lang),
        yaxis_title=translate("Weighted residual risk (sum of risk scores)", lang),
    )
    return source_annotation(fig, source, lang)


def mc_funding(
    frame: pd.DataFrame,
    *,
    source: str,
    top: int = 20,
    line_names: Mapping[str, str] | None = None,
    target_names: Mapping[str, str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """How often each (action line, target) option is funded over the Monte Carlo draws (top ``top``)."""
    data = frame[frame["frequency"] > 0].sort_values(["frequency", "target_id"], ascending=[False, True]).head(top)
    labels = pd.Series(
        [
            f"{_name(line_names, a, 60)} → {_name(target_names, g, 60)}"
            for a, g in zip(data["action_line_id"], data["target_id"], strict=True)
        ],
        index=data.index,
    )
    fig = go.Figure(go.Bar(x=data["frequency"] * 100.0, y=labels.iloc[::-1], orientation="h"))
    fig.data[0].x = (data["frequency"] * 100.0).iloc[::-1]
    fig.update_layout(
        title=translate("Monte Carlo: how often each option is funded", lang),
        xaxis_title=translate("Draws in which the option is funded (%)", lang),
        yaxis_title=translate("Action line → target", lang),
        height=max(350, 24 * len(data) + 150),
    )
    return source_annotation(fig, source, lang)


def batch_comparison(frame: pd.DataFrame, *, source: str, lang: str = "en") -> go.Figure:
    """Objective (weighted residual risk) per stored scenario of a batch (``scenario_key``, ``objective``)."""
    data = frame.dropna(subset=["objective"])
    data = data.iloc[sorted(range(len(data)), key=lambda i: _natural(data["scenario_key"].iloc[i]))]
    fig = go.Figure(go.Bar(x=data["scenario_key"], y=data["objective"]))
    fig.update_layout(
        title=translate("Weighted residual risk per scenario", lang),
        xaxis_title=translate("Scenario", lang),
        yaxis_title=translate("Weighted residual risk (sum of risk scores)", lang),
    )
    return source_annotation(fig, source, lang)


def tornado(
    frame: pd.DataFrame,
    *,
    source: str,
    top: int = 15,
    line_names: Mapping[str, str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """Tornado chart of the optimiser's sensitivity table (:mod:`optimizer.sensitivity`).

    One bar per parameter (the ``top`` with the largest ``residual_swing``), from the optimal weighted residual risk
    at the parameter's high value to that at its low value, around a line at the central plan's value: the longer
    the bar, the more the answer rests on that assumption.  The budget's bar is its -50 % to +50 % swing.
    """
    data = frame.dropna(subset=["objective_low", "objective_high"])
    data = data.sort_values("residual_swing", ascending=False, kind="mergesort", key=abs).head(top).iloc[::-1]
    labels = [
        translate("Budget (-50% to +50%)", lang)
        if row["kind"] == "budget"
        else f"{_name(line_names, row['action_line_id'], 40)} · "
        f"{value_label('dependency_kind', str(row['dependency_kind']), lang)} · "
        f"{translate('segment {n}', lang).format(n=int(row['segment']))}"
        for row in data.to_dict("records")
    ]
    low = data["objective_low"].astype(float)
    high = data["objective_high"].astype(float)
    left = pd.concat([low, high], axis=1).min(axis=1)
    width = (low - high).abs()
    hover = translate("at the low value: %{customdata[0]:.4g}<br>at the high value: %{customdata[1]:.4g}", lang)
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=width,
            base=left,
            orientation="h",
            customdata=list(zip(low, high, strict=True)),
            hovertemplate=hover + "<extra></extra>",
            name=translate("Residual risk from the low to the high value", lang),
        )
    )
    central = data["objective_central"].dropna()
    if len(central):
        fig.add_vline(x=float(central.iloc[0]), line_dash="dash", annotation_text=translate("central plan", lang))
    fig.update_layout(
        title=translate("Sensitivity: residual risk when one assumption moves to its low or high value", lang),
        xaxis_title=translate("Weighted residual risk (sum of risk scores)", lang),
        yaxis_title=translate("Assumption", lang),
        height=max(350, 28 * len(data) + 170),
        showlegend=False,
    )
    return source_annotation(fig, source, lang)
