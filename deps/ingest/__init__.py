"""Importers, one module per input format, and the registry that the CLI and the app use.

Every importer has the signature ``import_FORMAT(path, *, session, dataset, user, max_bytes, share_tolerance)
-> ImportResult``: it validates everything first (raising :class:`~deps.errors.DataValidationError` with every
problem), then writes one new dataset version in the caller's transaction.  The USGS importer also takes
``reconcile_tolerance`` (from ``DEPS_USGS_RECONCILE_TOLERANCE``), passed by :func:`import_file`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from deps.access import audit
from deps.access.auth import require
from deps.errors import DataValidationError, NotFoundError
from deps.ingest.limits import read_limits
from deps.store.db import Database, require_schema

if TYPE_CHECKING:
    from pathlib import Path

    from deps.access.auth import Actor
    from deps.config import Settings
    from deps.ingest.dataset import ImportResult

__all__ = ["FORMATS", "FUSABLE", "fusable_help", "import_file", "importer"]

#: format name -> (module, function, one-line help)
FORMATS: dict[str, tuple[str, str, str]] = {
    "template": ("deps.ingest.template", "import_template", "the project's own CSV folder / XLSX workbook template"),
    "cset": ("deps.ingest.cset", "import_cset", "CSET/ETO Advanced Semiconductor Supply Chain dataset (folder)"),
    "baci": ("deps.ingest.baci", "import_baci", "CEPII BACI bilateral trade flows (CSV)"),
    "wgi": ("deps.ingest.wgi", "import_wgi", "World Bank Worldwide Governance Indicators estimates (CSV)"),
    "usgs": ("deps.ingest.usgs", "import_usgs", "USGS Mineral Commodity Summaries world data, 2023-2026 (folder/CSV)"),
    "iea": ("deps.ingest.iea", "import_iea", "IEA Critical Minerals Data Explorer workbook (XLSX)"),
    "fda-sites": ("deps.ingest.fda", "import_fda_sites", "FDA DECRS registered drug sites: API sites by country (CSV)"),
}


#: import formats whose observed shares ``data/commodity_map.csv`` maps onto a base graph's nodes: a dataset imported
#: in one of them can be added to an analysis (``--with NAME``, or a fused name ``seed+NAME``).  ``cset`` shares are
#: by headquarters (tools, materials, design) or site capacity (fabrication, ATP); :mod:`deps.services.fusion` ranks
#: a location basis before headquarters
FUSABLE: tuple[str, ...] = ("usgs", "iea", "cset")


def fusable_help() -> str:
    """The addable formats with their one-line help, for the CLI and the app.

    >>> fusable_help().startswith("usgs: USGS Mineral Commodity Summaries")
    True
    """
    return "; ".join(f"{fmt}: {FORMATS[fmt][2]}" for fmt in FUSABLE)


def importer(fmt: str) -> Callable[..., Any]:
    """The import function for ``fmt``."""
    if fmt not in FORMATS:
        raise NotFoundError(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")
    module, function, _help = FORMATS[fmt]
    return getattr(importlib.import_module(module), function)


def import_file(
    db: Database, settings: Settings, actor: Actor, fmt: str, path: Path, *, dataset: str | None = None
) -> ImportResult:
    """Import ``path`` in format ``fmt`` as a new version of ``dataset`` (default: the format's name).

    Admins only.  Everything is validated first; the rows and the audit entry are written in one transaction, so a
    failed import leaves the database exactly as it was (a failed attempt is audited in a transaction of its own).
    """
    require(actor, "import")
    run = importer(fmt)
    require_schema(db)
    name = dataset or fmt
    extra: dict[str, Any] = {}
    if fmt == "usgs":
        extra["reconcile_tolerance"] = settings.usgs_reconcile_tolerance
    try:
        with db.session() as session:
            result: ImportResult = run(
                path,
                session=session,
                dataset=name,
                user=actor.name,
                max_bytes=settings.max_import_mb * 1_000_000,
                share_tolerance=settings.share_tolerance,
                limits=read_limits(settings),
                **extra,
            )
            audit.append(
                session,
                user=actor.name,
                action="import",
                target=f"{name} v{result.version}",
                details={
                    "format": fmt,
                    "file": path.name,
                    "content_hash": result.content_hash,
                    "unchanged": result.unchanged,
                    "counts": dict(result.counts),
                },
            )
    except DataValidationError as exc:
        with db.session() as session:
            audit.append(
                session,
                user=actor.name,
                action="import_rejected",
                target=name,
                details={"format": fmt, "file": path.name, "problems": len(exc.problems)},
            )
        raise
    return result
