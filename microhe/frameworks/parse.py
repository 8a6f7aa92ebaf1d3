"""One reader for framework and level input, as credentials and people write them.

Every entry point that takes a level (``microhe level``, ``GET /api/recognition/level``,
search by framework level, the importers) reads it here, so that "FQF Level 6", the QDR
IRI of that concept and ``CNCP`` + ``6`` all name the same level everywhere.

Accepted forms (case, surrounding space and ``_``/``-`` between words do not matter):

* **an IRI**: a microhe level IRI (``https://w3id.org/microhe/ref/framework/SCQF/level/10``),
  an EQF level IRI (``http://data.europa.eu/snb/eqf/6``) or an EU QDR concept
  (``http://data.europa.eu/snb/qdr/c_...``) the reference graph links to our levels: by
  ``skos:exactMatch`` (one level), by ``skos:closeMatch`` (a concept standing for several
  levels, such as "RQF Entry Levels 1-2", or for one EQF candidate of a level, such as
  "NQF RNCP Level I-Master", which carries its own EQF level);
* **a QDR label**: the concept's English label exactly ("FQF Level 6", "IE NQF Level 9",
  "NQF RNCP Level I-Doctorat", "CQFW Entry 1-3", "NLQF Level 4+");
* **framework + level in one text**: a framework name followed by the level ("SCQF 10",
  "SCQF Level 10", "RQF Entry 3", "NLQF 4+", "EQF level 6", "QF-EHEA first cycle"). A
  framework name is its microhe code (``FINQF``), a short form it is known by
  (``FiNQF``, ``LTQF``, ``SOK``, ``CNCP-2019``) or the prefix of its QDR labels (``FQF``,
  ``IE NQF``, ``IT NQF``, ``NQF RNCP``);
* **a level with the framework given apart** (the CLI's FRAMEWORK argument, the API's
  ``framework`` parameter: a microhe code or short form): "6", "Level 6", "Niveau 6",
  "Entry 3", "Entry Level 3", "4+", "short", "second cycle", and Roman numerals only for
  a framework whose official labels are Roman (FR-1969: "I", "II", "I-Master"; the Austrian
  NQR and North Macedonia's MQF, whose Roman labels name the QDR's Arabic ones: "VI", "VII A").
* a QF-EHEA cycle alone ("first cycle") names its framework.

What is never guessed: a bare level without a framework ("6", "Entry 3": RQF or CQFW), a
name several frameworks go by (QNQ: Italy's framework, and the prefix of the QDR labels
"QNQ Level n", most likely Portugal's), and an IRI the reference graph does not hold.
Ambiguity raises :class:`AmbiguousLevelError` listing the candidates; ``country``
(ISO 3166-1 alpha-3 or the EU authority IRI) narrows the frameworks to that country's
(plus the European ones) before deciding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from microhe.errors import InvalidValue
from microhe.frameworks.index import (
    WATCH,
    FrameworkIndex,
    Level,
    UnknownFrameworkError,
    UnknownLevelError,
    framework_index,
)
from microhe.store.embedded import Store
from microhe.store.views import Watch, per_store
from microhe.vocab import COUNTRY, MHE, QDR_SCHEME, SKOS

DCT = "http://purl.org/dc/terms/"
_ROMAN = re.compile(r"^(?=[IVX])X{0,3}(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
#: Frameworks whose official level labels are Roman numerals although the graph's labels (the
#: EU QDR's) are Arabic: the Austrian NQR ("NQF-Levels I to VIII", qualifikationsregister.at) and
#: North Macedonia's MQF (levels I-VIII with sub-levels V A/B, VI A/B, VII A/B; ETF NQF inventory).
#: There a Roman level, with its sub-level letter, is read as its number ("VII A" = "7 A").
#: FR-1969 keeps its own Roman labels; every other framework refuses Roman numerals.
ROMAN_LABELS = frozenset({"AT-NQF", "NNMQF"})
_LEVEL_WORDS = ("level", "levels", "niveau", "livello", "nivel", "nível", "stufe", "lvl")
_CYCLES = ("short", "first", "second", "third")


class AmbiguousLevelError(InvalidValue):
    """The input names more than one level (or a framework microhe does not hold as well
    as one it does): ``valid`` lists the candidates, never a guess among them."""

    def __init__(self, text: str, candidates: list[str], why: str):
        super().__init__(f"{text!r} is ambiguous: {why}; candidates: {'; '.join(candidates)}. "
                         "Name the framework by its microhe code (or give the country), or use a level IRI.")
        self.valid = candidates


@dataclass(frozen=True)
class QDRConcept:
    iri: str
    label: str
    exact: tuple[str, ...] = ()   # our level IRIs it exactly matches
    close: tuple[str, ...] = ()   # our level IRIs linked with closeMatch (part or span)
    eqf: tuple[int, ...] = ()     # its own mhe:referencedToEQF (a candidate of a level)
    countries: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class Vocabulary:
    """Names of frameworks and QDR concepts, read from the reference graph."""

    index: FrameworkIndex
    names: dict[str, set[str]] = field(default_factory=dict)   # normalised name -> framework codes
    countries: dict[str, set[str]] = field(default_factory=dict)  # code -> ISO3 codes (empty: European)
    qdr: dict[str, QDRConcept] = field(default_factory=dict)   # IRI -> concept
    qdr_by_label: dict[str, str] = field(default_factory=dict)  # normalised label -> IRI
    foreign_prefixes: dict[str, list[str]] = field(default_factory=dict)  # QDR prefix of unlinked concepts -> IRIs
    framework_concepts: dict[str, str] = field(default_factory=dict)  # QDR framework concept IRI -> our code


@dataclass(frozen=True)
class ParsedLevel:
    """What an input names: the framework level(s) and, for a QDR concept, the concept.

    ``levels`` has one level, or several when one QDR concept stands for several levels
    (``CQFW Entry 1-3``); ``eqf`` is the concept's own EQF level when it carries one
    ("NQF RNCP Level I-Master": 7, not the 7 and 8 of FR-1969 I), else the union of the
    levels' EQF levels."""

    text: str
    framework: str
    levels: tuple[Level, ...]
    concept: str | None = None        # the QDR concept named (IRI), if any
    concept_label: str | None = None
    eqf: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def level(self) -> Level:
        """The one level named (AmbiguousLevelError when the concept stands for several)."""
        if len(self.levels) != 1:
            raise AmbiguousLevelError(self.text, [f"{lv.framework} {lv.label}" for lv in self.levels],
                                      f"{self.concept_label or self.text} stands for several levels")
        return self.levels[0]


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


