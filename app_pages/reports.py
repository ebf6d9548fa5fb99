"""Reports: a classified PDF, XLSX or Markdown report of a stored run, the app's face of ``deps report``.

The analyst picks a stored run, the format, the classification marking, a watermark, fast (matplotlib) charts and
optional encryption with a passphrase typed twice.  "Build report" calls :func:`deps.reports.build_report` (which
checks the ``export`` permission and writes the audit entry ``report`` with the file's SHA-256) into a private
temporary folder, reads the bytes back, removes the file and offers them as a download.

The passphrase lives in the two password widgets only until "Build report" is pressed: the button's callback
moves it into a one-shot request and blanks both widgets, and the page pops the request in the same rerun, so no
passphrase stays in the session state once a report is built (or refused).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from app_pages.i18n import error_text, language, t
from app_pages.labels import value_label
from app_pages.plain import md
from app_pages.run_names import run_label
from app_pages.state import actor, database, settings
from deps.errors import DepsError
from deps.reports import ReportResult, build_report
from deps.reports.service import MAX_CLASSIFICATION_LENGTH
from deps.services.runs import RunRecord, list_runs

__all__ = [
    "DEFAULT_CLASSIFICATION",
    "MIME_TYPES",
    "PASSPHRASE_KEYS",
    "report_file_name",
]

log = logging.getLogger(__name__)

DEFAULT_CLASSIFICATION = "Departementaal Vertrouwelijk"
RUN_LIMIT = 500
FORMAT_LABELS = {"pdf": "PDF", "xlsx": "XLSX", "md": "Markdown"}
MIME_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown",
}
PASSPHRASE_KEYS = ("rp_pass1", "rp_pass2")
REQUEST_KEY = "rp_request"
RESULT_KEY = "rp_result"


def report_file_name(run: RunRecord, fmt: str) -> str:
    """The download's file name: ``deps-report-<kind>-<run id>.<fmt>`` (the audit entry names the same file)."""
    return f"deps-report-{run.kind}-{run.id}.{fmt}"


def _request_build() -> None:
    """Callback of "Build report": take the form's values into a one-shot request and blank the passphrases."""
    state = st.session_state
    request: dict[str, Any] = {
        "run_id": state.get("rp_run"),
        "fmt": state.get("rp_fmt", "pdf"),
        "classification": str(state.get("rp_class", DEFAULT_CLASSIFICATION)),
        "watermark": bool(state.get("rp_watermark", False)) and state.get("rp_fmt") == "pdf",
        "charts": "matplotlib" if state.get("rp_fast", False) else "auto",
        "encrypt": bool(state.get("rp_encrypt", False)) and state.get("rp_fmt") != "md",
        "passphrases": tuple(str(state.get(key) or "") for key in PASSPHRASE_KEYS),
    }
    for key in PASSPHRASE_KEYS:
        state[key] = ""
    state.pop(RESULT_KEY, None)
    state[REQUEST_KEY] = request


def _build(request: dict[str, Any], runs: dict[str, RunRecord]) -> dict[str, Any] | None:
    """Build the requested report into a private temporary folder; show any refusal as an error.

    The result is a plain dict (file bytes, name, MIME type and the :class:`ReportResult` facts): page scripts
    run afresh on every rerun, so a class defined here would not be the same class on the next one.
    """
    run = runs.get(str(request["run_id"]))
    if run is None:
        st.error(t("Choose a stored run first."))
        return None
    passphrase: str | None = None
    if request["encrypt"]:
        first, second = request["passphrases"]
        if first != second:
            st.error(t("The two passphrases differ: type the same passphrase twice."))
            return None
        passphrase = first
    fmt = str(request["fmt"])
    var = Path(settings().var_dir)
    try:
        with (
            st.spinner(t("Building the report (long analysis PDFs take 10 s or more)...")),
            tempfile.TemporaryDirectory(prefix="deps-report-", dir=str(var) if var.is_dir() else None) as folder,
        ):
            out = Path(folder) / report_file_name(run, fmt)
            result: ReportResult = build_report(
                database(),
                settings(),
                actor(),
                run.id,
                fmt,
                str(request["classification"]),
                out,
                encrypt_passphrase=passphrase,
                watermark=bool(request["watermark"]),
                charts=str(request["charts"]),
            )
            data = out.read_bytes()
            out.unlink()
    except DepsError as exc:
        st.error(md(error_text(exc)))
        return None
    except OSError as exc:
        log.warning("report of run %s could not be written: %s", run.id, exc)
        st.error(f"{t('The report could not be written')}: {exc.strerror or exc}")
        return None
    return {
        "data": data,
        "file_name": out.name,
        "mime": MIME_TYPES[fmt],
        "report_id": result.report_id,
        "sha256": result.sha256,
        "run_id": result.run_id,
        "fmt": result.fmt,
        "classification": result.classification,
        "encrypted": result.encrypted,
        "watermark": result.watermark,
        "chart_engine": result.chart_engine,
    }


