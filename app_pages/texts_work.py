"""Dutch wording of the texts added for safe downloads, validation before a run, sessions and passwords, the
market view and the runs browser (kept apart from :mod:`app_pages.texts` so each table stays readable).

Pure data, no Streamlit; merged into :data:`app_pages.texts.NL`.
"""

from __future__ import annotations

__all__ = ["WORK_NL"]

WORK_NL: dict[str, str] = {
    # downloads
    "Marked “{marking}”; every download is logged.": "Gemarkeerd “{marking}”; elke download wordt vastgelegd.",
    # validation before a run
    "Fix the inputs above to run: {reasons}": "Herstel de invoer hierboven om te rekenen: {reasons}",
    "the budget must be a number": "het budget moet een getal zijn",
    "the budget must lie between 0 and {most:,.0f} EUR million": (
        "het budget moet tussen 0 en {most:,.0f} miljoen euro liggen"
    ),
    "{text} holds something that is not a budget (a number of EUR million, at least 0 and at most {most:,.0f})": (
        "{text} bevat iets dat geen budget is (een aantal miljoen euro, minstens 0 en hoogstens {most:,.0f})"
    ),
    "a range is START:STOP:STEP with 0 <= START <= STOP and STEP > 0, e.g. 0:1000:50": (
        "een reeks schrijft u als START:STOP:STAP met 0 <= START <= STOP en STAP > 0, bijvoorbeeld 0:1000:50"
    ),
    "at most {n} frontier budgets": "hoogstens {n} budgetten voor de grens",
    "Scenario {name} failed: {error}": "Scenario {name} is mislukt: {error}",
    "Scenario {name} has a bad shock: {error}": "Scenario {name} heeft een ongeldige schok: {error}",
    "Some scenarios failed; the results below show only the scenarios that ran.": (
        "Sommige scenario's zijn mislukt; hieronder staan alleen de scenario's die gerekend zijn."
    ),
    # sessions and passwords
    "Change password": "Wachtwoord wijzigen",
    "Current password": "Huidig wachtwoord",
    "New password": "Nieuw wachtwoord",
    "New password again": "Nieuw wachtwoord nogmaals",
    "Your password was set by an administrator: choose your own password before you continue.": (
        "Uw wachtwoord is door een beheerder ingesteld: kies eerst uw eigen wachtwoord."
    ),
    "The two new passwords differ.": "De twee nieuwe wachtwoorden verschillen.",
    "Your password is changed.": "Uw wachtwoord is gewijzigd.",
    "The current password is wrong.": "Het huidige wachtwoord klopt niet.",
    "Login failed: wrong user name or password, or the account is locked or inactive.": (
        "Inloggen mislukt: onjuiste gebruikersnaam of wachtwoord, of het account is geblokkeerd of niet actief."
    ),
    "The database cannot be read. Ask the administrator to run `deps init`.": (
        "De database kan niet worden gelezen. Vraag de beheerder `deps init` uit te voeren."
    ),
    "Your session ended: log in again.": "Uw sessie is beëindigd: log opnieuw in.",
    "The new password is refused: {reason}": "Het nieuwe wachtwoord is geweigerd: {reason}",
    "Account": "Account",
    "unknown": "onbekend",
    "Shadow price (risk fall per unit loosened)": "Schaduwprijs (risicodaling per eenheid verruiming)",
    "at least %{customdata[0]:.1f}%, at most %{customdata[1]:.1f}%": (
        "minstens %{customdata[0]:.1f}%, hoogstens %{customdata[1]:.1f}%"
    ),
    # runs
    "Runs": "Berekeningen",
    "Compare two runs": "Twee berekeningen vergelijken",
    "Two stored runs are needed for a comparison.": "Voor een vergelijking zijn twee opgeslagen berekeningen nodig.",
    "The two runs are of different kinds ({a}, {b}): only tables both have are compared.": (
        "De twee berekeningen zijn van verschillende soort ({a}, {b}): "
        "alleen tabellen die beide hebben worden vergeleken."
    ),
    "Parameters that differ": "Parameters die verschillen",
    "Both runs have the same parameters.": "Beide berekeningen hebben dezelfde parameters.",
    "Results that differ (B − A for numbers)": "Uitkomsten die verschillen (B − A voor getallen)",
    "The results of both runs are the same.": "De uitkomsten van beide berekeningen zijn gelijk.",
    "No run is stored yet.": "Er is nog geen berekening opgeslagen.",
    # market-centred explorer
    "Focus market (its whole upstream chain)": "Focusmarkt (de hele keten stroomopwaarts)",
    "all markets": "alle markten",
    "node, firm or country, e.g. ASML": "knoop, bedrijf of land, bijv. ASML",
    "Chokepoints and control points in this chain": "Knelpunten en controlepunten in deze keten",
    "No chokepoint or control point in this chain.": "Geen knelpunt of controlepunt in deze keten.",
    "Upstream chain of {market}": "Keten stroomopwaarts van {market}",
    "top supplier {who}: {share}": "grootste leverancier {who}: {share}",
    "reaches {n} focus markets": "bereikt {n} focusmarkten",
    "sources: {ids}": "bronnen: {ids}",
    "chokepoint": "knelpunt",
    "control point": "controlepunt",
    "possible chokepoint": "mogelijk knelpunt",
    "no flag": "geen markering",
}
