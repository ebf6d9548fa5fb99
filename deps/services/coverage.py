"""How much of a dataset carries numbers: observed shares of material nodes, point values and bounds of all nodes.

``deps status`` prints these figures for the seed.  Definitions (one view per node, the country view when the node
has country rows, otherwise the firm view, as :func:`deps.catalogue.dataset_overview` does):

* **observed share**: the node has at least one country row with a known share and evidence ``observed`` that
  comes from an observed-data release (a row with a ``vintage``: USGS MCS, IEA CMDE, or the EU CRM study 2023's
  global supply shares for nodes USGS and IEA do not cover), with basis mine, refinery, smelter, plant, production
  or capacity; a figure USGS marks as an estimate (the last reference year of a release, a glued footnote ``e``, an
  ``e`` prefix or an "estimated" note; :mod:`deps.ingest.usgs`) does not count;
* **point value**: the known shares of the node's view add up to at least ``min_coverage`` (the analysis then
  gives numbers rather than "insufficient data");
* **bounds**: at least one supplier is named (with or without a share), so lower and upper bounds on the top share
  and HHI exist (docs/methods/bounds.md); a node without any named supplier has neither.

Material nodes are counted twice: all nodes of kind ``material``, and the raw materials among them (those listed
as strategic or critical raw materials, column ``crm``, or carrying an observed share).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from deps.access.auth import Actor, require
from deps.errors import NotFoundError
from deps.store.db import Database
from deps.store.queries import nodes_frame, provision_frame, resolve_dataset

if TYPE_CHECKING:
    from deps.config import Settings

__all__ = ["PRODUCTION_BASES", "Coverage", "coverage_figures", "dataset_coverage"]

#: Bases that count as production or refining (not headquarters, exports or site counts).
PRODUCTION_BASES = frozenset({"mine", "refinery", "smelter", "plant", "production", "capacity"})


@dataclass(frozen=True)
class Coverage:
    """Coverage figures of one dataset version (counts and fractions)."""

    nodes: int
    point_value: int
    bounds: int
    point_or_bounds: int
    materials: int
    materials_observed: int
    raw_materials: int
    raw_materials_observed: int
    #: names of the material nodes without an observed share, sorted (the gap behind ``materials_observed``)
    materials_unobserved: tuple[str, ...] = ()

    def fraction(self, part: str, whole: str) -> float:
        """``part / whole`` (0 when ``whole`` is 0)."""
        total = int(getattr(self, whole))
        return int(getattr(self, part)) / total if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return asdict(self)

    def lines(self) -> list[str]:
        """Human-readable lines for ``deps status``."""
        return [
            f"raw-material nodes with an observed production or refining share: {self.raw_materials_observed} of "
            f"{self.raw_materials} ({self.fraction('raw_materials_observed', 'raw_materials'):.0%})",
            f"material nodes with an observed production or refining share: {self.materials_observed} of "
            f"{self.materials} ({self.fraction('materials_observed', 'materials'):.0%})",
            f"nodes with a point value (known shares >= minimum coverage): {self.point_value} of {self.nodes} "
            f"({self.fraction('point_value', 'nodes'):.0%})",
            f"nodes with a point value or bounds (a supplier is named): {self.point_or_bounds} of {self.nodes} "
            f"({self.fraction('point_or_bounds', 'nodes'):.0%})",
            *self._unobserved_lines(),
        ]

    def _unobserved_lines(self) -> list[str]:
        """The material nodes without an observed share, by name (none: no line)."""
        if not self.materials_unobserved:
            return []
        names = "; ".join(self.materials_unobserved)
        count = len(self.materials_unobserved)
        return [f"material nodes without an observed production or refining share ({count}): {names}"]


def coverage_figures(nodes: pd.DataFrame, provision: pd.DataFrame, *, min_coverage: float) -> Coverage:
    """Coverage of ``nodes`` (``node_id``, ``name``, ``kind``, ``crm``) by ``provision`` (with ``vintage``)."""
    ids = nodes["node_id"]
    country = provision[provision["supplier_type"].eq("country")]
    has_country = set(country["node_id"])
    view = provision[provision["supplier_type"].eq("country") | ~provision["node_id"].isin(has_country)]
    known = view.dropna(subset=["share"]).groupby("node_id")["share"].sum()
    named = set(provision.loc[provision["supplier_type"].isin(["country", "firm"]), "node_id"])
    vintage = country["vintage"] if "vintage" in country else pd.Series("", index=country.index)
    evidence = country["evidence"] if "evidence" in country else pd.Series("observed", index=country.index)
    observed_rows = country[
        country["share"].notna()
        & vintage.fillna("").ne("")
        & evidence.eq("observed")
        & country["basis"].isin(PRODUCTION_BASES)
    ]
    observed = set(observed_rows["node_id"])
    point = {n for n in ids if float(known.get(n, 0.0)) >= min_coverage}
    bounds = {n for n in ids if n in named}
    materials = nodes[nodes["kind"].eq("material")]
    raw = materials[materials["crm"].fillna("").ne("") | materials["node_id"].isin(observed)]
    return Coverage(
        nodes=len(ids),
        point_value=len(point),
        bounds=len(bounds),
        point_or_bounds=len(point | bounds),
        materials=len(materials),
        materials_observed=int(materials["node_id"].isin(observed).sum()),
        raw_materials=len(raw),
        raw_materials_observed=int(raw["node_id"].isin(observed).sum()),
        materials_unobserved=_names(materials[~materials["node_id"].isin(observed)]),
    )


def _names(nodes: pd.DataFrame) -> tuple[str, ...]:
    """Sorted display names of ``nodes`` (the id where a node has no name)."""
    names = nodes["name"] if "name" in nodes else pd.Series("", index=nodes.index)
    shown = names.fillna("").astype(str).where(names.fillna("").astype(str).str.strip().ne(""), nodes["node_id"])
    return tuple(sorted(shown, key=str.casefold))


def dataset_coverage(db: Database, settings: Settings, *, actor: Actor, name: str | None = None) -> Coverage | None:
    """Coverage figures of the newest version of dataset ``name`` (default: the seed), or ``None`` if it is absent.

    Read-only and aggregate (counts of nodes), like ``deps status`` itself: no role is needed.
    """
    require(actor, "read")
    try:
        ref = resolve_dataset(db, name or settings.seed_dataset)
    except NotFoundError:
        return None
    return coverage_figures(
        nodes_frame(db, ref.id),
        provision_frame(db, ref.id),
        min_coverage=settings.thresholds.min_coverage,
    )
