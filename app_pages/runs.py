"""Runs: every stored run with its parameters, and two runs side by side (parameters, allocation, losses, flags:
what changed)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.i18n import error_text, language, t
from app_pages.labels import column_label, value_label
from app_pages.plain import md
from app_pages.run_names import run_dataset, run_label
from app_pages.runs_compare import compare_parameters, compare_tables, parameter_summary
from app_pages.state import actor, database, download_buttons
from app_pages.tables import show_table
from deps.access.auth import Actor
from deps.errors import DepsError
from deps.services.runs import RunRecord, list_runs, run_tables
from deps.store.db import Database

RUN_LIMIT = 500


@st.cache_data(show_spinner=False, max_entries=32)
def _tables(db: Database, run_id: str, _user: Actor) -> dict[str, pd.DataFrame]:
    """Cached per run; every role may read, so the reader is not part of the key."""
    return run_tables(db, run_id, actor=_user)


def _browser(runs: list[RunRecord]) -> list[RunRecord]:
    lang = language()
    kinds = sorted({r.kind for r in runs})
    chosen = st.multiselect(
        t("Kind of run"), kinds, key="ru_kinds", format_func=lambda k: value_label("run_kind", k, lang)
    )
    shown = [r for r in runs if not chosen or r.kind in chosen]
    table = pd.DataFrame(
        [
            {
                "id": r.id,
                "kind": value_label("run_kind", r.kind, lang),
                "status": r.status,
                "dataset": run_dataset(r),
                "user": r.user,
                "created_at": r.created_at[:19],
                "parameters": parameter_summary(r.parameters, 400),
            }
            for r in shown
        ],
        columns=["id", "kind", "status", "dataset", "user", "created_at", "parameters"],
    )
    show_table(table, key="ru_table", raw=("kind",))  # run kinds, in words above, not node kinds
    return shown


def _compare(runs: list[RunRecord]) -> None:
    st.subheader(t("Compare two runs"))
    if len(runs) < 2:
        st.info(t("Two stored runs are needed for a comparison."))
        return
    lang = language()
    labels = {r.id: run_label(r, lang, width=60) for r in runs}
    cols = st.columns(2)
    first = cols[0].selectbox(t("Run A"), list(labels), index=1, key="ru_a", format_func=lambda i: labels.get(i, i))
    second = cols[1].selectbox(t("Run B"), list(labels), index=0, key="ru_b", format_func=lambda i: labels.get(i, i))
    by_id = {r.id: r for r in runs}
    a, b = by_id[str(first)], by_id[str(second)]
    if a.kind != b.kind:
        st.warning(
            t(
                "The two runs are of different kinds ({a}, {b}): only tables both have are compared.",
                a=value_label("run_kind", a.kind, lang),
                b=value_label("run_kind", b.kind, lang),
            )
        )
    params = compare_parameters(a.parameters, b.parameters)
    st.caption(t("Parameters that differ"))
    if params.empty:
        st.info(t("Both runs have the same parameters."))
    else:
        show_table(params, key="ru_params")
    try:
        user = actor()
        changes = compare_tables(_tables(database(), a.id, user), _tables(database(), b.id, user))
    except DepsError as exc:
        st.error(md(error_text(exc)))
        return
    st.caption(t("Results that differ (B − A for numbers)"))
    if changes.empty:
        st.info(t("The results of both runs are the same."))
        return
    shown = changes.assign(measure=changes["measure"].map(lambda c: column_label(str(c), lang)))
    show_table(shown, key="ru_changes", raw=("table",))  # the runs' table names, not import tables
    download_buttons(changes, f"compare-{a.id[:8]}-{b.id[:8]}", key="ru_dl")


def render() -> None:
    """Draw the page."""
    st.title(t("Runs"))
    user = actor()
    try:
        runs = list_runs(database(), actor=user, limit=RUN_LIMIT)
    except DepsError as exc:
        st.error(md(error_text(exc)))
        return
    if not runs:
        st.info(t("No run is stored yet."))
        return
    shown = _browser(runs)
    _compare(shown)


render()
