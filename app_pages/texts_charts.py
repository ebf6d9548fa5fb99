"""Dutch wording of the chart texts (titles, axis and legend titles, trace names, hover texts and the source line).

Pure data, no Streamlit: the figure builders in :mod:`app_pages.figures` and :mod:`app_pages.figures_runs` read it
through :func:`app_pages.texts.translate`.  Plotly hover placeholders (``%{x}``) and ``{name}`` fields stay as they
are; units keep their symbols (``%``, ``0-1``) and amounts are in millions of euros ("mln euro").
"""

from __future__ import annotations

__all__ = ["CHART_NL"]

CHART_NL: dict[str, str] = {
    # common
    "Source: {source}": "Bron: {source}",
    "Sector": "Sector",
    "Kind": "Soort",
    "Node": "Knoop",
    "Nodes (count)": "Knopen (aantal)",
    "Focus market": "Focusmarkt",
    "Scenario": "Scenario",
    "Action line": "Actielijn",
    # overview
    "Nodes per sector and kind": "Knopen per sector en soort",
    "Share coverage per node (sum of known supplier shares)": (
        "Dekking van de aandelen per knoop (som van de bekende leveranciersaandelen)"
    ),
    "Coverage (% of the node's supply with a known share)": (
        "Dekking (% van het aanbod van de knoop met bekend aandeel)"
    ),
    "Dependency risk by focus market and sector": "Afhankelijkheidsrisico per focusmarkt en sector",
    "Risk (sum of scores)": "Risico (som van de scores)",
    "%{y} / %{x}<br>risk %{z:.3f}<br>%{customdata} nodes<extra></extra>": (
        "%{y} / %{x}<br>risico %{z:.3f}<br>%{customdata} knopen<extra></extra>"
    ),
    "Top {n} chokepoints by dependency risk": "Top {n} knelpunten naar afhankelijkheidsrisico",
    "Largest dependency risk (score 0-1)": "Grootste afhankelijkheidsrisico (score 0-1)",
    "%{y}: risk %{x:.3f} (supplier %{text})<extra></extra>": (
        "%{y}: risico %{x:.3f} (leverancier %{text})<extra></extra>"
    ),
    # explorer
    "Supply network (inputs left, final products right)": "Leveringsnetwerk (grondstoffen links, eindproducten rechts)",
    "Level (steps from a raw input, count)": "Niveau (stappen vanaf een grondstof, aantal)",
    "Nodes in the level (rank)": "Knopen op het niveau (rang)",
    "input to": "grondstof voor",
    "selected": "gekozen",
    "share unknown": "aandeel onbekend",
    "Supplier shares of {name}": "Leveranciersaandelen van {name}",
    "Supplier (country or firm)": "Leverancier (land of bedrijf)",
    "Share of supply (%)": "Aandeel in het aanbod (%)",
    "Supplier type": "Soort leverancier",
    # chokepoints
    "Mutual dependency per partner country": "Wederzijdse afhankelijkheid per partnerland",
    "Our dependency risk on the partner (sum of risk scores)": (
        "Ons afhankelijkheidsrisico van de partner (som van de risicoscores)"
    ),
    "Partner's dependency on us (sum of leverage scores)": (
        "Afhankelijkheid van de partner van ons (som van de hefboomscores)"
    ),
    "Verdict": "Oordeel",
    # EU screen
    "EU screen: concentration and importance of extra-bloc imports per product": (
        "EU-toets: concentratie en belang van de invoer van buiten het blok per product"
    ),
    "HHI of extra-bloc import origins (0-1)": "HHI van de herkomst van invoer van buiten het blok (0-1)",
    "Extra-bloc share of the bloc's imports (0-1)": "Aandeel van buiten het blok in de invoer van het blok (0-1)",
    "HS %{text}: HHI %{x:.2f}, importance %{y:.2f}<extra></extra>": (
        "HS %{text}: HHI %{x:.2f}, belang %{y:.2f}<extra></extra>"
    ),
    "importance {value:g}": "belang {value:g}",
    "dependent": "afhankelijk",
    "not dependent": "niet afhankelijk",
    "persistent": "aanhoudend",
    "Dependent products per year (persistence)": "Afhankelijke producten per jaar (aanhoudendheid)",
    "Year": "Jaar",
    "Products (count)": "Producten (aantal)",
    # simulator
    "Supply loss per focus market": "Aanbodverlies per focusmarkt",
    "Weighted loss of final-product supply (%)": "Gewogen verlies aan aanbod van eindproducten (%)",
    "Supply loss per final product (top {n})": "Aanbodverlies per eindproduct (top {n})",
    "Loss of supply (%)": "Verlies aan aanbod (%)",
    "Final product": "Eindproduct",
    # optimiser and batches
    "Allocation by action line and focus market": "Toewijzing per actielijn en focusmarkt",
    "Spend (EUR million)": "Uitgaven (mln euro)",
    "Efficient frontier: residual risk per budget": "Efficiënte grens: restrisico per budget",
    "Budget (EUR million)": "Budget (mln euro)",
    "Weighted residual risk (sum of risk scores)": "Gewogen restrisico (som van de risicoscores)",
    "Monte Carlo: how often each option is funded": "Monte Carlo: hoe vaak elke optie wordt gefinancierd",
    "Budget (-50% to +50%)": "Budget (-50% tot +50%)",
    "segment {n}": "segment {n}",
    "concentration": "concentratie",
    "import reliance": "importafhankelijkheid",
    "substitutability": "vervangbaarheid",
    "time to recover": "hersteltijd",
    "at the low value: %{customdata[0]:.4g}<br>at the high value: %{customdata[1]:.4g}": (
        "bij de lage waarde: %{customdata[0]:.4g}<br>bij de hoge waarde: %{customdata[1]:.4g}"
    ),
    "Residual risk from the low to the high value": "Restrisico van de lage tot de hoge waarde",
    "central plan": "centraal plan",
    "Sensitivity: residual risk when one assumption moves to its low or high value": (
        "Gevoeligheid: restrisico als één aanname naar haar lage of hoge waarde gaat"
    ),
    "Assumption": "Aanname",
    "Draws in which the option is funded (%)": "Trekkingen waarin de optie wordt gefinancierd (%)",
    "Action line → target": "Actielijn → doel",
    "Weighted residual risk per scenario": "Gewogen restrisico per scenario",
}
