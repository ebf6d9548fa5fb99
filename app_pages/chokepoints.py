"""Chokepoints and control points: filterable tables with the explanation of every flag, the mutual-dependency
view per partner country, and downloads (CSV/XLSX)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import figures
from app_pages.i18n import language, t
from app_pages.state import actor, analysis_tables, current_graph, download_buttons, market_names, source_line
from app_pages.tables import flagged, show_table
from app_pages.tabs import lazy_tabs

FLAG_LABELS = {
    "global_chokepoint": "global (one country dominates)",
    "foreign_home_chokepoint": "foreign, seen from the home country",
    "foreign_bloc_chokepoint": "foreign, seen from the bloc",
    "firm_global_chokepoint": "one firm dominates",
    "dominator_chokepoint": "structural: every path to a final product passes here",
    "knockout_chokepoint": "structural: losing it knocks out final products",
}


def _chokepoint_table(nodes: pd.DataFrame) -> pd.DataFrame:
    flags = [c for c in FLAG_LABELS if c in nodes.columns]
    labels = {flag: t(FLAG_LABELS[flag]) for flag in flags}  # fixed per rerun: AppTest replays format_func
    chosen = st.multiselect(t("Flags"), flags, default=flags[:3], key="ck_flags", format_func=labels.__getitem__)
    names = market_names()
    markets = sorted(
        {
            m
            for value in nodes.get("markets_reached", pd.Series(dtype=str)).fillna("")
            for m in str(value).split(";")
            if m
        }
    )
    focus = st.selectbox(
        t("Focus market"),
        [None, *markets],
        key="ck_market",
        format_func=lambda m: t("all markets") if m is None else names.get(m, m),
    )
    search = st.text_input(t("Search"), key="ck_search", max_chars=80).strip().lower()
    table = nodes.copy()
    if focus:  # the nodes in the market's chain: those whose output reaches it
        table = table[table["markets_reached"].fillna("").map(lambda v: focus in str(v).split(";"))]
    if chosen:
        table = table[pd.concat([flagged(table[c]) for c in chosen], axis=1).any(axis=1)]
    if search:
        hit = table["node_id"].str.lower().str.contains(search, regex=False)
        hit |= table["name"].str.lower().str.contains(search, regex=False)
        table = table[hit]
    columns = ["node_id", "name", "kind", "top_supplier", "top_share", "hhi", "coverage", "max_risk"]
    # ranges where the data leave the shares open (columns present when the analysis computes bounds)
    columns += [
        c for c in ("top_share_low", "top_share_high", "hhi_low", "hhi_high", "chokepoint") if c in table.columns
    ]
    columns += [c for c in flags if c in table.columns] + ["explanation"]
    return table[columns].sort_values(["max_risk", "node_id"], ascending=[False, True], na_position="last")


def render() -> None:
    """Draw the page."""
    st.title(t("Chokepoints & control points"))
    user = actor()
    ref = current_graph()
    if ref is None:
        return
    analysis = analysis_tables(user, ref)
    if analysis is None:
        return
    run_id, tables = analysis
    st.caption(
        t("Analysis run `{id}` of dataset {dataset} v{version}", id=run_id[:8], dataset=ref.name, version=ref.version)
    )
    st.session_state.setdefault("ck_only", True)
    tab_choke, tab_control, tab_mutual, tab_risk = lazy_tabs(
        [t("Chokepoints"), t("Control points"), t("Mutual dependency per partner country"), t("Risk rows")],
        key="ck_tabs",
        keep=("ck_level", "ck_only", "ck_partner"),
    )
    with tab_choke:
        if tab_choke.open:
            table = _chokepoint_table(tables["nodes"])
            st.write(t("{n} nodes", n=len(table)))
            show_table(table, hide_index=True, key="ck_table")
            download_buttons(table, f"chokepoints-{ref.name}-v{ref.version}", key="ck_dl", dataset=ref.name)
    with tab_control:
        if tab_control.open:
            views = {"home country": t("home country"), "bloc": t("bloc")}
            level = st.radio(t("View"), list(views), horizontal=True, key="ck_level", format_func=views.__getitem__)
            control = tables["control_points" if level == "home country" else "bloc_control_points"]
            only = st.checkbox(t("Only control points"), key="ck_only")
            if only:
                control = control[flagged(control["control_point"])]
            show_table(control, hide_index=True)
            download_buttons(control, f"control-points-{ref.name}-v{ref.version}", key="cp_dl", dataset=ref.name)
    with tab_mutual:
        if tab_mutual.open:
            mutual = tables["mutual"]
            source = source_line(ref, t("analysis run {id}", id=run_id[:8]))
            if len(mutual):
                st.plotly_chart(figures.mutual_dependency(mutual, source=source, lang=language()), key="ck_mutual")
            partner = st.selectbox(t("Partner country"), sorted(mutual["partner"]), key="ck_partner")
            if partner:
                show_table(mutual[mutual["partner"] == partner], hide_index=True)
                risk = tables["risk"]
                st.caption(t("Our dependencies on this partner"))
                show_table(risk[risk["supplier_country"] == partner], hide_index=True)
            download_buttons(mutual, f"mutual-{ref.name}-v{ref.version}", key="mu_dl", dataset=ref.name)
    with tab_risk:
        if tab_risk.open:
            show_table(tables["risk"], hide_index=True)
            download_buttons(tables["risk"], f"risk-{ref.name}-v{ref.version}", key="rk_dl", dataset=ref.name)


render()