_VOCAB_QUERY = f"""
PREFIX skos: <{SKOS}> PREFIX mhe: <{MHE}> PREFIX dcterms: <{DCT}>
SELECT ?kind ?s ?o ?x WHERE {{
  {{ ?fw a mhe:QualificationsFramework ; skos:notation ?s ; skos:altLabel ?o FILTER(LANG(?o) = "") BIND("alt" AS ?kind) }}
  UNION {{ ?fw a mhe:QualificationsFramework ; skos:notation ?s ; dcterms:spatial ?o BIND("spatial" AS ?kind) }}
  UNION {{ ?s skos:inScheme <{QDR_SCHEME}> ; skos:prefLabel ?x BIND("label" AS ?kind) }}
  UNION {{ ?s skos:inScheme <{QDR_SCHEME}> . ?o a mhe:FrameworkLevel ; skos:exactMatch ?s BIND("exact" AS ?kind) }}
  UNION {{ ?s skos:inScheme <{QDR_SCHEME}> . ?o a mhe:FrameworkLevel ; skos:closeMatch ?s BIND("close" AS ?kind) }}
  UNION {{ ?s skos:inScheme <{QDR_SCHEME}> ; mhe:referencedToEQF ?e . ?e skos:notation ?o BIND("eqf" AS ?kind) }}
  UNION {{ ?s skos:inScheme <{QDR_SCHEME}> ; dcterms:spatial ?o BIND("qspatial" AS ?kind) }}
  UNION {{ ?s skos:inScheme <{QDR_SCHEME}> ; skos:editorialNote ?o BIND("qnote" AS ?kind) }}
  UNION {{ ?fw a mhe:QualificationsFramework ; skos:notation ?s ; skos:exactMatch ?o .
           ?o skos:inScheme <{QDR_SCHEME}> ; skos:prefLabel ?x BIND("fwqdr" AS ?kind) }}
}}"""

