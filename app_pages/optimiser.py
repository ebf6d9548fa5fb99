"""Optimiser: budget, per-line bounds, market shares and weights, forced and forbidden options, editable effect
assumptions; run; allocation by line and market, residual risk, shadow prices, why options were not funded, the
infeasibility diagnosis in words, the efficient frontier and Monte Carlo funding frequencies."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from app_pages import figures_runs
from app_pages.i18n import error_text, language, t
from app_pages.labels import value_label
from app_pages.plain import md
from app_pages.sentences import localise_sentence
from app_pages.state import (
    actor,
    current_graph,
    database,
    download_buttons,
    line_names,
    market_names,
    settings,
    source_line,
)
from app_pages.tables import labelled, localised, show_table
from app_pages.tabs import lazy_tabs
from deps.access.auth import Actor
from deps.errors import DataValidationError, DepsError
from deps.services.frontier import MAX_BUDGET_MEUR, FrontierError, parse_frontier
from deps.services.optimisation import OptimisationRun, build_context, run_optimisation
from deps.services.scenario import EFFECT_KEYS, ScenarioConfig, scenario
from deps.store.db import Database


@st.cache_data(show_spinner=False, max_entries=8)
def _context(
    db: Database, dataset: str, content_hash: str, _user: Actor
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cached per dataset version; the reader's role is checked on the first call, not part of the key."""
    context = build_context(db, settings(), dataset=dataset, actor=_user)
    return context.targets, context.lines, context.effects


def _numbers(frame: pd.DataFrame, key: str, value: str) -> dict[str, float]:
    data = frame.dropna(subset=[value])
    return {str(k): float(v) for k, v in zip(data[key], data[value], strict=True)}


