"""Batches: define or upload a scenario grid, run it in the background (a `deps batch` subprocess, never in the
script thread) with a progress bar read from the database, and browse and compare stored batches."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import figures_runs
from app_pages.i18n import error_text, language, t
from app_pages.labels import value_label
from app_pages.plain import md
from app_pages.run_names import run_dataset, run_graph
from app_pages.state import actor, current_graph, database, download_buttons, settings
from app_pages.tables import show_table
from deps.access.auth import require
from deps.errors import DataValidationError, DepsError
from deps.services.batch import collect, scenario_specs
from deps.services.runs import RunRecord, finished_members, list_runs
from deps.services.scenario import parse_batch

MAX_GRID_BYTES = 1_000_000
EXAMPLE = """\
# Budgets x effect assumptions: 3 x 2 = 6 scenarios (amounts in EUR million)
base: {solver: highs}
budgets: [50, 100, 200]
effects: {base: {}, pessimistic: {financing: 0.5}}
"""


def _write_grid(text: bytes, suffix: str) -> Path:
    """The grid in a private temporary folder (0700) under the app's var directory when it exists."""
    var = Path(settings().var_dir)
    parent = str(var) if var.is_dir() else None
    folder = Path(tempfile.mkdtemp(prefix="deps-batch-", dir=parent)).resolve()
    path = folder / f"grid-{uuid.uuid4().hex[:12]}{suffix}"
    path.write_bytes(text)
    return path


def _start(text: bytes, suffix: str, dataset: str) -> None:
    user = actor()
    require(user, "batch")
    path = _write_grid(text, suffix)
    try:
        spec = parse_batch(path)
    except DataValidationError as exc:
        st.error(md(error_text(exc)))
        show_table(pd.DataFrame([p.__dict__ for p in exc.problems]), hide_index=True)
        return
    env = {**os.environ, "DEPS_DATABASE_URL": database().url, "DEPS_USER": f"app-{user.name}"}
    command = [sys.executable, "-m", "deps.cli.main", "batch", str(path), "--out", str(path.parent / "out")]
    command += ["--dataset", dataset, "--workers", "1"]
    log = (path.parent / "batch.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    n = len(scenario_specs(spec))
    st.session_state["batch_job"] = {"process": process, "file": path.name, "started": time.time(), "log": path.parent}
    st.success(t("Batch started in the background (process {pid}, about {n} scenarios).", pid=process.pid, n=n))


def _find(file: str) -> RunRecord | None:
    for run in list_runs(database(), actor=actor(), kind="batch", limit=50):
        if run.parameters.get("file") == file:
            return run
    return None


@st.fragment(run_every=1.0)
def _progress() -> None:
    job = st.session_state.get("batch_job")
    if not job:
        return
    process: subprocess.Popen[bytes] = job["process"]
    code = process.poll()
    run = _find(job["file"])
    if run is None:
        st.progress(0.0, text=t("Preparing the batch (analysis and validation)..."))
    else:
        total = int(run.parameters.get("scenarios") or 1)
        done = len(finished_members(database(), run.id, actor=actor()))
        st.progress(
            min(done / total, 1.0),
            text=t("Batch `{id}`: {done} of {total} scenarios stored", id=run.id[:8], done=done, total=total),
        )
    if code is not None:
        if code == 0:
            st.success(t("Batch finished."))
        else:
            log = Path(job["log"]) / "batch.log"
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            st.error(t("The batch process stopped with exit code {code}.", code=code))
            st.code(tail)
        st.session_state.pop("batch_job", None)
        shutil.rmtree(job["log"], ignore_errors=True)


def _browse() -> None:
    runs = list_runs(database(), actor=actor(), kind="batch", limit=200)
    if not runs:
        st.info(t("No batch stored yet."))
        return
    table = pd.DataFrame(
        [
            {
                "batch_id": r.id,
                "status": r.status,
                "dataset": run_dataset(r),
                "scenarios": r.parameters.get("scenarios"),
                "user": r.user,
                "created_at": r.created_at,
            }
            for r in runs
        ]
    )
    show_table(table, hide_index=True)
    lang = language()
    labels = {r.id: f"{r.id[:12]} · {value_label('status', r.status, lang)} · {r.created_at[:19]}" for r in runs}
    batch_id: str = st.selectbox(
        t("Batch"), list(table["batch_id"]), key="batch_pick", format_func=lambda b: labels.get(b, b)
    )
    run = next(r for r in runs if r.id == batch_id)
    dataset = run_graph(run)  # the batch's own graph, not the page's choice
    summary, allocations = collect(database(), str(batch_id), actor=actor())
    if summary.empty:
        st.info(t("No scenario of this batch is stored yet."))
        return
    source = t("deps, batch {id} on {dataset}", id=str(batch_id)[:8], dataset=run_dataset(run))
    st.plotly_chart(figures_runs.batch_comparison(summary, source=source, lang=language()), key="batch_chart")
    show_table(summary, hide_index=True)
    download_buttons(summary, f"batch-{str(batch_id)[:8]}-summary", key="batch_dl_sum", dataset=dataset)
    keys = list(summary["scenario_key"])
    cols = st.columns(2)
    a = cols[0].selectbox(t("Compare scenario"), keys, index=0, key="batch_a")
    b = cols[1].selectbox(t("with scenario"), keys, index=min(1, len(keys) - 1), key="batch_b")
    pair = allocations[allocations["scenario_key"].isin([a, b])]
    compared = pair.pivot_table(
        index=["action_line_id", "target_id"],
        columns="scenario_key",
        values="spend_meur",
        aggfunc="sum",
        fill_value=0.0,
    ).reset_index()
    show_table(compared, hide_index=True)
    download_buttons(allocations, f"batch-{str(batch_id)[:8]}-allocations", key="batch_dl_alloc", dataset=dataset)


def render() -> None:
    """Draw the page."""
    st.title(t("Batches"))
    actor()
    ref = current_graph()  # a fused choice runs the batch on the fused graph (its name: base+added+...)
    if ref is None:
        return
    tab_new, tab_stored = st.tabs([t("New batch"), t("Stored batches")])
    with tab_new:
        st.caption(
            t(
                "A grid of optimiser scenarios: `budgets` x `weights` x `shocks` x `effects` around a `base` scenario "
                "(YAML or JSON), or a CSV with one scenario per row. It runs as a separate `deps batch` process; "
                "each finished scenario is stored at once, so a stopped batch resumes when started again."
            )
        )
        upload = st.file_uploader(
            t("Upload a grid (YAML, JSON or CSV, at most 1 MB)"), type=["yaml", "yml", "json", "csv"]
        )
        text = st.text_area(t("...or write it here (YAML)"), EXAMPLE, height=140, key="batch_text")
        running = bool(st.session_state.get("batch_job"))
        if st.button(t("Start batch"), type="primary", key="batch_start", disabled=running):
            if upload is not None:
                data = upload.getvalue()
                suffix = Path(upload.name).suffix.lower()
            else:
                data, suffix = text.encode("utf-8"), ".yaml"
            if len(data) > MAX_GRID_BYTES:
                st.error(
                    t(
                        "The grid is {size:,} bytes; at most {limit:,} are accepted.",
                        size=len(data),
                        limit=MAX_GRID_BYTES,
                    )
                )
            else:
                try:
                    _start(data, suffix, ref.name)
                except DepsError as exc:
                    st.error(md(error_text(exc)))
        _progress()
    with tab_stored:
        _browse()


render()
