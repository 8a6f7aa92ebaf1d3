"""The frameworks and levels of the store's reference data, indexed: levels by IRI, their
EQF referencings with evidence, QDR aliases and the documented pairings. Read by level
translation (:mod:`microhe.frameworks.levels`), the level parser
(:mod:`microhe.frameworks.parse`), derivation at load time and search."""

from __future__ import annotations

from dataclasses import dataclass, field

from microhe.errors import NotFound
from microhe.store.embedded import Store
from microhe.store.views import Watch, per_store
from microhe.vocab import MHE, SKOS

_CONFIDENCE = {MHE + "Stated": "stated", MHE + "Inferred": "inferred",
               MHE + "Uncertain": "uncertain", MHE + "Disputed": "disputed"}


class UnknownFrameworkError(NotFound):
    """A framework code the reference data does not hold (``valid``: the codes it holds)."""

    def __init__(self, code: str, valid: list[str]):
        super().__init__(f"unknown framework {code!r}; valid codes: {', '.join(valid)}", valid=valid)


class UnknownLevelError(NotFound):
    """A level label the framework does not have (``valid``: its levels)."""

    def __init__(self, framework: str, level: str, valid: list[str]):
        super().__init__(f"unknown level {level!r} of {framework}; valid levels: {', '.join(valid)}", valid=valid)


@dataclass
class Referencing:
    eqf: int | None  # None: a sourced statement that the level is below EQF 1
    confidence: str
    note: str | None
    qualification_types: str | None
    sources: list[str]


@dataclass
class Pairing:
    """A documented pairing of two levels of different frameworks (mhe:LevelPairing): a
    referencing or self-certification that puts them side by side (SCQF 9 ~ NFQ 7,
    FHEQ 6 ~ QF-EHEA first cycle)."""

    other: str  # the other level's IRI
    confidence: str
    note: str | None
    sources: list[str]


@dataclass
class Level:
    iri: str
    framework: str  # code
    label: str
    rank: int
    pref_label: str
    referencings: list[Referencing] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)  # skos:exactMatch / closeMatch concepts (QDR)
    notes: list[str] = field(default_factory=list)
    below: list[Referencing] = field(default_factory=list)  # sourced "below EQF 1" statements (no EQF level)

    @property
    def eqf(self) -> list[int]:
        return sorted({r.eqf for r in self.referencings if r.eqf is not None})  # the others are in `below`

    def brief(self) -> dict:
        return {"framework": self.framework, "level": self.label, "eqf": self.eqf, "iri": self.iri}


@dataclass
class FrameworkIndex:
    """All frameworks and levels of the store's reference data, indexed."""

    frameworks: dict[str, str]  # code -> framework IRI
    names: dict[str, str]       # code -> name
    levels: dict[str, Level]    # level IRI -> Level
    aliases: dict[str, str]     # QDR / exactMatch IRI -> level IRI
    direct: dict[str, list[int]] = field(default_factory=dict)  # other concepts with their own mhe:referencedToEQF
    pairings: dict[str, list[Pairing]] = field(default_factory=dict)  # level IRI -> documented pairings

    def eqf_of(self, level_iri: str) -> list[int]:
        """EQF levels of a declared level IRI: a concept's own referencing first (QDR
        concepts that stand for part of a level, such as 'Level I-Master'), then our
        level it exactly matches."""
        if level_iri in self.direct:
            return self.direct[level_iri]
        lv = self.levels.get(self.aliases.get(level_iri, level_iri))
        return lv.eqf if lv else []

    def codes(self) -> list[str]:
        return list(self.frameworks)

    def framework_code(self, code: str) -> str:
        for c in self.frameworks:
            if c.lower() == code.strip().lower():
                return c
        raise UnknownFrameworkError(code, self.codes())

    def levels_of(self, code: str) -> list[Level]:
        return sorted((lv for lv in self.levels.values() if lv.framework == code), key=lambda lv: lv.rank)

    def find(self, framework: str | None, level: str) -> Level:
        """A level by framework code + bare label, or by IRI (framework may be None then).
        The exact-label lookup of the index; input as people write it goes through
        :func:`microhe.frameworks.parse.parse_level`."""
        level = level.strip()
        if ":" in level and "/" in level:  # an IRI
            iri = self.aliases.get(level, level)
            if iri in self.levels:
                found = self.levels[iri]
                if framework and found.framework != self.framework_code(framework):
                    raise UnknownLevelError(framework, level, [lv.label for lv in self.levels_of(self.framework_code(framework))])
                return found
            raise UnknownLevelError(framework or "any framework", level, ["a level IRI of the reference graph"])
        if framework is None:
            raise UnknownFrameworkError("(none)", self.codes())
        code = self.framework_code(framework)
        wanted = _norm(level)
        for lv in self.levels_of(code):
            if _norm(lv.label) == wanted:
                return lv
        raise UnknownLevelError(code, level, [lv.label for lv in self.levels_of(code)])


def _norm(label: str) -> str:
    s = " ".join(label.lower().replace("_", " ").replace("-", " ").split())
    for prefix in ("level ", "niveau "):
        if s.startswith(prefix):
            s = s[len(prefix):]
    return s.replace(" cycle", "")


