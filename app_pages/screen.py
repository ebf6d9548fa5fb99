"""EU screen: the three criteria per product on a trade-flow dataset, thresholds as sliders, persistence over
years.  Analysts run the screen (every threshold set is one recorded run); viewers see the newest stored screen."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from app_pages import figures_runs
from app_pages.i18n import error_text, language, t
from app_pages.plain import md
from app_pages.state import actor, database, download_buttons, settings
from app_pages.tables import show_table
from deps.access.auth import Actor, allowed
from deps.errors import DepsError
from deps.services.runs import list_runs, run_tables
from deps.store.catalogue import list_datasets
from deps.store.db import Database

IMPORT_HINT = (
    "No trade-flow dataset is loaded. An admin imports one on the Data page (format `baci`), or on the command "
    "line: `deps import baci ../shared/data/baci-rawmaterials-2022/baci_hs92_2022.csv` (CEPII BACI flows, "
    "values in thousand USD)."
)


@st.cache_data(show_spinner=False, max_entries=32)
def _screen(
    db: Database,
    dataset: str,
    content_hash: str,
    user: Actor,
    eu_hhi: float,
    importance: float,
    substitutability: float,
    persistence_years: int,
) -> tuple[str, pd.DataFrame]:
    from deps.services.analysis import run_screen

    base = settings()
    thresholds = dataclasses.replace(
        base.thresholds,
        eu_hhi=eu_hhi,
        eu_importance=importance,
        eu_substitutability=substitutability,
        persistence_years=persistence_years,
    )
    result = run_screen(db, dataclasses.replace(base, thresholds=thresholds), dataset=dataset, actor=user)
    return result.run_id, result.screen


def _stored(db: Database, dataset: str, user: Actor) -> tuple[str, pd.DataFrame] | None:
    for run in list_runs(db, actor=user, kind="screen", limit=50):
        if run.dataset == dataset and run.status == "ok":
            return run.id, run_tables(db, run.id, actor=user)["screen"]
    return None


def render() -> None:
    """Draw the page."""
    st.title(t("EU screen"))
    user = actor()
    db = database()
    trade = [d for d in list_datasets(db, latest_only=True) if d.format == "baci"]
    if not trade:
        st.info(t(IMPORT_HINT))
        return
    names = [d.name for d in trade]
    name = st.selectbox(t("Trade-flow dataset"), names, key="sc_dataset")
    info = trade[names.index(name)]
    defaults = settings().thresholds
    if allowed(user, "analyse"):
        cols = st.columns(4)
        hhi = cols[0].slider(t("C1: HHI of extra-bloc origins ≥"), 0.0, 1.0, float(defaults.eu_hhi), 0.05, key="sc_hhi")
        importance = cols[1].slider(
            t("C2: extra-bloc import share ≥"), 0.0, 1.0, float(defaults.eu_importance), 0.05, key="sc_importance"
        )
        substitutability = cols[2].slider(
            t("C3: extra imports / bloc exports ≥"), 0.0, 5.0, float(defaults.eu_substitutability), 0.1, key="sc_subst"
        )
        years = cols[3].slider(t("Persistence: years flagged ≥"), 1, 5, int(defaults.persistence_years), key="sc_years")
        try:
            with st.spinner(t("Screening the trade flows...")):
                run_id, screen = _screen(db, name, info.content_hash, user, hhi, importance, substitutability, years)
        except DepsError as exc:
            st.warning(md(error_text(exc)))
            return
    else:
        stored = _stored(db, name, user)
        if stored is None:
            st.info(t("No screen of this dataset is stored yet; an analyst runs it on this page."))
            return
        run_id, screen = stored
        hhi, importance = float(defaults.eu_hhi), float(defaults.eu_importance)
    source = t(
        "deps, dataset {dataset} v{version} ({hash}); screen run {id}",
        dataset=name,
        version=info.version,
        hash=info.content_hash[:12],
        id=run_id[:8],
    )
    counts = st.columns(3)
    counts[0].metric(t("Products screened"), len(screen))
    counts[1].metric(t("Dependent (all three criteria)"), int(screen["dependent"].sum()))
    counts[2].metric(t("Persistent"), int(screen["persistent"].sum()))
    left, right = st.columns(2)
    left.plotly_chart(
        figures_runs.screen_scatter(screen, source=source, hhi=hhi, importance=importance, lang=language()),
        key="sc_scatter",
    )
    right.plotly_chart(figures_runs.screen_years(screen, source=source, lang=language()), key="sc_years_chart")
    only = st.checkbox(t("Only dependent products"), value=True, key="sc_only")
    table = screen[screen["dependent"]] if only else screen
    show_table(table, hide_index=True)
    download_buttons(table, f"eu-screen-{name}-v{info.version}", key="sc_dl", dataset=name)


render()
