"""Data page: every dataset version with its content hash, row counts and who imported it; what changed between two
versions; and, for admins, importing a file with the validation report shown in full."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.i18n import error_text, language, t
from app_pages.labels import value_label
from app_pages.plain import md
from app_pages.sentences import localise_sentence
from app_pages.state import actor, database, download_buttons, settings
from app_pages.tables import show_table
from deps.access.auth import Actor, allowed
from deps.errors import DataValidationError, DepsError
from deps.ingest import FORMATS, import_file
from deps.services.views import dataset_diff
from deps.store.catalogue import status
from deps.store.db import Database

UPLOAD_TYPES = ["csv", "xlsx"]


@st.cache_data(show_spinner=False, max_entries=16)
def _diff(db: Database, name: str, old: int, new: int, old_hash: str, new_hash: str, _user: Actor) -> pd.DataFrame:
    return dataset_diff(db, name, old, new, actor=_user)


def _versions() -> pd.DataFrame | None:
    state = status(database())
    st.caption(
        t(
            "Database: `{database}`, schema {revision} ({state})",
            database=state.database,
            revision=state.revision,
            state=t("current") if state.up_to_date else t("old"),
        )
    )
    if not state.datasets:
        st.info(t("No dataset yet: run `deps init` to load the seed."))
        return None
    rows = [
        {
            "dataset": d.name,
            "version": d.version,
            "format": d.format,
            "content_hash": d.content_hash,
            "imported": d.created_at,
            "by": d.created_by,
            **{k: v for k, v in sorted(d.counts.items())},
        }
        for d in state.datasets
    ]
    return pd.DataFrame(rows)


def _changes(table: pd.DataFrame) -> None:
    st.subheader(t("What changed between versions"))
    several = table.groupby("dataset")["version"].nunique()
    names = sorted(several[several > 1].index)
    if not names:
        st.info(t("Every dataset has one version so far; importing a changed file makes a new version to compare."))
        return
    name = st.selectbox(t("Dataset"), names, key="dv_name")
    versions = sorted(table.loc[table["dataset"] == name, "version"])
    hashes = dict(
        zip(
            table.loc[table["dataset"] == name, "version"],
            table.loc[table["dataset"] == name, "content_hash"],
            strict=True,
        )
    )
    cols = st.columns(2)
    old = cols[0].selectbox(t("Old version"), versions, index=len(versions) - 2, key="dv_old")
    new = cols[1].selectbox(t("New version"), versions, index=len(versions) - 1, key="dv_new")
    diff = _diff(database(), name, int(old), int(new), hashes[old], hashes[new], actor())
    counts = diff.groupby(["table", "change"]).size().rename("rows").reset_index()
    show_table(counts, hide_index=True)
    show_table(diff, hide_index=True)
    download_buttons(diff, f"changes-{name}-v{old}-v{new}", key="dv_dl", dataset=name)


def _import() -> None:
    st.subheader(t("Import"))
    user = actor()
    # one limit everywhere: the smaller of the importers' limit and the server's upload limit
    limit_mb = min(settings().max_import_mb, int(st.get_option("server.maxUploadSize")))
    formats = {f: f"{f}: {t(help_text)}" for f, (_module, _function, help_text) in FORMATS.items() if f != "cset"}
    fmt = st.selectbox(t("Format"), list(formats), key="im_fmt", format_func=lambda f: formats.get(f, f))
    name = st.text_input(t("Dataset name (empty: the format's name)"), key="im_name", max_chars=60).strip() or None
    upload = st.file_uploader(
        t(
            "File (CSV, or an XLSX workbook for the template; at most {limit} MB; CSET folders: use `deps import`)",
            limit=limit_mb,
        ),
        type=UPLOAD_TYPES,
        key="im_file",
        max_upload_size=limit_mb,
    )
    if upload is None or not st.button(t("Import"), type="primary", key="im_run"):
        return
    if upload.size > limit_mb * 1_000_000:
        st.error(t("The file is {size:,} bytes; at most {limit} MB are accepted.", size=upload.size, limit=limit_mb))
        return
    folder = Path(tempfile.mkdtemp(prefix="deps-import-"))
    try:
        path = folder / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        with st.spinner(t("Validating and importing...")):
            result = import_file(database(), settings(), user, fmt, path, dataset=name)
    except DataValidationError as exc:
        st.error(md(error_text(exc)) + t(": {n} problem(s); nothing was written.", n=len(exc.problems)))
        report = pd.DataFrame([asdict(p) for p in exc.problems])
        show_table(report, hide_index=True)
        st.caption(t("Download the validation report (CSV)"))
        download_buttons(report, "problems", key="im_problems", dataset=name or "", formats=("csv",))
        return
    except DepsError as exc:
        st.error(md(error_text(exc)))
        return
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    st.cache_data.clear()
    if result.unchanged:
        st.info(
            t(
                "Unchanged: {dataset} v{version} already holds exactly this content.",
                dataset=result.dataset,
                version=result.version,
            )
        )
    else:
        st.success(
            t(
                "Imported {dataset} version {version}: {counts}",
                dataset=result.dataset,
                version=result.version,
                counts=", ".join(
                    f"{value_label('table', str(k), language())} {v:,}" for k, v in dict(result.counts).items()
                ),
            )
        )
    for note in result.notes:
        st.caption(md(localise_sentence(note, language())))


def render() -> None:
    """Draw the page."""
    st.title(t("Data"))
    user = actor()
    table = _versions()
    if table is not None:
        st.subheader(t("Dataset versions"))
        shown = table.assign(content_hash=table["content_hash"].str[:16])
        show_table(shown, hide_index=True)
        download_buttons(table, "datasets", key="ds_dl")
        _changes(table)
    if allowed(user, "import"):
        _import()


render()
