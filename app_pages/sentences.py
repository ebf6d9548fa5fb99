"""The engines' English sentences in Dutch: explanations of the analysis and the simulator, the optimiser's reasons
and its infeasibility diagnosis.

The engines (``supplychain``, ``optimizer``) write their sentences in English from a small number of templates, and
the CLI and the reports keep them English.  The app translates them here: :data:`TEMPLATES` lists every clause the
engines write, as an English pattern with typed fields and its Dutch wording.  Each pattern compiles to a regular
expression with one named group per field; numbers, names, ids and sources pass through unchanged, coded words
inside (``country``, ``firm``, ``yes``/``possible``, ``raised``, the dependency kinds, ...) are translated.

An engine text is parsed as parts joined by ``" | "`` (the analysis joins the views of a node so), each part an
optional lead-in (:data:`PREFIXES`, such as ``top risk:``) and clauses joined by ``"; "``.  A text whose every clause
matches a template is translated; any other text stays as it is (:func:`dutch` returns ``None`` for it, so the tests
find a new engine sentence that has no Dutch wording yet).

The service layer's messages (errors, validation problems and fixes, the supply-risk and trends explanations:
:mod:`app_pages.messages`) are templates of the same kind; an exception's text as a failed batch scenario stores it
(``ScenarioError: ...``) and an engine error as the services wrap it (``simulation on dataset 'x' failed: ...``) keep
their lead-in's class name and dataset and have the rest translated.  :func:`localise_error` gives the text of an
error the app shows.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from app_pages import messages
from deps.errors import DataValidationError

__all__ = ["PREFIXES", "TEMPLATES", "TEXT_COLUMNS", "Template", "dutch", "localise_error", "localise_sentence"]

#: Table columns holding engine sentences (translated by :func:`app_pages.tables.localised` in Dutch mode).
TEXT_COLUMNS = ("explanation", "reason", "message", "problem", "fix")

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?|nan|-?inf"

#: Coded words inside the sentences and their Dutch wording.
WORDS: dict[str, dict[str, str]] = {
    "flag": {"yes": "ja", "possible": "mogelijk", "no": "nee"},
    "level": {"country": "landenniveau", "firm": "bedrijfsniveau"},
    "basis": {
        "country rows": "landregels",
        "firm rows": "bedrijfsregels",
        "firm rows summed by headquarters country": "bedrijfsregels opgeteld per land van het hoofdkantoor",
    },
    "data_basis": {
        "not stated": "niet vermeld",
        "production": "productie",
        "headquarters": "hoofdkantoor",
        "exports": "export",
        "mine": "mijnbouw",
        "refinery": "raffinage",
        "smelter": "smelterij",
        "capacity": "capaciteit",
    },
    "kind": {
        "concentration": "concentratie",
        "import_reliance": "importafhankelijkheid",
        "substitutability": "vervangbaarheid",
        "time_to_recover": "hersteltijd",
    },
    "verdict": {
        "control point": "controlepunt",
        "possibly a control point": "mogelijk een controlepunt",
        "not a control point": "geen controlepunt",
    },
    "top": {
        "top supplier": "grootste leverancier",
        "possibly top supplier": "mogelijk grootste leverancier",
        "not top supplier": "niet de grootste leverancier",
    },
    "verb": {"raised": "verhoogd", "lowered": "verlaagd"},
    "screen": {"dependent": "afhankelijk", "not dependent": "niet afhankelijk"},
    "exports_base": {"total": "totale", "extra": "externe"},
    "upper": {"": "", " only at the upper bound": " alleen bij de bovengrens"},
    "bounds": {
        "": "",
        " (bounds: the graph is too large to evaluate this node exactly)": (
            " (grenzen: de graaf is te groot om deze knoop exact te berekenen)"
        ),
    },
    "assumed": {"": "", " (unknown, taken as 0)": " (onbekend, als 0 genomen)"},
    "shock_kind": {"country": "land", "firm": "bedrijf", "node": "knoop"},
    **messages.WORDS,
}

Mark = Callable[[str], str]


def _alternatives(words: Mapping[str, str]) -> str:
    """A regex alternation of ``words``, longest first (so ``possibly top supplier`` wins over ``top supplier``)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _range(value: str, mark: Mark) -> str:
    """``at least A and at most B`` in Dutch (a single number stays as it is)."""
    found = re.fullmatch(r"at least (\S+) and at most (\S+)", value)
    return f"minstens {found[1]} en hoogstens {found[2]}" if found else value


