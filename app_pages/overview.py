"""Overview page: the dataset in use, its structure per sector and focus market, and how much of it has known shares."""

from __future__ import annotations

import streamlit as st

from app_pages import figures
from app_pages.state import current_dataset, database_url
from deps.catalogue import DatasetOverview, dataset_overview


@st.cache_data(show_spinner=False, max_entries=16)
def _overview(url: str, dataset: str, content_hash: str) -> DatasetOverview:
    """Cached per dataset version: the hash in the key makes a new import show at once."""
    return dataset_overview(url, dataset)


def render() -> None:
    """Draw the page."""
    st.title("Overview")
    url = database_url()
    ref = current_dataset()
    if ref is None:
        return
    view = _overview(url, ref.name, ref.content_hash)
    source = f"dataset {view.dataset} v{view.version} ({view.content_hash[:12]})"
    total = len(view.coverage)
    with_shares = int((view.coverage["coverage"] > 0).sum())
    low = int((view.coverage["coverage"] < 0.5).sum())
    cols = st.columns(4)
    cols[0].metric("Nodes", total)
    cols[1].metric("Final products", int((view.coverage["kind"] == "final_product").sum()))
    cols[2].metric("Nodes with known shares", with_shares)
    cols[3].metric("Nodes below 50% coverage", low)
    st.caption(f"Dataset in use: **{view.dataset}** version {view.version}, content hash `{view.content_hash[:16]}`")
    left, right = st.columns(2)
    left.plotly_chart(figures.nodes_by_sector(view.by_sector, source=source), key="by_sector")
    right.plotly_chart(figures.coverage_histogram(view.coverage, source=source), key="coverage")
    st.subheader("Final products per focus market")
    st.dataframe(view.by_market, hide_index=True)
    st.subheader("Data coverage per node")
    st.dataframe(
        view.coverage.sort_values(["coverage", "node_id"]),
        hide_index=True,
        column_config={"coverage": st.column_config.ProgressColumn("coverage", min_value=0.0, max_value=1.0)},
    )
    st.download_button(
        "Download coverage (CSV)",
        view.coverage.to_csv(index=False).encode("utf-8"),
        file_name=f"coverage-{view.dataset}-v{view.version}.csv",
        mime="text/csv",
    )


render()
