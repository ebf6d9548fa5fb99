"""Warm the server process's one-time costs before the first analyst sees a chart.

A fresh ``streamlit run`` process pays, on its first Overview, for importing the page modules and Plotly, for
Plotly's first ``update_layout`` (it parses its property paths once per process), for the first JSON encoding of a
figure and for the cache misses of the default dataset (its nodes and edges, the stored analysis, the Overview's
counts and heat map, the names of markets and action lines).  :func:`start` does that work once per process on a
background thread, from the first script run (the login page), so it overlaps with the user typing a password.

The thread reads as a built-in viewer (:data:`WARM_ACTOR`: read only, nothing recorded) and fills the same
``st.cache_data`` entries the pages read (they are keyed by database URL, dataset and content hash, never by user),
so nothing user-specific is cached.  It never raises: a failure (no database yet, no stored analysis) only means the
first page pays the cost itself.
"""

from __future__ import annotations

import logging
import threading

from streamlit import config

from deps.access.auth import Actor

__all__ = ["WARM_ACTOR", "start", "warm"]

#: Who the warm-up reads as: a viewer may read every table the Overview shows and can change nothing.
WARM_ACTOR = Actor("warm-up", "viewer")

_LOG = logging.getLogger(__name__)
_lock = threading.Lock()
_thread: threading.Thread | None = None


def start() -> threading.Thread | None:
    """Start the warm-up thread, once per server process (later calls return the same thread).

    Not under Streamlit's AppTest: the tests open a database of their own per test, which a thread of the test
    process must not hold open.

    Returns
    -------
    threading.Thread or None
        The (daemon) thread doing :func:`warm`; ``None`` under AppTest.
    """
    global _thread
    if config.get_option("global.appTest"):
        return None
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_quietly, name="deps-warm-up", daemon=True)
            _thread.start()
        return _thread


def _quietly() -> None:
    try:
        warm()
    except Exception:  # a warm-up must never take the app down; the page pays the cost instead
        _LOG.debug("warm-up stopped early", exc_info=True)


def warm() -> None:
    """Import the pages' heavy modules, draw one Plotly figure and fill the Overview's caches of the default dataset.

    Only reads; raises what the reads raise (no database, no such dataset), which :func:`start`'s thread swallows.
    """
    import plotly.io as pio

    from app_pages import figures, state, tables  # noqa: F401  (imported for the pages that follow)
    from deps.store.queries import resolve_dataset

    db = state.database()
    ref = resolve_dataset(db, state.settings().seed_dataset)
    state._names(db, WARM_ACTOR)
    graph = state.graph_frames(ref)
    view = state.overview_view(db, ref.name, ref.content_hash)
    source = f"{ref.name} v{ref.version}"  # what the figures say does not matter here
    for fig in (
        figures.nodes_by_sector(view.by_sector, source=source),
        figures.coverage_histogram(view.coverage, source=source),
    ):
        pio.to_json(fig, validate=False)
    found = state._stored_analysis(db, ref.name, ref.version, ref.content_hash, WARM_ACTOR)
    if found is None:
        return
    run_id, analysis = found
    heat = state.heatmap(run_id, analysis["nodes"], graph["nodes"])
    pio.to_json(figures.risk_heatmap(heat, source=source), validate=False)