def _hhi(value: str, mark: Mark) -> str:
    """A range with an optional ``(known shares X)`` in Dutch."""
    found = re.fullmatch(r"(.+?)(?: \(known shares (\S+)\))?", value)
    assert found is not None  # the field's pattern guarantees it
    text = _range(found[1], mark)
    return f"{text} (bekende aandelen {found[2]})" if found[2] else text


def _data_basis(value: str, mark: Mark) -> str:
    """The data bases (``production; headquarters``) word by word; an unknown basis is data and passes through."""
    words = WORDS["data_basis"]
    return "; ".join(words[part] if part in words else mark(part) for part in value.split("; "))


def _factors(value: str, mark: Mark) -> str:
    """``concentration 0.252 (w 1), ...``: the dependency kinds in Dutch, the numbers as they are."""
    kinds = WORDS["kind"]
    return re.sub(_alternatives(kinds), lambda m: kinds[m[0]], value)


def _finals(value: str, mark: Mark) -> str:
    """A list of final products (data), or the engine's note that the list was not kept."""
    found = re.fullmatch(r"\((\d+) final products; lists kept only for smaller graphs\)", value)
    if found:
        return f"({found[1]} eindproducten; lijsten alleen bewaard voor kleinere grafen)"
    return mark(value)


def _words(vocabulary: str) -> tuple[str, Callable[[str, Mark], str]]:
    words = WORDS[vocabulary]
    return _alternatives(words), lambda value, mark: words[value]


_RANGE = rf"at least (?:{_NUMBER}) and at most (?:{_NUMBER})|(?:{_NUMBER})"
_KIND = _alternatives(WORDS["kind"])
_FACTOR = rf"(?:{_KIND}) (?:{_NUMBER}) \(w (?:{_NUMBER})\)"

#: Field type -> (regular expression, translation of the matched value; ``None``: data, passes through).
FIELDS: dict[str, tuple[str, Callable[[str, Mark], str] | None]] = {
    "n": (_NUMBER, lambda value, mark: value),
    "int": (r"\d+", lambda value, mark: value),
    "cmp": (r"<=|>", lambda value, mark: value),
    "name": (r"(?:(?!; ).)+?", None),
    "rest": (r".+", None),
    "constraint": (r"[\w-]+\[[^\]]*\]", None),
    "quoted": (r"'(?:[^'\\]|\\.)*'|\"[^\"]*\"", None),
    "file": (r"\S+", None),
    "columns": (r"\w+(?:, \w+)*", None),
    "range": (_RANGE, _range),
    "hhi": (rf"(?:{_RANGE})(?: \(known shares (?:{_NUMBER})\))?", _hhi),
    "data_basis": (r"[^()]+?", _data_basis),
    "factors": (rf"{_FACTOR}(?:, {_FACTOR})*", _factors),
    "finals": (r"\(\d+ final products; lists kept only for smaller graphs\)|.+?", _finals),
    **{vocabulary: _words(vocabulary) for vocabulary in WORDS if vocabulary != "data_basis"},
}

_FIELD = re.compile(r"\{(\w+):(\w+)\}")