def _optional(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def parse_budget(text: str) -> tuple[float | None, str | None]:
    """The budget typed in the field, or ``None`` and the reason it is refused (in the chosen language)."""
    try:
        value = float(text.strip().replace("_", ""))
    except ValueError:
        return None, t("the budget must be a number")
    if not math.isfinite(value) or not 0.0 <= value <= MAX_BUDGET_MEUR:
        return None, t("the budget must lie between 0 and {most:,.0f} EUR million", most=MAX_BUDGET_MEUR)
    return value, None


def frontier_budgets(text: str) -> tuple[list[float], str | None]:
    """The frontier budgets typed in the field (sorted, unique), or the reason they are refused (in the chosen
    language); the parsing is the command line's (``deps.services.frontier``)."""
    try:
        return parse_frontier(text, max_points=settings().max_frontier_points), None
    except FrontierError as exc:
        reasons = {
            "number": t(
                "{text} holds something that is not a budget (a number of EUR million, at least 0 and at most "
                "{most:,.0f})",
                text=repr(exc.text),
                most=MAX_BUDGET_MEUR,
            ),
            "range": t("a range is START:STOP:STEP with 0 <= START <= STOP and STEP > 0, e.g. 0:1000:50"),
            "count": t("at most {n} frontier budgets", n=exc.max_points),
        }
        return [], reasons[exc.reason]


def _form(
    targets: pd.DataFrame, lines: pd.DataFrame, effects: pd.DataFrame
) -> tuple[ScenarioConfig | None, dict, list[str]]:
    lnames, mnames = line_names(), market_names()
    cols = st.columns(4)
    budget_text = cols[0].text_input(t("Budget (EUR million)"), "100", key="opt_budget", max_chars=32)
    solver = cols[1].selectbox(t("Solver"), ["highs", "cbc"], key="opt_solver")
    frontier_text = cols[2].text_input(t("Frontier budgets (EUR million, comma-separated)"), "", key="opt_frontier")
    draws = cols[3].number_input(t("Monte Carlo draws"), 0, 500, 0, 10, key="opt_draws")
    sensitivity = st.checkbox(
        t("Sensitivity to every effect assumption and the budget, and robust plans (takes longer)"),
        key="opt_sensitivity",
        help=t(
            "Solves again with each effect assumption at its low and its high value (and the budget at -50% and "
            "+50%), and finds the worst-case and minimum-regret plans over the low-high range of all effects."
        ),
    )
    line_ids = list(lines["action_line_id"])
    markets = sorted({m for cell in targets["market"] for m in str(cell).split(";") if m})  # ties list all markets
    with st.expander(t("Per-line bounds (EUR million)")):
        bounds = st.data_editor(
            pd.DataFrame(
                {
                    "action_line_id": line_ids,
                    "name": [lnames.get(a, a) for a in line_ids],
                    "min_meur": [None] * len(line_ids),
                    "max_meur": [None] * len(line_ids),
                }
            ),
            key="opt_bounds",
            hide_index=True,
            disabled=["action_line_id", "name"],
            column_config={
                **labelled(["action_line_id", "name"]),
                "min_meur": st.column_config.NumberColumn(t("min (EUR million)"), min_value=0.0),
                "max_meur": st.column_config.NumberColumn(t("max (EUR million)"), min_value=0.0),
            },
        )
    with st.expander(t("Market shares of the budget and priority weights")):
        shares = st.data_editor(
            pd.DataFrame(
                {
                    "market": markets,
                    "name": [mnames.get(m, m) for m in markets],
                    "min_share": [None] * len(markets),
                    "max_share": [None] * len(markets),
                    "weight": [1.0] * len(markets),
                }
            ),
            key="opt_shares",
            hide_index=True,
            disabled=["market", "name"],
            column_config={
                **labelled(["market", "name"]),
                "min_share": st.column_config.NumberColumn(t("min share (0-1)"), min_value=0.0, max_value=1.0),
                "max_share": st.column_config.NumberColumn(t("max share (0-1)"), min_value=0.0, max_value=1.0),
                "weight": st.column_config.NumberColumn(t("weight"), min_value=0.0),
            },
        )
    with st.expander(t("Forced and forbidden options")):
        target_ids = sorted(targets["target_id"])
        forced = st.data_editor(
            pd.DataFrame({"action_line_id": pd.Series(dtype=str), "target_id": [], "min_meur": []}),
            key="opt_forced",
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "action_line_id": st.column_config.SelectboxColumn(t("action line"), options=line_ids, required=True),
                "target_id": st.column_config.SelectboxColumn(t("target (empty = any)"), options=target_ids),
                "min_meur": st.column_config.NumberColumn(t("at least (EUR million)"), min_value=0.0, required=True),
            },
        )
        forbidden = st.data_editor(
            pd.DataFrame({"action_line_id": pd.Series(dtype=str), "target_id": pd.Series(dtype=str)}),
            key="opt_forbidden",
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "action_line_id": st.column_config.SelectboxColumn(t("action line"), options=line_ids, required=True),
                "target_id": st.column_config.SelectboxColumn(t("target (empty = all)"), options=target_ids),
            },
        )
    with st.expander(t("Effect assumptions")):
        st.caption(t("Edit length or reduction per EUR million; changed rows become this run's overrides."))
        base = effects[[*EFFECT_KEYS, "evidence", "confidence", "source"]].reset_index(drop=True)
        edited = st.data_editor(
            base,
            key="opt_effects",
            hide_index=True,
            disabled=["action_line_id", "dependency_kind", "segment", "evidence", "confidence", "source"],
            column_config={
                **labelled(list(base.columns)),
                "length_meur": st.column_config.NumberColumn(t("segment length (EUR million)"), min_value=0.0),
                "reduction_per_meur": st.column_config.NumberColumn(t("risk reduction per EUR million"), min_value=0.0),
            },
        )
    budget, budget_problem = parse_budget(budget_text)
    frontier, frontier_problem = frontier_budgets(frontier_text)
    reasons = [r for r in (budget_problem, frontier_problem) if r]
    extra = {"frontier": frontier, "draws": int(draws), "sensitivity": bool(sensitivity)}
    if budget is None:
        return None, extra, reasons
    changed = (edited["length_meur"] != base["length_meur"]) | (
        edited["reduction_per_meur"] != base["reduction_per_meur"]
    )
    overrides = tuple(
        {
            str(k): (int(v) if k == "segment" else float(v) if k in ("length_meur", "reduction_per_meur") else str(v))
            for k, v in row.items()
        }
        for row in edited.loc[changed, list(EFFECT_KEYS)].to_dict("records")
    )
    try:
        config = scenario(
            budget_meur=float(budget),
            solver=str(solver),
            line_min_meur=_numbers(bounds, "action_line_id", "min_meur"),
            line_max_meur=_numbers(bounds, "action_line_id", "max_meur"),
            market_min_share=_numbers(shares, "market", "min_share"),
            market_max_share=_numbers(shares, "market", "max_share"),
            market_weights={k: v for k, v in _numbers(shares, "market", "weight").items() if v != 1.0},
            forced=tuple(
                (str(r["action_line_id"]), _optional(r["target_id"]), float(r["min_meur"]))
                for r in forced.dropna(subset=["action_line_id", "min_meur"]).to_dict("records")
            ),
            forbidden=tuple(
                (str(r["action_line_id"]), _optional(r["target_id"]))
                for r in forbidden.dropna(subset=["action_line_id"]).to_dict("records")
            ),
            effect_overrides=overrides,
        )
    except DataValidationError as exc:  # an impossible number the editors' own limits did not stop
        return None, extra, [*reasons, *(str(localise_sentence(p.problem, language())) for p in exc.problems)]
    return config, extra, reasons


