"""Streamlit entry point: a thin router over the pages in app_pages/ (run with `make app`).

Until a user has logged in, only the login page exists; afterwards only the pages the user's role permits are
registered (app_pages/nav.py), so a viewer asking for an analyst page is sent to the overview.
"""

from __future__ import annotations

import streamlit as st

from app_pages.i18n import LANGUAGES, t
from app_pages.nav import ACCOUNT, pages_for
from app_pages.state import (
    current_actor,
    dataset_picker,
    logout,
    remember_language,
    remembered_language,
    sync_cookie,
)
from app_pages.warmup import start as warm_up

warm_up()  # once per server process: the first page after login finds Plotly and the default dataset warm

st.set_page_config(page_title=t("deps — strategic dependencies"), page_icon="🕸️", layout="wide")
remembered_language(LANGUAGES)
st.sidebar.radio(
    "Language / Taal",
    LANGUAGES,
    key="lang",
    horizontal=True,
    format_func=lambda c: {"en": "English", "nl": "Nederlands"}[c],
)

actor = current_actor()
sync_cookie()
remember_language()
if actor is None:
    st.navigation([st.Page("app_pages/login.py", title=t("Log in"), icon=":material/login:", default=True)]).run()
    st.stop()

# a user holding a one-time password sees only the account page until the password is changed
specs = [ACCOUNT] if st.session_state.get("must_change") else [*pages_for(actor), ACCOUNT]
pages = [
    st.Page(spec.path, title=t(spec.title), icon=spec.icon, default=index == 0) for index, spec in enumerate(specs)
]
navigation = st.navigation(pages)
st.sidebar.caption(t("Signed in as **{name}** ({role})", name=actor.name, role=actor.role))
st.sidebar.button(t("Log out"), key="logout", on_click=logout, icon=":material/logout:")
dataset_picker()
navigation.run()
