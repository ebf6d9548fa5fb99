"""Runs: every analysis, simulation, optimisation, batch and batch member is recorded with what made it.

A run records (docs/data.md) the hash of its input tables, its parameters, the code version, the solver
and its version, the seed, the time and the user, plus its result tables (stored as canonical JSON with their
SHA-256, so that the same inputs give byte-identical exports).
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import metadata
from typing import Any

import pandas as pd
from sqlmodel import col, select

from deps.access import audit
from deps.access.auth import Actor, require
from deps.config import PROJECT_ROOT
from deps.errors import NotFoundError, RunError
from deps.store.db import Database
from deps.store.models import Dataset, Run, RunTable, utcnow

__all__ = [
    "RunRecord",
    "code_version",
    "finish_run",
    "finished_members",
    "frames_hash",
    "get_run",
    "list_runs",
    "named_tables",
    "record_run",
    "run_tables",
    "start_run",
    "table_from_json",
    "table_to_json",
]

#: Each kind of run and the action (``deps.access.auth.ACTIONS``) whose role may store one.
RUN_ACTIONS: Mapping[str, str] = {
    "analysis": "analyse",
    "screen": "analyse",
    "supply_risk": "analyse",
    "trends": "analyse",
    "simulation": "simulate",
    "optimisation": "optimise",
    "frontier": "optimise",
    "montecarlo": "optimise",
    "robust": "optimise",
    "batch": "batch",
    "member": "batch",
}
RUN_KINDS = tuple(RUN_ACTIONS)


@dataclass(frozen=True)
class RunRecord:
    """A stored run, without its tables."""

    id: str
    kind: str
    status: str
    dataset: str | None
    dataset_version: int | None
    parameters: dict[str, Any]
    inputs_hash: str
    code_version: str
    solver: str | None
    seed: int | None
    user: str
    created_at: str
    finished_at: str | None
    summary: dict[str, Any]
    error: str
    batch_id: str | None
    scenario_key: str | None
    tables: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return dict(self.__dict__)


@lru_cache(maxsize=1)
def code_version() -> str:
    """The package version plus the git commit (with ``-dirty`` when the tree has changes), when in a checkout."""
    try:
        version = metadata.version("deps-analyser")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    if not (PROJECT_ROOT / ".git").exists():
        return version
    try:
        commit = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+g{commit}" if commit else version


def jsonable(value: Mapping[str, Any]) -> dict[str, Any]:
    """``value`` as plain JSON types with sorted keys (what a JSON column stores); other objects become strings."""
    loaded: dict[str, Any] = json.loads(json.dumps(dict(value), sort_keys=True, default=str))
    return loaded


def table_to_json(frame: pd.DataFrame) -> str:
    """Canonical JSON of a table: columns and rows in order, NaN as null, floats at full precision."""
    return frame.to_json(orient="split", index=False, double_precision=15, date_format="iso")


def table_from_json(text: str) -> pd.DataFrame:
    """The table back from :func:`table_to_json`."""
    return pd.read_json(io.StringIO(text), orient="split", dtype=False)


def frames_hash(frames: Mapping[str, pd.DataFrame], *, extra: Mapping[str, Any] | None = None) -> str:
    """SHA-256 over the canonical JSON of named input frames (in name order) and optional extra values."""
    digest = hashlib.sha256()
    for name in sorted(frames):
        digest.update(name.encode())
        digest.update(table_to_json(frames[name]).encode())
    if extra:
        digest.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def record_run(
    db: Database,
    *,
    kind: str,
    parameters: Mapping[str, Any],
    inputs_hash: str,
    actor: Actor,
    tables: Mapping[str, pd.DataFrame],
    summary: Mapping[str, Any] | None = None,
    dataset_id: int | None = None,
    solver: str | None = None,
    seed: int | None = None,
    batch_id: str | None = None,
    scenario_key: str | None = None,
    status: str = "ok",
    error: str = "",
    started_at: datetime | None = None,
    run_id: str | None = None,
    assumption_version_id: int | None = None,
) -> str:
    """Store a finished run and its result tables in one transaction; return its id.

    The actor's role must allow the run's kind (:data:`RUN_ACTIONS`). ``assumption_version_id`` records the
    assumption-set version an optimisation used (None: the dataset's curves).
    """
    _require_kind(actor, kind)
    rid = run_id or uuid.uuid4().hex
    with db.session() as session:
        session.add(
            Run(
                id=rid,
                kind=kind,
                status=status,
                dataset_id=dataset_id,
                batch_id=batch_id,
                scenario_key=scenario_key,
                parameters=jsonable(parameters),
                inputs_hash=inputs_hash,
                code_version=code_version(),
                solver=solver,
                seed=seed,
                user=actor.name,
                created_at=started_at or utcnow(),
                finished_at=utcnow(),
                summary=jsonable(summary or {}),
                error=error,
                assumption_version_id=assumption_version_id,
            )
        )
        session.flush()
        audit.append(
            session,
            user=actor.name,
            action="run" if kind != "member" else "batch_member",
            target=rid,
            details={"kind": kind, "status": status, "inputs_hash": inputs_hash, "batch_id": batch_id},
        )
        for name, frame in sorted(tables.items()):
            content = table_to_json(frame)
            session.add(
                RunTable(run_id=rid, name=name, content=content, sha256=hashlib.sha256(content.encode()).hexdigest())
            )
    return rid


def _require_kind(actor: Actor, kind: str) -> None:
    """Refuse anything but an actor, an unknown run kind, and an actor whose role may not store runs of ``kind``."""
    require(actor, "read")
    action = RUN_ACTIONS.get(kind)
    if action is None:
        raise RunError(f"unknown run kind {kind!r}; use one of {', '.join(RUN_KINDS)}")
    require(actor, action)


def _record(run: Run, dataset: Dataset | None, tables: list[str]) -> RunRecord:
    return RunRecord(
        id=run.id,
        kind=run.kind,
        status=run.status,
        dataset=dataset.name if dataset else None,
        dataset_version=dataset.version if dataset else None,
        parameters=dict(run.parameters),
        inputs_hash=run.inputs_hash,
        code_version=run.code_version,
        solver=run.solver,
        seed=run.seed,
        user=run.user,
        created_at=run.created_at.isoformat(timespec="seconds"),
        finished_at=run.finished_at.isoformat(timespec="seconds") if run.finished_at else None,
        summary=dict(run.summary),
        error=run.error,
        batch_id=run.batch_id,
        scenario_key=run.scenario_key,
        tables=tables,
    )


def list_runs(
    db: Database, *, actor: Actor, kind: str | None = None, batch_id: str | None = None, limit: int = 1000
) -> list[RunRecord]:
    """Stored runs, newest first (any signed-in role may read them)."""
    require(actor, "read")
    with db.session() as session:
        statement = select(Run, Dataset).join(Dataset, col(Dataset.id) == col(Run.dataset_id), isouter=True)
        if kind is not None:
            statement = statement.where(Run.kind == kind)
        if batch_id is not None:
            statement = statement.where(Run.batch_id == batch_id)
        rows = session.exec(statement.order_by(col(Run.created_at).desc(), col(Run.id)).limit(limit)).all()
        names: dict[str, list[str]] = {}
        ids = [r.id for r, _d in rows]
        if ids:
            for run_id, name in session.exec(
                select(RunTable.run_id, RunTable.name).where(col(RunTable.run_id).in_(ids))
            ):
                names.setdefault(run_id, []).append(name)
        return [_record(r, d, sorted(names.get(r.id, []))) for r, d in rows]


def get_run(db: Database, run_id: str, *, actor: Actor) -> RunRecord:
    """One stored run (without its tables).

    Raises
    ------
    NotFoundError
        When no run has that id.
    """
    require(actor, "read")
    with db.session() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise NotFoundError(f"no run with id {run_id!r}; `deps runs list` shows the stored runs")
        dataset = session.get(Dataset, run.dataset_id) if run.dataset_id is not None else None
        names = sorted(session.exec(select(RunTable.name).where(RunTable.run_id == run_id)).all())
        return _record(run, dataset, list(names))


def run_tables(db: Database, run_id: str, *, actor: Actor) -> dict[str, pd.DataFrame]:
    """Every result table of a run, by name."""
    get_run(db, run_id, actor=actor)
    with db.session() as session:
        rows = session.exec(select(RunTable).where(RunTable.run_id == run_id).order_by(RunTable.name)).all()
        return {row.name: table_from_json(row.content) for row in rows}


def start_run(
    db: Database,
    *,
    run_id: str,
    kind: str,
    parameters: Mapping[str, Any],
    inputs_hash: str,
    actor: Actor,
    dataset_id: int | None = None,
) -> bool:
    """Create a run in status ``running`` unless it exists; returns True when it was created (False: resuming)."""
    _require_kind(actor, kind)
    with db.session() as session:
        if session.get(Run, run_id) is not None:
            return False
        session.add(
            Run(
                id=run_id,
                kind=kind,
                status="running",
                dataset_id=dataset_id,
                parameters=jsonable(parameters),
                inputs_hash=inputs_hash,
                code_version=code_version(),
                user=actor.name,
            )
        )
        session.flush()
        audit.append(session, user=actor.name, action="batch_started", target=run_id, details={"kind": kind})
    return True


def finish_run(
    db: Database, run_id: str, *, actor: Actor, status: str, summary: Mapping[str, Any], error: str = ""
) -> None:
    """Set a run's final status, summary and finish time."""
    require(actor, "read")  # an actor at all; the run's kind decides the role below
    with db.session() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise NotFoundError(f"no run with id {run_id!r}")
        _require_kind(actor, run.kind)
        run.status = status
        run.summary = jsonable(summary)
        run.error = error
        run.finished_at = utcnow()
        session.add(run)


def finished_members(db: Database, batch_id: str, *, actor: Actor) -> dict[str, str]:
    """Scenario key -> run id of every stored member of a batch."""
    require(actor, "read")
    with db.session() as session:
        rows = session.exec(select(Run.scenario_key, Run.id).where(Run.batch_id == batch_id)).all()
        return {str(key): str(rid) for key, rid in rows if key is not None}


def named_tables(db: Database, run_ids: list[str], name: str, *, actor: Actor) -> dict[str, pd.DataFrame]:
    """The table ``name`` of each of ``run_ids`` that has one, in one query."""
    require(actor, "read")
    out: dict[str, pd.DataFrame] = {}
    with db.session() as session:
        for start in range(0, len(run_ids), 500):
            chunk = run_ids[start : start + 500]
            rows = session.exec(select(RunTable).where(RunTable.name == name, col(RunTable.run_id).in_(chunk))).all()
            out.update({row.run_id: table_from_json(row.content) for row in rows})
    return out
