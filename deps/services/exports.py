"""Writing result tables to files: CSV or JSON, deterministic, and safe to open in a spreadsheet.

Text cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) are prefixed with an apostrophe, the OWASP advice against CSV injection.  Numbers are left alone.  The same
table written twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from deps.access import audit
from deps.access.auth import Actor, require
from deps.config import Settings
from deps.services.output import check_output, write_atomically
from deps.services.runs import get_run
from deps.store.db import Database

__all__ = ["FORMULA_PREFIXES", "export_run", "log_export", "neutralise_formulas", "table_bytes", "write_tables"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a spreadsheet formula."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(_neutral)
    return out


def _neutral(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The bytes of one table as ``csv`` or ``json`` (records)."""
    safe = neutralise_formulas(frame)
    if fmt == "csv":
        return safe.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8")
    if fmt == "json":
        records = [{str(k): _jsonable(v) for k, v in row.items()} for row in safe.to_dict(orient="records")]
        return (json.dumps(records, indent=1, sort_keys=False, ensure_ascii=False) + "\n").encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}; use csv or json")


def write_tables(
    out: Path,
    fmt: str,
    main: pd.DataFrame,
    *,
    others: Mapping[str, pd.DataFrame] | None = None,
    meta: Mapping[str, Any],
    force: bool = False,
) -> list[tuple[Path, str]]:
    """Write ``main`` to ``out``; for CSV, write the other tables beside it as ``STEM.NAME.csv``.

    Every file goes through :func:`deps.services.output.write_atomically`: never into a folder or a device, an
    existing file replaced only with ``force``.  All targets are checked before the first is written.

    For JSON one file holds everything: ``{"run": meta, "table": [...], "tables": {name: [...]}}``.
    Returns the files written with their SHA-256 (for the audit log).
    """
    targets = [out] if fmt == "json" else [out, *(_beside(out, name) for name in sorted(others or {}))]
    for target in targets:
        check_output(target, force=force)
    written: list[tuple[Path, str]] = []
    if fmt == "json":
        payload: dict[str, Any] = {
            "run": {k: _jsonable(v) for k, v in meta.items()},
            "table": json.loads(table_bytes(main, "json")),
        }
        if others:
            payload["tables"] = {name: json.loads(table_bytes(t, "json")) for name, t in sorted(others.items())}
        data = (json.dumps(payload, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
        write_atomically(out, data, force=force)
        return [(out, hashlib.sha256(data).hexdigest())]
    data = table_bytes(main, fmt)
    write_atomically(out, data, force=force)
    written.append((out, hashlib.sha256(data).hexdigest()))
    for name, table in sorted((others or {}).items()):
        path = _beside(out, name)
        data = table_bytes(table, fmt)
        write_atomically(path, data, force=force)
        written.append((path, hashlib.sha256(data).hexdigest()))
    return written


def _beside(out: Path, name: str) -> Path:
    return out.with_name(f"{out.stem}.{name}{out.suffix or '.csv'}")


def export_run(
    db: Database,
    settings: Settings,
    actor: Actor,
    run_id: str,
    out: Path,
    fmt: str,
    main: pd.DataFrame,
    *,
    others: Mapping[str, pd.DataFrame] | None = None,
    force: bool = False,
) -> list[tuple[Path, str]]:
    """Export a run's tables to files (analysts and admins), logging every file and its SHA-256 in the audit log.

    ``out`` follows :func:`write_tables` (no folder or device; an existing file replaced only with ``force``).
    """
    require(actor, "export")
    record = get_run(db, run_id, actor=actor)
    meta = {
        "run_id": run_id,
        "kind": record.kind,
        "dataset": record.dataset,
        "dataset_version": record.dataset_version,
        "inputs_hash": record.inputs_hash,
        "code_version": record.code_version,
        "user": record.user,
        "created_at": record.created_at,
    }
    written = write_tables(out, fmt, main, meta=meta, others=others, force=force)
    with db.session() as session:
        audit.append(
            session,
            user=actor.name,
            action="export",
            target=run_id,
            details={"format": fmt, "files": [{"name": p.name, "sha256": h} for p, h in written]},
        )
    return written


def log_export(db: Database, actor: Actor, *, table: str, fmt: str, data: bytes, dataset: str = "") -> str:
    """Check ``export`` permission and append an ``export`` audit entry for a download; return its SHA-256."""
    require(actor, "export")
    digest = hashlib.sha256(data).hexdigest()
    with db.session() as session:
        audit.append(
            session,
            user=actor.name,
            action="export",
            target=table,
            details={"format": fmt, "bytes": len(data), "sha256": digest, "dataset": dataset, "via": "app"},
        )
    return digest
