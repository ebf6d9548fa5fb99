"""Disruption simulator: shocks on countries, firms or nodes (share of supply lost), losses per focus market and
final product (charts), and two scenarios side by side."""

from __future__ import annotations

from typing import TypedDict

import pandas as pd
import streamlit as st

from app_pages import figures_runs
from app_pages.i18n import error_text, language, t
from app_pages.plain import md
from app_pages.state import actor, current_graph, database, download_buttons, market_names, settings, source_line
from app_pages.tables import node_names, show_table
from deps.errors import DepsError
from deps.services.analysis import ShockSpec, make_shock, run_simulation

KINDS = ["country", "firm", "node"]
DEFAULTS = {"A": [("country", "CHN", 1.0)], "B": [("country", "CHN", 0.5)]}


class SimulationResult(TypedDict):
    """One scenario's stored run, as the page keeps it between reruns."""

    run_id: str
    tables: dict[str, pd.DataFrame]


def _shock_editor(scenario: str) -> tuple[list[ShockSpec], str | None]:
    start = pd.DataFrame(DEFAULTS[scenario], columns=["kind", "target", "fraction"])
    edited = st.data_editor(
        start,
        key=f"sim_shocks_{scenario}",
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "kind": st.column_config.SelectboxColumn(t("kind"), options=KINDS, required=True),
            "target": st.column_config.TextColumn(t("target (ISO3, firm id or node id)"), required=True, max_chars=80),
            "fraction": st.column_config.NumberColumn(t("share of supply lost (0-1)"), min_value=0.0, max_value=1.0),
        },
    )
    shocks: list[ShockSpec] = []
    for row in edited.dropna(subset=["target"]).to_dict("records"):
        fraction = 1.0 if pd.isna(row["fraction"]) else float(row["fraction"])
        try:
            shocks.append(make_shock(str(row["kind"]), str(row["target"]), fraction))
        except DepsError as exc:
            problem = t("Scenario {name} has a bad shock: {error}", name=scenario, error=md(error_text(exc)))
            st.error(problem)
            return [], problem
    return shocks, None


def render() -> None:
    """Draw the page."""
    st.title(t("Disruption simulator"))
    user = actor()
    ref = current_graph()
    if ref is None:
        return
    st.caption(
        t(
            "A shock removes a share of a supplier's supply; losses propagate downstream (docs/methods/disruption.md). "
            "Scenario B is optional: leave its table empty to run one scenario."
        )
    )
    left, right = st.columns(2)
    specs: dict[str, list[ShockSpec]] = {}
    problems: list[str] = []
    for column, name in ((left, "A"), (right, "B")):
        with column:
            st.subheader(t("Scenario {name}", name=name))
            specs[name], problem = _shock_editor(name)
            problems += [problem] if problem else []
    if problems:
        st.error(t("Fix the inputs above to run: {reasons}", reasons="; ".join(problems)))
    blocked = bool(problems) or not any(specs.values())
    if st.button(t("Run simulation"), type="primary", key="sim_run", disabled=blocked) and not blocked:
        ran: dict[str, SimulationResult] = {}
        failures: list[str] = []
        with st.spinner(t("Simulating...")):
            for name, shocks in specs.items():
                if not shocks:
                    continue
                try:
                    run = run_simulation(database(), settings(), dataset=ref.name, actor=user, shocks=shocks)
                except DepsError as exc:
                    failures.append(t("Scenario {name} failed: {error}", name=name, error=md(error_text(exc))))
                    continue
                ran[name] = SimulationResult(run_id=run.run_id, tables=run.tables)
        st.session_state["sim_results"] = ran
        st.session_state["sim_failures"] = failures
    for failure in st.session_state.get("sim_failures") or []:
        st.error(failure)
    if st.session_state.get("sim_failures") and st.session_state.get("sim_results"):
        st.warning(t("Some scenarios failed; the results below show only the scenarios that ran."))
    results: dict[str, SimulationResult] = st.session_state.get("sim_results") or {}
    if not results:
        return
    names = market_names()
    runs = ", ".join(f"{k}: {v['run_id']!s:.8}" for k, v in results.items())
    source = source_line(ref, t("simulation runs {runs}", runs=runs))
    markets = {t("Scenario {name}", name=k): v["tables"]["markets"] for k, v in results.items()}
    finals = {t("Scenario {name}", name=k): v["tables"]["finals"] for k, v in results.items()}
    st.subheader(t("Losses per market"))
    st.plotly_chart(
        figures_runs.losses_by_market(markets, source=source, market_names=names, lang=language()), key="sim_markets"
    )
    st.subheader(t("Losses per final product"))
    st.plotly_chart(
        figures_runs.losses_by_product(finals, source=source, node_names=node_names(), lang=language()),
        key="sim_finals",
    )
    st.subheader(t("Compare"))
    cols = st.columns(len(results))
    for col, (name, result) in zip(cols, sorted(results.items()), strict=True):
        with col:
            st.markdown(t("**Scenario {name}** (run `{id}`)", name=name, id=f"{result['run_id']!s:.8}"))
            tables = result["tables"]
            show_table(tables["markets"], hide_index=True)
            download_buttons(tables["markets"], f"sim-{name}-markets", key=f"sim_dl_m_{name}", dataset=ref.name)
            show_table(
                tables["nodes"].sort_values("loss_high" if "loss_high" in tables["nodes"] else "loss", ascending=False),
                hide_index=True,
            )
            download_buttons(tables["nodes"], f"sim-{name}-nodes", key=f"sim_dl_n_{name}", dataset=ref.name)


render()
