"""Assumption sets: named, versioned, audited sets of effect curves that an optimisation can use.

A set has a unique name; every save makes a new, immutable version (1, 2, ...) holding the whole effects table as
JSON (the columns of :data:`deps.ingest.effects.EFFECT_COLUMNS`, validated by
:func:`deps.ingest.effects.check_effects`), a note, who saved it and a SHA-256 of its content. Saving the content
of the newest version again makes no new version. A run that used a set records the version's id
(``run.assumption_version_id``) and ``NAME@VERSION`` in its parameters.

Roles (:data:`deps.access.auth.ACTIONS`): viewers list and read sets (``read``); analysts save new versions and
import files (``edit_assumptions``) and export them (``export``). Saves, imports and exports are audited.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlmodel import Session, col, select

from deps.access import audit
from deps.access.auth import Actor, require
from deps.errors import DataValidationError, NotFoundError, Problem
from deps.ingest.effects import EFFECT_COLUMNS, EFFECT_OPTIONAL, EFFECT_REQUIRED, SLOPES, check_effects
from deps.ingest.reader import read_table
from deps.ingest.validation import TableCheck
from deps.services.output import write_atomically
from deps.store.db import Database, lock_table
from deps.store.models import ActionLine, AssumptionSet, AssumptionSetVersion, Source, utcnow
from deps.store.queries import effects_frame, resolve_dataset

__all__ = [
    "AssumptionVersion",
    "dataset_effects",
    "engine_effects",
    "export_set",
    "history",
    "import_set",
    "list_sets",
    "parse_reference",
    "save_set",
    "show_set",
    "validate_effects",
]

_REFERENCE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,79})(?:@(?P<version>[1-9][0-9]{0,5}))?$")


@dataclass(frozen=True)
class AssumptionVersion:
    """One stored version of a set: its effects (validated frame), note, author, time and content hash."""

    id: int
    name: str
    version: int
    effects: pd.DataFrame
    note: str
    created_by: str
    created_at: datetime
    sha256: str

    @property
    def reference(self) -> str:
        """``NAME@VERSION``."""
        return f"{self.name}@{self.version}"


def parse_reference(text: str) -> tuple[str, int | None]:
    """``NAME`` or ``NAME@VERSION`` -> (name, version or None for the newest).

    >>> parse_reference("central@2")
    ('central', 2)
    """
    match = _REFERENCE.fullmatch(text.strip())
    if match is None:
        raise DataValidationError(
            [
                Problem(
                    "assumption set",
                    None,
                    None,
                    f"{text!r} is not a set reference",
                    "write NAME or NAME@VERSION (letters, digits, '.', '_', '-'; version a whole number from 1)",
                )
            ],
            "assumption set reference",
        )
    version = match.group("version")
    return match.group("name"), int(version) if version else None


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Any effects frame (typed, as the app's editor returns it, or strings) as the all-string table checks read."""
    out = pd.DataFrame(index=range(len(frame)))
    for column in (*EFFECT_REQUIRED, *EFFECT_OPTIONAL):
        values = frame[column].reset_index(drop=True) if column in frame.columns else pd.Series([""] * len(frame))
        out[column] = [
            "" if value is None or (isinstance(value, float) and pd.isna(value)) else f"{value}".strip()
            for value in values
        ]
    return out


def validate_effects(session: Session, frame: pd.DataFrame, *, label: str) -> pd.DataFrame:
    """Check an effects table against the action lines and the sources in the database; raise with every problem."""
    problems: list[Problem] = []
    missing = [c for c in EFFECT_REQUIRED if c not in frame.columns]
    for column in missing:
        problems.append(Problem(label, 1, column, "required column is missing", f"add a column named {column!r}"))
    if problems:
        raise DataValidationError(problems, label)
    lines = set(session.exec(select(ActionLine.action_line_id)).all())
    sources = set(session.exec(select(Source.code)).all()) | {""}
    check = TableCheck(label, _cells(frame), problems)
    data = check_effects(check, lines=lines, sources=sources)
    if not len(data):
        problems.append(Problem(label, None, None, "the set has no effect segments", "add at least one segment"))
    if problems:
        raise DataValidationError(problems, label)
    data = data.astype({"segment": int})
    return data.sort_values(["action_line_id", "dependency_kind", "segment"], kind="stable").reset_index(drop=True)


