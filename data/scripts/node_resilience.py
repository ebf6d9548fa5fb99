"""Write ``data/node_resilience.csv``: substitutability and time to recover of seed nodes, from publications.

Run from the repository root with the shared datasets beside it::

    python data/scripts/node_resilience.py ../shared/data/eu-crm-assessment/crm-parameters.csv

Substitutability (0 = no substitute, 1 = fully substitutable) is ``1 - SI(SR)``, the substitution index for supply
risk of the EU's 2017 criticality assessment (Table 18, pp. 79-80; printed to one decimal, so each value carries a
range of +-0.05 from rounding, widened to the spread of the materials when a node groups several). The figures are
European Commission publications, reused with acknowledgement (Commission Decision 2011/833/EU).

Time to recover (months) is given only where a publication states how long new supply takes for the node's class:
mine production (S&P Global, 127 mines: 15.7 years on average, 6-32 years) and wafer fabrication (CSET: 682 days
from construction start to production on average, regional averages 584-781 days; Exyte: 34 months in Europe with
permitting). Reading a new-supply lead time as the time to recover assumes that the lost supply has to be replaced
by new capacity; each row's note says so.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

#: node_id -> CRM 2017 materials whose SI(SR) applies.
SUBSTITUTION = {
    "mat_bauxite_alumina": ("Bauxite",),
    "mat_gallium": ("Gallium",),
    "mat_germanium": ("Germanium",),
    "chem_ndpr_oxide": ("Neodymium", "Praseodymium"),
    "chem_heavy_ree": ("Dysprosium", "Terbium", "Erbium", "Ytterbium"),
    "mat_boron": ("Borate",),
    "mat_magnesium": ("Magnesium",),
    "mat_aluminium": ("Aluminium",),
    "mat_fluorspar": ("Fluorspar",),
    "mat_phosphate_rock": ("Phosphate rock",),
    "chem_phosphorus": ("Phosphorus",),
    "mat_lithium_ore": ("Lithium",),
    "chem_lithium_chemicals": ("Lithium",),
    "mat_platinum": ("Platinum",),
    "mat_palladium": ("Palladium",),
    "mat_iridium": ("Iridium",),
    "mat_cobalt_mine": ("Cobalt",),
    "chem_cobalt_refined": ("Cobalt",),
    "mat_nickel": ("Nickel",),
    "mat_graphite_natural": ("Natural graphite",),
    "mat_tungsten": ("Tungsten",),
    "mat_antimony": ("Antimony",),
    "mat_silicon_metal": ("Silicon metal",),
    "mat_helium": ("Helium",),
    "mat_hafnium": ("Hafnium",),
    "mat_niobium": ("Niobium",),
    "mat_indium": ("Indium",),
}
MINES = (
    "mat_rare_earth_ore",
    "mat_lithium_ore",
    "mat_platinum",
    "mat_palladium",
    "mat_cobalt_mine",
    "mat_nickel",
    "mat_tungsten",
    "mat_antimony",
)
FABS = ("semi_fab_advanced_logic", "semi_fab_mature", "semi_fab_dram")
MINE_MONTHS = (72.0, 188.0, 384.0)  # S&P Global 2023: 6, 15.7 and 32 years
FAB_MONTHS = (19.0, 22.0, 34.0)  # CSET: 584 and 682 days; Exyte: 34 months in Europe incl. permitting
FAB_TEXT = "fab build time: 682 days on average, 584-781 by region (CSET), 34 months in Europe with permitting (Exyte)"
COLUMNS = (
    "node_id",
    "substitutability_low",
    "substitutability",
    "substitutability_high",
    "substitutability_source_id",
    "recovery_months_low",
    "recovery_months",
    "recovery_months_high",
    "recovery_source_id",
    "evidence",
    "confidence",
    "note",
)


def _si(path: Path) -> dict[str, float]:
    with path.open(encoding="utf-8") as handle:
        return {
            row["material"]: float(row["si_sr"])
            for row in csv.DictReader(handle)
            if row["assessment_year"] == "2017" and row["si_sr"]
        }


def rows(crm_parameters: Path) -> list[dict[str, str]]:
    """One row per node with a published substitution index or new-supply lead time."""
    si = _si(crm_parameters)
    out: dict[str, dict[str, str]] = {}
    for node, materials in SUBSTITUTION.items():
        values = [si[m] for m in materials]
        central = 1.0 - sum(values) / len(values)
        low = max(0.0, 1.0 - max(values) - 0.05)
        high = min(1.0, 1.0 - min(values) + 0.05)
        listed = ", ".join(f"{m} {si[m]:.1f}" for m in materials)
        out[node] = {
            "node_id": node,
            "substitutability_low": f"{low:.2f}",
            "substitutability": f"{central:.3f}".rstrip("0").rstrip("."),
            "substitutability_high": f"{high:.2f}",
            "substitutability_source_id": "eu_crm_study_2017",
            "evidence": "observed",
            "confidence": "medium",
            "note": f"1 - SI(SR) of the 2017 EU criticality assessment (Table 18): {listed}; range from rounding"
            + (" and the spread of the grouped materials" if len(values) > 1 else ""),
        }
    for node, months, source, text in (
        *((n, MINE_MONTHS, "spglobal_mine_lead_2023", "new-mine lead time 6-32 years, mean 15.7") for n in MINES),
        *((n, FAB_MONTHS, "cset_fab_time_2022", FAB_TEXT) for n in FABS),
    ):
        row = out.setdefault(
            node,
            {c: "" for c in COLUMNS} | {"node_id": node},
        )
        row["recovery_months_low"], row["recovery_months"], row["recovery_months_high"] = (f"{m:g}" for m in months)
        row["recovery_source_id"] = source
        row["evidence"], row["confidence"] = "estimated", "low"
        extra = f"time to recover read as the {text} (assumes the lost supply must be replaced by new capacity)"
        row["note"] = f"{row['note']}; {extra}" if row["note"] else extra
    return [out[k] for k in sorted(out)]


def main(argv: list[str]) -> int:
    """Write the table next to the other seed files."""
    target = Path(__file__).resolve().parents[1] / "node_resilience.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows(Path(argv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
