"""Login page: the only page that exists before a user is authenticated (no data is read here)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

from app_pages.i18n import t
from app_pages.state import database, settings, sign_in
from deps.access.auth import authenticate
from deps.errors import AuthenticationError, DepsError


@cache
def _chart_module() -> str | None:
    """The file name of Streamlit's Plotly chart module in its static folder (the name carries a content hash)."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if found else None


def _load_the_chart_library() -> None:
    """Have the browser load and start Streamlit's chart module (Plotly, about 4.7 MB of JavaScript) while the user
    types, so that the first page after login draws its charts at once; no chart and no data on this page (without
    the module's file, or if the browser cannot load it, the first chart loads it as before)."""
    name = _chart_module()
    if name is not None:
        url = json.dumps(f"static/js/{name}")
        st.html(
            f"<script>import(new URL({url}, document.baseURI).href).catch(() => undefined);</script>",
            unsafe_allow_javascript=True,
        )


def render() -> None:
    """Draw the login form; on success open a server-side session (token in a cookie) and rerun into the app."""
    st.title(t("Log in"))
    st.caption(t("Log in to see the data."))
    message = st.session_state.pop("login_message", None)
    if message:
        st.info(message)
    with st.form("login", clear_on_submit=True):
        name = st.text_input(t("User name"), key="login_name", max_chars=80)
        password = st.text_input(t("Password"), type="password", key="login_password", max_chars=1024)
        submitted = st.form_submit_button(t("Log in"), type="primary")
    _load_the_chart_library()
    if not submitted:
        return
    try:
        actor = authenticate(database(), name.strip(), password, settings=settings())
    except AuthenticationError:
        st.error(t("Login failed: wrong user name or password, or the account is locked or inactive."))
        return
    except DepsError:
        st.error(t("The database cannot be read. Ask the administrator to run `deps init`."))
        return
    sign_in(actor)
    st.rerun()


render()