@dataclass(frozen=True)
class Template:
    """One clause the engines write, as an English pattern with ``{name:type}`` fields, and its Dutch wording.

    Attributes
    ----------
    english : str
        The clause as the engine writes it; ``{name:type}`` marks a field of a type in :data:`FIELDS`.
    dutch : str
        The Dutch wording with the same ``{name}`` fields.
    """

    english: str
    dutch: str

    @property
    def regex(self) -> re.Pattern[str]:
        """The English pattern as a regular expression with a named group per field, ending at a clause end."""
        return _compile(self.english)

    def fields(self) -> dict[str, str]:
        """Field name -> field type."""
        return {m[1]: m[2] for m in _FIELD.finditer(self.english)}


@cache
def _compile(english: str) -> re.Pattern[str]:
    parts, end = [], 0
    for m in _FIELD.finditer(english):
        parts.append(re.escape(english[end : m.start()]))
        parts.append(f"(?P<{m[1]}>{FIELDS[m[2]][0]})")
        end = m.end()
    parts.append(re.escape(english[end:]))
    return re.compile("".join(parts) + r"(?=; |\Z)")


#: Every clause of the engines' sentences (supplychain: chokepoints, control points, structural, risk, disruption,
#: EU screen; optimizer: reasons of unfunded options, solver status, infeasibility diagnosis), in the order they are
#: tried.
TEMPLATES: tuple[Template, ...] = (
    # supplychain.chokepoints: concentration views (country and firm level)
    Template(
        "{level:level} view ({basis:basis}; data basis: {data_basis:data_basis}): top {top:name} share {share:n}, "
        "HHI {hhi:n}, coverage {coverage:n} over {n:int} suppliers",
        "{level} ({basis}; gegevensbasis: {data_basis}): grootste leverancier {top} met aandeel {share}, HHI {hhi}, "
        "dekking {coverage} over {n} leveranciers",
    ),
    Template(
        "{level:level} view ({basis:basis}; data basis: {data_basis:data_basis}): known shares cover {coverage:n} "
        "({unknown:int} of {n:int} suppliers without a share)",
        "{level} ({basis}; gegevensbasis: {data_basis}): bekende aandelen dekken {coverage} ({unknown} van {n} "
        "leveranciers zonder aandeel)",
    ),
    Template(
        "top {top:name} share {share:n}, HHI {hhi:n} from known shares",
        "grootste leverancier {top} met aandeel {share}, HHI {hhi} uit de bekende aandelen",
    ),
    Template("insufficient data for a point value", "onvoldoende gegevens voor een puntwaarde"),
    Template(
        "over every completion of the unknown {residual:n}: top share {top:range}, HHI {hhi:range}",
        "over elke aanvulling van het onbekende deel {residual}: grootste aandeel {top}, HHI {hhi}",
    ),
    Template(
        "global chokepoint: {flag:flag} (top share >= {share:n} or HHI > {hhi:n}{upper:upper})",
        "mondiaal knelpunt: {flag} (grootste aandeel >= {share} of HHI > {hhi}{upper})",
    ),
    Template(
        "foreign chokepoint for {holder:name}: {flag:flag}: largest supplier outside {outside:name} "
        "({supplier:name}) {share:range}",
        "buitenlands knelpunt voor {holder}: {flag}: grootste leverancier buiten {outside} ({supplier}) {share}",
    ),
    Template(
        "foreign chokepoint for {holder:name}: {flag:flag}: largest supplier outside {outside:name} {share:range}",
        "buitenlands knelpunt voor {holder}: {flag}: grootste leverancier buiten {outside} {share}",
    ),
    Template(
        "not a chokepoint (top share < {share:n} and HHI <= {hhi:n} in every completion)",
        "geen knelpunt (grootste aandeel < {share} en HHI <= {hhi} in elke aanvulling)",
    ),
    Template("sources: {sources:rest}", "bronnen: {sources}"),
    # supplychain.analysis: a node without supplier rows
    Template("{node:name}: no supplier data", "{node}: geen leveranciersgegevens"),
    # supplychain.chokepoints: structural chokepoints
    Template(
        "{node:name}: no other final product downstream loses supply",
        "{node}: geen ander eindproduct stroomafwaarts verliest aanbod",
    ),
    Template("not a structural chokepoint", "geen structureel knelpunt"),
    Template(
        "{node:name}: losing it costs another final product {loss:range} of its supply{bounds:bounds}",
        "{node}: uitval ervan kost een ander eindproduct {loss} van zijn aanbod{bounds}",
    ),
    Template("knockout {flag:flag} (threshold {threshold:n})", "uitschakeling {flag} (drempel {threshold})"),
    Template(
        "final products losing >= {threshold:n}: {finals:finals}",
        "eindproducten die >= {threshold} verliezen: {finals}",
    ),
    Template(
        "losing its top supplier alone costs {loss:range}",
        "alleen de uitval van de grootste leverancier kost {loss}",
    ),
    Template("single-supplier knockout {flag:flag}", "uitschakeling door één leverancier {flag}"),
    Template(
        "dominates {n:int} final product(s) ({finals:finals}): every supply path to them passes {node:name}",
        "domineert {n} eindproduct(en) ({finals}): elk leveringspad ernaartoe loopt via {node}",
    ),
    Template("focus markets reached: {markets:name}", "bereikte focusmarkten: {markets}"),
    # supplychain.control_points
    Template(
        "{node:name}: {verdict:verdict}: {holder:name} share {share:hhi} (threshold {share_threshold:n}), {top:top}, "
        "HHI {hhi:hhi} (threshold {hhi_threshold:n})",
        "{node}: {verdict}: aandeel van {holder} {share} (drempel {share_threshold}), {top}, HHI {hhi} "
        "(drempel {hhi_threshold})",
    ),
    Template("reach {reach:n} of final products", "bereik {reach} van de eindproducten"),
    Template("substitutability {sub:n}{assumed:assumed}", "vervangbaarheid {sub}{assumed}"),
    Template(
        "leverage = {share:n} x (1 - {sub:n}) x {reach:n} = {leverage:n}",
        "hefboom = {share} x (1 - {sub}) x {reach} = {leverage}",
    ),
    Template(
        "leverage = share x (1 - {sub:n}) x {reach:n}: at least {low:n} and at most {high:n}",
        "hefboom = aandeel x (1 - {sub}) x {reach}: minstens {low} en hoogstens {high}",
    ),
    # supplychain.risk
    Template(
        "{node:name} from {country:name}: risk = share {share:n} x severity {severity:n} x reach {reach:n} = {risk:n}",
        "{node} uit {country}: risico = aandeel {share} x ernst {severity} x bereik {reach} = {risk}",
    ),
    Template("factors: {factors:factors}", "factoren: {factors}"),
    Template("dominant kind: {kind:kind}", "overheersende soort: {kind}"),
    Template(
        "substitutability unknown: no substitute assumed (range 0-1; not used for the kind)",
        "vervangbaarheid onbekend: geen vervanging aangenomen (bereik 0-1; niet gebruikt voor de soort)",
    ),
    Template(
        "time to recover unknown: factor 0.5 assumed (range 0-1; not used for the kind)",
        "hersteltijd onbekend: factor 0.5 aangenomen (bereik 0-1; niet gebruikt voor de soort)",
    ),
    # supplychain.disruption (the simulator)
    Template("{node:name}: no loss", "{node}: geen verlies"),
    Template(
        "{node:name}: loss {loss:range}: limited by input {input:name} (availability at least {available:n})",
        "{node}: verlies {loss}: begrensd door de input {input} (beschikbaarheid minstens {available})",
    ),
    Template(
        "{node:name}: loss {loss:range}: own supply falls to at least o = {own:n}",
        "{node}: verlies {loss}: eigen aanbod daalt tot minstens o = {own}",
    ),
    Template(
        "a shocked supplier's share is unknown here or upstream, hence the interval",
        "het aandeel van een getroffen leverancier is hier of stroomopwaarts onbekend, vandaar het interval",
    ),
    # optimizer.solve: why an option is not funded, the solver's status
    Template("forbidden by the policy", "verboden door het beleid"),
    Template("no effect on this target (slope 0)", "geen effect op dit doel (helling 0)"),
    Template(
        "each EUR million here would leave {cost:n} more weighted risk than the marginal use of the budget",
        "elk miljoen euro hier laat {cost} meer gewogen risico over dan de marginale besteding van het budget",
    ),
    Template(
        "tied with funded options (reduced cost 0): an alternative optimum may fund it",
        "gelijk aan gefinancierde opties (gereduceerde kosten 0): een ander optimum kan het financieren",
    ),
    Template("optimal", "optimaal"),
    Template("solver {solver:name} failed: {error:rest}", "solver {solver} is mislukt: {error}"),
    Template("{solver:name} reports {status:rest}", "{solver} meldt {status}"),
    # optimizer.fast (batches)
    Template("minimum spends but no options", "minimumuitgaven maar geen opties"),
    Template("HiGHS: {status:rest}", "HiGHS: {status}"),
    # optimizer.diagnosis: conflicting constraints
    Template(
        "line minimums sum to {need:n} > budget {budget:n}",
        "de minima van de actielijnen tellen op tot {need} > budget {budget}",
    ),
    Template(
        "line minimums sum to {need:n} > year budgets {budget:n}",
        "de minima van de actielijnen tellen op tot {need} > jaarbudgetten {budget}",
    ),
    Template(
        "market minimum shares sum to {total:n} > 1",
        "de minimale aandelen van de focusmarkten tellen op tot {total} > 1",
    ),
    Template(
        "market {market:name}: minimum share {low:n} > maximum share {high:n}",
        "focusmarkt {market}: minimaal aandeel {low} > maximaal aandeel {high}",
    ),
    Template(
        "line {line:name}: minimum {need:n} > {capacity:n}, the length of its effect curves",
        "actielijn {line}: minimum {need} > {capacity}, de lengte van haar effectcurves",
    ),
    Template(
        "line {line:name}: minimum {need:n} > maximum {top:n}",
        "actielijn {line}: minimum {need} > maximum {top}",
    ),
    Template(
        "{forced:constraint} requires {need:n} on a forbidden option",
        "{forced} vereist {need} op een verboden optie",
    ),
    Template(
        "{forced:constraint} {need:n} > {capacity:n}, the length of its effect curves",
        "{forced} {need} > {capacity}, de lengte van de effectcurves",
    ),
    Template(
        "{forced:constraint} {need:n} > {constraint:constraint} {cap:n}",
        "{forced} {need} > {constraint} {cap}",
    ),
    Template(
        "forced spends sum to {need:n} > budget {budget:n}",
        "de vaste uitgaven tellen op tot {need} > budget {budget}",
    ),
    Template(
        "{constraint:name} (limit {limit:n}) must be {verb:verb} by {amount:n}",
        "{constraint} (grens {limit}) moet met {amount} worden {verb}",
    ),
    Template("it conflicts with {constraints:rest}", "dit botst met {constraints}"),
    # supplychain.screening (the EU screen of trade flows)
    Template(
        "{product:name} {year:int}: {verdict:screen}: (1) extra-{bloc:name} import HHI {hhi:n} {c1:cmp} {t1:n} "
        "(top partner {partner:name} {share:n})",
        "{product} {year}: {verdict}: (1) HHI van de invoer van buiten {bloc} {hhi} {c1} {t1} "
        "(grootste partner {partner} {share})",
    ),
    Template("(2) importance {importance:n} {c2:cmp} {t2:n}", "(2) belang {importance} {c2} {t2}"),
    Template(
        "(3) extra imports / {base:exports_base} {exporter:name} exports {ratio:n} {c3:cmp} {t3:n}",
        "(3) invoer van buiten / {base} export van {exporter} {ratio} {c3} {t3}",
    ),
    Template(
        "world export HHI {world:n} ({without:n} without transit hubs), top exporter {exporter:name} {share:n} "
        "(transit hub: imports cover >= {ratio:n} of its exports)",
        "HHI van de wereldexport {world} ({without} zonder doorvoerlanden), grootste exporteur {exporter} {share} "
        "(doorvoerland: de invoer dekt >= {ratio} van de eigen export)",
    ),
    Template(
        "world export HHI {world:n} ({without:n} without transit hubs), top exporter {exporter:name} {share:n}",
        "HHI van de wereldexport {world} ({without} zonder doorvoerlanden), grootste exporteur {exporter} {share}",
    ),
    Template("more vulnerable (world HHI > {hhi:n})", "kwetsbaarder (HHI van de wereldexport > {hhi})"),
    Template(
        "flagged {years:int} of the last {window:int} years",
        "gemarkeerd in {years} van de laatste {window} jaar",
    ),
    Template("source: trade flows (thousand USD)", "bron: handelsstromen (duizend USD)"),
    # deps: error messages, validation problems and fixes, supply-risk and trends explanations (app_pages.messages)
    *(Template(english, dutch) for english, dutch in messages.MESSAGES),
)