def _form(runs: list[RunRecord]) -> None:
    lang = language()
    kinds = sorted({run.kind for run in runs})
    all_kinds = t("all kinds")
    kind = st.selectbox(
        t("Kind of run"),
        ["", *kinds],
        format_func=lambda k: value_label("run_kind", k, lang) if k else all_kinds,
        key="rp_kind",
    )
    shown = [run for run in runs if not kind or run.kind == kind]
    labels = {run.id: run_label(run, lang) for run in shown}
    st.selectbox(t("Stored run"), list(labels), format_func=lambda i: labels.get(i, i), key="rp_run")
    left, right = st.columns(2)
    fmt = left.radio(
        t("Format"), list(FORMAT_LABELS), format_func=FORMAT_LABELS.__getitem__, horizontal=True, key="rp_fmt"
    )
    right.text_input(
        t("Classification marking"), DEFAULT_CLASSIFICATION, max_chars=MAX_CLASSIFICATION_LENGTH, key="rp_class"
    )
    first, second, third = st.columns(3)
    first.checkbox(t("Watermark (PDF)"), key="rp_watermark", disabled=fmt != "pdf")
    second.checkbox(
        t("Fast charts (matplotlib)"),
        key="rp_fast",
        disabled=fmt == "md",
        help=t("Draw the charts with matplotlib instead of kaleido: quicker, plainer."),
    )
    encrypt = third.checkbox(
        t("Encrypt with a passphrase"),
        key="rp_encrypt",
        disabled=fmt == "md",
        help=t("AES-256 PDF or password-protected XLSX; a Markdown report cannot be encrypted."),
    )
    if encrypt and fmt != "md":
        left, right = st.columns(2)
        left.text_input(t("Passphrase (at least 12 characters)"), type="password", key=PASSPHRASE_KEYS[0])
        right.text_input(t("Passphrase again"), type="password", key=PASSPHRASE_KEYS[1])
    st.button(t("Build report"), type="primary", key="rp_build", on_click=_request_build, icon=":material/description:")


def _show(built: dict[str, Any]) -> None:
    st.success(f"{t('Report built')}: `{built['file_name']}`")
    cols = st.columns(2)
    cols[0].markdown(f"{t('Report id')}: `{built['report_id']}`")
    cols[1].markdown(f"SHA-256: `{built['sha256']}`")
    facts = [
        f"{t('Run id')} `{built['run_id']}`",
        FORMAT_LABELS[built["fmt"]],
        f"{t('marked')} “{built['classification']}”",
    ]
    if built["encrypted"]:
        facts.append(t("encrypted"))
    if built["watermark"]:
        facts.append(t("watermark"))
    if built["chart_engine"]:
        facts.append(f"{t('charts')}: {built['chart_engine']}")
    st.caption(" · ".join(facts) + f" · {len(built['data']):,} bytes")
    st.download_button(
        f"{t('Download')} {FORMAT_LABELS[built['fmt']]}",
        data=_held(built["data"]),
        file_name=built["file_name"],
        mime=built["mime"],
        key="rp_download",
        on_click="ignore",
        icon=":material/download:",
    )


def _held(data: bytes) -> Callable[[], bytes]:
    """The report's bytes handed over only when the button is clicked (nothing waits under /media before that)."""
    return lambda: data


def render() -> None:
    """Draw the page."""
    st.title(t("Reports"))
    actor()
    st.caption(
        t("A classified report of a stored run; every report is logged in the audit log with the file's SHA-256.")
    )
    try:
        runs = list_runs(database(), actor=actor(), limit=RUN_LIMIT)
    except DepsError as exc:
        st.error(md(error_text(exc)))
        return
    if not runs:
        st.info(t("No runs are stored yet: run an analysis, simulation or optimisation first."))
        return
    _form(runs)
    request = st.session_state.pop(REQUEST_KEY, None)
    if isinstance(request, dict):
        built = _build(request, {run.id: run for run in runs})
        if built is not None:
            st.session_state[RESULT_KEY] = built
    stored = st.session_state.get(RESULT_KEY)
    if isinstance(stored, dict):
        st.divider()
        _show(stored)


render()