def _results(run: OptimisationRun, source: str, dataset: str) -> None:
    lnames, mnames = line_names(), market_names()
    tables = run.tables
    if run.status != "optimal":
        reason = localise_sentence(run.reason, language())
        status = value_label("status", run.status, language())
        st.error(t("No allocation: the problem is {status}.", status=status) + f" {md(reason)}")
        conflicts = tables.get("conflicts", pd.DataFrame())
        if len(conflicts):
            st.markdown(t("**Why** (each line is a set of constraints that cannot hold together):"))
            words = [
                f"- {localise_sentence(c['message'], language())} "
                f"({t('constraints')}: {', '.join(str(n) for n in c['constraints'])})"
                for c in conflicts.to_dict("records")
            ]
            st.text("\n".join(words))
            show_table(conflicts, hide_index=True)
        return
    summary = run.summary
    cols = st.columns(4)
    cols[0].metric(t("Spend (EUR million)"), f"{summary['total_spend_meur']:.1f}")
    cols[1].metric(t("Residual risk"), f"{summary['objective']:.4f}")
    cols[2].metric(t("Risk before"), f"{summary['baseline_objective']:.4f}")
    cols[3].metric(t("Budget shadow price (risk per EUR million)"), f"{summary['budget_shadow_price']:.5f}")
    st.session_state.setdefault("opt_binding", True)
    tab_alloc, tab_risk, tab_duals, tab_why, tab_front, tab_mc, tab_sens = lazy_tabs(
        [
            t("Allocation"),
            t("Residual risk"),
            t("Shadow prices"),
            t("Why not funded"),
            t("Efficient frontier"),
            t("Monte Carlo funding frequencies"),
            t("Sensitivity"),
        ],
        key="opt_tabs",
        keep=("opt_binding",),
    )
    with tab_alloc:
        if tab_alloc.open:
            allocation = tables["allocation"]
            if len(allocation):
                st.plotly_chart(
                    figures_runs.allocation_by_line(
                        allocation, source=source, line_names=lnames, market_names=mnames, lang=language()
                    ),
                    key="opt_alloc_chart",
                )
            show_table(allocation, hide_index=True)
            download_buttons(allocation, f"allocation-{run.run_id[:8]}", key="opt_dl_alloc", dataset=dataset)
    with tab_risk:
        if tab_risk.open:
            show_table(tables["markets"], hide_index=True)
            download_buttons(tables["markets"], f"markets-{run.run_id[:8]}", key="opt_dl_markets", dataset=dataset)
            show_table(tables["targets"].sort_values("residual_risk", ascending=False), hide_index=True)
            download_buttons(tables["targets"], f"targets-{run.run_id[:8]}", key="opt_dl_targets", dataset=dataset)
    with tab_duals:
        if tab_duals.open:
            duals = tables["duals"]
            st.caption(t("Shadow price: how much the residual risk would fall per unit the constraint were loosened."))
            # one sign convention with the budget metric above: loosening a constraint never raises the minimised risk,
            # so the fall per unit is the dual's magnitude (the download keeps the solver's signed dual)
            falls = duals.assign(dual=duals["dual"].abs())
            show_table(
                falls[falls["binding"]] if st.checkbox(t("Only binding"), key="opt_binding") else falls,
                column_config={"dual": t("Shadow price (risk fall per unit loosened)")},
            )
            download_buttons(duals, f"duals-{run.run_id[:8]}", key="opt_dl_duals", dataset=dataset)
    with tab_why:
        if tab_why.open:
            reduced = tables["reduced_costs"]
            show_table(reduced.sort_values("reduced_cost").head(500), hide_index=True)
            download_buttons(reduced, f"why-not-funded-{run.run_id[:8]}", key="opt_dl_reduced", dataset=dataset)
    with tab_front:
        if tab_front.open:
            if "frontier" in tables:
                st.plotly_chart(
                    figures_runs.frontier(tables["frontier"], source=source, lang=language()), key="opt_frontier_chart"
                )
                show_table(tables["frontier"], hide_index=True)
            else:
                st.info(t("Give frontier budgets above to draw the efficient frontier."))
    with tab_mc:
        if tab_mc.open:
            if "mc_funding" in tables:
                st.plotly_chart(
                    figures_runs.mc_funding(
                        tables["mc_funding"],
                        source=source,
                        line_names=lnames,
                        target_names=dict(
                            zip(
                                tables["mc_funding"]["target_id"],
                                localised(tables["mc_funding"][["target_id"]])["target_name"],
                                strict=True,
                            )
                        ),
                        lang=language(),
                    ),
                    key="opt_mc_chart",
                )
                show_table(tables["mc_bands"], hide_index=True)
            else:
                st.info(t("Set Monte Carlo draws above to see how robust the allocation is to the effect assumptions."))
    with tab_sens:
        if tab_sens.open:
            _sensitivity(tables, source, dataset, run.run_id)


