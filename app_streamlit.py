"""Streamlit entry point: a thin router over the pages in app_pages/ (run with `make app`)."""

from __future__ import annotations

import streamlit as st

from app_pages.state import dataset_picker

st.set_page_config(page_title="deps — strategic dependencies", page_icon=":material/hub:", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/data.py", title="Data", icon=":material/database:"),
]

navigation = st.navigation(PAGES)
dataset_picker()
navigation.run()
