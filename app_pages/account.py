"""Account: every user changes their own password here; a user holding a one-time password sees only this page."""

from __future__ import annotations

import streamlit as st

from app_pages.i18n import error_text, t
from app_pages.state import actor, database, settings, sign_in
from deps.access.sessions import change_password
from deps.errors import AuthenticationError, DepsError


def render() -> None:
    """Draw the password form; on success every other session of the user ends and this tab gets a new one."""
    st.title(t("Account"))
    user = actor()
    if st.session_state.get("must_change"):
        st.warning(t("Your password was set by an administrator: choose your own password before you continue."))
    done = st.session_state.pop("password_changed", False)
    if done:
        st.success(t("Your password is changed."))
    st.subheader(t("Change password"))
    with st.form("password", clear_on_submit=True):
        current = st.text_input(t("Current password"), type="password", key="pw_current", max_chars=1024)
        new = st.text_input(t("New password"), type="password", key="pw_new", max_chars=1024)
        again = st.text_input(t("New password again"), type="password", key="pw_again", max_chars=1024)
        submitted = st.form_submit_button(t("Change password"), type="primary")
    if not submitted:
        return
    if new != again:
        st.error(t("The two new passwords differ."))
        return
    try:
        change_password(
            database(),
            user,
            current,
            new,
            min_length=settings().password_min_length,
            min_score=settings().password_min_score,
        )
    except AuthenticationError:
        st.error(t("The current password is wrong."))
        return
    except DepsError as exc:
        st.error(t("The new password is refused: {reason}", reason=error_text(exc)))
        return
    sign_in(user)
    st.session_state["must_change"] = False
    st.session_state["password_changed"] = True
    st.rerun()


render()
