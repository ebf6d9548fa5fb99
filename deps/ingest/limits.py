"""Bounds that every input file must respect before it is parsed (sizes, shape, XML structure).

The readers check these bounds from the cheapest evidence first: the file size, the archive directory of a
workbook (declared uncompressed sizes, member count, compression ratio, a macro part), then one streaming pass over
each XML part (depth, no document type declaration, the declared sheet dimension, every cell reference, the length
of every cell).  Only a file inside every bound is handed to the full parser, which then cannot grow beyond
``max_rows x max_columns`` cells.  Each bound is a setting (``DEPS_MAX_*`` in :mod:`deps.config`).
"""

from __future__ import annotations

from dataclasses import dataclass

from deps.config import Settings

__all__ = ["ReadLimits", "read_limits"]


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on one input file; see the ``DEPS_MAX_*`` settings for each field.

    Parameters
    ----------
    max_bytes
        Largest file on disk (bytes).
    max_columns
        Most columns a table may have (header cells, or the widest column a sheet declares or uses).
    max_rows
        Most data rows a table may have (the header row not counted).
    max_cell_chars
        Longest cell text (characters).  Excel's own limit is 32,767.
    max_unpacked_bytes
        Largest total uncompressed size of the archive members of a workbook (declared sizes, checked before any
        member is unpacked; the unpacking itself stops at the declared size).
    max_zip_ratio
        Largest ratio of uncompressed to compressed size of one member (zip bombs compress by 1000x or more,
        spreadsheet XML by 5-30x).
    max_archive_members
        Most members a workbook archive may hold.
    max_xml_depth
        Deepest element nesting accepted in any XML part (a worksheet nests 5-7 levels deep).
    """

    max_bytes: int
    max_columns: int
    max_rows: int
    max_cell_chars: int
    max_unpacked_bytes: int
    max_zip_ratio: int
    max_archive_members: int
    max_xml_depth: int

    @property
    def max_sheet_row(self) -> int:
        """The last sheet row number a table may use (header row 1 plus ``max_rows`` data rows)."""
        return self.max_rows + 1


def read_limits(settings: Settings) -> ReadLimits:
    """The bounds in force (the ``DEPS_MAX_*`` settings)."""
    return ReadLimits(
        max_bytes=settings.max_import_mb * 1_000_000,
        max_columns=settings.max_columns,
        max_rows=settings.max_rows,
        max_cell_chars=settings.max_cell_chars,
        max_unpacked_bytes=settings.max_unpacked_mb * 1_000_000,
        max_zip_ratio=settings.max_zip_ratio,
        max_archive_members=settings.max_archive_members,
        max_xml_depth=settings.max_xml_depth,
    )
