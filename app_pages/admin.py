"""Admin page: users and roles (add, change role, deactivate, reset password) and the audit log with its check."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app_pages.i18n import error_text, t
from app_pages.plain import md
from app_pages.state import actor, database, download_buttons
from app_pages.tables import show_table
from deps.access.audit import list_events, verify
from deps.access.auth import ROLES, add_user, list_users, reset_password, set_active, set_role
from deps.errors import DepsError


def _users() -> None:
    user = actor()
    db = database()
    st.subheader(t("Users and roles"))
    _shown_flash()
    users = pd.DataFrame(list_users(db, actor=user))
    show_table(users, hide_index=True)
    with st.form("add_user", clear_on_submit=True):
        left, right = st.columns(2)
        name = left.text_input(t("User name"), key="ad_name", max_chars=80)
        role = right.selectbox(t("Role"), ROLES, key="ad_role")
        if st.form_submit_button(t("Add user")):
            try:
                secret = add_user(db, name.strip(), str(role), by=user)
            except DepsError as exc:
                st.error(md(error_text(exc)))
            else:
                message = t(
                    "User {name} added. One-time password (shown once, pass it on safely):", name=repr(name.strip())
                )
                _flash(message, secret)
    if users.empty:
        return
    cols = st.columns(3)
    who = cols[0].selectbox(t("User"), list(users["name"]), key="ad_who")
    new_role = cols[1].selectbox(t("New role"), ROLES, key="ad_new_role")
    if cols[2].button(t("Change role"), key="ad_set_role"):
        _apply(
            lambda: set_role(db, str(who), str(new_role), by=user), t("{user} is now {role}.", user=who, role=new_role)
        )
    buttons = st.columns(3)
    if buttons[0].button(t("Deactivate"), key="ad_deactivate"):
        _apply(lambda: set_active(db, str(who), False, by=user), t("{user} is deactivated.", user=who))
    if buttons[1].button(t("Activate"), key="ad_activate"):
        _apply(lambda: set_active(db, str(who), True, by=user), t("{user} is active.", user=who))
    if buttons[2].button(t("Reset password"), key="ad_reset"):
        try:
            secret = reset_password(db, str(who), by=user)
        except DepsError as exc:
            st.error(md(error_text(exc)))
        else:
            _flash(t("New one-time password for {user} (shown once):", user=who), secret)


def _apply(change: Callable[[], object], message: str) -> None:
    try:
        change()
    except DepsError as exc:
        st.error(md(error_text(exc)))
    else:
        _flash(message)


def _flash(message: str, secret: str = "") -> None:
    """Show ``message`` (and a one-time password) after a rerun, so every list on the page is fresh."""
    st.session_state["ad_flash"] = (message, secret)
    st.rerun()


def _shown_flash() -> None:
    flash = st.session_state.pop("ad_flash", None)
    if flash:
        st.success(md(flash[0]))
        if flash[1]:
            st.code(flash[1])


def _audit() -> None:
    db = database()
    st.subheader(t("Audit log"))
    cols = st.columns(3)
    action = cols[0].text_input(t("Action"), key="au_action", max_chars=40).strip() or None
    who = cols[1].text_input(t("User name"), key="au_user", max_chars=80).strip() or None
    limit = cols[2].number_input(t("Entries"), 1, 10_000, 200, key="au_limit")
    events = pd.DataFrame(list_events(db, actor=actor(), limit=int(limit), action=action, user=who))
    if len(events):
        events["details"] = events["details"].map(str)
    show_table(events, hide_index=True)
    download_buttons(events, "audit-log", key="au_dl")
    if st.button(t("Verify audit chain"), key="au_verify"):
        report = verify(db, actor=actor())
        if report.ok:
            st.success(
                t(
                    "The audit chain is intact: {n} entries checked; newest hash {hash}.",
                    n=report.checked,
                    hash=report.head_hash,
                )
            )
        else:
            st.error(t("The audit chain is broken ({n} problem(s)):", n=len(report.problems)))
            st.text("\n".join(f"- {problem}" for problem in report.problems))


def render() -> None:
    """Draw the page."""
    st.title(t("Admin"))
    _users()
    _audit()


render()
