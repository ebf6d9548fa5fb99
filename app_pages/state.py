"""Session state shared by the pages: settings, database URL and the dataset chosen in the sidebar."""

from __future__ import annotations

import streamlit as st

from deps.catalogue import list_datasets
from deps.config import Settings, load_settings
from deps.errors import DepsError
from deps.queries import DatasetRef, resolve_dataset

__all__ = ["current_dataset", "database_url", "dataset_picker", "settings"]


def settings() -> Settings:
    """The application settings (from the environment)."""
    return load_settings()


def database_url() -> str:
    """The database URL in force."""
    return settings().effective_database_url


def dataset_picker() -> None:
    """Sidebar choice of dataset (newest version of each name); remembered in the session."""
    url = database_url()
    try:
        names = sorted({d.name for d in list_datasets(url, latest_only=True)})
    except DepsError as exc:
        st.sidebar.error(str(exc))
        return
    if not names:
        return
    default = settings().seed_dataset
    chosen = st.session_state.get("dataset", default if default in names else names[0])
    index = names.index(chosen) if chosen in names else 0
    st.session_state["dataset"] = st.sidebar.selectbox("Dataset", names, index=index, key="dataset_select")


def current_dataset() -> DatasetRef | None:
    """The chosen dataset version, or None (with a message on the page) when there is none."""
    name = st.session_state.get("dataset") or settings().seed_dataset
    try:
        return resolve_dataset(database_url(), name)
    except DepsError as exc:
        st.warning(f"{exc}. Run `deps init` to create the database and load the seed.")
        return None
