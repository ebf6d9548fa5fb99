"""Column names, dtypes and validating constructors of the engine's input frames.

The application (``deps.store.queries``) produces five frames; every public function of this package
accepts them after :func:`validate_nodes` & co. have normalised them (columns present, dtypes
exact, optional columns filled with their defaults, rows sorted for determinism).

Frames
------
nodes
    ``node_id`` str, ``name`` str, ``kind`` str (one of :data:`NODE_KINDS`), ``sectors`` str
    (';'-separated), ``markets`` str (';'-separated focus-market ids, may be ''),
    ``market_weight`` float (optional, default 1.0), and two optional analyst inputs used by
    control points and risk: ``substitutability`` float in [0, 1] (0 = no substitute known,
    NaN = unknown) and ``recovery_months`` float (time to recover after a loss, NaN = unknown),
    each with an optional published or assumed range ``*_low`` / ``*_high`` (NaN = no range given).
edges
    ``src`` str, ``dst`` str, ``relation`` str (one of :data:`EDGE_RELATIONS`):
    ``goes_into`` (src is a required input of dst), ``is_type_of`` (src is one of the
    alternative types of the category dst), ``substitutes`` (src can replace dst); optional
    ``share`` float (``is_type_of`` only: the type's share of the category's supply, NaN =
    unknown), ``factor`` float (``substitutes`` only, required there: the substitutability
    0-1, the part of dst's lost supply that src can make up) and ``source`` str. Semantics:
    ``docs/methods/alternatives.md``.
provision
    ``node_id``, ``supplier_id``, ``supplier_type`` (``country`` | ``firm``), ``country`` (ISO3;
    a firm's headquarters), ``share`` float in [0, 1] or NaN (known supplier, unknown share,
    never read as 0), ``year`` Int64, ``source``, ``evidence``, ``confidence``, ``basis`` str.
countries
    ``iso3``, ``name``, ``blocs`` (';'-separated), ``governance`` float 0-10 (10 = worst,
    g = (2.5 - w) * 2 from a WGI estimate w; NaN if unknown).
trade
    ``year`` int, ``exporter``, ``importer``, ``product`` (HS6) str, ``value`` float (thousand USD).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from supplychain.errors import SchemaError

__all__ = [
    "COUNTRIES_COLUMNS",
    "EDGES_COLUMNS",
    "EDGE_RELATIONS",
    "NODES_COLUMNS",
    "NODE_KINDS",
    "PROVISION_COLUMNS",
    "SHARE_SUM_TOLERANCE",
    "SUPPLIER_TYPES",
    "TRADE_COLUMNS",
    "all_equal",
    "bloc_members",
    "constant_labels",
    "frame_of_columns",
    "labels_from_codes",
    "run_starts",
    "split_list",
    "validate_countries",
    "validate_edges",
    "validate_nodes",
    "validate_provision",
    "validate_trade",
]

NODE_KINDS = ("product", "material", "tool", "process", "service", "final_product")
EDGE_RELATIONS = ("goes_into", "is_type_of", "substitutes")
#: tolerance on the sum of the known type shares of one category (rounded published figures).
SHARE_SUM_TOLERANCE = 0.01
SUPPLIER_TYPES = ("country", "firm")

#: column -> dtype; optional columns have a default in ``_DEFAULTS``.
NODES_COLUMNS: Mapping[str, str] = {
    "node_id": "str",
    "name": "str",
    "kind": "str",
    "sectors": "str",
    "markets": "str",
    "market_weight": "float64",
    "substitutability": "float64",
    "substitutability_low": "float64",
    "substitutability_high": "float64",
    "recovery_months": "float64",
    "recovery_months_low": "float64",
    "recovery_months_high": "float64",
}
EDGES_COLUMNS: Mapping[str, str] = {
    "src": "str",
    "dst": "str",
    "relation": "str",
    "share": "float64",
    "factor": "float64",
    "source": "str",
}
PROVISION_COLUMNS: Mapping[str, str] = {
    "node_id": "str",
    "supplier_id": "str",
    "supplier_type": "str",
    "country": "str",
    "share": "float64",
    "year": "Int64",
    "source": "str",
    "evidence": "str",
    "confidence": "str",
    "basis": "str",
}
COUNTRIES_COLUMNS: Mapping[str, str] = {
    "iso3": "str",
    "name": "str",
    "blocs": "str",
    "governance": "float64",
}
TRADE_COLUMNS: Mapping[str, str] = {
    "year": "int64",
    "exporter": "str",
    "importer": "str",
    "product": "str",
    "value": "float64",
}

_DEFAULTS: dict[str, object] = {
    "sectors": "",
    "markets": "",
    "market_weight": 1.0,
    "substitutability": np.nan,
    "substitutability_low": np.nan,
    "substitutability_high": np.nan,
    "recovery_months": np.nan,
    "recovery_months_low": np.nan,
    "recovery_months_high": np.nan,
    "name": "",
    "kind": "product",
    "year": pd.NA,
    "source": "",
    "evidence": "",
    "confidence": "",
    "basis": "",
    "blocs": "",
    "governance": np.nan,
    "share": np.nan,
    "factor": np.nan,
}


def labels_from_codes(codes: np.ndarray, labels: Sequence[str]) -> pd.Series:
    """A string Series ``labels[codes]`` built without creating one Python string per row."""
    if len(labels) == 1:  # every code is 0: no gather
        return constant_labels(labels[0], len(codes))
    codes = np.asarray(codes, dtype=np.int32)
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow ships with pandas 3 installs here
        return pd.Series(np.asarray(labels, dtype=object)[codes], dtype="str")
    dictionary = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(list(labels), type=pa.string()))
    return pd.Series(dictionary.cast(pa.string()).to_pandas(), dtype="str")


def constant_labels(value: str, n: int, index: pd.Index | None = None) -> pd.Series:
    """A string Series of ``n`` times ``value`` (on ``index`` if given), without a gather or a
    Python string per row: the bytes repeated and evenly spaced offsets."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow ships with pandas 3 installs here
        return pd.Series([value] * n, index=index, dtype="str")
    raw = value.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(raw)
    values = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(raw * n))
    out = pd.Series(values.to_pandas(), dtype="str")
    if index is not None:
        out.index = index
    return out