def _sensitivity(tables: dict[str, pd.DataFrame], source: str, dataset: str, run_id: str) -> None:
    """The tornado chart and table, and the central, worst-case and minimum-regret plans with their costs."""
    if "tornado" not in tables:
        st.info(t("Tick the sensitivity box above and run again to see how far each assumption moves the answer."))
        return
    swings = tables["tornado"]
    st.plotly_chart(
        figures_runs.tornado(swings, source=source, line_names=line_names(), lang=language()),
        key="opt_tornado_chart",
    )
    show_table(swings.drop(columns=["parameter", "kind"]), hide_index=True)
    download_buttons(swings, f"tornado-{run_id[:8]}", key="opt_dl_tornado", dataset=dataset)
    plans = tables.get("robust_plans")
    if plans is None or not len(plans):
        return
    st.subheader(t("Plans that hold over the low-high range of the effects"))
    by_plan = {str(r["plan"]): r for r in plans.to_dict("records")}
    central = by_plan.get("central", {})
    for name, words in (("worst-case", t("The worst-case plan")), ("min-regret", t("The minimum-regret plan"))):
        plan = by_plan.get(name, {})
        if plan.get("status") == "optimal" and central.get("status") == "optimal":
            st.markdown(
                t(
                    "{plan} leaves {cost:.4g} more weighted residual risk than the central plan if the central "
                    "effects come true; its worst case is {worst:.4g} (central plan {central_worst:.4g}), its "
                    "largest regret {regret:.4g} (central plan {central_regret:.4g}).",
                    plan=words,
                    cost=float(plan["cost_vs_central"]),
                    worst=float(plan["worst_case"]),
                    central_worst=float(central["worst_case"]),
                    regret=float(plan["max_regret"]),
                    central_regret=float(central["max_regret"]),
                )
            )
    show_table(plans.assign(plan=[_plan_words(str(p)) for p in plans["plan"]]), hide_index=True)


def _plan_words(code: str) -> str:
    """A robust plan's code (:mod:`optimizer.robust_box`) in words."""
    words = {
        "central": t("central plan"),
        "worst-case": t("worst-case plan"),
        "min-regret": t("minimum-regret plan"),
    }
    return words.get(code, code)


def render() -> None:
    """Draw the page."""
    st.title(t("Optimiser"))
    user = actor()
    ref = current_graph()
    if ref is None:
        return
    try:
        with st.spinner(t("Preparing targets from the analysis...")):
            targets, lines, effects = _context(database(), ref.name, ref.content_hash, user)
    except DepsError as exc:
        st.warning(md(error_text(exc)))
        return
    st.caption(
        t(
            "{targets} targets (node x supplier country) in {markets} focus markets.",
            targets=len(targets),
            markets=len({m for cell in targets["market"] for m in str(cell).split(";") if m}),
        )
    )
    config, extra, reasons = _form(targets, lines, effects)
    if reasons:
        st.error(t("Fix the inputs above to run: {reasons}", reasons="; ".join(reasons)))
    blocked = bool(reasons) or config is None
    if st.button(t("Run optimisation"), type="primary", key="opt_run", disabled=blocked) and not blocked and config:
        try:
            with st.spinner(t("Optimising...")):
                run = run_optimisation(
                    database(),
                    settings(),
                    dataset=ref.name,
                    actor=user,
                    config=config,
                    frontier=extra["frontier"] or None,
                    monte_carlo_draws=extra["draws"],
                    seed=0,
                    sensitivity_analysis=extra["sensitivity"],
                )
            st.session_state["opt_result"] = run
        except DataValidationError as exc:
            st.error(md(error_text(exc)))
            show_table(pd.DataFrame([p.__dict__ for p in exc.problems]), hide_index=True)
        except DepsError as exc:
            st.error(md(error_text(exc)))
    stored = st.session_state.get("opt_result")
    if isinstance(stored, OptimisationRun):
        st.divider()
        st.caption(t("Run `{id}`", id=stored.run_id))
        _results(stored, source_line(ref, t("optimisation run {id}", id=stored.run_id[:8])), ref.name)


render()
