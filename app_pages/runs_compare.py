"""What changed between two stored runs: parameters and every common result table, row by row; pure, no Streamlit.

Rows are matched on the table's key columns (:data:`TABLE_KEYS`); for each matched row and each other column whose
value differs (or a row only one run has) one line says the measure, the value in run A, in run B and, for numbers,
the change B - A.  Numbers equal to 1e-9 count as equal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["TABLE_KEYS", "compare_parameters", "compare_tables", "parameter_summary"]

#: The columns that identify a row of each result table.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "allocation": ("action_line_id", "target_id", "market"),
    "markets": ("market",),
    "targets": ("target_id",),
    "finals": ("node_id",),
    "nodes": ("node_id",),
    "control_points": ("node_id", "holder"),
    "bloc_control_points": ("node_id", "holder"),
    "risk": ("target_id",),
    "mutual": ("partner",),
    "frontier": ("budget_meur",),
}
TOLERANCE = 1e-9
#: Long text columns left out of the comparison (they restate the numbers).
SKIP = {"explanation", "reason", "sources"}


def parameter_summary(parameters: Mapping[str, Any], limit: int = 120) -> str:
    """The run's parameters as one compact line (``key=value``; nested values as JSON), cut at ``limit``."""
    parts = []
    for key in sorted(parameters):
        value = parameters[key]
        if value in (None, {}, [], ()):
            continue
        text = (
            value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
        )
        parts.append(f"{key}={text}")
    line = "; ".join(parts)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def compare_parameters(a: Mapping[str, Any], b: Mapping[str, Any]) -> pd.DataFrame:
    """``parameter``, ``run_a``, ``run_b`` for every parameter whose value differs."""
    rows = []
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        if json.dumps(left, sort_keys=True, default=str) != json.dumps(right, sort_keys=True, default=str):
            rows.append({"parameter": key, "run_a": _text(left), "run_b": _text(right)})
    return pd.DataFrame(rows, columns=["parameter", "run_a", "run_b"])


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)


def compare_tables(a: Mapping[str, pd.DataFrame], b: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``table``, the key columns, ``measure``, ``run_a``, ``run_b``, ``change`` for every difference."""
    rows: list[dict[str, Any]] = []
    keys_seen: list[str] = []
    for table, keys in TABLE_KEYS.items():
        if table not in a or table not in b:
            continue
        left, right = a[table], b[table]
        if not set(keys) <= set(left.columns) & set(right.columns):
            continue
        keys_seen += [k for k in keys if k not in keys_seen]
        measures = [c for c in left.columns if c in right.columns and c not in keys and c not in SKIP]
        merged = left.merge(right, on=list(keys), how="outer", suffixes=("__a", "__b"), indicator=True)
        for record in merged.to_dict("records"):
            where = {k: record[k] for k in keys}
            for measure in measures:
                va, vb = record.get(f"{measure}__a"), record.get(f"{measure}__b")
                na, nb = _number(va), _number(vb)
                if na is not None and nb is not None:
                    if abs(na - nb) <= TOLERANCE:
                        continue
                    change: float | None = nb - na
                elif _text(va) == _text(vb):
                    continue
                else:
                    change = None
                rows.append(
                    {
                        "table": table,
                        **where,
                        "measure": measure,
                        "run_a": _text(va),
                        "run_b": _text(vb),
                        "change": change,
                    }
                )
    return pd.DataFrame(rows, columns=["table", *keys_seen, "measure", "run_a", "run_b", "change"])