#: Lead-ins of a part (before its clauses) and their Dutch wording.
PREFIXES: dict[str, str] = {"top risk: ": "grootste risico: ", "infeasible: ": "onuitvoerbaar: "}


def _identity(value: str) -> str:
    return value


def _clause(template: Template, found: re.Match[str], mark: Mark) -> str:
    values = {}
    for name, kind in template.fields().items():
        value = found[name]
        words = FIELDS[kind][1]
        values[name] = mark(value) if words is None else words(value, mark)
    return template.dutch.format(**values)


def _clauses(text: str, start: int, mark: Mark) -> list[str] | None:
    """The clauses of ``text`` from ``start`` in Dutch, or None when some clause matches no template (every split
    of the text at ``"; "`` that the templates allow is tried)."""
    for template in TEMPLATES:
        found = template.regex.match(text, start)
        if found is None:
            continue
        if found.end() == len(text):
            return [_clause(template, found, mark)]
        rest = _clauses(text, found.end() + 2, mark)
        if rest is not None:
            return [_clause(template, found, mark), *rest]
    return None


#: The lead-in of an exception's text as a failed batch scenario stores it (``PolicyError: ...``): the class name is
#: kept, the message after it translated.
EXCEPTION = re.compile(r"([A-Z]\w*(?:Error|Exception)): ")


