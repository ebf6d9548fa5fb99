"""Login page: the only page that exists before a user is authenticated (no data is read here)."""

from __future__ import annotations

import streamlit as st

from app_pages.i18n import t
from app_pages.state import database, settings, sign_in
from deps.access.auth import authenticate
from deps.errors import AuthenticationError, DepsError


def _load_the_chart_library() -> None:
    """An empty, hidden chart: the browser loads and starts its chart library (Plotly) while the user types, so the
    first page after login draws its charts at once."""
    import plotly.graph_objects as go

    st.html("<style>.st-key-login_charts{display:none}</style>")
    with st.container(key="login_charts"):
        st.plotly_chart(go.Figure(), key="login_chart")


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
