"""The interface language: the sidebar's choice and the lookup of every visible text in it.

:func:`t` returns the text in the language chosen in the sidebar (``st.session_state["lang"]``, ``en`` or ``nl``);
the table itself lives in :mod:`app_pages.texts` (no Streamlit, so the figure builders use it too); texts missing
from :data:`NL` stay English.  Action lines and markets carry their official Dutch names in the
data (``name_nl``); :func:`label_column` picks the right column.
"""

from __future__ import annotations

import streamlit as st

from app_pages.sentences import localise_error
from app_pages.texts import NL, translate

__all__ = ["LANGUAGES", "NL", "error_text", "label_column", "language", "t"]

LANGUAGES = ("en", "nl")


def language() -> str:
    """The chosen interface language (``en`` or ``nl``)."""
    lang = st.session_state.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


def t(text: str, /, **values: object) -> str:
    """``text`` in the chosen language (English when the table has no Dutch wording), with ``{name}`` fields filled
    from ``values`` (see :func:`app_pages.texts.translate`)."""
    return translate(text, language(), **values)


def label_column() -> str:
    """The name column of markets and action lines to show: ``name_nl`` in Dutch mode, ``name_en`` otherwise."""
    return "name_nl" if language() == "nl" else "name_en"


def error_text(error: BaseException) -> str:
    """The message of an error raised by the service layer in the chosen language (a validation error: its summary
    line); the ``deps`` package writes English, :mod:`app_pages.messages` has the Dutch wording."""
    return localise_error(error, language())
