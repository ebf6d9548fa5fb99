"""Session state shared by the pages: settings, login session, the chosen dataset, cached reads and downloads.

The login session is a server-side session (:mod:`deps.sessions`): its token is kept in this tab's
``st.session_state`` and in a browser cookie, so a refresh, a new tab or a typed page URL resumes it; the session and
the role are read again from the database on every rerun (:func:`current_actor`), so logout elsewhere, expiry and
deactivation apply at once.  Cached data is keyed
by database URL, dataset name and content hash (never by user); per-user things are never cached globally.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from app_pages.i18n import error_text, label_column, t
from app_pages.plain import md
from deps.access.auth import Actor, actor_for, allowed, session_expired
from deps.access.sessions import end_session, open_session, password_change_required, resume_session
from deps.config import Settings, load_settings
from deps.errors import AuthenticationError, DepsError
from deps.ingest import FUSABLE
from deps.services.composition import (
    Composition,
    composition_frames,
    is_fused,
    offered_compositions,
    resolve_composition,
)
from deps.services.exports import log_export, neutralise_formulas, table_bytes
from deps.services.fusion import split_fused_name
from deps.services.views import coverage_table, heatmap_frame, latest_analysis, markets_frame
from deps.store.catalogue import DatasetOverview, dataset_overview, list_datasets
from deps.store.db import Database
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
    "current_graph",
    "database",
    "dataset_label",
    "dataset_picker",
    "download_buttons",
    "export_marking",
    "forget_downloads",
    "graph_frames",
    "heatmap",
    "line_names",
    "logout",
    "market_names",
    "overview_view",
    "remember_language",
    "remembered_language",
    "settings",
    "sign_in",
    "source_line",
    "sync_cookie",
]


def settings() -> Settings:
    """The application settings (from the environment)."""
    return load_settings()


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Database:
    return Database(url)


def database() -> Database:
    """The handle on the database in force: one per URL and server process, shared by every session (it holds
    the connection pool). Cached functions that take it are keyed by its URL (the handle pickles as its URL)."""
    return _database(settings().effective_database_url)


# --------------------------------------------------------------------------------------------- login session
#: The cookie that carries the session token, so a refresh, a new tab or a typed page URL stays signed in.
COOKIE = "deps_session"
#: What a session token looks like (``secrets.token_urlsafe(32)``); anything else in the cookie is ignored.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
#: The cookie that remembers the interface language.
LANG_COOKIE = "deps_lang"


def _cookie_script(token: str | None) -> None:
    """Set (or, with ``None``, delete) the session cookie in the browser: SameSite=Strict, Secure over HTTPS."""
    value = f"{COOKIE}={token}; Path=/; SameSite=Strict" if token else f"{COOKIE}=; Path=/; Max-Age=0; SameSite=Strict"
    script = (
        f"<script>document.cookie = {json.dumps(value)} + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )
    st.html(script, unsafe_allow_javascript=True)


def sync_cookie() -> None:
    """Write the pending cookie change of this session (after a login, a password change or a logout)."""
    if "cookie" in st.session_state:
        _cookie_script(st.session_state.pop("cookie"))


def sign_in(user: Actor) -> None:
    """Open a server-side session for ``user`` (just authenticated) and hand its token to the browser."""
    token = open_session(database(), user)
    st.session_state["token"] = token
    st.session_state["cookie"] = token
    st.session_state["last_seen"] = datetime.now(UTC)
    st.session_state["must_change"] = password_change_required(database(), user)


def logout(message: str | None = None) -> None:
    """End the server-side session (every tab holding it is signed out), drop the download files and forget
    everything this session holds except the language."""
    token = st.session_state.get("token")
    if token:
        try:
            end_session(database(), str(token))
        except DepsError as exc:  # pragma: no cover - the database went away; the cookie is deleted anyway
            message = str(exc)
    forget_downloads()
    for key in list(st.session_state.keys()):
        if key not in ("lang", "_lang_saved"):
            del st.session_state[key]
    st.session_state["cookie"] = None
    st.session_state["ended"] = str(token or "")
    if message:
        st.session_state["login_message"] = message


def _browser_cookie(name: str) -> str:
    """A cookie the browser sent when this tab connected ("" in bare mode and under AppTest's stand-in runtime)."""
    from streamlit import runtime
    from streamlit.runtime import Runtime

    if not runtime.exists() or not isinstance(runtime.get_instance(), Runtime):
        return ""
    try:
        found = st.context.cookies.get(name)
    except Exception:
        return ""
    return found if isinstance(found, str) else ""


def _browser_token() -> str:
    """The token of the session cookie the browser sent when this tab connected (unless this tab logged out)."""
    found = _browser_cookie(COOKIE)
    if not TOKEN_SHAPE.fullmatch(found):  # no cookie, or junk in it
        return ""
    return "" if found == st.session_state.get("ended") else found


def remembered_language(choices: tuple[str, ...]) -> None:
    """Start a new tab in the language the browser last chose (cookie ``deps_lang``)."""
    if "lang" not in st.session_state:
        found = _browser_cookie(LANG_COOKIE)
        if found in choices:
            st.session_state["lang"] = found
            st.session_state["_lang_saved"] = found


def remember_language() -> None:
    """Keep the chosen language in the browser for the next tab or refresh."""
    lang = str(st.session_state.get("lang") or "")
    if lang and st.session_state.get("_lang_saved") != lang:
        st.session_state["_lang_saved"] = lang
        value = json.dumps(f"{LANG_COOKIE}={lang}; Path=/; SameSite=Strict; Max-Age=31536000")
        script = f"<script>document.cookie = {value};</script>"
        st.html(script, unsafe_allow_javascript=True)


def current_actor(now: datetime | None = None) -> Actor | None:
    """The signed-in user with the role the database holds now, or None (logged out, expired, revoked, inactive).

    The session is resumed from the database on every rerun by its token (this tab's, or the cookie a refreshed or
    new tab sent), so logout elsewhere, expiry and deactivation apply at once.
    """
    token = str(st.session_state.get("token") or "") or _browser_token()
    if not token:
        return None
    moment = now or datetime.now(UTC)
    last_seen = st.session_state.get("last_seen")
    if isinstance(last_seen, datetime) and session_expired(last_seen, moment, settings().session_minutes):
        logout(t("Your session expired after inactivity: log in again."))
        return None
    try:
        found = resume_session(database(), token, minutes=settings().session_minutes, now=moment)
    except AuthenticationError as exc:
        reason = str(exc)
        if "expired" in reason:
            message = t("Your session expired after inactivity: log in again.")
        elif "inactive" in reason:
            message = t("Your account is no longer active: log in again.")
        else:
            message = t("Your session ended: log in again.")
        logout(message if "token" in st.session_state else None)
        return None
    if "token" not in st.session_state:  # resumed from the cookie: a refresh, a new tab or a typed URL
        st.session_state["token"] = token
        st.session_state["must_change"] = password_change_required(database(), found)
    st.session_state["user"] = found.name
    st.session_state["last_seen"] = moment
    st.session_state["_actor"] = found
    return found


def actor() -> Actor:
    """The user the router checked in this rerun (pages run only after the router found one)."""
    found = st.session_state.get("_actor")
    if not isinstance(found, Actor):
        st.stop()
        raise AssertionError("unreachable")  # pragma: no cover - st.stop raises
    return found


# --------------------------------------------------------------------------------------------- dataset
def dataset_picker() -> None:
    """Sidebar choice of supply-graph dataset (newest version of each name); remembered in the session.

    Only datasets with nodes are offered: trade flows and governance scores feed the EU screen and the risk scores,
    they are no graph for the Overview, the explorer or the chokepoint page.  After them come the fused compositions
    the stored datasets allow (:func:`deps.services.composition.offered_compositions`: the seed with each imported
    USGS, IEA or CSET dataset, and with all of them), labelled like "seed + USGS + IEA (fused)".
    """
    db = database()
    try:
        names = sorted({d.name for d in list_datasets(db, latest_only=True) if d.counts.get("nodes", 0) > 0})
        names += offered_compositions(db, settings(), actor=actor())
    except DepsError as exc:
        st.sidebar.error(md(error_text(exc)))
        return
    if not names:
        return
    default = settings().seed_dataset
    chosen = st.session_state.get("dataset", default if default in names else names[0])
    index = names.index(chosen) if chosen in names else 0
    labels = {name: dataset_label(name) for name in names}  # in this rerun's language (not at the call's)
    st.session_state["dataset"] = st.sidebar.selectbox(
        t("Dataset"), names, index=index, key="dataset_select", format_func=lambda name: labels.get(name, name)
    )


def dataset_label(name: str) -> str:
    """A dataset's name as the picker shows it: a fused composition's members joined by " + " (an added dataset
    named after its format in capitals, e.g. "seed + USGS + IEA (fused)"), a plain dataset's name as it is."""
    if not is_fused(name):
        return name
    base, others = split_fused_name(name)
    added = [other.upper() if other in FUSABLE else other for other in others]
    return t("{members} (fused)", members=" + ".join((base, *added)))


def current_dataset() -> DatasetRef | None:
    """The chosen stored dataset version (the base of a fused choice), or None (with a message on the page) when
    there is none.  Pages that read the supply graph use :func:`current_graph`."""
    name = split_fused_name(str(st.session_state.get("dataset") or settings().seed_dataset))[0]
    try:
        return resolve_dataset(database(), name)
    except DepsError as exc:
        st.warning(t("{error}. Run `deps init` to create the database and load the seed.", error=error_text(exc)))
        return None


def current_graph() -> DatasetRef | None:
    """The chosen supply graph: a stored dataset version, or a fused composition's reference (its name, the base's
    id and version, a content hash that changes with any member's version), or None (with a message on the page).

    Pass it to :func:`graph_frames`, :func:`analysis_tables` and :func:`source_line`, and its name to the run
    services (they fuse a composition's name themselves).
    """
    name = str(st.session_state.get("dataset") or settings().seed_dataset)
    if not is_fused(name):
        return current_dataset()
    try:
        return resolve_composition(database(), name, actor=actor()).ref
    except DepsError as exc:
        st.warning(md(error_text(exc)))
        return None


@st.cache_data(show_spinner=False, max_entries=16)
def _composition(db: Database, name: str, content_hash: str, _user: Actor) -> Composition:
    """A composition's members, cached per composition version (its content hash)."""
    return resolve_composition(db, name, actor=_user)


def source_line(ref: DatasetRef, extra: str = "") -> str:
    """The source line of every chart: dataset, version and content hash (plus a run id when given); for a fused
    composition every member with its version."""
    if is_fused(ref.name):
        composition = _composition(database(), ref.name, ref.content_hash, actor())
        members = " + ".join(f"{r.name} v{r.version}" for r in (composition.base, *composition.added))
        line = t("deps, fused graph {members} ({hash})", members=members, hash=ref.content_hash[:12])
    else:
        line = t(
            "deps, dataset {dataset} v{version} ({hash})",
            dataset=ref.name,
            version=ref.version,
            hash=ref.content_hash[:12],
        )
    return f"{line}; {extra}" if extra else line


# --------------------------------------------------------------------------------------------- cached reads
@st.cache_data(show_spinner=False, max_entries=16)
def _graph_frames(db: Database, dataset_id: int, content_hash: str) -> dict[str, pd.DataFrame]:
    return {
        "nodes": nodes_frame(db, dataset_id),
        "edges": edges_frame(db, dataset_id),
        "provision": provision_frame(db, dataset_id),
    }


@st.cache_data(show_spinner=False, max_entries=8)
def _fused_frames(db: Database, name: str, content_hash: str, _user: Actor) -> dict[str, pd.DataFrame]:
    """Cached per composition version (the hash of every member's); every role may read, so not keyed by reader."""
    return composition_frames(db, name, actor=_user, settings=settings())


def graph_frames(ref: DatasetRef) -> dict[str, pd.DataFrame]:
    """Nodes, edges and provision of a dataset version (cached by content hash).

    For a fused composition (:func:`current_graph`) the provision is the fused one, nodes and edges the base's, and
    ``sources`` and ``conflicts`` hold the candidate sources per node and the conflicts between them.
    """
    if is_fused(ref.name):
        return _fused_frames(database(), ref.name, ref.content_hash, actor())
    return _graph_frames(database(), ref.id, ref.content_hash)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_analysis(
    db: Database, name: str, version: int, content_hash: str, _user: Actor
) -> tuple[str, dict[str, pd.DataFrame]] | None:
    """Cached per dataset version (a composition's: the hash of every member's); every role may read, so the reader
    is not part of the key."""
    if is_fused(name):
        composition = resolve_composition(db, name, actor=_user)
        return latest_analysis(db, composition.ref, actor=_user, members=composition.members)
    return latest_analysis(db, resolve_dataset(db, name, version), actor=_user)


def analysis_tables(user: Actor, ref: DatasetRef) -> tuple[str, dict[str, pd.DataFrame]] | None:
    """The newest stored analysis of ``ref``; analysts run one (recorded) when none is stored yet.

    Viewers get None when nobody has analysed this version yet (the page says so).
    """
    db = database()
    found = _stored_analysis(db, ref.name, ref.version, ref.content_hash, actor())
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
            run_analysis(database(), settings(), dataset=ref.name, actor=user)
    except DepsError as exc:
        st.warning(md(error_text(exc)))
        return None
    _stored_analysis.clear()
    return _stored_analysis(db, ref.name, ref.version, ref.content_hash, actor())


@st.cache_data(show_spinner=False, max_entries=16)
def overview_view(db: Database, dataset: str, content_hash: str) -> DatasetOverview:
    """The Overview's counts and coverage of a dataset, cached per version (the hash in the key makes a new import
    show at once); of a fused composition, the base's counts with the coverage of the fused supplier rows."""
    if not is_fused(dataset):
        return dataset_overview(db, dataset)
    base = dataset_overview(db, split_fused_name(dataset)[0])
    frames = _fused_frames(db, dataset, content_hash, actor())
    coverage = coverage_table(frames["nodes"], frames["provision"])
    return dataclasses.replace(base, dataset=dataset, content_hash=content_hash, coverage=coverage)


@st.cache_data(show_spinner=False, max_entries=16)
def heatmap(run_id: str, analysis_nodes: pd.DataFrame, graph_nodes: pd.DataFrame) -> pd.DataFrame:
    """The Overview's risk per focus market and sector of an analysis run (cached per run and tables)."""
    return heatmap_frame(analysis_nodes, graph_nodes)


@st.cache_data(show_spinner=False, max_entries=4)
def _names(db: Database, _user: Actor) -> tuple[pd.DataFrame, pd.DataFrame]:
    return markets_frame(db, actor=_user), action_lines_frame(db)


def market_names() -> dict[str, str]:
    """Market id -> its name in the chosen language (official Dutch names in Dutch mode)."""
    markets, _lines = _names(database(), actor())
    return dict(zip(markets["market_id"], markets[label_column()], strict=True))


def line_names() -> dict[str, str]:
    """Action line id -> its name in the chosen language."""
    _markets, lines = _names(database(), actor())
    return dict(zip(lines["action_line_id"], lines[label_column()], strict=True))


# --------------------------------------------------------------------------------------------- downloads
def export_marking() -> str:
    """The classification marking every table download carries (setting ``DEPS_EXPORT_CLASSIFICATION``)."""
    return settings().export_classification


def _stamp(user: Actor, dataset: str) -> str:
    moment = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"deps; dataset {dataset or '-'}; exported by {user.name} at {moment}"


def marked_csv(frame: pd.DataFrame, marking: str, stamp: str) -> bytes:
    """CSV bytes of ``frame`` headed by two marking rows (classification, provenance) and an empty row."""
    head = io.StringIO()
    writer = csv.writer(head, lineterminator="\n")
    writer.writerow(["classification", marking])
    writer.writerow(["source", stamp])
    writer.writerow([])
    return head.getvalue().encode("utf-8") + table_bytes(frame, "csv")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data", *, marking: str = "", stamp: str = "") -> bytes:
    """An XLSX workbook of ``frame`` (formula-looking text neutralised), marked in A1, header, footer and properties."""
    buffer = io.BytesIO()
    start = 3 if marking else 0
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        neutralise_formulas(frame).to_excel(writer, sheet_name=sheet[:31], index=False, startrow=start)
        if marking:
            book = writer.book
            page = writer.sheets[sheet[:31]]
            page.write_string(0, 0, marking.upper(), book.add_format({"bold": True, "font_color": "#B00020"}))
            page.write_string(1, 0, stamp)
            safe = marking.replace("&", "&&")
            page.set_header(f"&C{safe}")
            page.set_footer(f"&C{safe}")
            book.set_properties({"title": sheet, "keywords": marking, "comments": stamp})
            book.set_custom_property("classification", marking)
    return buffer.getvalue()


def _deferred(
    db: Database, user: Actor, frame: pd.DataFrame, name: str, fmt: str, dataset: str, marking: str
) -> Callable[[], bytes]:
    """The download as a callable run only when the button is clicked: role re-read, bytes marked, export audited."""

    def build() -> bytes:
        fresh = actor_for(db, user.name)
        if not allowed(fresh, "export"):
            raise AuthenticationError(f"{fresh.name} may not export")
        stamp = _stamp(fresh, dataset)
        data = (
            marked_csv(frame, marking, stamp) if fmt == "csv" else xlsx_bytes(frame, name, marking=marking, stamp=stamp)
        )
        log_export(db, fresh, table=name, fmt=fmt, data=data, dataset=dataset)
        return data

    return build


def download_buttons(
    frame: pd.DataFrame, name: str, *, key: str, dataset: str = "", formats: tuple[str, ...] = ("csv", "xlsx")
) -> None:
    """Download buttons for roles with ``export``; nothing for others.

    Nothing is stored for the download until it is clicked: the file is built then, marked with the classification
    (CSV header rows; XLSX cell A1, page header/footer and document properties) and logged in the audit log.
    """
    user = st.session_state.get("_actor")
    if not isinstance(user, Actor) or not allowed(user, "export"):
        return
    marking = export_marking()
    mimes = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    labels = {"csv": t("Download CSV"), "xlsx": t("Download XLSX")}
    for column, fmt in zip(st.columns(len(formats)), formats, strict=True):
        column.download_button(
            labels[fmt],
            data=_deferred(database(), user, frame, name, fmt, dataset, marking),
            file_name=f"{name}.{fmt}",
            mime=mimes[fmt],
            key=f"{key}_{fmt}",
            on_click="ignore",
            help=t("Marked “{marking}”; every download is logged.", marking=marking),
        )


def forget_downloads() -> None:
    """Drop every download file no live session refers to (called at logout, so no /media URL outlives it)."""
    from streamlit import runtime

    if not runtime.exists():
        return
    manager = runtime.get_instance().media_file_mgr
    manager.clear_session_refs()
    # a download file is removed on its second orphan pass (Streamlit keeps it for one rerun)
    manager.remove_orphaned_files()
    manager.remove_orphaned_files()