_QDR_PREFIX = re.compile(r"^(?P<p>.+?) (?:Level|Levels|Entry)\b")


@per_store(watch=Watch(types=WATCH.types, predicates=(*WATCH.predicates, SKOS + "inScheme", SKOS + "altLabel")))
def vocabulary(store: Store) -> Vocabulary:
    """The framework names and QDR concepts of the store's reference data (built once per state)."""
    idx = framework_index(store)
    voc = Vocabulary(idx)
    for code in idx.codes():
        voc.names.setdefault(_norm(code), set()).add(code)
        voc.countries.setdefault(code, set())
    qdr: dict[str, dict] = {}
    def entry(iri: str) -> dict:
        return qdr.setdefault(iri, {"label": iri, "exact": set(), "close": set(), "eqf": set(),
                                    "countries": set(), "notes": set()})

    for r in store.query(_VOCAB_QUERY):
        kind, s = r["kind"].value, r["s"].value
        if kind == "alt" and s in idx.frameworks:
            for part in r["o"].value.split("/"):  # "LTKS/LTQF", "SQF/SOK"
                if part.strip():
                    voc.names.setdefault(_norm(part), set()).add(s)
        elif kind == "spatial" and s in idx.frameworks:
            voc.countries[s].add(r["o"].value.rsplit("/", 1)[-1])
        elif kind == "label":
            entry(s)["label"] = r["x"].value
        elif kind in ("exact", "close"):
            entry(s)[kind].add(r["o"].value)
        elif kind == "eqf":
            entry(s)["eqf"].add(int(r["o"].value))
        elif kind == "qspatial":
            entry(s)["countries"].add(r["o"].value.rsplit("/", 1)[-1])
        elif kind == "qnote":
            entry(s)["notes"].add(r["o"].value)
        elif kind == "fwqdr" and s in idx.frameworks:
            # the EU QDR framework concept ("Polish National Qualifications Framework") names it too
            voc.framework_concepts[r["o"].value] = s
            voc.names.setdefault(_norm(r["x"].value), set()).add(s)
    linked_prefixes: set[str] = set()
    unlinked: list[tuple[str, str]] = []
    for iri, d in qdr.items():
        concept = QDRConcept(iri, d["label"], tuple(sorted(d["exact"])), tuple(sorted(d["close"])),
                             tuple(sorted(d["eqf"])), tuple(sorted(d["countries"])), tuple(sorted(d["notes"])))
        voc.qdr[iri] = concept
        voc.qdr_by_label[_norm(concept.label)] = iri
        m = _QDR_PREFIX.match(concept.label)
        if not m:
            continue
        linked = {idx.levels[lv].framework for lv in concept.exact + concept.close if lv in idx.levels}
        prefix = _norm(m["p"])
        if linked:
            linked_prefixes.add(prefix)
            for code in linked:
                voc.names.setdefault(prefix, set()).add(code)
        else:
            unlinked.append((prefix, iri))
    # a prefix of unlinked concepts only ("QNQ Level n", Portugal's) names another framework;
    # one that our levels' QDR concepts also use ("NLQF Level 6") does not
    for prefix, iri in unlinked:
        if prefix not in linked_prefixes:
            voc.foreign_prefixes.setdefault(prefix, []).append(iri)
    return voc


def _country_code(country: str | None) -> str | None:
    if country is None or not country.strip():
        return None
    c = country.strip()
    if c.startswith(COUNTRY):
        c = c[len(COUNTRY):]
    if not re.fullmatch(r"[A-Za-z]{3}", c):
        raise InvalidValue(f"country {country!r} is not an ISO 3166-1 alpha-3 code (e.g. ITA) or a "
                           f"country authority IRI ({COUNTRY}ITA)")
    return c.upper()


def _in_country(voc: Vocabulary, code: str, country: str | None) -> bool:
    spatial = voc.countries.get(code, set())
    return country is None or not spatial or country in spatial


def framework_codes(store: Store, name: str, country: str | None = None) -> list[str]:
    """The framework codes ``name`` (a code, short form or QDR label prefix) may mean."""
    voc = vocabulary(store)
    cc = _country_code(country)
    return sorted(c for c in voc.names.get(_norm(name), set()) if _in_country(voc, c, cc))