def all_equal(column: pd.Series, other: pd.Series | str) -> bool:
    """True when ``column`` equals ``other`` (a Series of the same length, or one string) at every
    row; a missing value equals nothing.

    String columns are compared in pyarrow (one pass, no boolean Series); others by pandas.
    """
    if isinstance(other, pd.Series) and len(other) != len(column):
        return False
    left, right = _arrow_strings(column), other if isinstance(other, str) else _arrow_strings(other)
    if left is not None and right is not None:
        import pyarrow.compute as pc

        return len(left) == 0 or bool(pc.all(pc.equal(left, right)).as_py())
    if isinstance(other, pd.Series):
        other = other.reset_index(drop=True)
    return bool((column.reset_index(drop=True) == other).all())


def _arrow_strings(column: pd.Series) -> Any:
    """The pyarrow array of a string column without missing values (None otherwise)."""
    if column.dtype != "str":
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow ships with pandas 3 installs here
        return None
    arr = pa.array(column.array)
    return arr if arr.null_count == 0 else None


def frame_of_columns(columns: Mapping[str, object]) -> pd.DataFrame:
    """A DataFrame of ``columns`` (numpy arrays, Series or scalars) that keeps each array as given.

    pandas's dict constructor copies every array and stacks the columns of one dtype into a 2-D
    block (at a million rows, most of the time of building a wide result); here each numpy
    array becomes its own block, uncopied. So that no two columns alias, an array that may share
    memory with an earlier column is copied first. Pass only arrays the caller owns (freshly
    computed): the frame writes through to them.
    """
    kept: list[np.ndarray] = []
    out: dict[str, object] = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray):
            if any(np.may_share_memory(values, other) for other in kept):
                values = values.copy()
            kept.append(values)
        out[name] = values
    return pd.DataFrame(out, copy=False)


def run_starts(column: pd.Series) -> np.ndarray:
    """Positions where a run of equal consecutive values starts (position 0 included).

    For a column sorted by value these are the first rows of each distinct value; one
    vectorised comparison of neighbours, no hashing.
    """
    values = column.reset_index(drop=True)
    if len(values) < 2:
        return np.arange(len(values), dtype=np.int64)
    change = (values.iloc[1:].reset_index(drop=True) != values.iloc[:-1].reset_index(drop=True)).to_numpy(dtype=bool)
    return np.flatnonzero(np.r_[True, change]).astype(np.int64)


