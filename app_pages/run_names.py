"""How a stored run is named in the pickers and the runs table: kind, the dataset it read (every member of a fused
graph with its version), time, user, status, short id and parameters; pure, no Streamlit.

The Runs, Reports and Batches pages share these names, so that a run reads the same wherever an analyst meets it.
"""

from __future__ import annotations

from app_pages.labels import value_label
from app_pages.runs_compare import parameter_summary
from deps.services.composition import is_fused
from deps.services.fusion import split_fused_name
from deps.services.runs import RunRecord

__all__ = ["run_dataset", "run_graph", "run_label"]


def run_graph(run: RunRecord) -> str:
    """The name of the graph a run read: a composition's (``seed+usgs+iea``) or the dataset's."""
    return str(run.parameters.get("dataset") or run.dataset)


def run_dataset(run: RunRecord) -> str:
    """The dataset a run read, with its version: ``seed v3``, or for a fused graph every member with the version
    the run recorded (``seed v3 + usgs v2 + iea v1``; a member's version is left out for runs from before it was
    recorded); ``-`` for a run that read no dataset."""
    if not run.dataset:
        return "-"
    base = f"{run.dataset} v{run.dataset_version}"
    name = run_graph(run)
    if not is_fused(name):
        return base
    members = run.parameters.get("members") or {}
    added = [f"{n} v{members[n]}" if n in members else n for n in split_fused_name(name)[1]]
    return " + ".join([base, *added])


def run_label(run: RunRecord, lang: str = "en", *, width: int = 80) -> str:
    """One line per run in a picker: kind, dataset (:func:`run_dataset`), time, user, status (kind and status in
    ``lang``), the short id and the parameters (shortened to ``width`` characters)."""
    kind, status = value_label("run_kind", run.kind, lang), value_label("status", run.status, lang)
    head = f"{kind} · {run_dataset(run)} · {run.created_at[:19]} · {run.user} · {status} · {run.id[:8]}"
    summary = parameter_summary(run.parameters, width)
    return f"{head} · {summary}" if summary else head
