"""The importers' format-specific messages in Dutch: the problems and fixes of ``deps.ingest`` beyond the generic
table checks (file reading, workbooks, BACI, WGI, CSET, the template, effects, node resilience, the observed extract,
USGS, IEA, FDA, EU CRM, the product table and the seed), and the notes of a successful import.

Entries have the form of :mod:`app_pages.messages` (which joins them to its :data:`~app_pages.messages.MESSAGES`):
an English pattern with ``{name:type}`` fields and its Dutch wording.  File names, column names and the names of
settings, programs and formats that a user types or reads (``nodes.csv``, ``DEPS_MAX_ROWS``, `` `UTF-8` ``) stay as
they are; where such a name is also an English word of a pattern it is written between backticks.
``tests/test_app_import_messages.py`` reads every message the importers can write from their source and checks that
one of these patterns (or of :mod:`app_pages.messages`) translates it.

Pure data, no Streamlit.
"""

from __future__ import annotations

__all__ = ["INGEST_MESSAGES", "INGEST_WORDS"]

#: Coded words of the importers' messages (joined to :data:`app_pages.messages.WORDS`).
INGEST_WORDS: dict[str, dict[str, str]] = {
    # what a validated column should hold (``what=`` of the checks)
    "what": {
        "a number": "een getal",
        "a whole number": "een geheel getal",
        "a value": "een waarde",
        "a fraction 0-1": "een fractie 0-1",
        "months": "een aantal maanden",
        "a segment length in EUR million": "een segmentlengte in mln euro",
        "a fraction of the baseline risk removed per EUR million": (
            "een fractie van het basisrisico die per mln euro wordt weggenomen"
        ),
        "the published quantity": "de gepubliceerde hoeveelheid",
        "the id of the input": "de id van de input",
        "a unique input id such as N20": "een unieke input-id zoals `N20`",
        "the input's name": "de naam van de input",
        "a unique stage id such as S1": "een unieke fase-id zoals `S1`",
        "the stage's name": "de naam van de fase",
        "a provider id such as P1": "een leveranciers-id zoals `P1`",
        "the provider's name": "de naam van de leverancier",
        "a provider id from providers.csv": "een leveranciers-id uit `providers.csv`",
        "an input or stage id": "een input- of fase-id",
        "an action_line_id": "een action_line_id",
        "where the figure comes from and how it was translated": ("waar het getal vandaan komt en hoe het is vertaald"),
        "the registered operations, ';'-separated": "de geregistreerde activiteiten, gescheiden door `;`",
        "a node_id of nodes.csv": "een node_id uit `nodes.csv`",
        "market ids, ';'-separated": "focusmarkt-id's, gescheiden door `;`",
        "the ISO3 code of the HQ country": "de ISO3-code van het land van het hoofdkantoor",
    },
    # duplicate keys (``unique(..., what=)``)
    "duplicate": {
        "input_id": "input_id",
        "stage_id": "stage_id",
        "provider id and alias": "leveranciers-id en `alias`",
        "effect segment": "effectsegment",
        "observed row": "waargenomen regel",
    },
    # an importer's referenced things (``references(..., what, fix)``)
    "referenced": {
        "node": "knoop",
        "stage": "fase",
        "provider": "leverancier",
        "input or stage": "input of fase",
        "action line": "actielijn",
        "source": "bron",
        "country code": "landcode",
        "firm": "bedrijf",
    },
    # the evidence of an effect row that must cite a source (deps.ingest.effects)
    "evidence_row": {"publication": "publicatieregel", "evaluation": "evaluatieregel"},
    # the parts of a file that are refused (reader, workbook)
    "content": {
        "an old-style or encrypted Office file": "een oud of versleuteld Office-bestand",
        "a binary file": "een binair bestand",
    },
}

