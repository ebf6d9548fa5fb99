"""Creating the database and loading the seed: what ``deps init`` and ``make app`` do.

The seed in ``data/`` is the project's own cited dataset in the template format (see
:mod:`deps.ingest.template`); it is loaded as the dataset named by ``DEPS_SEED_DATASET`` (default ``seed``).
Loading it again changes nothing unless its files changed, in which case a new version is created.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from deps.access import audit
from deps.config import Settings
from deps.errors import DataValidationError, Problem
from deps.ingest.dataset import ImportResult
from deps.ingest.limits import read_limits
from deps.ingest.template import import_template
from deps.store.db import Database, upgrade

__all__ = ["InitResult", "initialise"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InitResult:
    """What ``deps init`` did."""

    database: str
    seed: ImportResult | None


def initialise(db: Database, settings: Settings, *, empty: bool = False) -> InitResult:
    """Create or upgrade the schema; unless ``empty``, load the seed in one transaction.

    Raises
    ------
    DataValidationError
        When the seed folder is missing or invalid (nothing is written).
    """
    upgrade(db)
    if empty:
        return InitResult(db.url, None)
    seed_dir = settings.effective_seed_dir
    if not (seed_dir / "nodes.csv").is_file():
        raise DataValidationError(
            [Problem(str(seed_dir.name), None, None, "the seed folder has no nodes.csv", "set DEPS_SEED_DIR")],
            "seed",
        )
    who = f"cli:{settings.effective_user}"[:80]  # the command line's one naming scheme (deps.cli.common)
    with db.session() as session:
        result = import_template(
            seed_dir,
            session=session,
            dataset=settings.seed_dataset,
            user=who,
            max_bytes=settings.max_import_mb * 1_000_000,
            share_tolerance=settings.share_tolerance,
            fmt="seed",
            limits=read_limits(settings),
        )
        if not result.unchanged:
            audit.append(
                session,
                user=who,
                action="import",
                target=f"{result.dataset} v{result.version}",
                details={"format": "seed", "content_hash": result.content_hash, "counts": dict(result.counts)},
            )
    log.info(result.summary())
    return InitResult(db.url, result)
