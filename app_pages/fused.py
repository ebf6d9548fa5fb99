"""The explorer's section on a fused graph: a node's candidate sources (the chosen one marked) and their conflicts.

Both tables come from the fused graph frames (:func:`app_pages.state.graph_frames` of a composition, built by
:func:`deps.services.composition.composition_frames`), the same ``sources`` and ``conflicts`` tables a fused
analysis run stores; nothing is shown for a plain dataset.
"""

from __future__ import annotations

import streamlit as st

from app_pages.i18n import t
from app_pages.state import graph_frames, settings
from app_pages.tables import show_table
from deps.services.composition import is_fused
from deps.store.queries import DatasetRef

__all__ = ["CONFLICT_COLUMNS", "SOURCE_COLUMNS", "fused_sources"]

#: The columns of a node's candidate sources, as shown (the node is the one in detail).
SOURCE_COLUMNS = ["chosen", "source", "stage", "year", "vintage", "evidence", "basis", "suppliers"]
#: The columns of a node's conflicts, as shown.
CONFLICT_COLUMNS = ["supplier_id", "year", "source_a", "share_a", "source_b", "share_b", "difference_pp"]


def fused_sources(ref: DatasetRef, node_id: str) -> None:
    """Draw the candidate sources and conflicts of ``node_id`` when ``ref`` is a fused composition."""
    if not is_fused(ref.name):
        return
    frames = graph_frames(ref)
    sources, conflicts = frames["sources"], frames["conflicts"]
    st.subheader(t("Sources of the fused graph"))
    st.caption(
        t(
            "Every source that gives this node's country shares; the chosen one supplies the shares above "
            "(precedence: a production location before headquarters, then observed before estimated, the basis, the "
            "newest year; docs/data.md)."
        )
    )
    mine = sources[sources["node_id"].eq(node_id)] if len(sources) else sources
    if len(mine):
        ordered = mine.sort_values(["chosen", "source", "stage"], ascending=[False, True, True], kind="stable")
        show_table(ordered[SOURCE_COLUMNS], key="ex_fused_sources", raw=("stage",))
    st.subheader(t("Conflicts between the sources"))
    st.caption(
        t(
            "Suppliers and years for which two sources' shares differ by more than {pp:g} percentage points "
            "(DEPS_CONFLICT_PP).",
            pp=settings().conflict_pp,
        )
    )
    clashes = conflicts[conflicts["node_id"].eq(node_id)] if len(conflicts) else conflicts
    if clashes.empty:
        st.info(t("No conflict between the sources of this node."))
        return
    show_table(clashes[CONFLICT_COLUMNS].round({"share_a": 1, "share_b": 1, "difference_pp": 1}), key="ex_conflicts")
