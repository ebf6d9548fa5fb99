"""Lazy tabs: only the open tab's content runs and reaches the browser, and the choices made in a closed tab stay.

``st.tabs(..., on_change="rerun")`` reruns the page when the user opens another tab and tells each tab whether it
is open, so a page draws one tab's tables and charts instead of all of them.  Streamlit drops the state of a widget
that a run does not draw, so a choice made in a tab (a radio, a checkbox, a selectbox) would fall back to its
default when the tab is opened again; :func:`lazy_tabs` keeps the named widgets' values by writing them back to the
session state before the tabs are drawn (Streamlit's documented way to keep a widget's value across runs that do not
draw it).  A kept widget takes its default from the session state (``st.session_state.setdefault``), not from a
``value=`` argument, which Streamlit would flag beside a value set through the session state.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.elements.lib.mutable_tab_container import TabContainer

__all__ = ["lazy_tabs"]


def lazy_tabs(labels: Sequence[str], *, key: str, keep: Sequence[str] = ()) -> Sequence[TabContainer]:
    """Tabs that rerun the page when another is opened (each tab's ``.open`` says whether it is the open one).

    Parameters
    ----------
    labels
        The tabs' labels, in the user's language.
    key
        The tabs' widget key (its session-state value is the open tab's label).
    keep
        Keys of widgets inside the tabs whose values must survive while their tab is closed.
    """
    for name in keep:
        if name in st.session_state:
            st.session_state[name] = st.session_state[name]
    return st.tabs(list(labels), key=key, on_change="rerun")
