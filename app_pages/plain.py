"""Data shown as plain text: names, descriptions, notes and messages are never read as Markdown or HTML.

Streamlit renders the text of ``st.markdown``, ``st.caption``, ``st.subheader``, ``st.error`` and their kin as
Markdown (links, images, colour directives, icons, LaTeX); Plotly renders a subset of HTML (``<a href>``, ``<img>``
is dropped but ``<a>`` is live) in every label and hover text.  :func:`md` escapes every Markdown punctuation
character with a backslash (CommonMark: any ASCII punctuation may be escaped) and folds line breaks, so a node named
``![x](http://host/beacon)`` shows exactly those characters and fetches nothing; :func:`html_text` escapes ``<``,
``>`` and ``&`` for Plotly.

Examples
--------
>>> md("[click](http://x)")
'\\\\[click\\\\]\\\\(http\\\\:\\\\/\\\\/x\\\\)'
>>> html_text("<a href='x'>y</a>")
'&lt;a href=&#x27;x&#x27;&gt;y&lt;/a&gt;'
"""

from __future__ import annotations

import html
import re

__all__ = ["html_text", "md", "wrap"]

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")


def md(value: object) -> str:
    """``value`` as text that Streamlit's Markdown shows literally (every ASCII punctuation escaped, one line)."""
    return _PUNCTUATION.sub(r"\\\1", _BREAKS.sub(" ", str(value)))


def html_text(value: object) -> str:
    """``value`` as text that Plotly shows literally (``<``, ``>``, ``&`` and quotes as entities)."""
    return html.escape(str(value), quote=True)


def wrap(value: object, width: int = 24, *, escape: bool = True) -> str:
    """A Plotly label broken into lines of at most about ``width`` characters (``<br>`` between words), escaped
    (``escape=False`` for the app's own texts, which may hold Plotly markup)."""
    words = str(value).split()
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    clean = html_text if escape else str
    return "<br>".join(clean(line) for line in lines) or clean(value)
