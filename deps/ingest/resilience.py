"""Node resilience: the validation of the template's ``node_resilience`` table.

Two analyst inputs of the dependency-risk score (see :mod:`supplychain.risk`) become node data with sources:

* ``substitutability`` in [0, 1] (0 = no substitute known), for example ``1 - SI(SR)`` of the EU criticality
  assessment, with ``substitutability_low`` / ``substitutability_high`` (rounding of a printed index, or the spread
  of grouped materials) and ``substitutability_source_id``;
* ``recovery_months`` >= 0, the time to recover after a loss, with ``recovery_months_low`` / ``recovery_months_high``
  and ``recovery_source_id``.

A row gives a value with its source, and may give a range around it (``low <= value <= high``); a value without a
source is refused. Nodes without a row are unknown: the analysis gives them the whole range and says so, and an
unknown value never decides the kind of a dependency.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from deps.ingest.validation import TableCheck
from deps.store.models import CONFIDENCE_LEVELS, EVIDENCE_KINDS

__all__ = ["RESILIENCE_OPTIONAL", "RESILIENCE_REQUIRED", "check_node_resilience"]

RESILIENCE_REQUIRED = ("node_id",)
_FACTORS = {"substitutability": (0.0, 1.0, "a fraction 0-1"), "recovery_months": (0.0, 1200.0, "months")}
_SOURCES = {"substitutability": "substitutability_source_id", "recovery_months": "recovery_source_id"}
RESILIENCE_OPTIONAL = (
    *(f"{base}{end}" for base in _FACTORS for end in ("_low", "", "_high")),
    *_SOURCES.values(),
    "evidence",
    "confidence",
    "note",
)


def check_node_resilience(check: TableCheck, *, nodes: Collection[str], sources: Collection[str]) -> pd.DataFrame:
    """Convert and check the table; problems go to ``check.problems`` with row, column and fix.

    Returns a frame with ``code`` (node id), the six numbers (NaN = not given), the two source codes ('' = none),
    ``evidence``, ``confidence`` and ``note``.
    """
    data = pd.DataFrame({"code": check.text("node_id", max_len=80, what="a node_id of nodes.csv")})
    for base, (bottom, top, what) in _FACTORS.items():
        for end in ("_low", "", "_high"):
            column = f"{base}{end}"
            data[column] = check.number(column, required=False, low=bottom, high=top, what=what)
        data[_SOURCES[base]] = check.text(_SOURCES[base], required=False, max_len=200)
    data["evidence"] = check.choice("evidence", EVIDENCE_KINDS)
    data["confidence"] = check.choice("confidence", CONFIDENCE_LEVELS, required=False)
    data["note"] = check.text("note", required=False, max_len=5000)
    check.references("node_id", data["code"], nodes, "node", "add the node to nodes.csv or correct the id")
    for column in _SOURCES.values():
        check.references(column, data[column], {*sources, ""}, "source", "add the source to sources.csv")
    for base in _FACTORS:
        low, value, high, source = (data[f"{base}_low"], data[base], data[f"{base}_high"], data[_SOURCES[base]])
        given = value.notna() | low.notna() | high.notna()
        for index in [int(i) for i in data.index[given & value.isna()]]:
            check.add(index, base, f"a {base} range without its value", f"give {base} (the central value) too")
        for index in [int(i) for i in data.index[given & source.eq("")]]:
            check.add(index, _SOURCES[base], f"{base} without a source", f"cite the publication in {_SOURCES[base]}")
        disordered = ((low > value) | (value > high) | (low > high)).fillna(False)
        for index in [int(i) for i in data.index[disordered]]:
            check.add(index, base, f"the {base} range is not ordered", f"give {base}_low <= {base} <= {base}_high")
    empty = data[list(_FACTORS)].isna().all(axis=1) & data[[f"{b}_low" for b in _FACTORS]].isna().all(axis=1)
    for index in [int(i) for i in data.index[empty]]:
        check.add(index, None, "the row gives neither substitutability nor recovery_months", "fill one in or drop it")
    check.unique(["node_id"], what="node_id")
    return data
