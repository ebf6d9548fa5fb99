"""Every threshold of the analysis, as one frozen dataclass with the published defaults (docs/methods/index.md).

Nothing in the engine hard-codes a cut-off: functions take ``thresholds: Thresholds`` and every
flag's explanation quotes the value it was compared against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEFAULT_THRESHOLDS", "Thresholds"]


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs and defaults (docs/methods/; fractions on the 0-1 scale).

    Attributes
    ----------
    chokepoint_top_share
        Top-supplier share that makes a concentration chokepoint (0.65, BCG/SIA 2021).
    chokepoint_hhi
        HHI above which a node is concentrated (0.4 = 4,000 on the 0-10,000 scale).
    cbs_concentrated, cbs_somewhat
        CBS import-concentration bands: HHI >= 0.25 concentrated, 0.15-0.25 somewhat.
    eu_hhi, eu_importance, eu_substitutability
        EU three-criteria screen: extra-bloc import HHI > 0.4, extra / total imports > 0.5,
        extra imports / total bloc exports > 1.0 (SWD(2021) 352).
    eu_exports_base
        Denominator of criterion 3: ``"total"`` bloc exports (to every destination, intra-bloc
        included; SWD(2021) 352) or ``"extra"`` (extra-bloc exports only).
    world_hhi
        World-export HHI above which a dependent product is "more vulnerable" (CEPII GeoDep).
    persistence_years, persistence_window
        Dependent when flagged in at least 2 of 3 consecutive years.
    reexport_ratio
        Transit rule (no production data needed): a country's exports of a product count as
        re-exports (a transit hub, not capacity) when its imports of the same product cover at
        least this fraction of those exports (imports >= ratio x exports). 0.5 flags the
        Netherlands for ferro-vanadium and molybdenum ores in BACI 2022.
    supply_risk, economic_importance
        CRM criticality: SR >= 1.0 and EI >= 2.8.
    control_home_share
        Home (or bloc) share that makes a control point (0.65).
    min_coverage
        Minimum sum of known shares for a number to be reported; below it "insufficient data".
    suppliers_complete
        False (default): a node's supplier list may be incomplete, so the share nobody's known
        share covers may sit with unnamed suppliers; True: it sits with the named suppliers
        whose share is unknown (:mod:`supplychain.bounds`).
    home, bloc
        Home country (ISO3) and its bloc (id used in the countries frame ``blocs`` column).
    knockout_loss
        Share of a final product's supply whose loss makes a knockout (0.5, docs/methods/chokepoints.md):
        a node is a knockout chokepoint when losing it removes at least this much of some other
        final product, given the alternatives; a single-supplier knockout when losing its top
        supplier alone does.
    knockout_exact_nodes
        The knockout test evaluates every node exactly (one propagation column each) when at
        most this many nodes have a final product downstream; above it, one backward sweep
        gives bounds instead (``supplychain.knockout``).
    risk_weights
        Weights of the four dependency factors in the composite risk score.
    recovery_months_cap
        Months at which the time-to-recover factor reaches 1.
    rising_hhi_delta
        Rise of HHI (0-1 scale) between a node's first and last reference year that counts as
        rising concentration (0.01 = 100 points, U.S. DOJ/FTC Merger Guidelines 2023, section 2.1;
        :mod:`supplychain.trends`).
    """

    chokepoint_top_share: float = 0.65
    chokepoint_hhi: float = 0.4
    cbs_concentrated: float = 0.25
    cbs_somewhat: float = 0.15
    eu_hhi: float = 0.4
    eu_importance: float = 0.5
    eu_substitutability: float = 1.0
    eu_exports_base: str = "total"
    world_hhi: float = 0.4
    persistence_years: int = 2
    persistence_window: int = 3
    reexport_ratio: float = 0.5
    supply_risk: float = 1.0
    economic_importance: float = 2.8
    control_home_share: float = 0.65
    min_coverage: float = 0.5
    suppliers_complete: bool = False
    home: str = "NLD"
    bloc: str = "EU27"
    knockout_loss: float = 0.5
    knockout_exact_nodes: int = 5_000
    risk_weights: tuple[tuple[str, float], ...] = field(
        default=(
            ("concentration", 1.0),
            ("import_reliance", 1.0),
            ("substitutability", 1.0),
            ("time_to_recover", 1.0),
        )
    )
    recovery_months_cap: float = 24.0
    rising_hhi_delta: float = 0.01


DEFAULT_THRESHOLDS = Thresholds()
