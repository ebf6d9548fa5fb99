"""Supply-chain explorer: the network filtered by sector, market, country or search; one node in detail (supplier
shares, sources, evidence, confidence, upstream and downstream chains)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import figures, figures_market
from app_pages.figures_market import node_status, status_label, upstream_chain
from app_pages.fused import fused_sources
from app_pages.i18n import language, t
from app_pages.labels import country_label, value_label
from app_pages.plain import html_text, md
from app_pages.sentences import localise_sentence
from app_pages.state import (
    actor,
    analysis_tables,
    current_graph,
    database,
    download_buttons,
    graph_frames,
    market_names,
    source_line,
)
from app_pages.tables import show_table
from deps.access.auth import Actor
from deps.services.views import NodeDetail, layered_layout, node_detail
from deps.store.db import Database
from deps.store.queries import DatasetRef


@st.cache_data(show_spinner=False, max_entries=16)
def _layout(content_hash: str, nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return layered_layout(nodes[["node_id", "name", "kind", "sectors", "markets"]], edges)


@st.cache_data(show_spinner=False, max_entries=16)
def _sources(content_hash: str, provision: pd.DataFrame) -> dict[str, str]:
    """Node id -> the ids of the sources of its supplier rows (hover text of the network)."""
    grouped = provision.groupby("node_id")["source"].agg(lambda s: ", ".join(sorted(set(map(str, s)))))
    return {str(k): str(v) for k, v in grouped.items()}


@st.cache_data(show_spinner=False, max_entries=256)
def _detail(db: Database, ref: DatasetRef, node_id: str, _user: Actor, _provision: pd.DataFrame) -> NodeDetail:
    """One node's row, suppliers and chains, cached per dataset version (the content hash is in ``ref``; a fused
    graph's changes with any member's version) and node; every role may read them, so the reader is not part of the
    key (a rerun of the page reads nothing again); the supplier rows are the graph's (fused ones for a fused graph)."""
    return node_detail(db, ref, node_id, actor=_user, provision=_provision)


def _split(series: pd.Series) -> list[str]:
    return sorted({part for value in series.fillna("") for part in str(value).split(";") if part})


def _search_hits(positions: pd.DataFrame, provision: pd.DataFrame, text: str) -> pd.Series:
    """Nodes whose id or name holds ``text``, or supplied by a firm or country whose id or name holds it."""
    hit = positions["node_id"].str.lower().str.contains(text, regex=False)
    hit |= positions["name"].str.lower().str.contains(text, regex=False)
    who = provision["supplier_id"].fillna("").astype(str) + " " + provision["supplier_name"].fillna("").astype(str)
    who += " " + provision["country"].fillna("").astype(str).map(
        lambda c: f"{c} {country_label(c, 'en')} {country_label(c, 'nl')}"
    )
    supplied = set(provision.loc[who.str.lower().str.contains(text, regex=False), "node_id"])
    return hit | positions["node_id"].isin(supplied)


def _filtered(ref: DatasetRef) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    frames = graph_frames(ref)
    nodes, edges, provision = frames["nodes"], frames["edges"], frames["provision"]
    positions, segments = _layout(ref.content_hash, nodes, edges)
    names = market_names()
    lang = language()
    focus = st.selectbox(
        t("Focus market (its whole upstream chain)"),
        [None, *_split(nodes["markets"])],
        key="ex_focus",
        format_func=lambda m: t("all markets") if m is None else names.get(m, m),
    )
    cols = st.columns(3)
    sector_labels = {s: value_label("sector", s, lang) for s in _split(nodes["sectors"])}
    sectors = cols[0].multiselect(
        t("Sector"), list(sector_labels), key="ex_sectors", format_func=lambda s: sector_labels.get(s, s)
    )
    codes = sorted(set(provision["country"].dropna()) - {""})
    country_names = {c: f"{country_label(c, lang)} ({c})" for c in codes}
    countries = cols[1].multiselect(
        t("Country"), codes, key="ex_countries", format_func=lambda c: country_names.get(c, c)
    )
    search = (
        cols[2]
        .text_input(t("Search"), key="ex_search", max_chars=80, placeholder=t("node, firm or country, e.g. ASML"))
        .strip()
        .lower()
    )
    keep = pd.Series(True, index=positions.index)
    if focus:
        finals = {
            n for n, m in zip(nodes["node_id"], nodes["markets"].fillna(""), strict=True) if focus in str(m).split(";")
        }
        keep &= positions["node_id"].isin(upstream_chain(edges, finals))
    if sectors:
        keep &= positions["sectors"].map(lambda s: bool(set(str(s).split(";")) & set(sectors)))
    if countries:
        supplied = set(provision.loc[provision["country"].isin(countries), "node_id"])
        keep &= positions["node_id"].isin(supplied)
    if search:
        keep &= _search_hits(positions, provision, search)
    shown = positions[keep]
    ids = set(shown["node_id"])
    return shown, segments[segments["src"].isin(ids) & segments["dst"].isin(ids)], focus