#: The lead-in of an engine error as the service layer wraps it (``simulation on dataset 'seed' failed: "..."``;
#: ``deps.services.boundary.engine_errors``): the task in Dutch, the dataset's name kept, the engine's message (quoted
#: when it was a ``KeyError``) translated.
FAILED = re.compile(
    r"(?P<task>building the optimiser inputs|optimisation|sensitivity analysis"
    r"|(?:analysis|trend analysis|supply risk|screen) of dataset|simulation on dataset"
    r"|back-test of the (?P<year>\d+) export controls on dataset)(?P<name> '[^']*')? failed: "
)
TASKS = {
    "building the optimiser inputs": "het opbouwen van de invoer van de optimalisatie",
    "optimisation": "de optimalisatie",
    "sensitivity analysis": "de gevoeligheidsanalyse",
    "analysis of dataset": "de analyse van dataset",
    "trend analysis of dataset": "de trendanalyse van dataset",
    "supply risk of dataset": "het leveringsrisico van dataset",
    "screen of dataset": "de EU-screening van dataset",
    "simulation on dataset": "de simulatie op dataset",
}


def _failed(found: re.Match[str], inner: str, mark: Mark) -> str | None:
    quoted = len(inner) >= 2 and inner[0] == inner[-1] == '"'
    rest = _translate(inner[1:-1] if quoted else inner, mark)
    if rest is None:
        return None
    task = found["task"]
    if found["year"]:
        task = f"de back-test van de exportbeperkingen van {found['year']} op dataset"
    name = mark(found["name"][1:]) if found["name"] else ""
    return f"{TASKS.get(task, task)}{' ' + name if name else ''} is mislukt: " + (f'"{rest}"' if quoted else rest)


