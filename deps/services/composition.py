"""Named compositions of datasets: a base dataset with the observed shares of other datasets fused over it.

A composition is named like a fused dataset (``seed+usgs+iea``, see :mod:`deps.services.fusion`); a plain dataset
name is a composition of one.  This module resolves a name to the dataset versions it is made of, fuses their
supplier rows (:func:`fuse_composition`, used by the runs in :mod:`deps.services.analysis`) and gives the app the
fused graph frames (:func:`composition_frames`), so the app and the CLI share one fusion.

Which compositions the app offers (:func:`offered_compositions`): the base is the seed dataset
(``DEPS_SEED_DATASET``); every stored dataset whose format is fusable (``deps.ingest.FUSABLE``: usgs, iea, cset) is
added to it alone (``seed+usgs``), and when there are two or more, all of them at once (``seed+usgs+iea+cset``, the
CLI's ``--with usgs --with iea --with cset``).  Other subsets (``seed+usgs+iea`` beside a stored CSET import) are left
out, since all of them would be 2^n - 1 choices; the CLI analyses any of them.  Added datasets are ordered by their
format's place in ``FUSABLE``, then by name, so the app's names are the ones the CLI builds from ``--with`` in that
order and the runs of either are found by the other.

A composition's content hash combines the name, version and content hash of every member, so it changes when any
member gets a new version (caches keyed by it are refreshed at once).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from deps.access.auth import Actor, require
from deps.config import Settings, load_settings
from deps.errors import RunError
from deps.ingest import FUSABLE
from deps.ingest.extract import read_map
from deps.services.fusion import FUSION_SEPARATOR, Fusion, fuse_provision, split_fused_name
from deps.store.catalogue import list_datasets
from deps.store.db import Database
from deps.store.queries import DatasetRef, edges_frame, nodes_frame, provision_frame, resolve_dataset

__all__ = [
    "Composition",
    "composition_frames",
    "fuse_composition",
    "is_fused",
    "offered_compositions",
    "resolve_composition",
]


@dataclass(frozen=True)
class Composition:
    """A base dataset version and the dataset versions fused over it (none for a plain dataset)."""

    name: str
    base: DatasetRef
    added: tuple[DatasetRef, ...] = field(default=())

    @property
    def fused(self) -> bool:
        """Whether any dataset is added to the base."""
        return bool(self.added)

    @property
    def members(self) -> dict[str, int]:
        """Added dataset name -> its version (what a run of the composition records)."""
        return {ref.name: ref.version for ref in self.added}

    @property
    def content_hash(self) -> str:
        """The base's content hash, or for a fused composition a hash of every member's name, version and hash."""
        if not self.added:
            return self.base.content_hash
        text = "|".join(f"{r.name}:{r.version}:{r.content_hash}" for r in (self.base, *self.added))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def ref(self) -> DatasetRef:
        """A reference for the pages: the base's id and version under the composition's name and content hash."""
        if not self.added:
            return self.base
        return DatasetRef(self.base.id, self.name, self.base.version, self.content_hash, self.base.format)


def is_fused(name: str) -> bool:
    """Whether ``name`` names a fused composition (``base+other``).

    >>> is_fused("seed+usgs"), is_fused("seed")
    (True, False)
    """
    return bool(split_fused_name(name)[1])


def resolve_composition(db: Database, name: str, *, actor: Actor) -> Composition:
    """The newest version of the base and of every added dataset of ``name``.

    Raises
    ------
    NotFoundError
        When a member is not stored.
    RunError
        When an added dataset's format cannot be fused (only ``deps.ingest.FUSABLE`` formats map to nodes).
    """
    require(actor, "read")
    base, others = split_fused_name(name)
    added = []
    for other in others:
        ref = resolve_dataset(db, other)
        if ref.format not in FUSABLE:
            formats = f"{', '.join(FUSABLE[:-1])} and {FUSABLE[-1]}"
            raise RunError(f"dataset {other!r} ({ref.format}) cannot be fused: only {formats} imports map to nodes")
        added.append(ref)
    return Composition(name, resolve_dataset(db, base), tuple(added))


def offered_compositions(db: Database, settings: Settings, *, actor: Actor) -> list[str]:
    """The fused compositions the app offers (module docstring): the seed with each fusable dataset, and with all.

    Empty when the seed dataset is not stored or no fusable dataset is.
    """
    require(actor, "read")
    newest = list_datasets(db, latest_only=True)
    base = settings.seed_dataset
    if not any(d.name == base and d.counts.get("nodes", 0) > 0 for d in newest):
        return []
    added = sorted(
        (d for d in newest if d.format in FUSABLE and d.name != base), key=lambda d: (FUSABLE.index(d.format), d.name)
    )
    names = [FUSION_SEPARATOR.join((base, d.name)) for d in added]
    if len(added) > 1:
        names.append(FUSION_SEPARATOR.join((base, *(d.name for d in added))))
    return names


def fuse_composition(
    db: Database, composition: Composition, provision: pd.DataFrame, *, actor: Actor, settings: Settings | None = None
) -> Fusion:
    """:func:`deps.services.fusion.fuse_provision` of the base's ``provision`` with the composition's added datasets.

    ``settings`` gives the seed folder (for ``commodity_map.csv``) and the conflict threshold.
    """
    require(actor, "read")
    settings = settings or load_settings()
    path = settings.effective_seed_dir / "commodity_map.csv"
    if not path.is_file():
        raise RunError(f"a fused graph needs {path.name} in the seed folder (DEPS_SEED_DIR)")
    commodity_map = read_map(path)
    added = []
    for ref in composition.added:
        # only the mapped stages' rows: the fusion reads no others (USGS: about 2,200 of 9,100 rows)
        stages = set(commodity_map.loc[commodity_map["source"].eq(ref.format), "stage_code"])
        added.append((ref.name, ref.format, provision_frame(db, ref.id, observed_all=True, nodes=stages)))
    return fuse_provision(provision, composition.base.name, added, commodity_map, threshold_pp=settings.conflict_pp)


def composition_frames(
    db: Database, name: str, *, actor: Actor, settings: Settings | None = None
) -> dict[str, pd.DataFrame]:
    """The graph frames of a composition with every column the app shows.

    ``nodes`` and ``edges`` are the base's; ``provision`` is the fused supplier rows; for a fused composition
    ``sources`` (the candidate sources per node, the chosen one marked) and ``conflicts`` (differences between
    sources above ``DEPS_CONFLICT_PP``) as in a fused analysis run's tables, empty frames otherwise.
    """
    require(actor, "read")
    composition = resolve_composition(db, name, actor=actor)
    base = composition.base
    provision = provision_frame(db, base.id)
    frames = {"nodes": nodes_frame(db, base.id), "edges": edges_frame(db, base.id), "provision": provision}
    if not composition.fused:
        return frames | {"sources": pd.DataFrame(), "conflicts": pd.DataFrame()}
    fusion = fuse_composition(db, composition, provision, actor=actor, settings=settings)
    return frames | {"provision": fusion.provision, "sources": fusion.evidence, "conflicts": fusion.conflicts}