def split_list(text: object) -> list[str]:
    """Split a ';'-separated cell into stripped, non-empty items (NaN and '' give [])."""
    if not isinstance(text, str):
        return []
    return [part.strip() for part in text.split(";") if part.strip()]


def validate_nodes(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a normalised copy of the ``nodes`` frame (sorted by ``node_id``).

    Raises
    ------
    SchemaError
        On a missing required column, a duplicate ``node_id``, an unknown ``kind`` or a
        ``market_weight`` below 0, a substitutability outside [0, 1], a negative recovery time or a
        range whose low end exceeds its high end (or the value).
    """
    out = _conform(frame, "nodes", NODES_COLUMNS, required=("node_id",))
    _check_unique(out, "nodes", ["node_id"])
    _check_in(out, "nodes", "kind", NODE_KINDS)
    if (out["market_weight"] < 0).any():
        raise SchemaError("nodes: market_weight must be >= 0; fix the negative weights")
    for col in ("substitutability", "substitutability_low", "substitutability_high"):
        sub = out[col].dropna()
        if ((sub < 0) | (sub > 1)).any():
            raise SchemaError(f"nodes: {col} must lie in [0, 1] (or be empty = unknown)")
    for col in ("recovery_months", "recovery_months_low", "recovery_months_high"):
        if (out[col].dropna() < 0).any():
            raise SchemaError(f"nodes: {col} must be >= 0 (or empty = unknown)")
    for base in ("substitutability", "recovery_months"):
        low, value, high = out[f"{base}_low"], out[base], out[f"{base}_high"]
        bad = ((low > high) | (low > value) | (value > high)).fillna(False)
        if bad.any():
            node = out.loc[bad, "node_id"].iloc[0]
            raise SchemaError(
                f"nodes: the {base} range of {node!r} is not ordered; give {base}_low <= {base} <= {base}_high"
            )
    return out.sort_values("node_id", kind="stable").reset_index(drop=True)


def validate_edges(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a normalised copy of the ``edges`` frame (deduplicated, sorted).

    Raises
    ------
    SchemaError
        On a missing column, an unknown ``relation``, a self-loop, a ``share`` outside [0, 1] or
        on a relation other than ``is_type_of``, known type shares of one category summing above
        1 + :data:`SHARE_SUM_TOLERANCE`, a ``substitutes`` edge without a ``factor`` in [0, 1],
        a ``factor`` on another relation, or one (src, dst, relation) given twice with
        different values.
    """
    out = _conform(frame, "edges", EDGES_COLUMNS, required=("src", "dst", "relation"))
    _check_in(out, "edges", "relation", EDGE_RELATIONS)
    loops = out[out["src"] == out["dst"]]
    if len(loops):
        raise SchemaError(f"edges: self-loop on node {loops['src'].iloc[0]!r}; remove the row")
    share, factor, rel = out["share"], out["factor"], out["relation"]
    _check_range(out, share.notna() & ((share < 0) | (share > 1)), "share", "a fraction in [0, 1]")
    _check_range(out, share.notna() & (rel != "is_type_of"), "share", "empty except on is_type_of edges")
    bad_factor = (rel == "substitutes") & (factor.isna() | (factor < 0) | (factor > 1))
    _check_range(out, bad_factor, "factor", "a substitutability in [0, 1] on every substitutes edge")
    _check_range(out, factor.notna() & (rel != "substitutes"), "factor", "empty except on substitutes edges")
    out = out.drop_duplicates()
    _check_unique(out, "edges", ["src", "dst", "relation"])
    sums = out.loc[rel.reindex(out.index) == "is_type_of"].groupby("dst")["share"].sum()
    over = sums[sums > 1.0 + SHARE_SUM_TOLERANCE]
    if len(over):
        raise SchemaError(
            f"edges: the type shares of category {over.index[0]!r} sum to {float(over.iloc[0]):.3f} > 1; "
            "fix the shares (fractions of the category's supply)"
        )
    return out.sort_values(["src", "dst", "relation"], kind="stable").reset_index(drop=True)


def validate_provision(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a normalised copy of the ``provision`` frame.

    Shares must be fractions in [0, 1]; NaN means "supplier known, share unknown" and is kept.

    Raises
    ------
    SchemaError
        On a missing column, an unknown ``supplier_type``, a share outside [0, 1] (a hint is
        given when shares look like percentages) or a duplicate (node, supplier, year) row.
    """
    out = _conform(
        frame,
        "provision",
        PROVISION_COLUMNS,
        required=("node_id", "supplier_id", "supplier_type", "country", "share"),
    )
    _check_in(out, "provision", "supplier_type", SUPPLIER_TYPES)
    share = out["share"]
    bad = share.notna() & ((share < 0) | (share > 1.0 + 1e-9))
    if bad.any():
        row = out[bad].iloc[0]
        hint = " (looks like a percentage: divide by 100)" if share.max() > 1 else ""
        raise SchemaError(
            f"provision: share {row['share']!r} of supplier {row['supplier_id']!r} for node "
            f"{row['node_id']!r} is outside [0, 1]{hint}"
        )
    _check_unique(out, "provision", ["node_id", "supplier_id", "year"])
    keys = ["node_id", "supplier_type", "supplier_id", "year"]
    return out.sort_values(keys, kind="stable", na_position="first").reset_index(drop=True)


def validate_countries(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a normalised copy of the ``countries`` frame (sorted by ``iso3``).

    Raises
    ------
    SchemaError
        On a missing column, a duplicate ISO3 code or a governance score outside [0, 10].
    """
    out = _conform(frame, "countries", COUNTRIES_COLUMNS, required=("iso3",))
    _check_unique(out, "countries", ["iso3"])
    gov = out["governance"].dropna()
    if ((gov < 0) | (gov > 10)).any():
        raise SchemaError("countries: governance must lie in 0-10 (10 = worst); rescale WGI")
    return out.sort_values("iso3", kind="stable").reset_index(drop=True)


def validate_trade(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a normalised copy of the ``trade`` frame (zero and negative flows dropped).

    Raises
    ------
    SchemaError
        On a missing column or a non-numeric value.
    """
    out = _conform(frame, "trade", TRADE_COLUMNS, required=tuple(TRADE_COLUMNS))
    out = out[out["value"] > 0]
    keys = ["year", "product", "exporter", "importer"]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def bloc_members(countries: pd.DataFrame, bloc: str) -> frozenset[str]:
    """ISO3 codes of the countries whose ``blocs`` cell names ``bloc``."""
    return frozenset(
        str(iso) for iso, blocs in zip(countries["iso3"], countries["blocs"], strict=True) if bloc in split_list(blocs)
    )


def _conform(frame: pd.DataFrame, name: str, columns: Mapping[str, str], *, required: Sequence[str]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SchemaError(f"{name}: missing column(s) {missing}; add them (see supplychain.schema)")
    out = pd.DataFrame(index=frame.index)
    for col, dtype in columns.items():
        if col in frame.columns:
            series = frame[col]
        elif col in _DEFAULTS:
            series = pd.Series(_DEFAULTS[col], index=frame.index)
        else:
            raise SchemaError(f"{name}: missing column {col!r}")
        try:
            if dtype == "str":
                series = series.astype(object).where(series.notna(), "").astype(str)
            elif dtype == "Int64":
                series = pd.to_numeric(series, errors="raise").astype("Int64")
            else:
                series = pd.to_numeric(series, errors="raise").astype(np.dtype(dtype))
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"{name}: column {col!r} cannot be read as {dtype}: {exc}") from exc
        out[col] = series
    if "market_weight" in out.columns:
        out["market_weight"] = out["market_weight"].fillna(1.0)
    return out.reset_index(drop=True)


def _check_unique(frame: pd.DataFrame, name: str, keys: list[str]) -> None:
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        first = frame[dup].iloc[0][keys].tolist()
        raise SchemaError(f"{name}: duplicate key {keys}={first}; deduplicate the rows")


def _check_range(frame: pd.DataFrame, bad: pd.Series, col: str, rule: str) -> None:
    if bad.any():
        row = frame[bad].iloc[0]
        raise SchemaError(
            f"edges: {col}={row[col]!r} on {row['src']!r} -> {row['dst']!r} ({row['relation']}); {col} must be {rule}"
        )


def _check_in(frame: pd.DataFrame, name: str, col: str, allowed: Sequence[str]) -> None:
    bad = ~frame[col].isin(allowed)
    if bad.any():
        raise SchemaError(f"{name}: {col}={frame.loc[bad, col].iloc[0]!r} is not one of {list(allowed)}")
