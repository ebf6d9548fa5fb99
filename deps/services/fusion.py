"""One fused graph: a base dataset (the seed) with the observed shares of other datasets (USGS, IEA, CSET) laid over it.

A fused dataset is named by joining dataset names with ``+`` (``seed+usgs+iea+cset``; the CLI's ``--with usgs
--with iea --with cset`` builds the same name).  The first is the base: its nodes, edges and firm rows are used as
they are.  The others contribute country shares to the base nodes that ``data/commodity_map.csv`` maps to one of
their stages (map ``source`` = the dataset's format, ``usgs``, ``iea`` or ``cset``; CSET stages are its input and
stage ids, ``N20`` EUV lithography tools, ``S2`` fabrication).

Precedence (one source per node for the country view, the others stay visible in the evidence table):

1. location: a block on a location basis (production or refining: mine, refinery, smelter, plant, production; or
   capacity) before one on any other basis (headquarters, exports, sites), whatever its evidence, and even when the
   location block knows its countries but not their shares.  A headquarters share says who owns the supplier, not
   where the thing is made: CSET's observed share of EUV scanners by headquarters (ASML, the Netherlands) must not
   replace a production-location view of them, even an expert one, since a shock to a country hits the plants in
   it;
2. evidence: observed before estimated before expert.  A block's evidence is weighed by share
   (:mod:`supplychain.evidence`; USGS marks single figures as estimates, so one table can hold both): it is the best
   level whose rows, with those of better levels, carry more than half of the block's known share total (a block
   whose known shares are all zero takes its weakest row's level).  One observed row alone does not make a block
   observed: in the gallium table of MCS 2024 the 2022 figures of China, Japan, Korea and Russia are estimates and
   only the United States' (0 kg) is observed; the observed rows carry 0 of the 100 %, so that block is estimated,
   where a rule of "any observed row" called it observed.  The same weighing picks a source's release and year
   (observed first, then the newest year, then the newest release);
3. basis: a production or refining basis before capacity (and, among the rest, all equal);
4. the newest reference year;
5. on a tie the base keeps its own rows; among the added sources the newest release (vintage) wins.

So a CSET block (observed; headquarters for tools, materials and design, capacity for the fabrication and ATP
stages) replaces the seed's rows of a node only when the seed's rows are themselves on a headquarters basis with
weaker evidence or an older year (or on a headquarters basis while CSET's is capacity); where the seed quotes the
same CSET figures (same year and basis) the seed keeps its rows and CSET's fuller list (with the small suppliers
the seed leaves out) shows in the evidence table.  Rule 1 was added with CSET; it does not change any USGS or IEA
result: their blocks are all on a location basis, and no seed node they map has non-location rows that would
have won on evidence (checked on the real imports: the fused provision, evidence and conflicts of
``seed+usgs+iea`` are identical with and without it).

Conflicts: for every node, supplier and reference year that two sources both give (the base's rows, and every
release of every mapped stage, observed or estimated), a difference above ``DEPS_CONFLICT_PP`` percentage points
is listed in the ``conflicts`` table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from supplychain.evidence import EVIDENCE_RANK, block_evidence_rank

__all__ = ["FUSION_SEPARATOR", "Fusion", "fuse_provision", "split_fused_name"]

FUSION_SEPARATOR = "+"
_PRODUCTION = frozenset({"mine", "refinery", "smelter", "plant", "production"})
_LOCATION = _PRODUCTION | {"capacity"}
CONFLICT_COLUMNS = ["node_id", "supplier_id", "year", "source_a", "share_a", "source_b", "share_b", "difference_pp"]
EVIDENCE_COLUMNS = ["node_id", "source", "stage", "year", "vintage", "evidence", "basis", "suppliers", "chosen"]


@dataclass(frozen=True)
class Fusion:
    """The fused provision frame, the candidate sources per node (``evidence``) and the ``conflicts`` table."""

    provision: pd.DataFrame
    evidence: pd.DataFrame
    conflicts: pd.DataFrame


def split_fused_name(name: str) -> tuple[str, tuple[str, ...]]:
    """``"seed+usgs+iea"`` -> ``("seed", ("usgs", "iea"))``.

    >>> split_fused_name("seed+usgs")
    ('seed', ('usgs',))
    """
    parts = [p.strip() for p in name.split(FUSION_SEPARATOR) if p.strip()]
    return (parts[0] if parts else name), tuple(dict.fromkeys(parts[1:]))


def fuse_provision(
    base: pd.DataFrame,
    base_name: str,
    others: Sequence[tuple[str, str, pd.DataFrame]],
    commodity_map: pd.DataFrame,
    *,
    threshold_pp: float,
) -> Fusion:
    """Lay the mapped observed shares of ``others`` over ``base`` (see the module docstring for the precedence).

    Parameters
    ----------
    base
        The base dataset's provision frame (engine rows).
    base_name
        Its name, used as the source label.
    others
        ``(dataset name, format, provision frame with every release)`` per added dataset.
    commodity_map
        ``data/commodity_map.csv`` (columns source, stage_code, basis, node_id, role, source_id, note).
    threshold_pp
        Conflict threshold in percentage points.
    """
    blocks: list[dict[str, object]] = []
    long: list[pd.DataFrame] = []
    base_country = base[base["supplier_type"].eq("country")]
    columns = _Columns.of(base_country)
    groups = base_country.groupby("node_id", sort=False).indices
    for node in sorted(groups, key=str):
        blocks.append(_block(str(node), base_name, "", columns, np.asarray(groups[node], dtype=np.intp), order=0))
    long.append(_long(base_country, base_name))
    for name, fmt, frame in others:
        usable = frame[frame["supplier_type"].eq("country") & frame["evidence"].isin(["observed", "estimated"])]
        # one pass over the release rows: the positions of each (stage, basis), looked up per map row; a block's
        # rows are taken from the frame only when the block is chosen
        columns = _Columns.of(usable)
        stages = usable.groupby(["node_id", "basis"], sort=False).indices
        mapped: list[tuple[np.ndarray, str, str]] = []
        for m in commodity_map[commodity_map["source"].eq(fmt)].to_dict(orient="records"):
            stage, basis, node = str(m["stage_code"]), str(m["basis"]), str(m["node_id"])
            group = stages.get((stage, basis))
            found = np.asarray(group if group is not None else [], dtype=np.intp)
            if not columns.known[found].any():
                continue
            best = _best_release(columns, found)
            blocks.append(_block(node, name, stage, columns, best, order=1, frame=usable))
            mapped.append((found, node, f"{name}:{stage}"))
        if mapped:
            long.append(_long_mapped(usable, mapped))
    chosen = _choose(blocks)
    provision = _apply(base, chosen)
    evidence = pd.DataFrame(
        [
            {k: b[k] for k in EVIDENCE_COLUMNS if k != "chosen"} | {"chosen": b is chosen.get(str(b["node_id"]))}
            for b in blocks
        ],
        columns=EVIDENCE_COLUMNS,
    )
    conflicts = _conflicts(pd.concat(long, ignore_index=True), threshold_pp)
    return Fusion(provision, evidence.sort_values(["node_id", "source", "stage"]).reset_index(drop=True), conflicts)


@dataclass(frozen=True)
class _Columns:
    """The columns of a provision frame that the precedence reads, as numpy arrays (converted once per frame)."""

    known: np.ndarray
    share: np.ndarray
    evidence: np.ndarray
    basis: np.ndarray
    year: np.ndarray
    vintage: np.ndarray | None

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Columns:
        return cls(
            known=frame["share"].notna().to_numpy(),
            share=frame["share"].to_numpy(dtype=float, na_value=np.nan),
            evidence=frame["evidence"].to_numpy(dtype=object),
            basis=frame["basis"].to_numpy(dtype=object),
            year=frame["year"].to_numpy(dtype=float, na_value=np.nan),
            vintage=frame["vintage"].to_numpy(dtype=object) if "vintage" in frame else None,
        )


def _best_release(columns: _Columns, positions: np.ndarray) -> np.ndarray:
    """The positions of the release and year that win: the best evidence (:func:`_evidence_rank` of the release's
    rows of that year), then the newest year, then the newest vintage."""
    known = columns.known[positions]
    years = columns.year[positions]
    vintages = columns.vintage[positions] if columns.vintage is not None else np.full(len(positions), "", object)
    best: tuple[Any, ...] | None = None
    for year, vintage in sorted(set(zip(years[known], vintages[known], strict=True)), key=str):
        rows = positions[(years == year) & (vintages == vintage)]
        key = (_evidence_rank(columns, rows), year, vintage)
        if best is None or key > best:
            best = key
    assert best is not None  # the caller passes positions with a known share
    _rank, year, vintage = best
    return positions[(years == year) & (vintages == vintage)]


def _evidence_rank(columns: _Columns, positions: np.ndarray) -> int:
    """A block's evidence rank (3 observed, 2 estimated, 1 expert, 0 none), weighed by share
    (:func:`supplychain.evidence.block_evidence_rank`, the rule the seed's release choice and the shipped extract use).

    >>> c = _Columns.of(pd.DataFrame({"share": [0.0, 0.6, 0.4], "evidence": ["observed", "estimated", "estimated"],
    ...     "basis": "production", "year": 2022}))
    >>> _evidence_rank(c, np.arange(3)), _evidence_rank(c, np.array([0]))
    (2, 3)
    """
    return block_evidence_rank(columns.share[positions], columns.evidence[positions])


def _block(
    node: str,
    source: str,
    stage: str,
    columns: _Columns,
    positions: np.ndarray,
    *,
    order: int,
    frame: pd.DataFrame | None = None,
) -> dict[str, object]:
    """One candidate block: the rows at ``positions`` (of ``frame``, when it may replace the base's rows)."""
    known_mask = columns.known[positions]
    evidence = _evidence_rank(columns, positions)
    basis = columns.basis[positions]
    bases = set(basis[known_mask])
    basis_rank = 2 if bases & _PRODUCTION else 1 if "capacity" in bases else 0
    # rule 1 over every row, share known or not: a list of producing countries still says where a thing is made
    location = bool(set(basis) & _LOCATION)
    years = columns.year[positions][known_mask]
    years = years[~np.isnan(years)]
    year = int(years.max()) if len(years) else 0
    vintages = list(columns.vintage[positions][known_mask]) if columns.vintage is not None else []
    vintage = str(max(vintages)) if vintages else ""
    return {
        "node_id": node,
        "source": source,
        "stage": stage,
        "year": year,
        "vintage": vintage,
        "evidence": next((k for k, v in EVIDENCE_RANK.items() if v == evidence), ""),
        "basis": ";".join(sorted(bases)),
        "suppliers": len(positions),
        "rank": (location, evidence, basis_rank, year, -order, vintage),
        "rows": None if frame is None else (frame, positions),
    }


def _choose(blocks: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    chosen: dict[str, dict[str, object]] = {}
    for block in blocks:
        node = str(block["node_id"])
        if node not in chosen or _rank(block) > _rank(chosen[node]):
            chosen[node] = block
    return chosen


def _rank(block: dict[str, object]) -> tuple[Any, ...]:
    """A block's precedence key (:func:`_block`: location, evidence, basis, year, order, vintage); larger wins."""
    rank = block["rank"]
    if not isinstance(rank, tuple):
        raise TypeError(f"a block's rank is a tuple, not {type(rank).__name__}")
    return rank


def _apply(base: pd.DataFrame, chosen: dict[str, dict[str, object]]) -> pd.DataFrame:
    replaced = {n for n, b in chosen.items() if b["rows"] is not None}
    keep = base[~(base["node_id"].isin(replaced) & base["supplier_type"].eq("country"))]
    added = []
    for node in sorted(replaced):
        held = chosen[node]["rows"]
        assert isinstance(held, tuple)
        frame, positions = held
        added.append(frame.take(positions).assign(node_id=node))
    if not added:
        return base
    out = pd.concat([keep, *[a[keep.columns.intersection(a.columns)] for a in added]], ignore_index=True)
    keys = ["node_id", "supplier_type", "supplier_id", "year"]
    return out.sort_values(keys, kind="stable", na_position="first").reset_index(drop=True)


def _long(rows: pd.DataFrame, source: str) -> pd.DataFrame:
    known = rows[rows["share"].notna() & rows["year"].notna()]
    observed = known["evidence"].eq("observed")
    vintage = known["vintage"] if "vintage" in known else pd.Series("", index=known.index)
    return pd.DataFrame(
        {
            "node_id": known["node_id"],
            "supplier_id": known["supplier_id"],
            "year": known["year"].astype(int),
            "source": source,
            "share": known["share"].astype(float),
            "rank": list(zip(observed, vintage, strict=True)),
        }
    )


def _long_mapped(frame: pd.DataFrame, mapped: Sequence[tuple[np.ndarray, str, str]]) -> pd.DataFrame:
    """:func:`_long` of several mapped stages of ``frame`` at once: ``(positions, node, source)`` each, in order."""
    rows = frame.take(np.concatenate([p for p, _node, _source in mapped])).reset_index(drop=True)
    sizes = [len(p) for p, _node, _source in mapped]
    rows["node_id"] = np.repeat([node for _r, node, _source in mapped], sizes)
    long = _long(rows, "")
    sources = np.repeat([source for _r, _node, source in mapped], sizes)
    return long.assign(source=sources[long.index.to_numpy()])


def _conflicts(long: pd.DataFrame, threshold_pp: float) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(columns=CONFLICT_COLUMNS)
    best = long.sort_values("rank", kind="stable").groupby(["node_id", "supplier_id", "year", "source"]).tail(1)
    pairs = best.merge(best, on=["node_id", "supplier_id", "year"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["source_a"] < pairs["source_b"]]
    pairs = pairs.assign(difference_pp=(pairs["share_b"] - pairs["share_a"]) * 100)
    out = pairs[pairs["difference_pp"].abs() > threshold_pp]
    out = out.assign(share_a=out["share_a"] * 100, share_b=out["share_b"] * 100)
    return out[CONFLICT_COLUMNS].sort_values(CONFLICT_COLUMNS[:4]).reset_index(drop=True)
