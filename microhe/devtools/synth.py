"""Deterministic synthetic data in the microhe model, for benchmarks and scale tests.

``generate(out, credentials=N, seed=S, invalid_rate=R)`` streams a dataset of N
micro-credential specifications (``elm:Qualification``) to ``out`` as N-Triples (``.nt``)
or Turtle (``.ttl``; the same lines under a prefix-free header, N-Triples being Turtle),
shaped exactly like the demo data (``docs/data-model.md``): institutions in the countries
of the bundled frameworks (plus EQF-only countries) with institutional quality assurance,
EQF and/or NQF levels (EU QDR IRIs where QDR has the level, the project's own level IRIs
otherwise) consistent with the bundled EQF referencing, ECTS (or UK/SCQF/US credits)
consistent with notional hours, learning outcomes related to an ESCO-like skill
hierarchy (``skos:broader``/``skos:narrower``), official mode, assessment and ISCED-F
IRIs, some programme-level accreditations and some declared stacks
(``elm:hasPart``/``elm:isPartOf``, parts' ECTS adding up to the whole's).

All IRIs are under ``https://w3id.org/microhe/synth/``; no blank nodes (credit points,
awarding opportunities, assessments and accreditations are IRIs under their
specification), so a violation's focus node is stable across parsers.

With ``invalid_rate`` a known fraction of specifications (``round(N * R)``, chosen with
the same seeded generator) violate one shape of the default profiles each, in rotation:
missing title (council-2022 M2), negative credit points, EQF level inconsistent with the
NQF level's referencing, ECTS vs hours outside tolerance, unknown ISCED-F code
(consistency). Each is listed in a sidecar ``<out>.violations.json`` (focus node, path,
constraint component, profile). Same arguments, same bytes.

One module over 400 lines on purpose: one generator whose parts (institutions, levels,
credits, skills, stacks, deliberate violations) share one random stream and one model;
split apart, they would hand that state around.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from microhe.vocab import COUNTRY, DCTERMS, ECTS, ELM, EQF_LEVEL, ISCED_F, MHE, RDF, SKOS, XSD

SYNTH = "https://w3id.org/microhe/synth/"
SH = "http://www.w3.org/ns/shacl#"
ROV = "http://www.w3.org/ns/regorg#"
CREDIT_SYSTEM = "https://w3id.org/microhe/ref/credit-system/"
MODES = {  # official ELM learning-assessment (mode) concepts
    "online": "http://data.europa.eu/snb/learning-assessment/920fbb3cbe",
    "presential": "http://data.europa.eu/snb/learning-assessment/9191af2ed9",
    "blended": "http://data.europa.eu/snb/learning-assessment/e92d221e4d",
}
ACCREDITATION_TYPES = (  # official ELM accreditation types used by the demo data
    "http://data.europa.eu/snb/accreditation/bb4618238e",
    "http://data.europa.eu/snb/accreditation/820101cba6",
)
#: EQF-only countries (no bundled NQF): institutions there declare EQF levels only.
EQF_ONLY_COUNTRIES = ("AUT", "BEL", "CZE", "DNK", "ESP", "EST", "GRC", "HRV", "HUN", "LVA", "POL", "PRT",
                      "ROU", "SWE", "SVK")
#: An ISCED-F code that is not in the official list (for the unknown-code violation).
UNKNOWN_ISCED = ISCED_F + "0617"

VIOLATION_KINDS = ("missing-title", "negative-credit-points", "eqf-nqf-inconsistent",
                   "ects-hours-mismatch", "unknown-isced-f")

_TOPICS = (
    "data analysis", "machine learning", "statistics", "data visualisation", "cybersecurity",
    "cloud computing", "software testing", "web development", "project management", "digital marketing",
    "supply chain management", "circular economy", "energy efficiency", "renewable energy", "carbon accounting",
    "public health", "nursing practice", "telehealth", "food safety", "sustainable agriculture",
    "urban planning", "building information modelling", "robotics", "embedded systems", "entrepreneurship",
    "innovation management", "academic writing", "intercultural communication", "online teaching",
    "instructional design", "financial literacy", "accounting", "data protection", "research data management",
    "user experience design", "geographic information systems", "logistics", "quality management",
    "leadership", "mediation",
)
_VERBS = ("apply", "analyse", "design", "evaluate", "manage", "implement", "communicate", "plan", "assess",
          "develop", "monitor", "document")
_QUALIFIERS = ("Foundations of", "Applied", "Advanced", "Introduction to", "Practical", "Professional",
               "Strategic", "Essentials of", "Research methods in", "Digital")
_ISCED_FOR_TOPIC = ("0542", "0613", "0542", "0613", "0612", "0612", "0613", "0612", "0413", "0414",
                    "0413", "0521", "0713", "0713", "0411", "0915", "0913", "0914", "0721", "0811",
                    "0731", "0732", "0714", "0714", "0413", "0413", "0232", "0312", "0111", "0111",
                    "0412", "0411", "0421", "0322", "0213", "0532", "1041", "0413", "0413", "0388")
_UNI_NAMES = ("University", "University of Applied Sciences", "Institute of Technology", "College",
              "Business School", "Technical University", "Open University")
_PLACES = ("Aldmoor", "Brenwick", "Castelra", "Dunmere", "Eskvale", "Farrowby", "Glenhaven", "Holmstead",
           "Ivrea Nova", "Jorvik", "Kestrel", "Lindqvist", "Marrow Bay", "Northwold", "Oakhurst", "Pellaro",
           "Quarrington", "Rosenau", "Stavholm", "Tarnowa", "Ulmbridge", "Valbrena", "Westerlo", "Zelmont")


def _iri(s: str) -> str:
    return f"<{s}>"


def _lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{esc}"@{lang}'
    if datatype:
        return f'"{esc}"^^<{datatype}>'
    return f'"{esc}"'


_A = _iri(RDF + "type")
_TITLE = _iri(DCTERMS + "title")
_DESC = _iri(DCTERMS + "description")
_DTYPE = _iri(DCTERMS + "type")


@dataclass
class Level:
    iri: str  # what a specification declares (QDR IRI where one exists, else the level IRI)
    eqf: tuple[int, ...]


@dataclass
class Reference:
    """What the generator takes from the bundled reference data."""

    frameworks: dict[str, list[Level]]  # code -> levels referenced to at least one EQF level
    countries: dict[str, list[str]]  # ISO alpha-3 -> framework codes
    isced: list[str]  # 4-digit ISCED-F code IRIs
    assessments: list[str]


@cache
def reference() -> Reference:
    import pyoxigraph as ox

    from microhe.kg.bundled import reference_graphs

    st = ox.Store()
    for b in reference_graphs():
        st.extend(b.quads())

    def q(text: str):
        return st.query(text, use_default_graph_as_union=True)

    levels: dict[str, dict[str, Level]] = {}
    for r in q(f"""PREFIX skos: <{SKOS}> PREFIX mhe: <{MHE}>
        SELECT ?code ?lvl ?qdr ?eqf WHERE {{
            ?fw a mhe:QualificationsFramework ; skos:notation ?code .
            ?lvl skos:inScheme ?fw ; mhe:referencedToEQF ?eqf .
            OPTIONAL {{ ?lvl skos:exactMatch ?qdr FILTER(STRSTARTS(STR(?qdr), "http://data.europa.eu/snb/qdr/")) }}
            FILTER(?code NOT IN ("EQF", "QF-EHEA"))
        }}"""):
        code = r["code"].value
        declared = r["qdr"].value if r["qdr"] is not None else r["lvl"].value
        lvl = levels.setdefault(code, {}).setdefault(declared, Level(declared, ()))
        e = int(r["eqf"].value.rsplit("/", 1)[-1])
        if e not in lvl.eqf:
            lvl.eqf = tuple(sorted((*lvl.eqf, e)))
    frameworks = {c: sorted(v.values(), key=lambda lv: lv.iri) for c, v in sorted(levels.items())}
    countries: dict[str, list[str]] = {}
    for r in q(f"""PREFIX skos: <{SKOS}> PREFIX mhe: <{MHE}> PREFIX dcterms: <{DCTERMS}>
        SELECT ?code ?c WHERE {{ ?fw a mhe:QualificationsFramework ; skos:notation ?code ; dcterms:spatial ?c }}"""):
        if r["code"].value in frameworks:
            countries.setdefault(r["c"].value.rsplit("/", 1)[-1], []).append(r["code"].value)
    isced = sorted(r["c"].value for r in q(f"""PREFIX skos: <{SKOS}>
        SELECT ?c WHERE {{ ?c skos:inScheme <{ISCED_F}25831c2> ; skos:notation ?n FILTER(STRLEN(STR(?n)) = 4) }}"""))
    assessments = sorted(r["c"].value for r in q(f"""PREFIX skos: <{SKOS}>
        SELECT ?c WHERE {{ ?c skos:inScheme <http://data.europa.eu/snb/assessment/25831c2> }}"""))
    return Reference(frameworks, {k: sorted(v) for k, v in sorted(countries.items())}, isced, assessments)


@dataclass
class Stats:
    credentials: int = 0
    institutions: int = 0
    skills: int = 0
    triples: int = 0
    stacks: int = 0
    invalid: int = 0
    violations: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in ("credentials", "institutions", "skills", "triples", "stacks",
                                               "invalid")}


def _hours(h: float) -> str:
    return f"PT{int(h)}H" if float(h).is_integer() else f"PT{h:g}H"


def _points(x: float) -> str:
    return f"{x:g}"


class _Gen:
    def __init__(self, n: int, seed: int, invalid_rate: float):
        self.n = n
        self.rng = random.Random(seed)
        self.ref = reference()
        self.stats = Stats()
        self.invalid_rate = invalid_rate

    # -- skills ------------------------------------------------------------------------
    def skills(self) -> Iterator[tuple[str, str, str]]:
        rng = self.rng
        n_skills = max(60, min(20_000, self.n // 5))
        scheme = _iri(SYNTH + "skills")
        yield scheme, _A, _iri(SKOS + "ConceptScheme")
        yield scheme, _iri(SKOS + "prefLabel"), _lit("Synthetic ESCO-like skills (synthetic data)", "en")
        self.skill_by_topic: list[list[str]] = [[] for _ in _TOPICS]
        self.skill_list: list[str] = []
        tops = []
        for t, topic in enumerate(_TOPICS):  # level 1: one per topic
            s = SYNTH + f"skill/{t}"
            tops.append(s)
            self.skill_by_topic[t].append(s)
            self.skill_list.append(s)
            yield _iri(s), _A, _iri(SKOS + "Concept")
            yield _iri(s), _iri(SKOS + "prefLabel"), _lit(topic, "en")
            yield _iri(s), _iri(SKOS + "inScheme"), scheme
            yield _iri(s), _iri(SKOS + "topConceptOf"), scheme
        parents = [(t, s) for t, s in enumerate(tops)]
        i = len(tops)
        while i < n_skills:
            # levels 2 and 3: each new skill hangs below an earlier one of the first two levels
            t, parent = parents[rng.randrange(len(parents))]
            s = SYNTH + f"skill/{i}"
            label = f"{rng.choice(_VERBS)} {_TOPICS[t]} ({i})"
            yield _iri(s), _A, _iri(SKOS + "Concept")
            yield _iri(s), _iri(SKOS + "prefLabel"), _lit(label, "en")
            yield _iri(s), _iri(SKOS + "inScheme"), scheme
            yield _iri(s), _iri(SKOS + "broader"), _iri(parent)
            yield _iri(parent), _iri(SKOS + "narrower"), _iri(s)
            if len(parents) < len(tops) * 6:
                parents.append((t, s))
            self.skill_by_topic[t].append(s)
            self.skill_list.append(s)
            i += 1
        self.stats.skills = n_skills

    # -- institutions ------------------------------------------------------------------
    def institutions(self) -> Iterator[tuple[str, str, str]]:
        rng = self.rng
        n_inst = max(12, min(5_000, self.n // 40))
        # a country with a bundled NQF (issue 22 added most of the EU) is not EQF-only as well
        countries = list(self.ref.countries) + [c for c in EQF_ONLY_COUNTRIES if c not in self.ref.countries]
        self.insts: list[tuple[str, str, str]] = []  # (iri, country, accreditation iri)
        for cc in countries:  # one QA agency per country
            qa = SYNTH + f"org/qa-{cc.lower()}"
            yield from self._org(qa, f"Synthetic Quality Assurance Agency {cc}", cc)
        for i in range(n_inst):
            cc = countries[i] if i < len(countries) else rng.choice(countries)
            org = SYNTH + f"org/{i}"
            name = f"{rng.choice(_PLACES)} {rng.choice(_UNI_NAMES)} {i} (synthetic)"
            yield from self._org(org, name, cc)
            acc = SYNTH + f"accreditation/{i}-iqa"
            yield _iri(acc), _A, _iri(ELM + "Accreditation")
            yield _iri(acc), _TITLE, _lit(f"Institutional quality assurance of {name}", "en")
            yield _iri(acc), _DTYPE, _iri(ACCREDITATION_TYPES[0])
            yield _iri(acc), _iri(ELM + "accreditingAgent"), _iri(SYNTH + f"org/qa-{cc.lower()}")
            yield _iri(acc), _iri(ELM + "organisation"), _iri(org)
            self.insts.append((org, cc, acc))
        self.stats.institutions = n_inst

    def _org(self, org: str, name: str, cc: str) -> Iterator[tuple[str, str, str]]:
        o = _iri(org)
        yield o, _A, _iri(ELM + "Organisation")
        yield o, _iri(ROV + "legalName"), _lit(name, "en")
        yield o, _iri(SKOS + "prefLabel"), _lit(name, "en")
        yield o, _iri(ELM + "location"), _iri(org + "/location")
        yield _iri(org + "/location"), _A, _iri(DCTERMS + "Location")
        yield _iri(org + "/location"), _iri(ELM + "address"), _iri(org + "/address")
        yield _iri(org + "/address"), _A, _iri(ELM + "Address")
        yield _iri(org + "/address"), _iri(ELM + "countryCode"), _iri(COUNTRY + cc)

    # -- specifications ----------------------------------------------------------------
    def specifications(self) -> Iterator[tuple[str, str, str]]:
        for _i, triple in self.indexed_specifications():
            yield triple

    def indexed_specifications(self) -> Iterator[tuple[int, tuple[str, str, str]]]:
        """(specification index, triple) for every triple of every specification."""
        rng = self.rng
        n = self.n
        # stacks: blocks of 3 parts + 1 whole starting at every 40th index
        stack_members: dict[int, tuple[int, list[int]]] = {}  # index -> (whole index, parts)
        for start in range(0, n - 3, 40):
            parts, whole = [start, start + 1, start + 2], start + 3
            for k in (*parts, whole):
                stack_members[k] = (whole, parts)
        eligible = [i for i in range(n) if i not in stack_members]
        n_invalid = min(len(eligible), round(n * self.invalid_rate))
        invalid = sorted(rng.sample(eligible, n_invalid)) if n_invalid else []
        kind_of = {i: VIOLATION_KINDS[k % len(VIOLATION_KINDS)] for k, i in enumerate(invalid)}
        self.stats.invalid = n_invalid
        stack_ects: dict[int, float] = {}
        stack_inst: dict[int, tuple] = {}
        for i in range(n):
            member = stack_members.get(i)
            if member is not None:
                whole, parts = member
                if whole not in stack_inst:
                    stack_inst[whole] = rng.choice(self.insts)
                inst = stack_inst[whole]
            elif kind_of.get(i) == "eqf-nqf-inconsistent":  # needs a country with an NQF
                inst = rng.choice([x for x in self.insts if x[1] in self.ref.countries])
            else:
                inst = rng.choice(self.insts)
            for triple in self._spec(i, inst, kind_of.get(i), member, stack_ects):
                yield i, triple
        self.stats.credentials = n
        self.stats.stacks = len({w for w, _ in stack_members.values()})

    def _spec(self, i: int, inst, kind: str | None, member, stack_ects: dict[int, float]):
        rng = self.rng
        org, cc, inst_acc = inst
        spec = SYNTH + f"credential/{i}"
        s = _iri(spec)
        t = rng.randrange(len(_TOPICS))
        topic = _TOPICS[t]
        title = f"{rng.choice(_QUALIFIERS)} {topic}"
        yield s, _A, _iri(ELM + "Qualification")
        if kind != "missing-title":
            yield s, _TITLE, _lit(title, "en")
        yield s, _DESC, _lit(f"Synthetic data, generated offer {i}: {title.lower()} for professionals "
                             f"({rng.choice(_VERBS)}, {rng.choice(_VERBS)}).", "en")
        ao = spec + "/awarding"
        yield s, _iri(ELM + "awardingOpportunity"), _iri(ao)
        yield _iri(ao), _A, _iri(ELM + "AwardingOpportunity")
        yield _iri(ao), _iri(ELM + "awardingBody"), _iri(org)
        # learning outcomes
        for k in range(1, rng.randint(1, 4) + 1):
            lo = _iri(f"{spec}/outcome/{k}")
            pool = self.skill_by_topic[t] if rng.random() < 0.85 else self.skill_list
            skill = pool[rng.randrange(len(pool))]
            yield s, _iri(ELM + "learningOutcome"), lo
            yield lo, _A, _iri(ELM + "LearningOutcome")
            yield lo, _TITLE, _lit(f"{rng.choice(_VERBS).capitalize()} {topic} in practice", "en")
            yield lo, _iri(ELM + "relatedESCOSkill"), _iri(skill)
        # levels
        frameworks = self.ref.countries.get(cc, [])
        declared_nqf: Level | None = None
        eqf: int | None = None
        r = rng.random()
        if frameworks and (r < 0.75 or kind == "eqf-nqf-inconsistent"):
            code = rng.choice(frameworks)
            levels = [lv for lv in self.ref.frameworks[code] if max(lv.eqf) >= 4] or self.ref.frameworks[code]
            if kind == "eqf-nqf-inconsistent":
                levels = [lv for lv in levels if len(lv.eqf) == 1] or levels
            declared_nqf = rng.choice(levels)
            if r < 0.4 or kind == "eqf-nqf-inconsistent":
                eqf = rng.choice(declared_nqf.eqf)
        else:
            eqf = rng.choice((4, 5, 5, 6, 6, 6, 7, 7, 8))
        if kind == "eqf-nqf-inconsistent":
            assert declared_nqf is not None, "the inconsistent kind is drawn for countries with a framework"
            eqf = next(e for e in (6, 7, 5, 4, 8) if e not in declared_nqf.eqf)
        if eqf is not None:
            yield s, _iri(ELM + "EQFLevel"), _iri(f"{EQF_LEVEL}{eqf}")
        if declared_nqf is not None:
            yield s, _iri(ELM + "NQFLevel"), _iri(declared_nqf.iri)
        # credits and workload
        if member is not None and i == member[0]:
            ects = sum(stack_ects[p] for p in member[1])
            system = "ECTS"
        else:
            ects = rng.choice((1, 2, 2.5, 3, 3, 4, 5, 5, 5, 6, 7.5, 10))
            u = rng.random()
            if member is not None:
                system = "ECTS"
            elif cc == "GBR" and u < 0.5:
                system = "SCQF" if "SCQF" in frameworks and u < 0.2 else "UK"
            elif u < 0.04:
                system = "US-SCH"
            elif u < 0.08:
                system = "HOURS-ONLY"
            else:
                system = "ECTS"
            if kind in ("negative-credit-points", "ects-hours-mismatch"):
                system = "ECTS"
        if member is not None:
            stack_ects[i] = ects
        per_ects = 25 if cc == "MLT" else rng.randint(25, 30)
        if system == "ECTS":
            hours = ects * per_ects
            points = _points(ects)
            if kind == "negative-credit-points":
                points = "-" + points
            if kind == "ects-hours-mismatch":
                hours = ects * 40
            fw = ECTS
        elif system in ("UK", "SCQF"):
            credits = rng.choice((5, 10, 10, 15, 20, 30))
            hours, points, fw = credits * 10, str(credits), CREDIT_SYSTEM + system
        elif system == "US-SCH":
            credits = rng.choice((1, 2, 3))
            hours, points, fw = credits * 45, str(credits), CREDIT_SYSTEM + "US-SCH"
        else:
            hours, points, fw = ects * per_ects, None, None
        if points is not None and fw is not None:  # given together
            cp = _iri(spec + "/credit/1")
            yield s, _iri(ELM + "creditPoint"), cp
            yield cp, _A, _iri(ELM + "CreditPoint")
            yield cp, _iri(ELM + "framework"), _iri(fw)
            yield cp, _iri(ELM + "point"), _lit(points)
        if kind != "negative-credit-points":
            # (a negative ECTS figure next to a duration crashes rdflib's SPARQL evaluation of the
            # consistency profile's ECTS-vs-hours constraint: its BINDs run before its FILTER)
            yield s, _iri(ELM + "volumeOfLearning"), _lit(_hours(round(hours, 1)), datatype=XSD + "duration")
        # assessment, mode, QA, field
        asmt = _iri(spec + "/assessment/1")
        yield s, _iri(ELM + "provenBy"), asmt
        yield asmt, _A, _iri(ELM + "LearningAssessmentSpecification")
        yield asmt, _TITLE, _lit(f"Assessment of {topic}", "en")
        yield asmt, _DTYPE, _iri(rng.choice(self.ref.assessments))
        yield s, _iri(ELM + "mode"), _iri(MODES[rng.choice(("online", "online", "presential", "blended"))])
        yield s, _iri(ELM + "accreditation"), _iri(inst_acc)
        if rng.random() < 0.25:
            acc = _iri(spec + "/accreditation")
            yield s, _iri(ELM + "accreditation"), acc
            yield acc, _A, _iri(ELM + "Accreditation")
            yield acc, _TITLE, _lit(f"Programme accreditation of {title}", "en")
            yield acc, _DTYPE, _iri(ACCREDITATION_TYPES[1])
            yield acc, _iri(ELM + "accreditingAgent"), _iri(SYNTH + f"org/qa-{cc.lower()}")
            yield acc, _iri(ELM + "limitQualification"), s
        isced = UNKNOWN_ISCED if kind == "unknown-isced-f" else ISCED_F + _ISCED_FOR_TOPIC[t]
        if isced != UNKNOWN_ISCED and isced not in self._isced_set():
            isced = self.ref.isced[t % len(self.ref.isced)]
        yield s, _iri(ELM + "ISCEDFCode"), _iri(isced)
        # stacks
        if member is not None:
            whole, parts = member
            if i == whole:
                for p in parts:
                    yield s, _iri(ELM + "hasPart"), _iri(SYNTH + f"credential/{p}")
            else:
                yield s, _iri(ELM + "isPartOf"), _iri(SYNTH + f"credential/{whole}")
        if kind is not None:
            self.stats.violations.append(self._violation(spec, kind, eqf, declared_nqf))

    @cache  # noqa: B019 - one generator object per run: the cache dies with it
    def _isced_set(self) -> frozenset[str]:
        return frozenset(self.ref.isced)

    @staticmethod
    def _violation(spec: str, kind: str, eqf, nqf) -> dict:
        v = {"record": spec, "kind": kind}
        if kind == "missing-title":
            v.update(focus_node=spec, path=DCTERMS + "title", constraint=SH + "MinCountConstraintComponent",
                     profile="council-2022")
        elif kind == "negative-credit-points":
            v.update(focus_node=spec + "/credit/1", path=ELM + "point", constraint=SH + "PatternConstraintComponent",
                     profile="consistency")
        elif kind == "eqf-nqf-inconsistent":
            v.update(focus_node=spec, path=ELM + "EQFLevel", constraint=SH + "SPARQLConstraintComponent",
                     profile="consistency", value=f"{EQF_LEVEL}{eqf}", nqf=nqf.iri)
        elif kind == "ects-hours-mismatch":
            v.update(focus_node=spec, path=ELM + "volumeOfLearning", constraint=SH + "SPARQLConstraintComponent",
                     profile="consistency")
        elif kind == "unknown-isced-f":
            v.update(focus_node=spec, path=ELM + "ISCEDFCode", constraint=SH + "NodeConstraintComponent",
                     profile="consistency", value=UNKNOWN_ISCED)
        return v

    def triples(self) -> Iterator[tuple[str, str, str]]:
        yield from self.skills()
        yield from self.institutions()
        yield from self.specifications()


def violations_path(out: str | Path) -> Path:
    return Path(str(out) + ".violations.json")


def shard_paths(out: str | Path, shards: int) -> list[Path]:
    """The files ``generate(out, ..., shards=K)`` writes: ``out`` itself for one shard,
    else ``<stem>-<k><suffix>`` for k = 1..K (zero-padded)."""
    out = Path(out)
    if shards == 1:
        return [out]
    width = len(str(shards))
    return [out.with_name(f"{out.stem}-{k:0{width}d}{out.suffix}") for k in range(1, shards + 1)]


def generate(out: str | Path, *, credentials: int, seed: int = 0, invalid_rate: float = 0.0,
             shards: int = 1) -> Stats:
    """Write the dataset to ``out`` (N-Triples for ``.nt``, Turtle for ``.ttl``) and, when
    ``invalid_rate`` > 0, the sidecar ``<out>.violations.json``. Returns the counts.

    ``shards=K`` splits the same dataset (same seed, same specifications) into K files
    (:func:`shard_paths`), each loadable and valid on its own, as a national database
    split into batches would be: every shard repeats the skill hierarchy and the
    institutions, and holds a contiguous run of specifications cut at a multiple of 40,
    so declared stacks never straddle two shards. ``Stats.triples`` counts every line
    written (the repeated ones once per shard)."""
    if credentials < 1:
        raise ValueError("credentials must be at least 1")
    if not 0.0 <= invalid_rate <= 1.0:
        raise ValueError("invalid rate must be between 0 and 1")
    if not 1 <= shards <= max(1, credentials // 40):
        raise ValueError(f"shards must be between 1 and {max(1, credentials // 40)} (40 specifications per shard)")
    out = Path(out)
    if out.suffix not in (".nt", ".ttl"):
        raise ValueError(f"{out}: the output file must end in .nt (N-Triples) or .ttl (Turtle)")
    gen = _Gen(credentials, seed, invalid_rate)
    paths = shard_paths(out, shards)
    # specification index where each shard after the first starts
    starts = [(k * credentials // shards) // 40 * 40 for k in range(1, shards)]
    files = [open(p, "w", encoding="utf-8", newline="\n", buffering=1 << 20) for p in paths]
    n = 0
    try:
        if out.suffix == ".ttl":
            for f in files:
                f.write(f"# microhe synthetic data (not real offers): {credentials} specifications, seed {seed}, "
                        f"invalid rate {invalid_rate}\n")
        common = "".join(f"{s} {p} {o} .\n" for s, p, o in (*gen.skills(), *gen.institutions()))
        for f in files:
            f.write(common)
        n += common.count("\n") * len(files)
        shard = 0
        buf: list[str] = []
        for i, (s, p, o) in gen.indexed_specifications():
            if shard < len(starts) and i >= starts[shard]:
                files[shard].write("".join(buf))
                buf.clear()
                shard += 1
            buf.append(f"{s} {p} {o} .\n")
            n += 1
            if len(buf) >= 10_000:
                files[shard].write("".join(buf))
                buf.clear()
        files[shard].write("".join(buf))
    finally:
        for f in files:
            f.close()
    gen.stats.triples = n
    side = violations_path(out)
    if invalid_rate > 0:
        side.write_text(json.dumps({"file": out.name, "credentials": credentials, "seed": seed,
                                    "invalid_rate": invalid_rate, "invalid": gen.stats.invalid,
                                    "violations": gen.stats.violations}, indent=1) + "\n", encoding="utf-8")
    elif side.exists():
        side.unlink()
    return gen.stats