def _part(text: str, mark: Mark) -> str | None:
    raised = EXCEPTION.match(text)
    if raised:
        rest = _part(text[raised.end() :], mark)
        return None if rest is None else raised[0] + rest
    failed = FAILED.match(text)
    if failed:
        return _failed(failed, text[failed.end() :], mark)
    for english, words in PREFIXES.items():
        if text.startswith(english):
            rest = _part(text[len(english) :], mark)
            return None if rest is None else words + rest
    clauses = _clauses(text, 0, mark) if text else None
    return None if clauses is None else "; ".join(clauses)


def dutch(text: str, *, mark: Mark = _identity) -> str | None:
    """An engine sentence in Dutch, or ``None`` when some clause of it matches no template.

    Parameters
    ----------
    text
        A text the engines write (an explanation, a reason, a conflict).
    mark
        Applied to every value that passes through as data (names, ids, sources); the identity by default (the tests
        mark them to check that no English word of a template remains).

    Returns
    -------
    str or None
        The Dutch text, or ``None`` when the text is not (wholly) an engine sentence.

    Examples
    --------
    >>> dutch("semi_euv: control point: NLD share 1.000 (threshold 0.65), top supplier, HHI 1.000 (threshold 0.4)")
    'semi_euv: controlepunt: aandeel van NLD 1.000 (drempel 0.65), grootste leverancier, HHI 1.000 (drempel 0.4)'
    >>> dutch("each EUR million here would leave 0.001 more weighted risk than the marginal use of the budget")
    'elk miljoen euro hier laat 0.001 meer gewogen risico over dan de marginale besteding van het budget'
    >>> dutch("a sentence no engine writes") is None
    True
    """
    if mark is _identity:
        return _cached(text)
    return _translate(text, mark)