_INDEX_QUERY = f"""
PREFIX mhe: <{MHE}> PREFIX skos: <{SKOS}> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?fw ?code ?fwname ?lvl ?label ?rank ?pref ?ref ?eqfnum ?conf ?note ?types ?src ?match ?lnote WHERE {{
  ?fw a mhe:QualificationsFramework ; skos:notation ?code .
  OPTIONAL {{ ?fw skos:prefLabel ?fwname }}
  ?lvl a mhe:FrameworkLevel ; skos:inScheme ?fw ; skos:notation ?label .
  OPTIONAL {{ ?lvl mhe:levelRank ?rank }}
  OPTIONAL {{ ?lvl skos:prefLabel ?pref }}
  OPTIONAL {{ ?lvl skos:note ?lnote }}
  OPTIONAL {{ ?lvl skos:exactMatch ?match }}
  OPTIONAL {{
    ?ref a mhe:LevelReferencing ; mhe:referencedLevel ?lvl .
    OPTIONAL {{ ?ref mhe:eqfLevel ?eqf . ?eqf skos:notation ?eqfnum }}
    OPTIONAL {{ ?ref mhe:confidence ?conf }} OPTIONAL {{ ?ref skos:note ?note }}
    OPTIONAL {{ ?ref mhe:qualificationTypes ?types }} OPTIONAL {{ ?ref dcterms:source ?src }}
  }}
}}"""


#: what the frameworks index reads: it is kept across writes that touch none of it
WATCH = Watch(types=(MHE + "QualificationsFramework", MHE + "FrameworkLevel", MHE + "LevelReferencing",
                     MHE + "LevelPairing"), predicates=(MHE + "referencedToEQF",))


@per_store(watch=WATCH)
def framework_index(store: Store) -> FrameworkIndex:
    """The frameworks and levels of the store's reference data, indexed (built once per store state)."""
    frameworks: dict[str, str] = {}
    names: dict[str, str] = {}
    levels: dict[str, Level] = {}
    refs: dict[str, dict[str, Referencing]] = {}
    aliases: dict[str, str] = {}
    for r in store.query(_INDEX_QUERY):
        code = r["code"].value
        frameworks[code] = r["fw"].value
        if r["fwname"] is not None:
            names[code] = r["fwname"].value
        iri = r["lvl"].value
        lv = levels.get(iri)
        if lv is None:
            rank = int(r["rank"].value) if r["rank"] is not None else 0
            pref = r["pref"].value if r["pref"] is not None else f"{code} {r['label'].value}"
            lv = levels[iri] = Level(iri, code, r["label"].value, rank, pref)
        if r["match"] is not None and r["match"].value not in lv.matches:
            lv.matches.append(r["match"].value)
            if r["match"].value != iri:
                aliases.setdefault(r["match"].value, iri)
        if r["lnote"] is not None and r["lnote"].value not in lv.notes:
            lv.notes.append(r["lnote"].value)
        if r["ref"] is not None and code != "EQF":
            ref = refs.setdefault(iri, {}).get(r["ref"].value)
            if ref is None:
                ref = Referencing(int(r["eqfnum"].value) if r["eqfnum"] is not None else None,
                                  _CONFIDENCE.get(r["conf"].value, "stated") if r["conf"] is not None else "stated",
                                  r["note"].value if r["note"] is not None else None,
                                  r["types"].value if r["types"] is not None else None, [])
                refs[iri][r["ref"].value] = ref
                (lv.referencings if ref.eqf is not None else lv.below).append(ref)
            if r["src"] is not None and r["src"].value not in ref.sources:
                ref.sources.append(r["src"].value)
    for lv in levels.values():
        if lv.framework == "EQF":
            lv.referencings = [Referencing(int(lv.label), "stated", None, None, [])]
        for ref in lv.referencings + lv.below:
            ref.sources.sort()
    direct: dict[str, list[int]] = {}
    for r in store.query(f"PREFIX mhe: <{MHE}> PREFIX skos: <{SKOS}> SELECT ?c ?n WHERE {{ "
                         f"?c mhe:referencedToEQF ?e . ?e skos:notation ?n FILTER NOT EXISTS {{ ?c a mhe:FrameworkLevel }} }}"):
        direct.setdefault(r["c"].value, []).append(int(r["n"].value))
    pairings: dict[str, list[Pairing]] = {}
    found: dict[tuple[str, str], Pairing] = {}
    for r in store.query(_PAIRING_QUERY):
        a, b = r["a"].value, r["b"].value
        if a == b or a not in levels or b not in levels:
            continue
        key = (r["p"].value, a + " " + b)
        pairing = found.get(key)
        if pairing is None:
            conf = _CONFIDENCE.get(r["conf"].value, "stated") if r["conf"] is not None else "stated"
            pairing = found[key] = Pairing(b, conf, r["note"].value if r["note"] is not None else None, [])
            pairings.setdefault(a, []).append(pairing)
        if r["src"] is not None and r["src"].value not in pairing.sources:
            pairing.sources.append(r["src"].value)
    for plist in pairings.values():
        for pairing in plist:
            pairing.sources.sort()
    # EQF first, then the others in alphabetical order.
    order = sorted(frameworks, key=lambda c: (c != "EQF", c != "QF-EHEA", c))
    return FrameworkIndex({c: frameworks[c] for c in order}, names, levels, aliases,
                          {k: sorted(set(v)) for k, v in direct.items()}, pairings)


_PAIRING_QUERY = f"""
PREFIX mhe: <{MHE}> PREFIX skos: <{SKOS}> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?p ?a ?b ?conf ?note ?src WHERE {{
  ?p a mhe:LevelPairing ; mhe:pairedLevel ?a, ?b .
  OPTIONAL {{ ?p mhe:confidence ?conf }} OPTIONAL {{ ?p skos:note ?note }} OPTIONAL {{ ?p dcterms:source ?src }}
}}"""