#: Every format-specific message as (English pattern, Dutch wording), grouped by the module that writes it.
INGEST_MESSAGES: tuple[tuple[str, str], ...] = (
    # deps.ingest.validation: the generic checks' wordings not in app_pages.messages
    (
        "write {what:what} without thousands separators and with a dot as decimal sign (1500 or 1.5)",
        "schrijf {what} zonder scheidingstekens voor duizendtallen en met een punt als decimaalteken (1500 of 1.5)",
    ),
    ("fill in one of {choices:name}", "vul een van {choices} in"),
    ("fill in one or more of {choices:name} separated by ';'", "vul een of meer van {choices} in, gescheiden door `;`"),
    ("{what:referenced} {value:quoted} does not exist", "{what} {value} bestaat niet"),
    (
        "shares for {label:name} add up to {total:n}% (> {limit:n}% + {tolerance:n} tolerance; rows {rows:rest})",
        "aandelen voor {label} tellen op tot {total}% (> {limit}% + {tolerance} marge; regels {rows})",
    ),
    (
        "correct the shares, or split country and firm views into separate supplier_type rows",
        "corrigeer de aandelen, of splits de landen- en bedrijfsweergave in aparte regels per supplier_type",
    ),
    # deps.ingest.reader: reading a CSV or XLSX file
    (
        "the file is {size:n} MB, above the limit of {limit:n} MB",
        "het bestand is {size} megabyte, boven de grens van {limit} megabyte",
    ),
    (
        "split the file, or raise DEPS_MAX_IMPORT_MB if it is genuine",
        "splits het bestand, of verhoog DEPS_MAX_IMPORT_MB als het echt zo groot is",
    ),
    (
        "the file is named .csv but its content is a ZIP archive such as an XLSX workbook",
        "het bestand heet `.csv`, maar de inhoud is een ZIP-archief, zoals een XLSX-werkmap",
    ),
    (
        "save the table as UTF-8 CSV, or import the workbook file itself",
        "sla de tabel op als CSV-bestand in `UTF-8`, of importeer het werkmapbestand zelf",
    ),
    (
        "the content is {what:content}, not CSV text or XLSX",
        "de inhoud is {what}, geen CSV-tekst of XLSX-werkmap",
    ),
    ("save it as UTF-8 CSV or XLSX", "sla het op als CSV-bestand in `UTF-8` of als XLSX-werkmap"),
    (
        "the table has a header row but no data rows",
        "de tabel heeft een kopregel maar geen gegevensregels",
    ),
    (
        "add the data rows, or leave the file (or sheet) out of the import",
        "voeg de gegevensregels toe, of laat het bestand (of werkblad) weg bij het importeren",
    ),
    (
        "the text holds a control character (invisible, or one that reorders text)",
        "de tekst bevat een stuurteken (onzichtbaar, of een dat de volgorde van tekst omkeert)",
    ),
    (
        "retype the text without control characters (check text pasted from other programs)",
        "typ de tekst opnieuw zonder stuurtekens (controleer tekst die uit andere programma's is geplakt)",
    ),
    ("the table has {n:int} columns (limit {limit:int})", "de tabel heeft {n} kolommen (grens {limit})"),
    (
        "remove unused columns (or raise DEPS_MAX_COLUMNS if the table is genuinely that wide)",
        "verwijder ongebruikte kolommen (of verhoog DEPS_MAX_COLUMNS als de tabel echt zo breed is)",
    ),
    (
        "not valid {encoding:name} (byte 0x{byte:name} at offset {offset:int})",
        "geen geldige {encoding} (bytewaarde 0x{byte} op positie {offset})",
    ),
    (
        "save the file as UTF-8 (in Excel: 'CSV UTF-8'); the file is probably Latin-1 or Windows-1252",
        "sla het bestand op in `UTF-8` (in `Excel`: `CSV UTF-8`); het bestand is waarschijnlijk `Latin-1` of "
        "`Windows-1252`",
    ),
    ("the file has more than {n:int} data rows", "het bestand heeft meer dan {n} gegevensregels"),
    (
        "split the file (or raise DEPS_MAX_ROWS if it is genuine)",
        "splits het bestand (of verhoog DEPS_MAX_ROWS als het echt zo groot is)",
    ),
    ("not a readable CSV file: {error:rest}", "geen leesbaar CSV-bestand: {error}"),
    ("check quotes and separators", "controleer aanhalingstekens en scheidingstekens"),
    (
        "a cell holds more than {n:int} characters (line {line:int})",
        "een cel bevat meer dan {n} tekens (regel {line})",
    ),
    (
        "shorten the text, or check for an unclosed quote",
        "maak de tekst korter, of controleer op een aanhalingsteken dat niet is gesloten",
    ),
    ("a cell holds {n:int} characters (limit {limit:int})", "een cel bevat {n} tekens (grens {limit})"),
    (
        "shorten the text (or raise DEPS_MAX_CELL_CHARS if it is genuine)",
        "maak de tekst korter (of verhoog DEPS_MAX_CELL_CHARS als de tekst echt zo lang is)",
    ),
    (
        "the row has {n:int} cells but the header has {header:int}",
        "de regel heeft {n} cellen maar de kopregel {header}",
    ),
    (
        "check for a stray comma or an unquoted comma inside a text cell",
        "controleer op een losse komma of een komma zonder aanhalingstekens in een tekstcel",
    ),
    # deps.ingest.workbook: the checks of an XLSX archive and its sheets
    (
        "not a readable XLSX workbook (the ZIP directory is missing or damaged)",
        "geen leesbare XLSX-werkmap (de ZIP-inhoudsopgave ontbreekt of is beschadigd)",
    ),
    ("not a readable XLSX workbook ({error:rest})", "geen leesbare XLSX-werkmap ({error})"),
    (
        "the workbook archive declares more than {n:int} members",
        "het archief van de werkmap meldt meer dan {n} onderdelen",
    ),
    (
        "a spreadsheet has a few dozen parts: save the sheet as a new workbook or as CSV (or raise "
        "DEPS_MAX_ARCHIVE_MEMBERS if it is genuine)",
        "een rekenblad heeft enkele tientallen onderdelen: sla het werkblad op als nieuwe werkmap of als CSV-bestand "
        "(of verhoog DEPS_MAX_ARCHIVE_MEMBERS als het echt zoveel zijn)",
    ),
    (
        "the workbook's ZIP directory is {n:int} bytes, far more than its members need",
        "de ZIP-inhoudsopgave van de werkmap is {n} B, veel meer dan de onderdelen nodig hebben",
    ),
    ("member {member:quoted} is encrypted", "onderdeel {member} is versleuteld"),
    (
        "member {member:quoted} uses an unusual compression method ({method:name})",
        "onderdeel {member} gebruikt een ongebruikelijke compressiemethode ({method})",
    ),
    (
        "the workbook unpacks to more than {limit:n} MB (member {member:quoted} alone declares {size:n} MB)",
        "de werkmap is uitgepakt groter dan {limit} megabyte (onderdeel {member} alleen al meldt {size} megabyte)",
    ),
    (
        "member {member:quoted} is compressed {ratio:n}-fold (limit {limit:n}), a sign of a zip bomb",
        "onderdeel {member} is {ratio} keer gecomprimeerd (grens {limit}), een teken van een zipbom",
    ),
    (
        "the workbook contains a macro part ({part:name}); macro-enabled workbooks are not imported",
        "de werkmap bevat een macro-onderdeel ({part}); werkmappen met macro's worden niet geïmporteerd",
    ),
    (
        "the workbook is macro-enabled; macro-enabled workbooks are not imported",
        "de werkmap bevat macro's; werkmappen met macro's worden niet geïmporteerd",
    ),
    (
        "open the file in Excel or LibreOffice and save it again as .xlsx, or export the sheet as UTF-8 CSV",
        "laad het bestand in `Excel` of `LibreOffice` en sla het opnieuw op als `.xlsx`, of exporteer het werkblad "
        "als CSV-bestand in `UTF-8`",
    ),
    (
        "open the file in Excel or LibreOffice and save it again as .xlsx, or export the sheet as UTF-8 CSV (or "
        "raise DEPS_MAX_UNPACKED_MB / DEPS_MAX_ZIP_RATIO if genuine)",
        "laad het bestand in `Excel` of `LibreOffice` en sla het opnieuw op als `.xlsx`, of exporteer het werkblad "
        "als CSV-bestand in `UTF-8` (of verhoog DEPS_MAX_UNPACKED_MB / DEPS_MAX_ZIP_RATIO als het echt zo groot is)",
    ),
    (
        "save the workbook as a plain .xlsx (Excel Workbook, without macros) or as UTF-8 CSV",
        "sla de werkmap op als gewone `.xlsx` (`Excel`-werkmap, zonder macro's) of als CSV-bestand in `UTF-8`",
    ),
    (
        "the archive is not a spreadsheet (no main document)",
        "het archief is geen rekenblad (geen hoofddocument)",
    ),
    ("the workbook lacks its part {part:name}", "de werkmap mist haar onderdeel {part}"),
    (
        "part {part:name} declares a document type or entities",
        "onderdeel {part} declareert een documentsoort of entiteiten",
    ),
    ("part {part:name} nests XML deeper than {depth:int}", "onderdeel {part} nest XML-elementen dieper dan {depth}"),
    (
        "part {part:name} is not well-formed XML ({error:rest})",
        "onderdeel {part} is geen welgevormde XML-opbouw ({error})",
    ),
    ("part {part:name} cannot be unpacked ({error:rest})", "onderdeel {part} kan niet worden uitgepakt ({error})"),
    (
        "a cell in {part:name} holds more than {n:int} characters",
        "een cel in {part} bevat meer dan {n} tekens",
    ),
    (
        "the sheet declares {n:int} columns (limit {limit:int})",
        "het werkblad meldt {n} kolommen (grens {limit})",
    ),
    (
        "the sheet declares {n:int} data rows (limit {limit:int})",
        "het werkblad meldt {n} gegevensregels (grens {limit})",
    ),
    (
        "the sheet has a row {row:int} (limit {limit:int} data rows)",
        "het werkblad heeft een regel {row} (grens {limit} gegevensregels)",
    ),
    (
        "row {row:int} uses column {column:name} (limit {limit:int} columns)",
        "regel {row} gebruikt kolom {column} (grens {limit} kolommen)",
    ),
    (
        "keep at most {rows:int} data rows and {columns:int} columns, and delete unused cells far from the table (or "
        "raise DEPS_MAX_ROWS / DEPS_MAX_COLUMNS if it is genuine)",
        "houd hoogstens {rows} gegevensregels en {columns} kolommen, en wis ongebruikte cellen ver van de tabel (of "
        "verhoog DEPS_MAX_ROWS / DEPS_MAX_COLUMNS als het echt zo groot is)",
    ),
    (
        "cell {cell:name} holds a formula without a saved result",
        "cel {cell} bevat een formule zonder opgeslagen uitkomst",
    ),
    (
        "open the workbook in Excel or LibreOffice and save it (so results are stored), or paste values",
        "laad de werkmap in `Excel` of `LibreOffice` en sla haar op (zodat de uitkomsten worden bewaard), of plak "
        "de waarden",
    ),
    ("the workbook has no sheets", "de werkmap heeft geen werkbladen"),
    ("add a sheet with the table", "voeg een werkblad met de tabel toe"),
    ("sheet {sheet:quoted} is missing (sheets: {sheets:rest})", "werkblad {sheet} ontbreekt (werkbladen: {sheets})"),
    ("sheet {sheet:quoted} is missing", "werkblad {sheet} ontbreekt"),
    ("add it", "voeg het toe"),
    ("the part of sheet {sheet:quoted} is missing", "het onderdeel van werkblad {sheet} ontbreekt"),
    ("the sheet is empty", "het werkblad is leeg"),
    ("add a header row and data", "voeg een kopregel en gegevens toe"),
    ("not a readable XLSX sheet ({error:rest})", "geen leesbaar XLSX-werkblad ({error})"),
    # deps.ingest.baci
    (
        "exporter and importer are both {code:quoted}",
        "exporteur en importeur zijn beide {code}",
    ),
    (
        "a country cannot trade with itself: correct one code or remove the row",
        "een land kan niet met zichzelf handelen: corrigeer een van de codes of verwijder de regel",
    ),
    # deps.ingest.wgi
    (
        "year column {column:name} is outside {first:int}-2100",
        "jaarkolom {column} ligt buiten {first}-2100",
    ),
    ("rename or remove it", "hernoem of verwijder haar"),
    (
        "no year columns (four-digit headers such as 2022)",
        "geen jaarkolommen (koppen van vier cijfers, zoals 2022)",
    ),
    ("add one column per year", "voeg één kolom per jaar toe"),
    # deps.ingest.cset
    ("the CSET dataset is a folder", "de CSET-dataset is een map"),
    (
        "give the folder holding inputs.csv, stages.csv, sequence.csv, providers.csv and provision.csv",
        "geef de map met `inputs.csv`, `stages.csv`, `sequence.csv`, `providers.csv` en `provision.csv`",
    ),
    ("id {id:quoted} is also an input_id", "id {id} is ook een input_id"),
    ("give stages their own ids", "geef de fasen eigen id's"),
    ("use a stage_id from stages.csv", "gebruik een stage_id uit `stages.csv`"),
    ("the row names no target", "de regel noemt geen doel"),
    ("fill in goes_into_id or is_type_of_id", "vul goes_into_id of is_type_of_id in"),
    (
        "use an input_id from inputs.csv (or a stage_id from stages.csv)",
        "gebruik een input_id uit `inputs.csv` (of een stage_id uit `stages.csv`)",
    ),
    ("an edge from {node:quoted} to itself", "een verbinding van {node} naar zichzelf"),
    ("remove the row", "verwijder de regel"),
    ("the {relation:name} edges form a cycle: {cycle:rest}", "de verbindingen {relation} vormen een kring: {cycle}"),
    (
        "a product cannot be an input (or a type) of itself: remove or reverse one edge of the cycle",
        "een product kan geen input (of soort) van zichzelf zijn: verwijder een verbinding van de kring of keer "
        "haar om",
    ),
    ("duplicate edge {src:name} -> {dst:name}", "dubbele verbinding {src} -> {dst}"),
    ("remove the repeated row", "verwijder de herhaalde regel"),
    (
        "duplicate provider id {id:quoted} with a different name, type or country than row {row:int}",
        "dubbele leveranciers-id {id} met een andere naam, soort of ander land dan regel {row}",
    ),
    (
        "give each provider its own id; alias rows must repeat the name, type and country exactly",
        "geef elke leverancier een eigen id; aliasregels moeten naam, soort en land precies herhalen",
    ),
    ("unknown country code {code:quoted}", "onbekende landcode {code}"),
    ("use the ISO3 code of the HQ country", "gebruik de ISO3-code van het land van het hoofdkantoor"),
    ("add it to providers.csv or fix the id", "voeg haar toe aan `providers.csv` of corrigeer de id"),
    ("use an id from inputs.csv or stages.csv", "gebruik een id uit `inputs.csv` of `stages.csv`"),
    # deps.ingest.template
    ("no such file or folder", "bestand of map bestaat niet"),
    ("check the path", "controleer het pad"),
    ("no nodes table", "geen tabel nodes"),
    ("add nodes.csv (or a 'nodes' sheet)", "voeg `nodes.csv` toe (of een werkblad `nodes`)"),
    (
        "the folder holds none of the template's CSV files",
        "de map bevat geen van de CSV-bestanden van het sjabloon",
    ),
    ("a final product must name its focus market(s)", "een eindproduct moet zijn focusmarkt(en) noemen"),
    ("fill in market ids, ';'-separated", "vul focusmarkt-id's in, gescheiden door `;`"),
    ("{value:quoted} is not a 6-digit HS code", "{value} is geen HS-code van 6 cijfers"),
    ("write six digits", "schrijf zes cijfers"),
    ("add the node to nodes.csv or correct the id", "voeg de knoop toe aan `nodes.csv` of corrigeer de id"),
    ("an edge from a node to itself", "een verbinding van een knoop naar zichzelf"),
    ("the edges form a cycle: {cycle:rest}", "de verbindingen vormen een kring: {cycle}"),
    (
        "a product cannot be an input of itself: remove or reverse one edge of the cycle",
        "een product kan geen input van zichzelf zijn: verwijder een verbinding van de kring of keer haar om",
    ),
    ("a share on an edge that is not is_type_of", "een aandeel op een verbinding die geen is_type_of is"),
    ("leave share_pct empty on this edge", "laat share_pct leeg op deze verbinding"),
    ("a substitutes edge without its factor", "een verbinding `substitutes` zonder factor"),
    ("give the substitutability 0-1", "geef de vervangbaarheid 0-1"),
    ("a factor on an edge that is not substitutes", "een factor op een verbinding die geen `substitutes` is"),
    ("leave factor empty on this edge", "laat factor leeg op deze verbinding"),
    ("add the source to sources.csv or correct the id", "voeg de bron toe aan `sources.csv` of corrigeer de id"),
    (
        "add the source to sources.csv or correct the source_id",
        "voeg de bron toe aan `sources.csv` of corrigeer de source_id",
    ),
    ("add the source to sources.csv", "voeg de bron toe aan `sources.csv`"),
    (
        "add the firm to firms.csv or correct the firm_id",
        "voeg het bedrijf toe aan `firms.csv` of corrigeer de firm_id",
    ),
    ("use an action_line_id of the action lines", "gebruik een action_line_id van de actielijnen"),
    ("a {kind:evidence_row} row without a source", "een {kind} zonder bron"),
    (
        "cite the publication or evaluation (a source_id of sources.csv), or mark the row expert",
        "noem de publicatie of evaluatie (een source_id uit `sources.csv`), of markeer de regel als `expert`",
    ),
    # deps.ingest.effects
    (
        "the effects table uses the old single column reduction_per_meur",
        "de effectentabel gebruikt de oude enkele kolom reduction_per_meur",
    ),
    (
        "rename it slope_central and add slope_low and slope_high (the range of the evidence; equal to "
        "slope_central only where the figure is exact), plus evidence, reasoning and, for expert rows, judged_by",
        "hernoem haar slope_central en voeg slope_low en slope_high toe (de bandbreedte van het bewijs; alleen "
        "gelijk aan slope_central waar het getal precies is), en daarnaast `evidence`, `reasoning` en, voor regels "
        "`expert`, judged_by",
    ),
    ("a segment of length 0", "een curvesegment met lengte 0"),
    (
        "give the segment a positive length or remove it",
        "geef het curvesegment een positieve lengte of verwijder het",
    ),
    ("{low:name} {value:n} is above {central:name} {other:n}", "{low} {value} ligt boven {central} {other}"),
    ("{high:name} {value:n} is below {central:name} {other:n}", "{high} {value} ligt onder {central} {other}"),
    (
        "give the range in order: slope_low <= slope_central <= slope_high",
        "geef de bandbreedte op volgorde: slope_low <= slope_central <= slope_high",
    ),
    ("an expert row does not say who judged it", "een regel `expert` zegt niet wie het oordeel gaf"),
    (
        "give the role of who made the judgement (e.g. 'sector analyst, ministry')",
        "geef de rol van wie het oordeel gaf (bijvoorbeeld 'sectoranalist, ministerie')",
    ),
    (
        "the effect curve of {line:name}/{kind:name} is not concave: {slope:name} rises with the segment",
        "de effectcurve van {line}/{kind} is niet concaaf: {slope} stijgt van curvesegment tot curvesegment",
    ),
    (
        "order the segments so that {slope:name} falls or stays level (diminishing returns)",
        "orden de curvesegmenten zo dat {slope} daalt of gelijk blijft (afnemende meeropbrengst)",
    ),
    (
        "the effect curve of {line:name}/{kind:name} removes {total:n} x the baseline risk at {slope:name}",
        "de effectcurve van {line}/{kind} neemt bij {slope} {total} x het basisrisico weg",
    ),
    (
        "shorten the segments or lower {slope:name} so that the sum of length x slope stays <= 1",
        "maak de curvesegmenten korter of verlaag {slope} zodat de som van lengte x helling <= 1 blijft",
    ),
    # deps.ingest.resilience
    ("a {column:name} range without its value", "een bandbreedte van {column} zonder waarde"),
    ("give {column:name} (the central value) too", "geef ook {column} (de centrale waarde)"),
    ("{column:name} without a source", "{column} zonder bron"),
    ("cite the publication in {column:name}", "noem de publicatie in {column}"),
    ("the {column:name} range is not ordered", "de bandbreedte van {column} staat niet op volgorde"),
    (
        "give {low:name}_low <= {value:name} <= {high:name}_high",
        "geef {low}_low <= {value} <= {high}_high",
    ),
    (
        "the row gives neither substitutability nor recovery_months",
        "de regel geeft geen vervangbaarheid en geen recovery_months",
    ),
    ("fill one in or drop it", "vul er een in of laat de regel weg"),
    # deps.ingest.extract: the observed extract and its mapping
    ("add the column", "voeg de kolom toe"),
    ("use primary or alternative", "gebruik `primary` of `alternative`"),
    ("say why the row maps so", "leg uit waarom de regel zo wordt toegewezen"),
    ("repeated mapping", "herhaalde toewijzing"),
    (
        "add the {what:referenced} to {file:file}, or regenerate the file with scripts/build_observed_extract.py",
        "voeg de {what} toe aan `{file}`, of maak het bestand opnieuw met scripts/build_observed_extract.py",
    ),
    (
        "regenerate the file with scripts/build_observed_extract.py",
        "maak het bestand opnieuw met scripts/build_observed_extract.py",
    ),
    ("a country row names no country", "een landregel noemt geen land"),
    ("write its ISO3 code", "schrijf de ISO3-code"),
    ("a residual row names a supplier", "een restregel noemt een leverancier"),
    ("leave supplier_id blank on residual rows", "laat supplier_id leeg op restregels"),
    # deps.ingest.products: the HS 1992 product table
    ("column missing", "kolom ontbreekt"),
    (
        "the header must be {columns:name}; regenerate with scripts/build_hs92_products.py",
        "de kopregel moet {columns} zijn; maak het bestand opnieuw met scripts/build_hs92_products.py",
    ),
    ("{code:quoted} is no six-character HS code", "{code} is geen HS-code van zes tekens"),
    ("correct it", "corrigeer haar"),
    ("code {code:name} twice", "code {code} twee keer"),
    ("keep one row per code", "houd één regel per code"),
    ("empty", "leeg"),
    ("give the product's name", "geef de naam van het product"),
    ("name where the row comes from", "noem waar de regel vandaan komt"),
    # deps.ingest.seed
    ("the seed folder has no nodes.csv", "de map met basisgegevens heeft geen `nodes.csv`"),
    ("set DEPS_SEED_DIR", "stel DEPS_SEED_DIR in"),
    # deps.ingest.usgs and deps.ingest.usgs_layouts: USGS Mineral Commodity Summaries
    ("no USGS world data file found", "geen USGS-bestand met wereldgegevens gevonden"),
    (
        "give a folder such as mcs2023_world, MCS2025_World_Data.csv, MCS2026_Commodities_Data.csv, or the "
        "usgs-mcs folder holding them",
        "geef een map zoals mcs2023_world, MCS2025_World_Data.csv, MCS2026_Commodities_Data.csv, of de map "
        "`usgs-mcs` waarin ze staan",
    ),
    ("the file name is not one of a USGS data release", "de bestandsnaam is niet die van een USGS-publicatie"),
    (
        "keep the name USGS gave the file: mcsYYYY-<commodity>_world.csv (2023, 2024), MCS2025_World_Data.csv or "
        "MCS2026_Commodities_Data.csv",
        "houd de naam die de USGS-publicatie het bestand gaf: mcsYYYY-<commodity>_world.csv (2023, 2024), "
        "MCS2025_World_Data.csv of MCS2026_Commodities_Data.csv",
    ),
    ("use the file as USGS published it", "gebruik het bestand zoals de USGS-publicatie het bevat"),
    (
        "use the file as USGS published it (2023-2025 are UTF-8, 2026 is Windows-1252)",
        "gebruik het bestand zoals de USGS-publicatie het bevat (2023-2025 zijn `UTF-8`, 2026 is `Windows-1252`)",
    ),
    ("use {file:file} as USGS published it", "gebruik {file} zoals de USGS-publicatie het bevat"),
    ("the file is {size:n} MB, above the limit", "het bestand is {size} megabyte, boven de grens"),
    ("raise DEPS_MAX_IMPORT_MB", "verhoog DEPS_MAX_IMPORT_MB"),
    ("the content is not CSV text", "de inhoud is geen CSV-tekst"),
    ("use the CSV file of the release", "gebruik het CSV-bestand van de publicatie"),
    (
        "give the folder mcs2023_world or mcs2024_world as published (one CSV per commodity)",
        "geef de map mcs2023_world of mcs2024_world zoals gepubliceerd (één CSV-bestand per grondstof)",
    ),
    (
        "no production or capacity column (e.g. Prod_kt_2022)",
        "geen kolom met productie of capaciteit (bijvoorbeeld Prod_kt_2022)",
    ),
    ("{value:quoted} is not a year", "{value} is geen jaartal"),
    (
        "write a number (thousands separators allowed) or a USGS marker such as W, NA, --, XX",
        "schrijf een getal (scheidingstekens voor duizendtallen toegestaan) of een USGS-markering zoals `W`, `NA`, "
        "`--`, `XX`",
    ),
    # deps.ingest.iea: the IEA Critical Minerals Outlook workbook
    ("the file is above the size limit", "het bestand is groter dan de grens"),
    ("the content is not an XLSX workbook", "de inhoud is geen XLSX-werkmap"),
    (
        "use the IEA workbook as published (sheet {sheet:quoted})",
        "gebruik de IEA-werkmap zoals gepubliceerd (werkblad {sheet})",
    ),
    (
        "no year header row (2023, 2030, 2035, 2040)",
        "geen kopregel met jaartallen (2023, 2030, 2035, 2040)",
    ),
    ("no '<Mineral> - <Stage>' table found", "geen tabel `<Mineral> - <Stage>` gevonden"),
    ("{code:name}: no Total row", "{code}: geen regel `Total`"),
    (
        "{code:name} {year:int}: Total is missing or not positive",
        "{code} {year}: `Total` ontbreekt of is niet positief",
    ),
    ("{label:quoted} is not a country IEA names", "{label} is geen land dat de IEA-werkmap noemt"),
    # deps.ingest.eucrm: the EU CRM assessment's producer shares
    ("file is larger than {n:int} bytes", "bestand is groter dan {n} B"),
    ("raise the limit or split it", "verhoog de grens of splits het bestand"),
    (
        "use {file:file} as published in {repository:file} (see its {readme:file})",
        "gebruik {file} zoals gepubliceerd in {repository} (zie de bijbehorende {readme})",
    ),
    ("no {scope:quoted} rows of {year:int}", "geen regels {scope} van {year}"),
    ("use E (extraction) or P (processing)", "gebruik `E` (winning) of `P` (verwerking)"),
    ("{name:quoted} is not a country name", "{name} is geen landnaam"),
    (
        "add the spelling to deps.ingest.eucrm.ALIASES with its ISO3 code",
        "voeg de schrijfwijze met haar ISO3-code toe aan `deps.ingest.eucrm.ALIASES`",
    ),
    ("{value:n} is outside 0-100", "{value} ligt buiten 0-100"),
    ("no share, printed {printed:quoted}", "geen aandeel, afgedrukt staat {printed}"),
    ("{node:name}: {code:name} appears twice", "{node}: {code} komt twee keer voor"),
    ("{node:name}: shares add up to {total:n}", "{node}: aandelen tellen op tot {total}"),
    # the notes of a successful import (ImportResult.notes, shown on the Data page)
    (
        "{n:int} flows have no quantity (qty_t blank); loaded with quantity unknown",
        "{n} handelsstromen hebben geen hoeveelheid (qty_t leeg); geladen met onbekende hoeveelheid",
    ),
    (
        "{n:int} of {total:int} provision rows name a placeholder, not a real supplier, and were not loaded "
        "({listed:name}); their shares stay in provision.csv",
        "{n} van {total} leveranciersregels noemen een plaatshouder, geen echte leverancier, en zijn niet geladen "
        "({listed}); hun aandelen blijven in `provision.csv`",
    ),
    (
        "{n:int} provision rows have a known supplier but no share; loaded with share unknown",
        "{n} leveranciersregels hebben een bekende leverancier maar geen aandeel; geladen met onbekend aandeel",
    ),
    (
        "market {market:quoted} is not in the market table; {finals:name} not linked to it",
        "focusmarkt {market} staat niet in de tabel met focusmarkten; {finals} zijn er niet aan gekoppeld",
    ),
    (
        "{total:int} API manufacturing sites in {n:int} countries; basis 'sites': count of FDA-registered API "
        "manufacturing sites, not a production or capacity share",
        "{total} API-productielocaties in {n} landen; grondslag `sites`: het aantal FDA-geregistreerde "
        "API-productielocaties, geen aandeel in productie of capaciteit",
    ),
    (
        "{n:int} API rows repeat an FEI number already counted (one registration per firm name); rows are counted "
        "as the FDA list gives them",
        "{n} API-regels herhalen een FEI-nummer dat al is geteld (één registratie per bedrijfsnaam); de regels "
        "worden geteld zoals de FDA-lijst ze geeft",
    ),
    (
        "{n:int} API site(s) without a parsable country, stored as an unnamed residual",
        "{n} API-locaties zonder leesbaar land, opgeslagen als naamloze rest",
    ),
    (
        "{code:name} {year:int}: the rows add up to {listed:n} kt but IEA's Total says {total:n} kt ({change:n}); "
        "shares use the larger of the two so they never exceed 100%",
        "{code} {year}: de regels tellen op tot {listed} kiloton, maar `Total` van de IEA-werkmap zegt {total} "
        "kiloton ({change}); de aandelen gebruiken de grootste van de twee, zodat ze nooit boven 100% uitkomen",
    ),
    (
        "{n:int} rows are base-case projections (2030-2040), stored with evidence 'projected' and kept apart from "
        "the observed 2023 rows",
        "{n} regels zijn projecties van het basisscenario (2030-2040), opgeslagen met `evidence` `projected` en "
        "gescheiden gehouden van de waargenomen regels van 2023",
    ),
    (
        "labels that name no single country, stored as unnamed residual rows: {labels:rest}",
        "benamingen die geen enkel land noemen, opgeslagen als naamloze restregels: {labels}",
    ),
    (
        "{n:int} supplier rows carry a marker (W, NA, --, ...) or no world total: share unknown, not 0",
        "{n} leveranciersregels hebben een markering (`W`, `NA`, `--`, ...) of geen wereldtotaal: aandeel onbekend, "
        "niet 0",
    ),
    (
        "{n:int} of {total:int} tables do not reconcile with the world total: {shown:rest}",
        "{n} van {total} tabellen sluiten niet aan op het wereldtotaal: {shown}",
    ),
    (
        "{n:int} tables list one country on several rows (qualified labels such as 'Brazil (beneficiated)'); the "
        "unqualified row is kept: {rows:rest}",
        "{n} tabellen noemen één land op meerdere regels (nader aangeduide namen zoals `Brazil (beneficiated)`); de "
        "regel zonder aanduiding blijft: {rows}",
    ),
    (
        "{n:int} tables have no world total; shares use the sum of the listed values",
        "{n} tabellen hebben geen wereldtotaal; de aandelen gebruiken de som van de vermelde waarden",
    ),
    (
        "{n:int} economies have no estimate in any year: {codes:rest}",
        "{n} economieën hebben in geen enkel jaar een schatting: {codes}",
    ),
    (
        "code {code:name} appears on rows {rows:name} with different estimates for {n:int} year(s) "
        "({first:int}-{last:int}): those years are not loaded for {again:name}; the years where the rows agree are "
        "loaded",
        "code {code} staat op regels {rows} met verschillende schattingen voor {n} jaar ({first}-{last}): die jaren "
        "zijn niet geladen voor {again}; de jaren waarin de regels overeenkomen zijn geladen",
    ),
    (
        "code {code:name} appears on rows {rows:name} with identical estimates: loaded once",
        "code {code} staat op regels {rows} met gelijke schattingen: één keer geladen",
    ),
    (
        "{n:int} observed rows (USGS/IEA extract) for {nodes:int} nodes replace {replaced:int} hand-typed country "
        "rows of those nodes",
        "{n} waargenomen regels (uittreksel van USGS- en IEA-gegevens) voor {nodes} knopen vervangen {replaced} met "
        "de hand ingevoerde landregels van die knopen",
    ),
)
