"""Overview page: risk by focus market and sector, top chokepoints, the Netherlands' control points, data coverage
and the dataset version in use."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import figures
from app_pages.i18n import language, t
from app_pages.state import (
    actor,
    analysis_tables,
    current_graph,
    database,
    download_buttons,
    graph_frames,
    heatmap,
    market_names,
    overview_view,
    source_line,
)
from app_pages.tables import flagged, show_table


def _flagged(nodes: pd.DataFrame) -> pd.DataFrame:
    flags = [c for c in nodes.columns if c.endswith("chokepoint")]
    if not flags:
        return nodes.iloc[0:0]
    return nodes[pd.concat([flagged(nodes[c]) for c in flags], axis=1).any(axis=1)]


def render() -> None:
    """Draw the page."""
    st.title(t("Overview"))
    user = actor()
    ref = current_graph()
    if ref is None:
        return
    db = database()
    view = overview_view(db, ref.name, ref.content_hash)
    source = source_line(ref)
    total = len(view.coverage)
    with_shares = int((view.coverage["coverage"] > 0).sum()) if total else 0
    low = int((view.coverage["coverage"] < 0.5).sum()) if total else 0
    cols = st.columns(4)
    cols[0].metric(t("Nodes"), total)
    cols[1].metric(t("Final products"), int((view.coverage["kind"] == "final_product").sum()) if total else 0)
    cols[2].metric(t("Nodes with known shares"), with_shares)
    cols[3].metric(t("Nodes below 50% coverage"), low)
    st.caption(
        t(
            "Dataset in use: **{dataset}** version {version}, content hash `{hash}`",
            dataset=view.dataset,
            version=view.version,
            hash=view.content_hash[:16],
        )
    )
    if total == 0:
        st.info(t("This dataset has no supply graph (trade flows or governance scores only): see the EU screen page."))
        return
    analysis = analysis_tables(user, ref)
    if analysis is not None:
        run_id, tables = analysis
        nodes = tables["nodes"]
        heat = heatmap(run_id, nodes, graph_frames(ref)["nodes"])
        run_source = source_line(ref, t("analysis run {id}", id=run_id[:8]))
        st.subheader(t("Risk by focus market and sector"))
        st.plotly_chart(
            figures.risk_heatmap(heat, source=run_source, market_names=market_names(), lang=language()), key="heatmap"
        )
        left, right = st.columns(2)
        with left:
            st.subheader(t("Top chokepoints"))
            top = _flagged(nodes)
            st.plotly_chart(figures.top_chokepoints(top, source=run_source, lang=language()), key="top_chokepoints")
        with right:
            st.subheader(t("The Netherlands' control points"))
            control = tables["control_points"]
            control = control[flagged(control["control_point"])]
            show_table(
                control[["node_id", "holder", "holder_share", "n_finals_reached", "leverage", "explanation"]],
                hide_index=True,
            )
            download_buttons(control, f"control-points-{ref.name}-v{ref.version}", key="ov_control", dataset=ref.name)
    st.subheader(t("Data coverage"))
    left, right = st.columns(2)
    left.plotly_chart(figures.nodes_by_sector(view.by_sector, source=source, lang=language()), key="by_sector")
    right.plotly_chart(figures.coverage_histogram(view.coverage, source=source, lang=language()), key="coverage")
    show_table(view.by_market, hide_index=True)
    show_table(
        view.coverage.sort_values(["coverage", "node_id"]),
        hide_index=True,
        column_config={"coverage": st.column_config.ProgressColumn(t("coverage"), min_value=0.0, max_value=1.0)},
    )
    download_buttons(view.coverage, f"coverage-{view.dataset}-v{view.version}", key="ov_coverage", dataset=ref.name)


render()
