"""The app's texts in Dutch: every visible English text (the key) maps to its Dutch wording.

Pure data and one pure function, no Streamlit, so the figure builders use it as well as the pages
(:func:`app_pages.i18n.t` picks the language from the session).  Keys are the English texts themselves; a text with
``{name}`` fields is a :meth:`str.format` template and its Dutch wording carries the same fields.  Data values
(node names, ids, sources, messages from ``deps``) are never keys: they stay as the data has them.  Dutch follows
the taskforce's wording: knelpunt (chokepoint), controlepunt (control point), actielijn, focusmarkt, budget,
berekening (run), reeks (batch).
"""

from __future__ import annotations

from app_pages.texts_assumptions import ASSUMPTIONS_NL
from app_pages.texts_charts import CHART_NL
from app_pages.texts_labels import LABELS_NL
from app_pages.texts_work import WORK_NL

__all__ = ["NL", "PAGE_NL", "translate"]

PAGE_NL: dict[str, str] = {
    # navigation and pages
    "Overview": "Overzicht",
    "Supply-chain explorer": "Ketenverkenner",
    "Chokepoints & control points": "Knelpunten & controlepunten",
    "EU screen": "EU-toets",
    "Disruption simulator": "Verstoringssimulator",
    "Optimiser": "Optimalisatie",
    "Batches": "Reeksen",
    "Reports": "Rapporten",
    "Data": "Gegevens",
    "Admin": "Beheer",
    "Log in": "Inloggen",
    "Log out": "Uitloggen",
    # login
    "User name": "Gebruikersnaam",
    "Password": "Wachtwoord",
    "Log in to see the data.": "Log in om de gegevens te zien.",
    "Your session expired after inactivity: log in again.": "Uw sessie is verlopen door inactiviteit: log opnieuw in.",
    "Your account is no longer active: log in again.": "Uw account is niet meer actief: log opnieuw in.",
    "Dataset": "Dataset",
    # common
    "Download CSV": "Download CSV",
    "Download XLSX": "Download XLSX",
    "Search": "Zoeken",
    "Sector": "Sector",
    "Market": "Markt",
    "Country": "Land",
    "Node": "Knoop",
    # overview
    "Risk by focus market and sector": "Risico per focusmarkt en sector",
    "Top chokepoints": "Belangrijkste knelpunten",
    "The Netherlands' control points": "Controlepunten van Nederland",
    "Data coverage": "Dekking van de gegevens",
    "Nodes": "Knopen",
    "Final products": "Eindproducten",
    "Nodes with known shares": "Knopen met bekende aandelen",
    "Nodes below 50% coverage": "Knopen onder 50% dekking",
    "Chokepoints": "Knelpunten",
    "Control points": "Controlepunten",
    # explorer
    "Suppliers": "Leveranciers",
    "Upstream chain": "Keten stroomopwaarts",
    "Downstream chain": "Keten stroomafwaarts",
    # chokepoints
    "Mutual dependency per partner country": "Wederzijdse afhankelijkheid per partnerland",
    "Flags": "Markeringen",
    # simulator
    "Run simulation": "Simulatie uitvoeren",
    "Losses per market": "Verliezen per markt",
    "Losses per final product": "Verliezen per eindproduct",
    "Compare": "Vergelijken",
    # optimiser
    "Budget (EUR million)": "Budget (mln euro)",
    "Run optimisation": "Optimalisatie uitvoeren",
    "Allocation": "Toewijzing",
    "Residual risk": "Restrisico",
    "Shadow prices": "Schaduwprijzen",
    "Why not funded": "Waarom niet gefinancierd",
    "Efficient frontier": "Efficiënte grens",
    "Monte Carlo funding frequencies": "Monte Carlo financieringsfrequenties",
    "Effect assumptions": "Effectaannames",
    "Action line": "Actielijn",
    # batches
    "Start batch": "Reeks starten",
    "Stored batches": "Opgeslagen reeksen",
    # reports
    "A classified report of a stored run; every report is logged in the audit log with the file's SHA-256.": (
        "Een gerubriceerd rapport van een opgeslagen berekening; elk rapport wordt met de SHA-256 van het bestand "
        "in de auditlog vastgelegd."
    ),
    "No runs are stored yet: run an analysis, simulation or optimisation first.": (
        "Er zijn nog geen berekeningen opgeslagen: voer eerst een analyse, simulatie of optimalisatie uit."
    ),
    "Kind of run": "Soort berekening",
    "all kinds": "alle soorten",
    "Stored run": "Opgeslagen berekening",
    "Format": "Formaat",
    "Classification marking": "Rubricering",
    "Watermark (PDF)": "Watermerk (PDF)",
    "Fast charts (matplotlib)": "Snelle grafieken (matplotlib)",
    "Draw the charts with matplotlib instead of kaleido: quicker, plainer.": (
        "Teken de grafieken met matplotlib in plaats van kaleido: sneller, eenvoudiger."
    ),
    "Encrypt with a passphrase": "Versleutelen met een wachtwoordzin",
    "AES-256 PDF or password-protected XLSX; a Markdown report cannot be encrypted.": (
        "AES-256-PDF of met een wachtwoord beveiligde XLSX; een Markdown-rapport kan niet worden versleuteld."
    ),
    "Passphrase (at least 12 characters)": "Wachtwoordzin (minstens 12 tekens)",
    "Passphrase again": "Wachtwoordzin nogmaals",
    "Build report": "Rapport maken",
    "Choose a stored run first.": "Kies eerst een opgeslagen berekening.",
    "The two passphrases differ: type the same passphrase twice.": (
        "De twee wachtwoordzinnen verschillen: typ twee keer dezelfde wachtwoordzin."
    ),
    "Building the report (long analysis PDFs take 10 s or more)...": (
        "Het rapport wordt gemaakt (lange analyse-PDF's duren 10 s of meer)..."
    ),
    "The report could not be written": "Het rapport kon niet worden geschreven",
    "Report built": "Rapport gemaakt",
    "Report id": "Rapport-id",
    "Run id": "Berekenings-id",
    "marked": "gerubriceerd",
    "encrypted": "versleuteld",
    "watermark": "watermerk",
    "charts": "grafieken",
    "Download": "Download",
    # data, admin
    "Import": "Importeren",
    # the import formats (deps.ingest.FORMATS: their one-line help)
    "the project's own CSV folder / XLSX workbook template": (
        "het eigen sjabloon van het project: een map met CSV-bestanden of een XLSX-werkmap"
    ),
    "CSET/ETO Advanced Semiconductor Supply Chain dataset (folder)": (
        "CSET/ETO-dataset Advanced Semiconductor Supply Chain (map)"
    ),
    "CEPII BACI bilateral trade flows (CSV)": "bilaterale handelsstromen van CEPII BACI (CSV)",
    "World Bank Worldwide Governance Indicators estimates (CSV)": (
        "schattingen van de Worldwide Governance Indicators van de Wereldbank (CSV)"
    ),
    "USGS Mineral Commodity Summaries world data, 2023-2026 (folder/CSV)": (
        "wereldgegevens uit de USGS Mineral Commodity Summaries, 2023-2026 (map/CSV)"
    ),
    "IEA Critical Minerals Data Explorer workbook (XLSX)": "werkmap van de IEA Critical Minerals Data Explorer (XLSX)",
    "FDA DECRS registered drug sites: API sites by country (CSV)": (
        "bij de FDA geregistreerde locaties van geneesmiddelen (DECRS): API-locaties per land (CSV)"
    ),
    "Dataset versions": "Datasetversies",
    "What changed between versions": "Wat veranderde tussen versies",
    "Users and roles": "Gebruikers en rollen",
    "Audit log": "Auditlog",
    "Verify audit chain": "Auditketen controleren",
    # messages, captions, labels
    "deps — strategic dependencies": "deps — strategische afhankelijkheden",
    "Signed in as **{name}** ({role})": "Ingelogd als **{name}** ({role})",
    "{error}. Run `deps init` to create the database and load the seed.": (
        "{error}. Voer `deps init` uit om de database aan te maken en de basisgegevens te laden."
    ),
    "deps, dataset {dataset} v{version} ({hash})": "deps, dataset {dataset} v{version} ({hash})",
    "deps, fused graph {members} ({hash})": "deps, gecombineerde graaf {members} ({hash})",
    "{members} (fused)": "{members} (gecombineerd)",
    "Sources of the fused graph": "Bronnen van de gecombineerde graaf",
    (
        "Every source that gives this node's country shares; the chosen one supplies the shares above "
        "(precedence: a production location before headquarters, then observed before estimated, the basis, the "
        "newest year; docs/data.md)."
    ): (
        "Elke bron die de landenaandelen van deze knoop geeft; de gekozen bron levert de aandelen hierboven "
        "(voorrang: een productielocatie vóór een hoofdkantoor, dan waargenomen vóór geschat, de grondslag, het "
        "nieuwste jaar; docs/data.md)."
    ),
    "Conflicts between the sources": "Tegenstrijdigheden tussen de bronnen",
    (
        "Suppliers and years for which two sources' shares differ by more than {pp:g} percentage points "
        "(DEPS_CONFLICT_PP)."
    ): (
        "Leveranciers en jaren waarvoor de aandelen van twee bronnen meer dan {pp:g} procentpunten verschillen "
        "(DEPS_CONFLICT_PP)."
    ),
    "No conflict between the sources of this node.": "Geen tegenstrijdigheid tussen de bronnen van deze knoop.",
    "No analysis of this dataset version is stored yet; an analyst's first visit runs one "
    "(or run `deps analyse` on the command line).": (
        "Van deze datasetversie is nog geen analyse opgeslagen; het eerste bezoek van een analist voert er een uit "
        "(of voer `deps analyse` uit op de opdrachtregel)."
    ),
    "Analysing the supply graph (once per dataset version)...": (
        "De leveringsketen wordt geanalyseerd (eenmaal per datasetversie)..."
    ),
    "analysis run {id}": "analyseberekening {id}",
    "Kind": "Soort",
    "Coverage": "Dekking",
    "coverage": "dekking",
    # overview
    "Dataset in use: **{dataset}** version {version}, content hash `{hash}`": (
        "Gebruikte dataset: **{dataset}** versie {version}, inhoudshash `{hash}`"
    ),
    "This dataset has no supply graph (trade flows or governance scores only): see the EU screen page.": (
        "Deze dataset heeft geen leveringsketen (alleen handelsstromen of bestuursscores): zie de pagina EU-toets."
    ),
    # explorer
    "No node matches the filters.": "Geen knoop voldoet aan de filters.",
    "or click a node above": "of klik hierboven op een knoop",
    "No supplier rows for this node.": "Voor deze knoop zijn geen leveranciers vastgelegd.",
    # chokepoints
    "global (one country dominates)": "mondiaal (één land domineert)",
    "foreign, seen from the home country": "buitenlands, gezien vanuit het eigen land",
    "foreign, seen from the bloc": "buitenlands, gezien vanuit het blok",
    "one firm dominates": "één bedrijf domineert",
    "structural: every path to a final product passes here": (
        "structureel: elk pad naar een eindproduct loopt hierlangs"
    ),
    "structural: losing it knocks out final products": "structureel: uitval ervan schakelt eindproducten uit",
    "Analysis run `{id}` of dataset {dataset} v{version}": "Analyseberekening `{id}` van dataset {dataset} v{version}",
    "Risk rows": "Risicoregels",
    "{n} nodes": "{n} knopen",
    "View": "Weergave",
    "home country": "eigen land",
    "bloc": "blok",
    "Only control points": "Alleen controlepunten",
    "Partner country": "Partnerland",
    "Our dependencies on this partner": "Onze afhankelijkheden van deze partner",
    # EU screen
    "No trade-flow dataset is loaded. An admin imports one on the Data page (format `baci`), or on the command "
    "line: `deps import baci ../shared/data/baci-rawmaterials-2022/baci_hs92_2022.csv` (CEPII BACI flows, "
    "values in thousand USD).": (
        "Er is geen dataset met handelsstromen geladen. Een beheerder importeert er een op de pagina Gegevens "
        "(formaat `baci`), of op de opdrachtregel: "
        "`deps import baci ../shared/data/baci-rawmaterials-2022/baci_hs92_2022.csv` (CEPII BACI-stromen, "
        "waarden in duizenden USD)."
    ),
    "Trade-flow dataset": "Dataset met handelsstromen",
    "C1: HHI of extra-bloc origins ≥": "C1: HHI van de herkomst buiten het blok ≥",
    "C2: extra-bloc import share ≥": "C2: invoeraandeel van buiten het blok ≥",
    "C3: extra imports / bloc exports ≥": "C3: invoer van buiten / uitvoer van het blok ≥",
    "Persistence: years flagged ≥": "Aanhoudendheid: jaren gemarkeerd ≥",
    "Screening the trade flows...": "De handelsstromen worden getoetst...",
    "No screen of this dataset is stored yet; an analyst runs it on this page.": (
        "Van deze dataset is nog geen toets opgeslagen; een analist voert die uit op deze pagina."
    ),
    "deps, dataset {dataset} v{version} ({hash}); screen run {id}": (
        "deps, dataset {dataset} v{version} ({hash}); toetsberekening {id}"
    ),
    "Products screened": "Getoetste producten",
    "Dependent (all three criteria)": "Afhankelijk (alle drie de criteria)",
    "Persistent": "Aanhoudend",
    "Only dependent products": "Alleen afhankelijke producten",
    # simulator
    "kind": "soort",
    "target (ISO3, firm id or node id)": "doel (ISO3, bedrijfs-id of knoop-id)",
    "share of supply lost (0-1)": "aandeel verloren aanbod (0-1)",
    "A shock removes a share of a supplier's supply; losses propagate downstream (docs/methods/disruption.md). "
    "Scenario B is optional: leave its table empty to run one scenario.": (
        "Een schok neemt een deel van het aanbod van een leverancier weg; verliezen werken stroomafwaarts door "
        "(docs/methods/disruption.md). Scenario B is optioneel: laat de tabel leeg om één scenario door te rekenen."
    ),
    "Simulating...": "Bezig met simuleren...",
    "Scenario {name}": "Scenario {name}",
    "simulation runs {runs}": "simulatieberekeningen {runs}",
    "**Scenario {name}** (run `{id}`)": "**Scenario {name}** (berekening `{id}`)",
    # optimiser
    "Solver": "Oplosser",
    "Frontier budgets (EUR million, comma-separated)": "Budgetten voor de grens (mln euro, gescheiden door komma's)",
    "Monte Carlo draws": "Monte Carlo-trekkingen",
    "Per-line bounds (EUR million)": "Grenzen per actielijn (mln euro)",
    "min (EUR million)": "min (mln euro)",
    "max (EUR million)": "max (mln euro)",
    "Market shares of the budget and priority weights": "Aandelen van het budget per markt en prioriteitsgewichten",
    "min share (0-1)": "min aandeel (0-1)",
    "max share (0-1)": "max aandeel (0-1)",
    "weight": "gewicht",
    "Forced and forbidden options": "Verplichte en uitgesloten opties",
    "action line": "actielijn",
    "target (empty = any)": "doel (leeg = willekeurig)",
    "target (empty = all)": "doel (leeg = alle)",
    "at least (EUR million)": "minstens (mln euro)",
    "Edit length or reduction per EUR million; changed rows become this run's overrides.": (
        "Wijzig de lengte of de reductie per mln euro; gewijzigde regels gelden alleen voor deze berekening."
    ),
    "segment length (EUR million)": "lengte van het segment (mln euro)",
    "risk reduction per EUR million": "risicoreductie per mln euro",
    "No allocation: the problem is {status}.": "Geen toewijzing: het probleem is {status}.",
    "**Why** (each line is a set of constraints that cannot hold together):": (
        "**Waarom** (elke regel is een set randvoorwaarden die niet tegelijk kunnen gelden):"
    ),
    "constraints": "randvoorwaarden",
    "Spend (EUR million)": "Uitgaven (mln euro)",
    "Risk before": "Risico vooraf",
    "Budget shadow price (risk per EUR million)": "Schaduwprijs van het budget (risico per mln euro)",
    "Shadow price: how much the residual risk would fall per unit the constraint were loosened.": (
        "Schaduwprijs: hoeveel het restrisico zou dalen per eenheid dat de randvoorwaarde wordt verruimd."
    ),
    "Only binding": "Alleen bindende",
    "Give frontier budgets above to draw the efficient frontier.": (
        "Geef hierboven budgetten voor de grens op om de efficiënte grens te tekenen."
    ),
    "Set Monte Carlo draws above to see how robust the allocation is to the effect assumptions.": (
        "Stel hierboven Monte Carlo-trekkingen in om te zien hoe robuust de toewijzing is voor de effectaannames."
    ),
    "Preparing targets from the analysis...": "De doelen worden uit de analyse voorbereid...",
    "{targets} targets (node x supplier country) in {markets} focus markets.": (
        "{targets} doelen (knoop x leverancierland) in {markets} focusmarkten."
    ),
    "Optimising...": "Bezig met optimaliseren...",
    "Run `{id}`": "Berekening `{id}`",
    "optimisation run {id}": "optimalisatieberekening {id}",
    # batches
    "New batch": "Nieuwe reeks",
    "A grid of optimiser scenarios: `budgets` x `weights` x `shocks` x `effects` around a `base` scenario "
    "(YAML or JSON), or a CSV with one scenario per row. It runs as a separate `deps batch` process; "
    "each finished scenario is stored at once, so a stopped batch resumes when started again.": (
        "Een raster van optimalisatiescenario's: `budgets` x `weights` x `shocks` x `effects` rond een "
        "`base`-scenario (YAML of JSON), of een CSV met één scenario per regel. Het draait als een apart "
        "`deps batch`-proces; elk afgerond scenario wordt direct opgeslagen, zodat een gestopte reeks verdergaat "
        "wanneer die opnieuw wordt gestart."
    ),
    "Upload a grid (YAML, JSON or CSV, at most 1 MB)": "Upload een raster (YAML, JSON of CSV, hoogstens 1 MB)",
    "...or write it here (YAML)": "...of schrijf het hier (YAML)",
    "The grid is {size:,} bytes; at most {limit:,} are accepted.": (
        "Het raster is {size:,} bytes; hoogstens {limit:,} worden geaccepteerd."
    ),
    "Batch started in the background (process {pid}, about {n} scenarios).": (
        "Reeks op de achtergrond gestart (proces {pid}, ongeveer {n} scenario's)."
    ),
    "Preparing the batch (analysis and validation)...": "De reeks wordt voorbereid (analyse en validatie)...",
    "Batch `{id}`: {done} of {total} scenarios stored": "Reeks `{id}`: {done} van {total} scenario's opgeslagen",
    "Batch finished.": "Reeks voltooid.",
    "The batch process stopped with exit code {code}.": "Het reeksproces stopte met afsluitcode {code}.",
    "No batch stored yet.": "Nog geen reeks opgeslagen.",
    "Batch": "Reeks",
    "No scenario of this batch is stored yet.": "Van deze reeks is nog geen scenario opgeslagen.",
    "deps, batch {id} on {dataset}": "deps, reeks {id} op {dataset}",
    "Compare scenario": "Vergelijk scenario",
    "with scenario": "met scenario",
    # data
    "Database: `{database}`, schema {revision} ({state})": "Database: `{database}`, schema {revision} ({state})",
    "current": "actueel",
    "old": "verouderd",
    "No dataset yet: run `deps init` to load the seed.": (
        "Nog geen dataset: voer `deps init` uit om de basisgegevens te laden."
    ),
    "Every dataset has one version so far; importing a changed file makes a new version to compare.": (
        "Elke dataset heeft tot nu toe één versie; het importeren van een gewijzigd bestand maakt een nieuwe "
        "versie om te vergelijken."
    ),
    "Old version": "Oude versie",
    "New version": "Nieuwe versie",
    "Dataset name (empty: the format's name)": "Naam van de dataset (leeg: de naam van het formaat)",
    "File (CSV, or an XLSX workbook for the template; at most {limit} MB; CSET folders: use `deps import`)": (
        "Bestand (CSV, of een XLSX-werkmap voor het sjabloon; hoogstens {limit} MB; CSET-mappen: gebruik `deps import`)"
    ),
    "The file is {size:,} bytes; at most {limit} MB are accepted.": (
        "Het bestand is {size:,} bytes; hoogstens {limit} MB wordt geaccepteerd."
    ),
    "Validating and importing...": "Bezig met valideren en importeren...",
    ": {n} problem(s); nothing was written.": ": {n} probleem(en); er is niets weggeschreven.",
    "Download the validation report (CSV)": "Download het validatierapport (CSV)",
    "Unchanged: {dataset} v{version} already holds exactly this content.": (
        "Ongewijzigd: {dataset} v{version} bevat al precies deze inhoud."
    ),
    "Imported {dataset} version {version}: {counts}": "{dataset} versie {version} geïmporteerd: {counts}",
    # admin
    "Role": "Rol",
    "Add user": "Gebruiker toevoegen",
    "User {name} added. One-time password (shown once, pass it on safely):": (
        "Gebruiker {name} toegevoegd. Eenmalig wachtwoord (wordt één keer getoond, geef het veilig door):"
    ),
    "User": "Gebruiker",
    "New role": "Nieuwe rol",
    "Change role": "Rol wijzigen",
    "{user} is now {role}.": "{user} is nu {role}.",
    "Deactivate": "Deactiveren",
    "{user} is deactivated.": "{user} is gedeactiveerd.",
    "Activate": "Activeren",
    "{user} is active.": "{user} is actief.",
    "Reset password": "Wachtwoord opnieuw instellen",
    "New one-time password for {user} (shown once):": "Nieuw eenmalig wachtwoord voor {user} (wordt één keer getoond):",
    "Action": "Actie",
    "Entries": "Aantal regels",
    "The audit chain is intact: {n} entries checked; newest hash {hash}.": (
        "De auditketen is intact: {n} regels gecontroleerd; nieuwste hash {hash}."
    ),
    "The audit chain is broken ({n} problem(s)):": "De auditketen is verbroken ({n} probleem(en)):",
    # optimiser: sensitivity and robust plans
    "Sensitivity to every effect assumption and the budget, and robust plans (takes longer)": (
        "Gevoeligheid voor elke effectaanname en het budget, en robuuste plannen (duurt langer)"
    ),
    (
        "Solves again with each effect assumption at its low and its high value (and the budget at -50% and "
        "+50%), and finds the worst-case and minimum-regret plans over the low-high range of all effects."
    ): (
        "Rekent opnieuw met elke effectaanname op haar lage en haar hoge waarde (en het budget op -50% en "
        "+50%), en zoekt de plannen voor het slechtste geval en met de minste spijt over de hele bandbreedte "
        "van alle effecten."
    ),
    "Sensitivity": "Gevoeligheid",
    "Tick the sensitivity box above and run again to see how far each assumption moves the answer.": (
        "Vink hierboven gevoeligheid aan en reken opnieuw om te zien hoe ver elke aanname het antwoord verschuift."
    ),
    "Plans that hold over the low-high range of the effects": (
        "Plannen die standhouden over de bandbreedte van de effecten"
    ),
    "The worst-case plan": "Het plan voor het slechtste geval",
    "The minimum-regret plan": "Het plan met de minste spijt",
    (
        "{plan} leaves {cost:.4g} more weighted residual risk than the central plan if the central effects "
        "come true; its worst case is {worst:.4g} (central plan {central_worst:.4g}), its largest regret "
        "{regret:.4g} (central plan {central_regret:.4g})."
    ): (
        "{plan} laat {cost:.4g} meer gewogen restrisico over dan het centrale plan als de centrale effecten "
        "uitkomen; het slechtste geval is {worst:.4g} (centraal plan {central_worst:.4g}), de grootste spijt "
        "{regret:.4g} (centraal plan {central_regret:.4g})."
    ),
    "worst-case plan": "plan voor het slechtste geval",
    "minimum-regret plan": "plan met de minste spijt",
}

PAGE_NL.update(ASSUMPTIONS_NL)  # the Effect assumptions page keeps its texts in texts_assumptions.py

NL: dict[str, str] = {**LABELS_NL, **CHART_NL, **PAGE_NL, **WORK_NL}
"""Every English text with its Dutch wording (pages and charts; the few shared keys carry the same wording)."""


def translate(text: str, lang: str, /, **values: object) -> str:
    """``text`` in ``lang`` (``nl`` uses :data:`NL`, anything else or a missing key gives the English text), with
    the ``{name}`` fields filled from ``values`` when any are given.

    Examples
    --------
    >>> translate("{n} nodes", "nl", n=3)
    '3 knopen'
    """
    template = NL.get(text, text) if lang == "nl" else text
    return template.format(**values) if values else template