def _translate(text: str, mark: Mark) -> str | None:
    parts = [_part(part, mark) for part in text.split(" | ")]
    return None if any(p is None for p in parts) else " | ".join(p for p in parts if p is not None)


@lru_cache(maxsize=4096)
def _cached(text: str) -> str | None:
    return _translate(text, _identity)


def localise_error(error: BaseException, lang: str) -> str:
    """The text of an error the app shows, in ``lang``: a validation error's summary line (its problems are shown as a
    table, whose ``problem`` and ``fix`` columns :func:`app_pages.tables.localised` translates), any other error's
    message; a message no template matches stays English.

    Examples
    --------
    >>> from deps.errors import DataValidationError, NotFoundError
    >>> localise_error(NotFoundError("no run with id 'abc'"), "nl")
    "geen berekening met id 'abc'"
    >>> localise_error(DataValidationError([], "BACI file flows.csv"), "nl")
    'BACI-bestand flows.csv'
    """
    summary = getattr(error, "summary", None)
    text = summary if isinstance(error, DataValidationError) and isinstance(summary, str) else str(error)
    return str(localise_sentence(text, lang))


def localise_sentence(value: object, lang: str) -> object:
    """``value`` in ``lang``: an engine sentence in Dutch for ``nl`` (unchanged when it matches no template, when it
    is not a string, or in English).

    Examples
    --------
    >>> localise_sentence("optimal", "nl"), localise_sentence("optimal", "en"), localise_sentence(None, "nl")
    ('optimaal', 'optimal', None)
    """
    if lang != "nl" or not isinstance(value, str) or not value:
        return value
    translated = dutch(value)
    return value if translated is None else translated
