"""Data page: every dataset version with its content hash, row counts and who imported it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.state import database_url
from deps.catalogue import status


def render() -> None:
    """Draw the page."""
    st.title("Data")
    state = status(database_url())
    st.caption(f"Database: `{state.database}`, schema {state.revision} ({'current' if state.up_to_date else 'old'})")
    if not state.datasets:
        st.info("No dataset yet: run `deps init` to load the seed.")
        return
    rows = [
        {
            "dataset": d.name,
            "version": d.version,
            "format": d.format,
            "content hash": d.content_hash[:16],
            "imported": d.created_at,
            "by": d.created_by,
            **{k: v for k, v in sorted(d.counts.items())},
        }
        for d in state.datasets
    ]
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True)
    st.download_button(
        "Download dataset versions (CSV)", table.to_csv(index=False).encode("utf-8"), "datasets.csv", "text/csv"
    )


render()