def _chain_flags(analysis: pd.DataFrame, shown: pd.DataFrame) -> None:
    """The chokepoints and control points inside the shown chain; a clicked row opens the node below."""
    status = node_status(analysis)
    inside = analysis[analysis["node_id"].isin(set(shown["node_id"]))].copy()
    inside["status"] = inside["node_id"].map(lambda n: status.get(str(n), "no flag"))
    flagged = inside[inside["status"] != "no flag"]
    st.subheader(t("Chokepoints and control points in this chain"))
    if flagged.empty:
        st.info(t("No chokepoint or control point in this chain."))
        return
    flagged["status"] = flagged["status"].map(lambda v: status_label(v, language()))
    columns = [
        c
        for c in (
            "node_id",
            "status",
            "top_supplier",
            "top_share",
            "top_share_low",
            "top_share_high",
            "hhi",
            "hhi_low",
            "hhi_high",
            "markets_reached",
            "max_risk",
            "explanation",
        )
        if c in flagged.columns
    ]
    table = flagged[columns].sort_values(["max_risk", "node_id"], ascending=[False, True], na_position="last")
    event = show_table(table, key="ex_flags", on_select="rerun", selection_mode="single-row")
    rows = event.get("selection", {}).get("rows", []) if event else []
    if rows:
        chosen = str(table.iloc[rows[0]]["node_id"])
        if chosen != st.session_state.get("ex_row_clicked"):
            st.session_state["ex_row_clicked"] = chosen
            st.session_state["ex_node"] = chosen


def render() -> None:
    """Draw the page."""
    st.title(t("Supply-chain explorer"))
    user = actor()
    ref = current_graph()
    if ref is None:
        return
    shown, segments, focus = _filtered(ref)
    if shown.empty:
        st.info(t("No node matches the filters."))
        return
    labels = dict(zip(shown["node_id"], shown["name"], strict=True))
    options = sorted(labels, key=lambda n: (labels[n].lower(), n))
    analysis = analysis_tables(user, ref)
    if analysis is not None and focus:
        _chain_flags(analysis[1]["nodes"], shown)
    if st.session_state.get("ex_node") not in options:
        st.session_state["ex_node"] = options[0]
    selected = str(st.session_state["ex_node"])
    if analysis is not None:
        provision = graph_frames(ref)["provision"]
        sources = _sources(ref.content_hash, provision)
        title = (
            t("Upstream chain of {market}", market=market_names().get(focus, focus))
            if focus
            else t("Supply network (inputs left, final products right)")
        )
        picture = figures_market.chain_network(
            shown,
            segments,
            analysis[1]["nodes"],
            source=source_line(ref, t("analysis run {id}", id=analysis[0][:8])),
            title=html_text(title),
            selected=selected,
            sources=sources,
            lang=language(),
        )
    else:
        picture = figures.network(shown, segments, source=source_line(ref), selected=selected, lang=language())
    event = st.plotly_chart(picture, key="ex_network", on_select="rerun", selection_mode="points")
    points = event.get("selection", {}).get("points", []) if event else []
    clicked = [p.get("customdata") for p in points if p.get("customdata") in labels]
    if clicked and clicked[0] != st.session_state.get("ex_clicked"):
        st.session_state["ex_clicked"] = clicked[0]
        st.session_state["ex_node"] = clicked[0]
    node_id = st.selectbox(
        t("Node"), options, key="ex_node", format_func=lambda n: f"{labels[n]} ({n})", help=t("or click a node above")
    )
    detail = _detail(database(), ref, str(node_id), actor(), graph_frames(ref)["provision"])
    row = detail.node
    st.subheader(f"{md(row['name'])} ({md(node_id)})")
    cols = st.columns(4)
    cols[0].metric(t("Kind"), str(row["kind"]))
    cols[1].metric(t("Coverage"), f"{detail.coverage * 100:.0f}%")
    cols[2].metric(t("Upstream chain"), len(detail.upstream))
    cols[3].metric(t("Downstream chain"), len(detail.downstream))
    if row.get("description"):
        st.caption(md(row["description"]))
    if analysis is not None:
        nodes = analysis[1]["nodes"]
        match = nodes[nodes["node_id"] == node_id]
        if len(match):
            st.caption(t("Flags"))
            explanation = localise_sentence(match.iloc[0]["explanation"], language())
            st.text(str(explanation))  # data: shown as plain text, never as markdown
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
        show_table(table)
        download_buttons(table, f"suppliers-{node_id}", key="ex_suppliers", dataset=ref.name)
    fused_sources(ref, str(node_id))
    left, right = st.columns(2)
    with left:
        st.subheader(t("Upstream chain"))
        show_table(detail.upstream, hide_index=True)
    with right:
        st.subheader(t("Downstream chain"))
        show_table(detail.downstream, hide_index=True)


render()
