"""Supply-chain explorer: the network filtered by sector, market, country or search; one node in detail (supplier
shares, sources, evidence, confidence, upstream and downstream chains)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import figures
from app_pages.i18n import language, t
from app_pages.state import (
    actor,
    analysis_tables,
    current_dataset,
    database_url,
    download_buttons,
    graph_frames,
    market_names,
    source_line,
)
from deps.services.views import layered_layout, node_detail
from deps.store.queries import DatasetRef


@st.cache_data(show_spinner=False, max_entries=16)
def _layout(content_hash: str, nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return layered_layout(nodes[["node_id", "name", "kind", "sectors", "markets"]], edges)


def _split(series: pd.Series) -> list[str]:
    return sorted({part for value in series.fillna("") for part in str(value).split(";") if part})


def _filtered(ref: DatasetRef) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = graph_frames(ref)
    nodes, edges, provision = frames["nodes"], frames["edges"], frames["provision"]
    positions, segments = _layout(ref.content_hash, nodes, edges)
    names = market_names()
    cols = st.columns(4)
    sectors = cols[0].multiselect(t("Sector"), _split(nodes["sectors"]), key="ex_sectors")
    markets = cols[1].multiselect(
        t("Market"), _split(nodes["markets"]), key="ex_markets", format_func=lambda m: names.get(m, m)
    )
    countries = cols[2].multiselect(t("Country"), sorted(set(provision["country"]) - {""}), key="ex_countries")
    search = cols[3].text_input(t("Search"), key="ex_search", max_chars=80).strip().lower()
    keep = pd.Series(True, index=positions.index)
    if sectors:
        keep &= positions["sectors"].map(lambda s: bool(set(str(s).split(";")) & set(sectors)))
    if markets:
        keep &= positions["markets"].map(lambda s: bool(set(str(s).split(";")) & set(markets)))
    if countries:
        supplied = set(provision.loc[provision["country"].isin(countries), "node_id"])
        keep &= positions["node_id"].isin(supplied)
    if search:
        keep &= positions["node_id"].str.lower().str.contains(search, regex=False) | positions[
            "name"
        ].str.lower().str.contains(search, regex=False)
    shown = positions[keep]
    ids = set(shown["node_id"])
    return shown, segments[segments["src"].isin(ids) & segments["dst"].isin(ids)]


def render() -> None:
    """Draw the page."""
    st.title(t("Supply-chain explorer"))
    user = actor()
    ref = current_dataset()
    if ref is None:
        return
    shown, segments = _filtered(ref)
    if shown.empty:
        st.info(t("No node matches the filters."))
        return
    labels = dict(zip(shown["node_id"], shown["name"], strict=True))
    options = sorted(labels, key=lambda n: (labels[n].lower(), n))
    if st.session_state.get("ex_node") not in options:
        st.session_state["ex_node"] = options[0]
    selected = str(st.session_state["ex_node"])
    event = st.plotly_chart(
        figures.network(shown, segments, source=source_line(ref), selected=selected, lang=language()),
        key="ex_network",
        on_select="rerun",
        selection_mode="points",
    )
    points = event.get("selection", {}).get("points", []) if event else []
    clicked = [p.get("customdata") for p in points if p.get("customdata") in labels]
    if clicked and clicked[0] != st.session_state.get("ex_clicked"):
        st.session_state["ex_clicked"] = clicked[0]
        st.session_state["ex_node"] = clicked[0]
    node_id = st.selectbox(
        t("Node"), options, key="ex_node", format_func=lambda n: f"{labels[n]} ({n})", help=t("or click a node above")
    )
    detail = node_detail(database_url(), ref, str(node_id))
    row = detail.node
    st.subheader(f"{row['name']} ({node_id})")
    cols = st.columns(4)
    cols[0].metric(t("Kind"), str(row["kind"]))
    cols[1].metric(t("Coverage"), f"{detail.coverage * 100:.0f}%")
    cols[2].metric(t("Upstream chain"), len(detail.upstream))
    cols[3].metric(t("Downstream chain"), len(detail.downstream))
    if row.get("description"):
        st.caption(str(row["description"]))
    analysis = analysis_tables(user, ref)
    if analysis is not None:
        nodes = analysis[1]["nodes"]
        match = nodes[nodes["node_id"] == node_id]
        if len(match):
            st.caption(t("Flags"))
            st.text(str(match.iloc[0]["explanation"]))  # data: shown as plain text, never as markdown
    st.subheader(t("Suppliers"))
    if detail.suppliers.empty:
        st.info(t("No supplier rows for this node."))
    else:
        st.plotly_chart(
            figures.supplier_shares(
                detail.suppliers, source=source_line(ref), node_name=str(row["name"]), lang=language()
            ),
            key="ex_shares",
        )
        table = detail.suppliers[
            [
                *["supplier_type", "supplier_id", "supplier_name", "country", "share", "year", "basis"],
                *["evidence", "confidence", "source", "source_url", "note"],
            ]
        ]
        st.dataframe(
            table,
            hide_index=True,
            column_config={"source_url": st.column_config.LinkColumn("source_url")},
        )
        download_buttons(table, f"suppliers-{node_id}", key="ex_suppliers", dataset=ref.name)
    left, right = st.columns(2)
    with left:
        st.subheader(t("Upstream chain"))
        st.dataframe(detail.upstream, hide_index=True)
    with right:
        st.subheader(t("Downstream chain"))
        st.dataframe(detail.downstream, hide_index=True)


render()
