"""Session state shared by the pages: settings, login session, the chosen dataset, cached reads and downloads.

The login session lives in ``st.session_state`` only (``user`` and ``last_seen``); the role is read again from the
database on every rerun (:func:`current_actor`), so a deactivated user is logged out at once.  Cached data is keyed
by database URL, dataset name and content hash (never by user); per-user things are never cached globally.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.i18n import label_column, t
from deps.access.auth import Actor, actor_for, allowed, session_expired
from deps.config import Settings, load_settings
from deps.errors import AuthenticationError, DepsError
from deps.services.exports import log_export, neutralise_formulas, table_bytes
from deps.services.views import latest_analysis, markets_frame
from deps.store.catalogue import list_datasets
from deps.store.queries import (
    DatasetRef,
    action_lines_frame,
    edges_frame,
    nodes_frame,
    provision_frame,
    resolve_dataset,
)

__all__ = [
    "actor",
    "analysis_tables",
    "current_actor",
    "current_dataset",
    "database_url",
    "dataset_picker",
    "download_buttons",
    "graph_frames",
    "line_names",
    "logout",
    "market_names",
    "settings",
    "source_line",
]


def settings() -> Settings:
    """The application settings (from the environment)."""
    return load_settings()


def database_url() -> str:
    """The database URL in force."""
    return settings().effective_database_url


# --------------------------------------------------------------------------------------------- login session
def logout(message: str | None = None) -> None:
    """Forget everything this session holds (login, chosen dataset, results) except the language."""
    lang = st.session_state.get("lang")
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if lang is not None:
        st.session_state["lang"] = lang
    if message:
        st.session_state["login_message"] = message


def current_actor(now: datetime | None = None) -> Actor | None:
    """The logged-in user with the role the database holds now, or None (logged out, expired or deactivated)."""
    name = st.session_state.get("user")
    if not name:
        return None
    moment = now or datetime.now(UTC)
    last_seen = st.session_state.get("last_seen")
    if not isinstance(last_seen, datetime) or session_expired(last_seen, moment, settings().session_minutes):
        logout(t("Your session expired after inactivity: log in again."))
        return None
    try:
        actor = actor_for(database_url(), str(name))
    except AuthenticationError:
        logout(t("Your account is no longer active: log in again."))
        return None
    st.session_state["last_seen"] = moment
    st.session_state["_actor"] = actor
    return actor


def actor() -> Actor:
    """The user the router checked in this rerun (pages run only after the router found one)."""
    found = st.session_state.get("_actor")
    if not isinstance(found, Actor):
        st.stop()
        raise AssertionError("unreachable")  # pragma: no cover - st.stop raises
    return found


# --------------------------------------------------------------------------------------------- dataset
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
    st.session_state["dataset"] = st.sidebar.selectbox(t("Dataset"), names, index=index, key="dataset_select")


def current_dataset() -> DatasetRef | None:
    """The chosen dataset version, or None (with a message on the page) when there is none."""
    name = st.session_state.get("dataset") or settings().seed_dataset
    try:
        return resolve_dataset(database_url(), name)
    except DepsError as exc:
        st.warning(t("{error}. Run `deps init` to create the database and load the seed.", error=exc))
        return None


def source_line(ref: DatasetRef, extra: str = "") -> str:
    """The source line of every chart: dataset, version and content hash (plus a run id when given)."""
    line = t(
        "deps, dataset {dataset} v{version} ({hash})", dataset=ref.name, version=ref.version, hash=ref.content_hash[:12]
    )
    return f"{line}; {extra}" if extra else line


# --------------------------------------------------------------------------------------------- cached reads
@st.cache_data(show_spinner=False, max_entries=16)
def _graph_frames(url: str, dataset_id: int, content_hash: str) -> dict[str, pd.DataFrame]:
    return {
        "nodes": nodes_frame(url, dataset_id),
        "edges": edges_frame(url, dataset_id),
        "provision": provision_frame(url, dataset_id),
    }


def graph_frames(ref: DatasetRef) -> dict[str, pd.DataFrame]:
    """Nodes, edges and provision of a dataset version (cached by content hash)."""
    return _graph_frames(database_url(), ref.id, ref.content_hash)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_analysis(
    url: str, name: str, version: int, content_hash: str
) -> tuple[str, dict[str, pd.DataFrame]] | None:
    return latest_analysis(url, resolve_dataset(url, name, version))


def analysis_tables(user: Actor, ref: DatasetRef) -> tuple[str, dict[str, pd.DataFrame]] | None:
    """The newest stored analysis of ``ref``; analysts run one (recorded) when none is stored yet.

    Viewers get None when nobody has analysed this version yet (the page says so).
    """
    url = database_url()
    found = _stored_analysis(url, ref.name, ref.version, ref.content_hash)
    if found is not None:
        return found
    if not allowed(user, "analyse"):
        st.info(
            t(
                "No analysis of this dataset version is stored yet; an analyst's first visit runs one "
                "(or run `deps analyse` on the command line)."
            )
        )
        return None
    from deps.services.analysis import run_analysis

    try:
        with st.spinner(t("Analysing the supply graph (once per dataset version)...")):
            run_analysis(settings(), dataset=ref.name, actor=user)
    except DepsError as exc:
        st.warning(str(exc))
        return None
    _stored_analysis.clear()
    return _stored_analysis(url, ref.name, ref.version, ref.content_hash)


@st.cache_data(show_spinner=False, max_entries=4)
def _names(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return markets_frame(url), action_lines_frame(url)


def market_names() -> dict[str, str]:
    """Market id -> its name in the chosen language (official Dutch names in Dutch mode)."""
    markets, _lines = _names(database_url())
    return dict(zip(markets["market_id"], markets[label_column()], strict=True))


def line_names() -> dict[str, str]:
    """Action line id -> its name in the chosen language."""
    _markets, lines = _names(database_url())
    return dict(zip(lines["action_line_id"], lines[label_column()], strict=True))


# --------------------------------------------------------------------------------------------- downloads
def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """An XLSX workbook of ``frame`` with formula-looking text neutralised."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        neutralise_formulas(frame).to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()


def _logged(table: str, fmt: str, frame: pd.DataFrame, dataset: str) -> None:
    user = st.session_state.get("_actor")
    if not isinstance(user, Actor):
        return
    data = table_bytes(frame, "csv") if fmt == "csv" else xlsx_bytes(frame)
    try:
        log_export(database_url(), user, table=table, fmt=fmt, data=data, dataset=dataset)
    except DepsError as exc:
        st.error(str(exc))


def download_buttons(frame: pd.DataFrame, name: str, *, key: str, dataset: str = "") -> None:
    """CSV and XLSX download buttons for roles with ``export`` (each download is audited); nothing for others."""
    user = st.session_state.get("_actor")
    if not isinstance(user, Actor) or not allowed(user, "export"):
        return
    left, right = st.columns(2)
    kwargs: dict[str, Any] = {"on_click": _logged}
    left.download_button(
        t("Download CSV"),
        data=table_bytes(frame, "csv"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        args=(name, "csv", frame, dataset),
        **kwargs,
    )
    right.download_button(
        t("Download XLSX"),
        data=lambda: xlsx_bytes(frame, name),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        args=(name, "xlsx", frame, dataset),
        **kwargs,
    )