def _content(effects: pd.DataFrame) -> tuple[list[dict[str, object]], str]:
    records = json.loads(effects[list(EFFECT_COLUMNS)].to_json(orient="records"))
    digest = hashlib.sha256(json.dumps(records, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return records, digest


def _version(session: Session, name: str, version: int | None) -> tuple[AssumptionSet, AssumptionSetVersion]:
    found = session.exec(select(AssumptionSet).where(AssumptionSet.name == name)).first()
    if found is None:
        raise NotFoundError(f"no assumption set {name!r}; see `deps assumptions list`")
    query = select(AssumptionSetVersion).where(AssumptionSetVersion.set_id == found.id)
    query = (
        query.where(AssumptionSetVersion.version == version)
        if version is not None
        else query.order_by(col(AssumptionSetVersion.version).desc())
    )
    row = session.exec(query).first()
    if row is None:
        raise NotFoundError(f"assumption set {name!r} has no version {version}; see `deps assumptions show {name}`")
    return found, row


def _as_version(found: AssumptionSet, row: AssumptionSetVersion) -> AssumptionVersion:
    effects = pd.DataFrame(list(row.effects), columns=list(EFFECT_COLUMNS))
    assert row.id is not None
    return AssumptionVersion(
        row.id, found.name, row.version, effects, row.note, row.created_by, row.created_at, row.sha256
    )


def list_sets(db: Database, *, actor: Actor) -> pd.DataFrame:
    """Every set with its newest version: name, version, versions, segments, note, saved_by, saved_at."""
    require(actor, "read")
    rows = []
    with db.session() as session:
        for found in session.exec(select(AssumptionSet).order_by(col(AssumptionSet.name))).all():
            versions = session.exec(
                select(AssumptionSetVersion)
                .where(AssumptionSetVersion.set_id == found.id)
                .order_by(col(AssumptionSetVersion.version).desc())
            ).all()
            if versions:
                newest = versions[0]
                rows.append(
                    (
                        found.name,
                        newest.version,
                        len(versions),
                        len(newest.effects),
                        newest.note,
                        newest.created_by,
                        newest.created_at,
                    )
                )
    columns = ["name", "version", "versions", "segments", "note", "saved_by", "saved_at"]
    return pd.DataFrame(rows, columns=columns)


def show_set(db: Database, reference: str, *, actor: Actor) -> AssumptionVersion:
    """One version (the newest when the reference names no version)."""
    require(actor, "read")
    name, version = parse_reference(reference)
    with db.session() as session:
        return _as_version(*_version(session, name, version))


def history(db: Database, name: str, *, actor: Actor) -> pd.DataFrame:
    """The versions of a set, newest first: version, note, saved_by, saved_at, sha256."""
    require(actor, "read")
    with db.session() as session:
        found, _ = _version(session, name, None)
        rows = session.exec(
            select(AssumptionSetVersion)
            .where(AssumptionSetVersion.set_id == found.id)
            .order_by(col(AssumptionSetVersion.version).desc())
        ).all()
        data = [(r.version, r.note, r.created_by, r.created_at, r.sha256) for r in rows]
    return pd.DataFrame(data, columns=["version", "note", "saved_by", "saved_at", "sha256"])


def save_set(
    db: Database, name: str, effects: pd.DataFrame, *, actor: Actor, note: str = "", label: str | None = None
) -> AssumptionVersion:
    """Validate ``effects`` and store them as the next version of set ``name`` (created when new).

    Returns the stored version; when the content equals the newest version, that version (nothing is written).
    ``label`` names the input in problems (default ``assumption set NAME``; a file import gives the file name).
    """
    require(actor, "edit_assumptions")
    name, version = parse_reference(name)
    if version is not None:
        raise DataValidationError(
            [
                Problem(
                    "assumption set",
                    None,
                    None,
                    f"{name}@{version}: versions are numbered on save",
                    "give the set name only",
                )
            ],
            "assumption set name",
        )
    with db.session() as session:
        data = validate_effects(session, effects, label=label or f"assumption set {name}")
        records, digest = _content(data)
        lock_table(session, "assumption_set_version")
        found = session.exec(select(AssumptionSet).where(AssumptionSet.name == name)).first()
        if found is None:
            found = AssumptionSet(name=name, created_by=actor.name, created_at=utcnow())
            session.add(found)
            session.flush()
        newest = session.exec(
            select(AssumptionSetVersion)
            .where(AssumptionSetVersion.set_id == found.id)
            .order_by(col(AssumptionSetVersion.version).desc())
        ).first()
        if newest is not None and newest.sha256 == digest:
            return _as_version(found, newest)
        assert found.id is not None
        row = AssumptionSetVersion(
            set_id=found.id,
            version=(newest.version + 1) if newest is not None else 1,
            effects=records,
            note=note.strip()[:2000],
            sha256=digest,
            created_by=actor.name,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            user=actor.name,
            action="assumptions_saved",
            target=f"{name}@{row.version}",
            details={
                "sha256": digest,
                "segments": len(records),
                "note": row.note,
                "previous": newest.version if newest is not None else None,
            },
        )
        return _as_version(found, row)


def import_set(
    db: Database, path: Path, *, name: str, actor: Actor, max_bytes: int, note: str = ""
) -> AssumptionVersion:
    """Read a CSV or XLSX effects table (the template's ``effects`` columns) and save it as a new version."""
    require(actor, "edit_assumptions")
    table = read_table(path, required=EFFECT_REQUIRED, optional=EFFECT_OPTIONAL, max_bytes=max_bytes)
    if table.problems or table.frame is None:
        raise DataValidationError(table.problems, f"assumption set file {path.name}")
    saved = save_set(db, name, table.frame, actor=actor, note=note or f"imported from {path.name}", label=path.name)
    with db.session() as session:
        audit.append(
            session,
            user=actor.name,
            action="assumptions_imported",
            target=saved.reference,
            details={"file": path.name, "sha256": saved.sha256},
        )
    return saved


def export_set(db: Database, reference: str, out: Path, *, actor: Actor, force: bool = False) -> AssumptionVersion:
    """Write one version as CSV (importable again) and audit the export with the file's SHA-256."""
    require(actor, "export")
    version = show_set(db, reference, actor=actor)
    data = version.effects.to_csv(index=False, lineterminator="\n").encode("utf-8")
    write_atomically(out, data, force=force)
    with db.session() as session:
        audit.append(
            session,
            user=actor.name,
            action="assumptions_exported",
            target=version.reference,
            details={"file": out.name, "sha256": hashlib.sha256(data).hexdigest()},
        )
    return version


def engine_effects(effects: pd.DataFrame) -> pd.DataFrame:
    """The optimiser's effects frame from a validated effects table: ``reduction_per_meur`` is the central slope,
    ``slope_low`` / ``slope_high`` the range, provenance columns ride along."""
    out = effects.copy()
    out["reduction_per_meur"] = out["slope_central"].astype(float)
    for slope in SLOPES:
        out[slope] = out[slope].astype(float)
    return out


def dataset_effects(db: Database, dataset: str, *, actor: Actor) -> pd.DataFrame:
    """A dataset's own effect curves in the columns of an assumption set (the start of a new set)."""
    require(actor, "read")
    frame = effects_frame(db, resolve_dataset(db, dataset).id)
    return frame[list(EFFECT_COLUMNS)].reset_index(drop=True)
