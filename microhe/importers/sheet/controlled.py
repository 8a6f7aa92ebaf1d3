"""The controlled vocabularies a spreadsheet cell may name, and how a cell names a value.

A value is accepted (in this order) by its concept IRI, its notation (country ``DEU``,
ISCED-F ``0613``, credit system ``ECTS``), its English label from the bundled reference
data (``microhe/kg/reference``: "Online", "written examination", "Program Quality
Assurance"), or an entry of the authored alias table :data:`ALIASES` (English variants and
German, French, Italian, Dutch and Spanish words: "Präsenz", "présentiel", "ECTS-Punkte").
Matching ignores case, accents, spaces, ``-`` and ``_`` (:func:`columns.norm`). Anything else
is refused with the closest valid values (``difflib``), so a typo never becomes data.

``microhe vocab [NAME]`` lists the same vocabularies (:func:`vocabularies`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from microhe.errors import InvalidValue
from microhe.importers.sheet.columns import norm
from microhe.importers.vocabulary import ALPHA2
from microhe.kg import bundled
from microhe.vocab import COUNTRY, ECTS, EQF_LEVEL, ISCED_F, REF, SKOS

MODE = "http://data.europa.eu/snb/learning-assessment/"
ASSESSMENT = "http://data.europa.eu/snb/assessment/"
ACCREDITATION = "http://data.europa.eu/snb/accreditation/"
SUPERVISION = "http://data.europa.eu/snb/supervision-verification/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
CREDIT_SYSTEM = REF + "credit-system/"

_ONLINE, _PRESENTIAL, _BLENDED = MODE + "920fbb3cbe", MODE + "9191af2ed9", MODE + "e92d221e4d"
_WORKBASED, _PROJECT, _LAB = MODE + "729f3bed4b", MODE + "7813801c77", MODE + "ed4c557045"
_A = {k: ASSESSMENT + v for k, v in {
    "peer": "19a2e5e671", "assignment": "2939dae15f", "continuous": "3484bd7e51", "portfolio": "4f03b91c0e",
    "group": "56539a6507", "practical": "6a4db9f11d", "written": "6e6cb2cc78", "attendance": "7331eb4762",
    "project": "795dac4096", "review": "812e3b0ae1", "quiz": "b1b68f6735", "problem": "c4256a2726",
    "oral": "d30284d7df", "artefact": "de4d165a6c"}.items()}
_INST_LICENCE, _PROG_QA = ACCREDITATION + "003293d2ce", ACCREDITATION + "820101cba6"
_INST_QA, _PROG_LICENCE = ACCREDITATION + "bb4618238e", ACCREDITATION + "e57dddfcf3"
_UNSUPERVISED_NO_ID = SUPERVISION + "c598449d64"
_C = {k: CREDIT_SYSTEM + k for k in ("UK", "SCQF", "US-SCH", "US-QCH", "ECVET")}
_L = {k: LANGUAGE + k for k in ("BUL CES DAN DEU ELL ENG EST FIN FRA GLE HRV HUN ITA LAV LIT MLT NLD POL POR "
                                 "RON SLK SLV SPA SWE NOR NNO NOB ISL CAT EUS GLG CYM LTZ TUR UKR RUS SRP BOS SQI "
                                 "MKD ARA ZHO JPN KOR HIN FAS HEB").split()}

#: The authored alias table: vocabulary -> language -> alias -> concept IRI. Each entry is a
#: word a steward writes in that language (tests/importers/test_csv_vocabulary.py checks
#: every one resolves to its concept, and that no alias names two concepts).
ALIASES: dict[str, dict[str, dict[str, str]]] = {
    "mode": {
        "en": {"online": _ONLINE, "e-learning": _ONLINE, "distance": _ONLINE, "remote": _ONLINE,
               "face to face": _PRESENTIAL, "in person": _PRESENTIAL, "on site": _PRESENTIAL,
               "onsite": _PRESENTIAL, "on campus": _PRESENTIAL, "classroom": _PRESENTIAL, "hybrid": _BLENDED,
               "work-based": _WORKBASED, "workplace": _WORKBASED, "project-based": _PROJECT,
               "lab-based": _LAB, "research lab": _LAB},
        "de": {"Präsenz": _PRESENTIAL, "Präsenzstudium": _PRESENTIAL, "Präsenzveranstaltung": _PRESENTIAL,
               "vor Ort": _PRESENTIAL, "Fernstudium": _ONLINE, "digital": _ONLINE, "hybrid": _BLENDED,
               "gemischt": _BLENDED, "arbeitsplatzbasiert": _WORKBASED, "projektbasiert": _PROJECT},
        "fr": {"présentiel": _PRESENTIAL, "en présentiel": _PRESENTIAL, "en ligne": _ONLINE,
               "à distance": _ONLINE, "hybride": _BLENDED, "mixte": _BLENDED, "en entreprise": _WORKBASED},
        "it": {"in presenza": _PRESENTIAL, "presenza": _PRESENTIAL, "a distanza": _ONLINE, "in linea": _ONLINE,
               "misto": _BLENDED, "ibrido": _BLENDED},
        "nl": {"op locatie": _PRESENTIAL, "klassikaal": _PRESENTIAL, "fysiek": _PRESENTIAL,
               "afstandsonderwijs": _ONLINE, "gemengd": _BLENDED, "hybride leren": _BLENDED},
        "es": {"presencial": _PRESENTIAL, "en línea": _ONLINE, "a distancia": _ONLINE,
               "semipresencial": _BLENDED, "híbrido": _BLENDED, "mixto": _BLENDED},
    },
    "assessment_type": {
        "en": {"written exam": _A["written"], "exam": _A["written"], "oral exam": _A["oral"],
               "project": _A["project"], "assignment": _A["assignment"], "practical": _A["practical"],
               "continuous assessment": _A["continuous"], "peer-assessment": _A["peer"]},
        "de": {"schriftliche Prüfung": _A["written"], "Klausur": _A["written"], "mündliche Prüfung": _A["oral"],
               "Projektarbeit": _A["project"], "Hausarbeit": _A["assignment"], "praktische Prüfung": _A["practical"],
               "Portfolioprüfung": _A["portfolio"], "kontinuierliche Bewertung": _A["continuous"]},
        "fr": {"examen écrit": _A["written"], "examen oral": _A["oral"], "projet": _A["project"],
               "devoir": _A["assignment"], "contrôle continu": _A["continuous"], "évaluation par les pairs": _A["peer"]},
        "it": {"esame scritto": _A["written"], "esame orale": _A["oral"], "progetto": _A["project"],
               "portfolio": _A["portfolio"], "valutazione continua": _A["continuous"], "prova pratica": _A["practical"]},
        "nl": {"schriftelijk examen": _A["written"], "mondeling examen": _A["oral"], "projectwerk": _A["project"],
               "praktijkexamen": _A["practical"], "opdracht": _A["assignment"]},
        "es": {"examen escrito": _A["written"], "examen oral": _A["oral"], "proyecto": _A["project"],
               "portafolio": _A["portfolio"], "evaluación continua": _A["continuous"], "prueba práctica": _A["practical"]},
    },
    "accreditation_type": {
        "en": {"programme quality assurance": _PROG_QA, "programme accreditation": _PROG_QA,
               "program accreditation": _PROG_QA, "institutional accreditation": _INST_QA,
               "institutional licence": _INST_LICENCE, "programme licence": _PROG_LICENCE},
        "de": {"Programmakkreditierung": _PROG_QA, "Studiengangsakkreditierung": _PROG_QA,
               "Systemakkreditierung": _INST_QA, "institutionelle Akkreditierung": _INST_QA,
               "staatliche Anerkennung": _INST_LICENCE},
        "fr": {"accréditation de programme": _PROG_QA, "accréditation institutionnelle": _INST_QA,
               "évaluation institutionnelle": _INST_QA, "habilitation": _PROG_LICENCE},
        "it": {"accreditamento del corso di studio": _PROG_QA, "accreditamento istituzionale": _INST_QA,
               "accreditamento della sede": _INST_QA},
        "nl": {"opleidingsaccreditatie": _PROG_QA, "instellingstoets": _INST_QA, "instellingsaccreditatie": _INST_QA},
        "es": {"acreditación de programa": _PROG_QA, "acreditación de títulos": _PROG_QA,
               "acreditación institucional": _INST_QA},
    },
    "identity_verification": {
        "en": {"unsupervised": _UNSUPERVISED_NO_ID, "none": _UNSUPERVISED_NO_ID},
        "de": {"unbeaufsichtigt ohne Identitätsprüfung": _UNSUPERVISED_NO_ID},
        "fr": {"sans surveillance ni vérification d'identité": _UNSUPERVISED_NO_ID},
        "it": {"senza sorveglianza né verifica dell'identità": _UNSUPERVISED_NO_ID},
        "nl": {"zonder toezicht en zonder identiteitscontrole": _UNSUPERVISED_NO_ID},
        "es": {"sin supervisión ni verificación de identidad": _UNSUPERVISED_NO_ID},
    },
    "credit_system": {
        "en": {"ECTS credits": ECTS, "ECTS points": ECTS, "UK-CATS": _C["UK"], "CATS": _C["UK"],
               "UK credits": _C["UK"], "SCQF credits": _C["SCQF"], "semester credit hours": _C["US-SCH"],
               "quarter credit hours": _C["US-QCH"]},
        "de": {"ECTS-Punkte": ECTS, "Leistungspunkte": ECTS, "LP": ECTS, "Credit Points": ECTS},
        "fr": {"crédits ECTS": ECTS, "crédits": ECTS},
        "it": {"CFU": ECTS, "crediti formativi universitari": ECTS, "crediti ECTS": ECTS},
        "nl": {"studiepunten": ECTS, "EC": ECTS},
        "es": {"créditos ECTS": ECTS, "créditos": ECTS},
    },
    "country": {
        "de": {"Deutschland": COUNTRY + "DEU", "Frankreich": COUNTRY + "FRA", "Italien": COUNTRY + "ITA",
               "Niederlande": COUNTRY + "NLD", "Spanien": COUNTRY + "ESP", "Österreich": COUNTRY + "AUT",
               "Schweiz": COUNTRY + "CHE", "Belgien": COUNTRY + "BEL", "Litauen": COUNTRY + "LTU",
               "Slowenien": COUNTRY + "SVN", "Finnland": COUNTRY + "FIN", "Irland": COUNTRY + "IRL",
               "Vereinigtes Königreich": COUNTRY + "GBR"},
        "fr": {"Allemagne": COUNTRY + "DEU", "Italie": COUNTRY + "ITA", "Pays-Bas": COUNTRY + "NLD",
               "Espagne": COUNTRY + "ESP", "Autriche": COUNTRY + "AUT", "Suisse": COUNTRY + "CHE",
               "Belgique": COUNTRY + "BEL", "Lituanie": COUNTRY + "LTU", "Slovénie": COUNTRY + "SVN",
               "Finlande": COUNTRY + "FIN", "Irlande": COUNTRY + "IRL", "Royaume-Uni": COUNTRY + "GBR",
               "Malte": COUNTRY + "MLT"},
        "it": {"Germania": COUNTRY + "DEU", "Francia": COUNTRY + "FRA", "Paesi Bassi": COUNTRY + "NLD",
               "Spagna": COUNTRY + "ESP", "Svizzera": COUNTRY + "CHE", "Belgio": COUNTRY + "BEL",
               "Lituania": COUNTRY + "LTU", "Slovenia": COUNTRY + "SVN", "Finlandia": COUNTRY + "FIN",
               "Irlanda": COUNTRY + "IRL", "Regno Unito": COUNTRY + "GBR"},
        "nl": {"Duitsland": COUNTRY + "DEU", "Frankrijk": COUNTRY + "FRA", "Italië": COUNTRY + "ITA",
               "Nederland": COUNTRY + "NLD", "Spanje": COUNTRY + "ESP", "Oostenrijk": COUNTRY + "AUT",
               "Zwitserland": COUNTRY + "CHE", "België": COUNTRY + "BEL", "Litouwen": COUNTRY + "LTU",
               "Slovenië": COUNTRY + "SVN", "Finland": COUNTRY + "FIN", "Ierland": COUNTRY + "IRL",
               "Verenigd Koninkrijk": COUNTRY + "GBR"},
        "es": {"Alemania": COUNTRY + "DEU", "Francia": COUNTRY + "FRA", "Italia": COUNTRY + "ITA",
               "Países Bajos": COUNTRY + "NLD", "España": COUNTRY + "ESP", "Suiza": COUNTRY + "CHE",
               "Bélgica": COUNTRY + "BEL", "Lituania": COUNTRY + "LTU", "Eslovenia": COUNTRY + "SVN",
               "Irlanda": COUNTRY + "IRL", "Reino Unido": COUNTRY + "GBR"},
        "en": {"UK": COUNTRY + "GBR", "Great Britain": COUNTRY + "GBR", "England": COUNTRY + "GBR",
               "Scotland": COUNTRY + "GBR", "Wales": COUNTRY + "GBR", "Northern Ireland": COUNTRY + "GBR",
               "Holland": COUNTRY + "NLD", "The Netherlands": COUNTRY + "NLD", "Czech Republic": COUNTRY + "CZE"},
    },
    "language": {
        "en": {"en": _L["ENG"], "de": _L["DEU"], "fr": _L["FRA"], "it": _L["ITA"], "nl": _L["NLD"], "es": _L["SPA"],
               "pt": _L["POR"], "pl": _L["POL"], "lt": _L["LIT"], "sl": _L["SLV"], "fi": _L["FIN"], "mt": _L["MLT"],
               "sv": _L["SWE"], "da": _L["DAN"], "cs": _L["CES"], "sk": _L["SLK"], "hu": _L["HUN"], "ro": _L["RON"],
               "bg": _L["BUL"], "el": _L["ELL"], "et": _L["EST"], "lv": _L["LAV"], "hr": _L["HRV"], "ga": _L["GLE"],
               "no": _L["NOR"], "nb": _L["NOB"], "nn": _L["NNO"], "is": _L["ISL"], "ca": _L["CAT"], "eu": _L["EUS"],
               "gl": _L["GLG"], "cy": _L["CYM"], "lb": _L["LTZ"], "tr": _L["TUR"], "uk": _L["UKR"], "ru": _L["RUS"],
               "sr": _L["SRP"], "bs": _L["BOS"], "sq": _L["SQI"], "mk": _L["MKD"], "ar": _L["ARA"], "zh": _L["ZHO"],
               "ja": _L["JPN"], "ko": _L["KOR"], "hi": _L["HIN"], "fa": _L["FAS"], "he": _L["HEB"]},
        "de": {"Englisch": _L["ENG"], "Deutsch": _L["DEU"], "Französisch": _L["FRA"], "Italienisch": _L["ITA"],
               "Niederländisch": _L["NLD"], "Spanisch": _L["SPA"]},
        "fr": {"anglais": _L["ENG"], "allemand": _L["DEU"], "français": _L["FRA"], "italien": _L["ITA"],
               "néerlandais": _L["NLD"], "espagnol": _L["SPA"]},
        "it": {"inglese": _L["ENG"], "tedesco": _L["DEU"], "francese": _L["FRA"], "italiano": _L["ITA"],
               "olandese": _L["NLD"], "spagnolo": _L["SPA"]},
        "nl": {"Engels": _L["ENG"], "Duits": _L["DEU"], "Frans": _L["FRA"], "Italiaans": _L["ITA"],
               "Nederlands": _L["NLD"], "Spaans": _L["SPA"]},
        "es": {"inglés": _L["ENG"], "alemán": _L["DEU"], "francés": _L["FRA"], "italiano": _L["ITA"],
               "neerlandés": _L["NLD"], "español": _L["SPA"], "castellano": _L["SPA"]},
    },
}


@dataclass
class Entry:
    iri: str
    label: str
    notation: str | None = None
    aliases: list[str] = field(default_factory=list)  # "Präsenz (de)"


@dataclass
class Vocabulary:
    name: str
    title: str
    scheme: str
    entries: list[Entry]
    #: any absolute IRI is accepted, not only the listed ones (ELM lets data providers use
    #: their own list for supervision/verification; any language authority IRI)
    open_prefix: str | None = None
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # norm(text) -> (IRI, how)

    def by_iri(self) -> dict[str, Entry]:
        return {e.iri: e for e in self.entries}


@dataclass(frozen=True)
class Resolved:
    iri: str
    label: str
    how: str  # "IRI", "notation", "English label", "alias (de)"


class UnknownValue(InvalidValue):
    """A value no entry of the vocabulary names; ``closest`` lists the nearest valid ones
    (the importer reports it against its row and column)."""

    def __init__(self, vocab: Vocabulary, value: str, closest: list[str]):
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        super().__init__(f"{value!r} is not in the list of {vocab.title}{hint} (all values: microhe vocab "
                         f"{vocab.name})")
        self.closest = closest


_SCHEMES = {  # name -> (title, scheme IRI, concept IRI prefix)
    "mode": ("modes of learning and assessment", MODE + "25831c2", MODE),
    "assessment_type": ("assessment types", ASSESSMENT + "25831c2", ASSESSMENT),
    "accreditation_type": ("accreditation types", ACCREDITATION + "25831c2", ACCREDITATION),
    "identity_verification": ("supervision and identity verification types", SUPERVISION + "25831c2", SUPERVISION),
    "country": ("countries", COUNTRY.rstrip("/"), COUNTRY),
    "language": ("languages", LANGUAGE.rstrip("/"), LANGUAGE),
    "isced": ("ISCED-F 2013 fields", ISCED_F + "25831c2", ISCED_F),
    "credit_system": ("credit systems", REF + "credit-system", CREDIT_SYSTEM),
}
OPEN = {"identity_verification": "", "language": LANGUAGE}


def _text(term: object) -> str:
    return term.value if isinstance(term, ox.Literal) else ""


@cache
def vocabularies() -> dict[str, Vocabulary]:
    """The controlled vocabularies of the spreadsheet columns, from the bundled reference
    data and :data:`ALIASES` (the EQF levels too; framework levels are read by
    :func:`microhe.frameworks.parse.parse_level`)."""
    labels: dict[str, str] = {}
    notations: dict[str, str] = {}
    in_scheme: dict[str, str] = {}
    for g in bundled.reference_graphs():
        for q in g.quads():
            s, p = q.subject, q.predicate.value
            if not isinstance(s, ox.NamedNode):
                continue
            if p == SKOS + "prefLabel" and isinstance(q.object, ox.Literal) and q.object.language == "en":
                labels.setdefault(s.value, q.object.value)
            elif p == SKOS + "notation":
                notations.setdefault(s.value, _text(q.object))
            elif p == SKOS + "inScheme" and isinstance(q.object, ox.NamedNode):
                in_scheme[s.value] = q.object.value
    out: dict[str, Vocabulary] = {}
    for name, (title, scheme, _prefix) in _SCHEMES.items():
        if name == "credit_system":
            iris = sorted(i for i in notations if i.startswith(CREDIT_SYSTEM) and "/" not in i[len(CREDIT_SYSTEM):]
                          and notations[i] not in ("ECTS", "HOURS"))
            entries = [Entry(ECTS, "ECTS", "ECTS")] + [Entry(i, labels.get(i, notations[i]), notations[i]) for i in iris]
        else:
            entries = [Entry(i, labels.get(i, i), notations.get(i)) for i in sorted(in_scheme)
                       if in_scheme[i] == scheme]
        out[name] = Vocabulary(name, title, scheme, entries, OPEN.get(name))
    out["eqf"] = Vocabulary("eqf", "EQF levels", EQF_LEVEL + "25831c2",
                            [Entry(f"{EQF_LEVEL}{n}", f"EQF level {n}", str(n)) for n in range(1, 9)])
    for v in out.values():
        _index(v)
    return out


def _index(v: Vocabulary) -> None:
    known = v.by_iri()
    for e in v.entries:
        v.keys.setdefault(norm(e.iri), (e.iri, "IRI"))
        if e.notation:
            v.keys.setdefault(norm(e.notation), (e.iri, "notation"))
        v.keys.setdefault(norm(e.label), (e.iri, "English label"))
    if v.name == "country":  # the alpha-2 codes of the importers' table ("DE", "UK") that the list holds
        for a2, a3 in sorted(ALPHA2.items()):
            if COUNTRY + a3 in known:
                v.keys.setdefault(norm(a2), (COUNTRY + a3, "ISO 3166 alpha-2 code"))
    for lang, table in ALIASES.get(v.name, {}).items():
        for alias, iri in table.items():
            if iri not in known:
                raise AssertionError(f"alias {alias!r} ({lang}) of {v.name} names {iri}, not in the vocabulary")
            key = norm(alias)
            held = v.keys.get(key)
            if held is not None and held[0] != iri:
                raise AssertionError(f"alias {alias!r} ({lang}) of {v.name} names {iri} and {held[0]}")
            if held is None:
                v.keys[key] = (iri, f"alias ({lang})")
                known[iri].aliases.append(f"{alias} ({lang})")


def resolve(name: str, value: str) -> Resolved:
    """The concept ``value`` names in the vocabulary ``name``; raises :class:`UnknownValue`."""
    v = vocabularies()[name]
    text = value.strip()
    hit = v.keys.get(norm(text))
    entries = v.by_iri()
    if hit is not None:
        iri, how = hit
        return Resolved(iri, entries[iri].label, how)
    if v.open_prefix is not None and "://" in text and text.startswith(v.open_prefix or "http"):
        from microhe.importers.vocabulary import is_absolute_iri

        if is_absolute_iri(text):
            return Resolved(text, text, "IRI (not in the bundled list)")
    raise UnknownValue(v, text, closest(v, text))


def closest(v: Vocabulary, text: str, n: int = 3) -> list[str]:
    """The nearest valid values, as '"written" (written examination)'."""
    entries = v.by_iri()
    keys = [k for k in v.keys if not k.startswith("http")]
    out: list[str] = []
    for k in difflib.get_close_matches(norm(text), keys, n=n * 2, cutoff=0.55):
        iri = v.keys[k][0]
        label = entries[iri].label
        shown = f"{label!r}" if norm(label) == k else f"{_spelling(v, k)!r} ({label})"
        if shown not in out:
            out.append(shown)
        if len(out) == n:
            break
    return out


def _spelling(v: Vocabulary, key: str) -> str:
    for e in v.entries:
        for a in e.aliases:
            word = a.rsplit(" (", 1)[0]
            if norm(word) == key:
                return word
        if e.notation and norm(e.notation) == key:
            return e.notation
    return key


__all__ = ["ALIASES", "Entry", "Resolved", "UnknownValue", "Vocabulary", "closest", "resolve", "vocabularies"]
