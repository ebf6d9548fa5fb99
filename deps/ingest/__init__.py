"""Importers, one module per input format, and the registry that the CLI and the app use.

Every importer has the signature ``import_FORMAT(path, *, session, dataset, user, max_bytes, share_tolerance)
-> ImportResult``: it validates everything first (raising :class:`~deps.errors.DataValidationError` with every
problem), then writes one new dataset version in the caller's transaction.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from deps.errors import NotFoundError

__all__ = ["FORMATS", "importer"]

#: format name -> (module, function, one-line help)
FORMATS: dict[str, tuple[str, str, str]] = {
    "template": ("deps.ingest.template", "import_template", "the project's own CSV folder / XLSX workbook template"),
    "cset": ("deps.ingest.cset", "import_cset", "CSET/ETO Advanced Semiconductor Supply Chain dataset (folder)"),
    "baci": ("deps.ingest.baci", "import_baci", "CEPII BACI bilateral trade flows (CSV)"),
    "wgi": ("deps.ingest.wgi", "import_wgi", "World Bank Worldwide Governance Indicators estimates (CSV)"),
}


def importer(fmt: str) -> Callable[..., Any]:
    """The import function for ``fmt``."""
    if fmt not in FORMATS:
        raise NotFoundError(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")
    module, function, _help = FORMATS[fmt]
    return getattr(importlib.import_module(module), function)