def resolve_framework(store: Store, name: str, country: str | None = None) -> str:
    """One framework code for ``name``, else UnknownFrameworkError / AmbiguousLevelError."""
    voc = vocabulary(store)
    codes = framework_codes(store, name, country)
    exact = [c for c in codes if _norm(c) == _norm(name)]
    if len(codes) > 1 and len(exact) == 1:
        return exact[0]  # a microhe code given as the framework names that framework ("QNQ": Italy's)
    if not codes:
        raise UnknownFrameworkError(name, voc.index.codes())
    if len(codes) > 1:
        raise AmbiguousLevelError(name, codes, "several frameworks go by this name")
    return codes[0]


def _roman(numeral: str) -> int:
    """The value of a Roman numeral already checked by ``_ROMAN`` (I to XXXIX)."""
    values = [_ROMAN_VALUES[c] for c in numeral.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _strip_level_word(s: str) -> str:
    for word in _LEVEL_WORDS:
        if s.startswith(word + " "):
            return s[len(word) + 1:]
    return s


def _level_in(voc: Vocabulary, code: str, text: str, original: str) -> ParsedLevel:
    """A level of framework ``code`` from the level part of the input."""
    levels = voc.index.levels_of(code)
    labels = {_norm(lv.label): lv for lv in levels}
    s = _norm(text).replace("-", " ") if code != "FR-1969" else _norm(text)
    s = _strip_level_word(s)
    valid = [lv.label for lv in levels]
    if code == "QF-EHEA":
        s = s.removesuffix(" cycle").replace(" ", "-")
        s = s.removesuffix("-cycle")
    if code in ("RQF", "CQFW", "NLQF"):
        m = re.fullmatch(r"(?:entry|e)(?: level)? ?(\d)?(?: level)?", s)
        if m:
            s = f"entry {m[1]}" if m[1] else "entry"
    if s.isdigit():
        s = str(int(s))
    if code == "FR-1969":
        rest = s.upper().replace(" ", "-")
        base, _, part = rest.partition("-")
        if part:  # "I-Master", "I-Doctorat", "II-Grade de Licence": the QDR concept of that label
            for concept in voc.qdr.values():
                if concept.label.upper().endswith(f" LEVEL {base}-{part}") and \
                        any(voc.index.levels.get(lv, None) and voc.index.levels[lv].framework == code
                            for lv in concept.exact + concept.close):
                    return _from_concept(voc, concept, original)
            raise UnknownLevelError(code, original, valid)
        s = base.casefold()
    elif code in ROMAN_LABELS and (m := re.fullmatch(r"([ivx]+) ?([ab])?", s)) and _ROMAN.match(m[1].upper()):
        s = f"{_roman(m[1])} {m[2]}" if m[2] else str(_roman(m[1]))
    elif _ROMAN.match(s.upper()) and s not in labels and code != "MQF":
        raise UnknownLevelError(code, original, valid)  # Roman numerals only where the labels are Roman
    lv = labels.get(s)
    if lv is None:  # a sub-level written without its space: "7A" for NNMQF "7 A"
        lv = {k.replace(" ", ""): v for k, v in labels.items()}.get(s.replace(" ", ""))
    if lv is None:
        raise UnknownLevelError(code, original, valid)
    return ParsedLevel(original, code, (lv,), eqf=tuple(lv.eqf))


def _from_concept(voc: Vocabulary, concept: QDRConcept, original: str) -> ParsedLevel:
    idx = voc.index
    if concept.iri in voc.framework_concepts:
        code = voc.framework_concepts[concept.iri]
        raise UnknownLevelError(code, original, [f"'{concept.label}' is the EU QDR concept of the framework {code}, "
                                                 "not one of its levels; its levels: "
                                                 + ", ".join(lv.label for lv in idx.levels_of(code))])
    levels = [idx.levels[iri] for iri in concept.exact + concept.close if iri in idx.levels]
    if not levels:
        where = f" ({', '.join(concept.countries)})" if concept.countries else ""
        note = f" {' '.join(concept.notes)}" if concept.notes else ""
        raise UnknownLevelError("any framework", original,
                                [f"'{concept.label}'{where} is an EU QDR concept of a framework microhe does not "
                                 f"hold yet.{note}"])
    levels.sort(key=lambda lv: lv.rank)
    eqf = concept.eqf or tuple(sorted({e for lv in levels for e in lv.eqf}))
    notes = []
    if concept.eqf and len(levels) == 1 and set(levels[0].eqf) != set(concept.eqf):
        notes.append(f"'{concept.label}' is the EU QDR concept for the EQF {', '.join(map(str, concept.eqf))} "
                     f"candidate of {levels[0].pref_label} (which is referenced to EQF "
                     f"{' and '.join(map(str, levels[0].eqf))}).")
    if len(levels) > 1:
        notes.append(f"'{concept.label}' is one EU QDR concept for {len(levels)} levels: "
                     + "; ".join(f"{lv.pref_label} ({'EQF ' + ', '.join(map(str, lv.eqf)) if lv.eqf else 'below EQF 1'})"
                                 for lv in levels) + ".")
    return ParsedLevel(original, levels[0].framework, tuple(levels), concept.iri, concept.label, eqf, tuple(notes))


def parse_level(store: Store, text: str, framework: str | None = None, country: str | None = None) -> ParsedLevel:
    """Read framework + level input (see the module docstring for the accepted forms)."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidValue("empty level: give a level label (e.g. 6, Entry 3), a framework and level "
                           "(e.g. SCQF 10) or a level IRI")
    if len(text) > 300:
        raise InvalidValue(f"level input of {len(text)} characters: at most 300")
    voc = vocabulary(store)
    idx = voc.index
    cc = _country_code(country)
    raw = text.strip()
    code = resolve_framework(store, framework, country) if framework is not None and framework.strip() else None
    if framework is not None and not framework.strip():
        raise UnknownFrameworkError(framework, idx.codes())

    # an IRI
    if "://" in raw or raw.startswith("urn:"):
        parsed = _from_iri(voc, raw)
        if code is not None and parsed.framework != code:
            raise UnknownLevelError(code, raw, [lv.label for lv in idx.levels_of(code)])
        return parsed

    # a QDR label
    qiri = voc.qdr_by_label.get(_norm(raw))
    if qiri is not None and cc is not None and voc.qdr[qiri].countries and cc not in voc.qdr[qiri].countries:
        qiri = None  # another country's concept: read the text as framework + level instead
    if qiri is not None and cc is not None:
        owners = {idx.levels[lv].framework for lv in voc.qdr[qiri].exact + voc.qdr[qiri].close if lv in idx.levels}
        if owners and not any(_in_country(voc, c, cc) for c in owners):
            qiri = None  # a concept of another country's framework ("QNQ Level 6" with ITA): read as text
    if qiri is not None and code is None:
        concept = voc.qdr[qiri]
        prefix = _QDR_PREFIX.match(concept.label)
        linked = concept.exact + concept.close
        if linked and prefix and cc is None:
            # the prefix may also name another framework ("QNQ": Italy's code, Portugal's QDR
            # prefix): candidates, never a guess
            owners = {idx.levels[lv].framework for lv in linked if lv in idx.levels}
            others = [c for c in framework_codes(store, prefix["p"]) if c not in owners]
            cands = []
            for c in others:
                try:
                    cands += [_candidate(voc, lv) for lv in _level_in(voc, c, raw[len(prefix["p"]):], raw).levels]
                except UnknownLevelError:
                    pass
            if cands:
                own = [_candidate(voc, idx.levels[lv]) for lv in linked if lv in idx.levels]
                raise AmbiguousLevelError(raw, own + cands, f"'{prefix['p']}' is the name of more than one framework")
        if not linked and prefix and cc is None:
            # the prefix may also be a framework microhe holds (QNQ): candidates, never a guess
            ours = framework_codes(store, prefix["p"])
            if ours:
                rest = raw[len(prefix["p"]):]
                cands = []
                for c in ours:
                    try:
                        cands += [f"{c} {lv.label} <{lv.iri}>" for lv in _level_in(voc, c, rest, raw).levels]
                    except UnknownLevelError:
                        pass
                where = f" ({', '.join(concept.countries)}, not held by microhe)" if concept.countries else \
                    " (not held by microhe)"
                if cands:
                    raise AmbiguousLevelError(raw, cands + [f"EU QDR '{concept.label}' <{concept.iri}>{where}"],
                                              f"'{prefix['p']}' is the name of more than one framework")
        return _from_concept(voc, concept, raw)

    if code is not None:
        # the framework given apart; the text may still repeat its name ("SCQF 10")
        rest = _strip_framework(voc, raw, code)
        return _level_in(voc, code, rest, raw)

    # "first cycle" alone names QF-EHEA
    s = _norm(raw)
    if re.fullmatch(rf"(?:{'|'.join(_CYCLES)})[ -]cycle", s) and "QF-EHEA" in idx.frameworks:
        return _level_in(voc, "QF-EHEA", s, raw)

    # a framework name followed by the level: the longest name that prefixes the text
    best: tuple[str, str] | None = None
    for name in list(voc.names) + list(voc.foreign_prefixes):
        if s.startswith(name) and len(s) > len(name) and (s[len(name)] in " -" or s[len(name)].isdigit()):
            if best is None or len(name) > len(best[0]):
                best = (name, raw[len(name):].strip(" -"))
    if best is None:
        cands = []
        for c in idx.codes():
            if not _in_country(voc, c, cc):
                continue
            try:
                cands += [f"{c} {lv.label}" for lv in _level_in(voc, c, raw, raw).levels]
            except UnknownLevelError:
                pass
        if not cands:
            raise UnknownFrameworkError(raw, idx.codes())
        raise AmbiguousLevelError(raw, cands, "a level without its framework")
    name, rest = best
    codes = sorted(c for c in voc.names.get(name, set()) if _in_country(voc, c, cc))
    want = _strip_level_word(_norm(rest))
    foreign = [] if cc is not None else [
        q for q in voc.foreign_prefixes.get(name, [])
        if _strip_level_word(_norm(voc.qdr[q].label)[len(name):].strip(" -")) == want]
    if not codes and not foreign:
        raise UnknownFrameworkError(raw, idx.codes())
    results = []
    for c in codes:
        try:
            results.append(_level_in(voc, c, rest, raw))
        except UnknownLevelError:
            if len(codes) == 1 and not foreign:
                raise
    if len(results) == 1 and not foreign:
        return results[0]
    cands = [_candidate(voc, lv) for p in results for lv in p.levels]
    cands += [f"EU QDR '{voc.qdr[q].label}' <{q}> ({', '.join(voc.qdr[q].countries) or 'another framework'}, "
              "not held by microhe)" for q in foreign]
    if not cands:
        raise UnknownFrameworkError(raw, idx.codes())
    raise AmbiguousLevelError(raw, cands, f"'{raw[:len(name)]}' is the name of more than one framework")


def _candidate(voc: Vocabulary, lv: Level) -> str:
    """'QNQ-PT 6 <level IRI> (PRT; EU QDR <concept IRI>)': a candidate a person can tell apart."""
    extra = sorted(voc.countries.get(lv.framework, set())) + [
        f"EU QDR <{m}>" for m in lv.matches if m.startswith("http://data.europa.eu/snb/qdr/")]
    return f"{lv.framework} {lv.label} <{lv.iri}>" + (f" ({'; '.join(extra)})" if extra else "")


def _strip_framework(voc: Vocabulary, raw: str, code: str) -> str:
    s = _norm(raw)
    for name, codes in sorted(voc.names.items(), key=lambda kv: -len(kv[0])):
        if code in codes and s.startswith(name) and len(s) > len(name) and \
                (s[len(name)] in " -" or s[len(name)].isdigit()):
            return raw.strip()[len(name):].strip(" -")
    return raw


def _from_iri(voc: Vocabulary, iri: str) -> ParsedLevel:
    idx = voc.index
    if iri in idx.levels:
        lv = idx.levels[iri]
        return ParsedLevel(iri, lv.framework, (lv,), eqf=tuple(lv.eqf))
    if iri in voc.qdr:
        return _from_concept(voc, voc.qdr[iri], iri)
    if iri in idx.aliases:  # an exactMatch outside the QDR scheme
        lv = idx.levels[idx.aliases[iri]]
        return ParsedLevel(iri, lv.framework, (lv,), iri, None, tuple(lv.eqf))
    raise UnknownLevelError("any framework", iri, ["a level IRI of the reference graph"])


__all__ = ["AmbiguousLevelError", "ParsedLevel", "QDRConcept", "Vocabulary", "vocabulary", "parse_level",
           "framework_codes", "resolve_framework"]
