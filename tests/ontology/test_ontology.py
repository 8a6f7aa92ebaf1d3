"""The OWL ontology (microhe/ontology/): documentation habits, alignments, the MicroHE 2018
field mapping, and HermiT consistency through microhe.devtools.reasoner.

Expected values come from outside the files under test: the MicroHE 2018 field list is
written here from shared/design/domain.md section 1 (plus the fields the draft itself has
that domain.md's summary leaves out, from the draft text), and alignment targets are checked
against the official vocabularies in shared/anchors/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SKOS
from rdflib.plugins.sparql import prepareQuery

from microhe.devtools import reasoner
from microhe.vocab import MHE

ROOT = Path(__file__).parents[2]
ONTOLOGY_DIR = ROOT / "microhe" / "ontology"
FIXTURES = Path(__file__).parent / "fixtures"
ANCHORS = ROOT / ".." / "shared" / "anchors"

ONTOLOGY_IRI = URIRef("https://w3id.org/microhe/ontology")
MHE_NS = Namespace(MHE)
ELM = "http://data.europa.eu/snb/model/elm/"
SCHEMA = "https://schema.org/"
CTDL = "https://purl.org/ctdl/terms/"
OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
DRAFT_BASE = "https://w3id.org/microhe/ontology/alignments/microhe-2018/"

SKOS_MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
OWL_MAPPINGS = (OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf)
DECLARATION_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
}
ALIGNMENT_NAMES = ("schemaorg", "ctdl", "openbadges3", "microhe-2018")

# Prefixes that mhe:mappingPath values may use (those of docs/data-model.md, plus adms:).
PATH_PREFIXES = {
    "mhe": MHE,
    "elm": ELM,
    "cred": "https://www.w3.org/2018/credentials#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "adms": "http://www.w3.org/ns/adms#",
    "rov": "http://www.w3.org/ns/regorg#",
}


def _parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@pytest.fixture(scope="session")
def core() -> Graph:
    return _parse(ONTOLOGY_DIR / "core.ttl")


@pytest.fixture(scope="session")
def alignments() -> dict[str, Graph]:
    return {name: _parse(ONTOLOGY_DIR / "alignments" / f"{name}.ttl") for name in ALIGNMENT_NAMES}


@pytest.fixture(scope="session")
def draft(alignments) -> Graph:
    return alignments["microhe-2018"]


def _all_mhe_iris(graph: Graph) -> set[URIRef]:
    return {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(MHE)}


# ---------------------------------------------------------------------------------------
# Files and documentation habits
# ---------------------------------------------------------------------------------------


def _ttl_files() -> list[Path]:
    return sorted(ONTOLOGY_DIR.rglob("*.ttl")) + sorted(FIXTURES.glob("*.ttl"))


@pytest.mark.parametrize("path", _ttl_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_turtle_file_starts_with_a_header_naming_its_iri_and_imports(path):
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    assert len(header) >= 3, f"{path.name}: no comment header"
    joined = "\n".join(header)
    assert "IRI:" in joined, f"{path.name}: header does not give the file's IRI"
    assert "Imports:" in joined, f"{path.name}: header does not state its imports"


@pytest.mark.parametrize("path", _ttl_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_turtle_file_parses(path):
    assert len(_parse(path)) > 0


def test_core_declares_the_terms_the_data_model_contract_names(core):
    named = """QualificationsFramework FrameworkLevel LevelReferencing referencedLevel eqfLevel
        confidence ReferencingConfidence Stated Inferred Uncertain Disputed qualificationTypes
        levelRank referencedToEQF typicalECTSMin typicalECTSMax CreditSystem hoursPerCreditMin
        hoursPerCreditMax CreditConversionRule sourceSystem targetSystem conversionFactor basis
        ConversionBasis NotionalHoursBasis ConventionBasis disputed
        Load targetGraph sha256 tripleCount validationProfile ValidationProfile sourceName
        derivedEQFLevel derivedECTS derivedECTSMin derivedECTSMax
        RecognitionDecision recognisedSpecification recognisingInstitution recognitionPurpose
        AccessPurpose CreditTransferPurpose FullRecognitionPurpose recognitionOutcome Recognise
        RecognisePartially SubstantialDifferences NeedsInformation creditedECTS basedOnComparison
        Comparison CriterionResult criterion substantial requiresIdentityVerification
        requiresQualityAssurance StackabilityRule CreditSupplement""".split()
    declared = {s for s in core.subjects(RDF.type, None) if isinstance(s, URIRef)}
    missing = [n for n in named if MHE_NS[n] not in declared]
    assert not missing


def test_core_subclasses_follow_the_contract(core):
    assert (MHE_NS.QualificationsFramework, RDFS.subClassOf, SKOS.ConceptScheme) in core
    assert (MHE_NS.FrameworkLevel, RDFS.subClassOf, SKOS.Concept) in core
    assert (MHE_NS.CreditSystem, RDFS.subClassOf, SKOS.Concept) in core
    prov = Namespace("http://www.w3.org/ns/prov#")
    assert (MHE_NS.Load, RDFS.subClassOf, prov.Activity) in core
    assert (MHE_NS.RecognitionDecision, RDFS.subClassOf, prov.Entity) in core
    xsd = Namespace("http://www.w3.org/2001/XMLSchema#")
    assert (MHE_NS.levelRank, RDFS.range, xsd.integer) in core
    assert (MHE_NS.disputed, RDFS.range, xsd.boolean) in core
    assert (MHE_NS.derivedECTS, RDFS.range, xsd.decimal) in core


def test_every_core_term_has_an_english_label_and_definition_and_is_defined_by_the_ontology(core):
    terms = {s for s in core.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(MHE)}
    assert len(terms) > 80
    problems = []
    for term in sorted(terms):
        labels = list(core.objects(term, RDFS.label))
        definitions = list(core.objects(term, SKOS.definition))
        if not labels or any(not isinstance(x, Literal) or x.language != "en" for x in labels):
            problems.append(f"{term}: rdfs:label missing or not @en")
        if not definitions or any(not isinstance(x, Literal) or x.language != "en" for x in definitions):
            problems.append(f"{term}: skos:definition missing or not @en")
        if list(core.objects(term, RDFS.isDefinedBy)) != [ONTOLOGY_IRI]:
            problems.append(f"{term}: rdfs:isDefinedBy is not <{ONTOLOGY_IRI}>")
    assert not problems, "\n".join(problems)


def test_every_core_term_is_listed_in_the_ontology_readme(core):
    readme = (ONTOLOGY_DIR / "README.md").read_text(encoding="utf-8")
    terms = {s for s in core.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(MHE)}
    missing = sorted(t for t in terms if f"`mhe:{t[len(MHE):]}`" not in readme)
    assert not missing


def test_core_annotations_come_in_the_agreed_order():
    """rdfs:label, skos:definition, then rdfs:comment / skos:scopeNote, then rdfs:isDefinedBy."""
    text = (ONTOLOGY_DIR / "core.ttl").read_text(encoding="utf-8")
    blocks = re.findall(r"^(mhe:\w+)\n(.*?)\s\.\n", text, flags=re.S | re.M)
    assert len(blocks) > 80
    rank = {"rdfs:label": 0, "skos:definition": 1, "rdfs:comment": 2, "skos:scopeNote": 2, "rdfs:isDefinedBy": 3}
    problems = []
    for name, body in blocks:
        seen = [rank[m] for m in re.findall(r"^\s+(rdfs:label|skos:definition|rdfs:comment|skos:scopeNote|rdfs:isDefinedBy)\b", body, flags=re.M)]  # noqa: E501 - data kept on one line
        if seen != sorted(seen) or seen[:2] != [0, 1] or seen[-1] != 3:
            problems.append(name)
    assert not problems, f"annotations out of order: {problems}"


def test_every_value_set_member_has_a_code_unique_in_its_set(core):
    """Named individuals (confidence, basis, purpose, outcome, criterion, awarding method)
    carry skos:notation, the code the CLI and API use."""
    members = [s for s in core.subjects(RDF.type, OWL.NamedIndividual) if str(s).startswith(MHE)]
    assert len(members) >= 20
    by_set: dict[URIRef, list[str]] = {}
    for member in members:
        codes = [str(c) for c in core.objects(member, SKOS.notation)]
        assert len(codes) == 1, member
        for cls in core.objects(member, RDF.type):
            if cls != OWL.NamedIndividual:
                by_set.setdefault(cls, []).extend(codes)
    for cls, codes in by_set.items():
        assert len(codes) == len(set(codes)), cls


def test_every_mhe_iri_used_anywhere_is_declared_in_core(core, alignments):
    declared = {s for s in core.subjects(RDF.type, None) if isinstance(s, URIRef)}
    used = _all_mhe_iris(core)
    for graph in alignments.values():
        used |= _all_mhe_iris(graph)
    for path in FIXTURES.glob("*.ttl"):
        used |= _all_mhe_iris(_parse(path))
    used |= _all_mhe_iris(_parse(ONTOLOGY_DIR / "imports" / "elm-terms.ttl"))
    assert sorted(used - declared) == []


def test_core_has_no_owl_imports_and_no_symmetric_part_of_axioms():
    graph = reasoner.ontology_graph(alignments=True)
    assert list(graph.triples((None, OWL.imports, None))) == []
    for name in ("isPartOf", "hasPart", "specialisationOf"):
        assert (URIRef(ELM + name), RDF.type, OWL.SymmetricProperty) not in graph


def test_ontology_graph_reads_core_and_the_local_term_declarations_from_the_package(core):
    graph = reasoner.ontology_graph()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert (URIRef(ELM + "Qualification"), RDFS.subClassOf, URIRef(ELM + "LearningAchievementSpecification")) in graph
    assert len(graph) > len(core)


def test_declared_elm_terms_exist_in_the_official_elm_ontology():
    elm_ttl = ANCHORS / "elm" / "v3.1-master" / "ontology" / "ELM.ttl"
    if not elm_ttl.exists():
        pytest.skip("shared/anchors not available")
    official = {s for s in _parse(elm_ttl).subjects() if isinstance(s, URIRef)}
    declared = {s for s in _parse(ONTOLOGY_DIR / "imports" / "elm-terms.ttl").subjects(RDF.type, None) if str(s).startswith(ELM)}
    assert declared and declared <= official


# ---------------------------------------------------------------------------------------
# Alignments
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALIGNMENT_NAMES)
def test_alignment_file_is_its_own_ontology_and_mints_no_terms(name, alignments):
    graph = alignments[name]
    assert (URIRef(f"https://w3id.org/microhe/ontology/alignments/{name}"), RDF.type, OWL.Ontology) in graph
    assert list(graph.triples((None, OWL.imports, None))) == []
    for s, p, _ in graph:
        if str(s).startswith(MHE):
            assert p not in (RDF.type, RDFS.label, SKOS.definition, RDFS.isDefinedBy), f"{name} annotates core term {s}"


@pytest.mark.parametrize("name", ALIGNMENT_NAMES)
def test_every_mapping_target_is_an_iri(name, alignments):
    graph = alignments[name]
    mappings = [(s, p, o) for p in SKOS_MAPPINGS + OWL_MAPPINGS for s, o in graph.subject_objects(p)]
    assert mappings, f"{name} has no mappings"
    assert [m for m in mappings if not isinstance(m[2], URIRef)] == []


@pytest.mark.parametrize(
    "name, namespace",
    [("schemaorg", SCHEMA), ("ctdl", CTDL), ("openbadges3", OB)],
)
def test_standard_alignments_map_elm_or_mhe_terms_into_their_standard(name, namespace, alignments):
    graph = alignments[name]
    for p in SKOS_MAPPINGS + OWL_MAPPINGS:
        for s, o in graph.subject_objects(p):
            assert str(s).startswith((ELM, MHE)), s
            assert str(o).startswith(namespace), o


def _vocabulary(name: str) -> set[str]:
    """IRIs of the standard's terms as found in shared/anchors (the official artefacts)."""
    if name == "schemaorg":
        graph = _parse(ANCHORS / "schemaorg" / "schemaorg-credential-subset.ttl")
        return {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    if name == "openbadges3":
        terms = {str(s) for s in _parse(ANCHORS / "openbadges3-clr2" / "vocab" / "vocab.ttl").subjects()}
        context = json.loads((ANCHORS / "openbadges3-clr2" / "contexts" / "context-3.0.3.json").read_text())
        for value in context["@context"].values():
            iri = value.get("@id") if isinstance(value, dict) else value
            if isinstance(iri, str):
                terms.add(iri)
        return terms
    terms = set()
    for path in (ANCHORS / "ctdl").rglob("*.json"):
        terms |= {CTDL + t for t in re.findall(r"ceterms:(\w+)", path.read_text(encoding="utf-8", errors="replace"))}
    return terms


@pytest.mark.parametrize("name", ["schemaorg", "ctdl", "openbadges3"])
def test_alignment_targets_exist_in_the_official_vocabulary(name, alignments):
    if not ANCHORS.exists():
        pytest.skip("shared/anchors not available")
    vocabulary = _vocabulary(name)
    graph = alignments[name]
    targets = {str(o) for p in SKOS_MAPPINGS + OWL_MAPPINGS for o in graph.objects(None, p)}
    assert sorted(targets - vocabulary) == []


def test_alignment_sources_in_elm_exist_in_the_official_elm_ontology(alignments):
    elm_ttl = ANCHORS / "elm" / "v3.1-master" / "ontology" / "ELM.ttl"
    if not elm_ttl.exists():
        pytest.skip("shared/anchors not available")
    official = {str(s) for s in _parse(elm_ttl).subjects()}
    used = set()
    for graph in alignments.values():
        used |= {str(t) for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(ELM)}
    assert sorted(used - official) == []


# ---------------------------------------------------------------------------------------
# MicroHE 2018 draft metadata standard: every field mapped or marked unmapped
# ---------------------------------------------------------------------------------------

# From shared/design/domain.md section 1, per section (slug = the draft's field heading).
DOMAIN_MD_FIELDS = {
    # awarding body: dcterms:rightsHolder, dcterms:creator, esco:hasAccreditation, foaf:homepage
    "awarding-body/owner",
    "awarding-body/provenance-agent",
    "awarding-body/accreditation",
    "awarding-body/homepage",
    # credential
    "credential/identifier",  # adms:identifier*
    "credential/title",  # skos:prefLabel* per language
    "credential/alternative-label",  # skos:altLabel
    "credential/definition",  # skos:definition
    "credential/learning-outcome-description",  # dcterms:description (learning outcome text)
    "credential/field",  # esco:hasISCED-FCode*
    "credential/eqf-level",  # EQF level*
    "credential/nqf-level",  # NQF level
    "credential/number-of-credit-points",  # microhe:hasCreditPoints
    "credential/ects-credit-points",  # esco:hasECTSCreditPoints
    "credential/volume-of-learning",  # esco:volumeOfLearning (hours)
    "credential/is-partial-qualification",  # esco:isPartialQualification
    "credential/ways-to-acquire",  # esco:waysToAcquire
    "credential/entry-requirement",  # esco:hasEntryRequirement
    "credential/expiry-period",  # esco:expiryPeriod
    "credential/learning-outcome",  # learning outcomes as ESCO skills (min one)
    "credential/related-occupation",  # related occupation
    "credential/recognition",  # esco:hasRecognition
    "credential/awarding-body",  # awarding body + country* ...
    "credential/awarding-activity",  # ... (the draft's "Awarding activity", required, gives both)
    "credential/awarding-method",  # awarding method (learning activity vs assessment)
    "credential/grade-scheme",  # grade scheme
    "credential/mode-of-study",  # mode of study
    "credential/assessment-method",  # assessment method
    "credential/landing-page",  # dcat:landingPage
    "credential/supplementary-document",  # supplementary document
    # credit/token system: label, definition, value unit, issuer, composition
    "credit-system/credit-system-title",
    "credit-system/credit-system-definition",
    "credit-system/credit-system-value",
    "credit-system/credit-system-issuer",
    "credit-system/can-consist-of",
    # holder and accomplishment: holder, grade, credits awarded, sub-credentials, evidence
    "holder/holders-name",
    "holder/grade",
    "holder/credits-awarded",
    "holder/sub-credentials",
    "holder/supplementary-evidence",
}

# Fields of the draft (meta_data_standard_draft.md at MicroCredentials/MicroHE@fd5a49a)
# that domain.md's summary does not list; mapped as well so that no field is lost.
DRAFT_ONLY_FIELDS = {
    "awarding-body/public-key",  # "Public key" (microhe:PublicKey)
    "credential/educational-credential-type",  # "Educational Credential Type"
    "credit-system/credit-system",  # "Credit / Token System" (the system itself)
    "credit-system/credit-system-reference-number",  # "Credit System Reference Number"
    "credit-system/reference-language",  # "Reference language"
    "holder/is-made-up-of",  # "Is made up of"
    "holder/expiry-period",  # "Expiry period" (validity period, repeated)
    "holder/date-of-birth",  # "Date of birth"
    "holder/student-id",  # "Student ID"
    "holder/unique-identifier",  # "Unique Identifier"
    "holder/credential",  # "Credential" (aicrohe:hasAssociation)
    "holder/expiry-period-date",  # "Expiry Period" (date on which the credential expires)
    "additional/release-date",
    "additional/modification-date",
    "additional/change-note",
    "additional/history-note",
    "additional/additional-note",
    "additional/status",
    "additional/replaces",
    "additional/replaced-by",
    "additional/publisher",
}

# domain.md marks these with *; the draft writes "required" on exactly these headings.
REQUIRED_FIELDS = {
    "credential/identifier",
    "credential/title",
    "credential/field",
    "credential/eqf-level",
    "credential/awarding-activity",
}


def _fields(draft: Graph) -> dict[str, URIRef]:
    return {
        str(node)[len(DRAFT_BASE) + len("field/") :]: node
        for node in draft.subjects(RDF.type, MHE_NS.MetadataStandardField)
    }


def test_the_draft_alignment_lists_exactly_the_fields_of_the_draft(draft):
    assert set(_fields(draft)) == DOMAIN_MD_FIELDS | DRAFT_ONLY_FIELDS


def test_every_draft_field_is_mapped_or_says_why_not(draft):
    problems = []
    for slug, node in sorted(_fields(draft).items()):
        targets = [o for p in SKOS_MAPPINGS for o in draft.objects(node, p)]
        reasons = list(draft.objects(node, MHE_NS.unmappedReason))
        if bool(targets) == bool(reasons):
            problems.append(f"{slug}: needs either a mapping or an unmapped reason (not both)")
        if reasons and any(not isinstance(r, Literal) or r.language != "en" or len(r) < 20 for r in reasons):
            problems.append(f"{slug}: unmapped reason must be an explanatory @en literal")
        if any(not isinstance(t, URIRef) for t in targets):
            problems.append(f"{slug}: mapping target is not an IRI")
        if targets and (node, MHE_NS.mappingPath, None) not in draft:
            problems.append(f"{slug}: mapped without a mapping path")
    assert not problems, "\n".join(problems)


def test_every_draft_field_names_its_section_label_and_draft_term(draft):
    for slug, node in _fields(draft).items():
        section = draft.value(node, MHE_NS.inSection)
        assert section == URIRef(DRAFT_BASE + "section/" + slug.split("/")[0]), slug
        assert (section, RDF.type, MHE_NS.MetadataStandardSection) in draft
        label = draft.value(node, RDFS.label)
        assert isinstance(label, Literal) and label.language == "en", slug
        assert isinstance(draft.value(node, MHE_NS.draftTerm), Literal), slug


def test_required_draft_fields_are_flagged_required(draft):
    required = {slug for slug, node in _fields(draft).items() if draft.value(node, MHE_NS.requiredField) == Literal(True)}
    assert required == REQUIRED_FIELDS


def test_learner_fields_are_flagged_personal_data(draft):
    fields = _fields(draft)
    for slug in ("holder/holders-name", "holder/date-of-birth", "holder/student-id", "holder/grade"):
        assert draft.value(fields[slug], MHE_NS.personalData) == Literal(True), slug
    for slug in ("credential/title", "credential/eqf-level"):
        assert draft.value(fields[slug], MHE_NS.personalData) == Literal(False), slug


def test_every_mapping_path_is_a_valid_sparql_property_path(draft):
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PATH_PREFIXES.items())
    for node, path in draft.subject_objects(MHE_NS.mappingPath):
        prepareQuery(prologue + f"SELECT * WHERE {{ ?s {path} ?o }}")  # raises on a bad path
        assert draft.value(node, MHE_NS.mappingSubject) is not None, node


def test_a_mapping_path_finds_the_value_in_model_shaped_data(draft):
    """The EQF-level path, run on a specification shaped as docs/data-model.md shows."""
    data = Graph().parse(
        data="""@prefix elm: <http://data.europa.eu/snb/model/elm/> .
        <https://example.org/spec> a elm:Qualification ;
            elm:EQFLevel <http://data.europa.eu/snb/eqf/6> ;
            elm:awardingOpportunity [ elm:awardingBody <https://example.org/org> ] .""",
        format="turtle",
    )
    fields = _fields(draft)
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PATH_PREFIXES.items())
    for slug, expected in [
        ("credential/eqf-level", "http://data.europa.eu/snb/eqf/6"),
        ("credential/awarding-body", "https://example.org/org"),
    ]:
        path = draft.value(fields[slug], MHE_NS.mappingPath)
        rows = list(data.query(prologue + f"SELECT ?o WHERE {{ <https://example.org/spec> {path} ?o }}"))
        assert [str(r[0]) for r in rows] == [expected], slug


# ---------------------------------------------------------------------------------------
# HermiT through microhe.devtools.reasoner. Marked slow (a JVM per check) but run by default:
# they need Java, which CI installs; a missing Java fails them rather than skipping them.
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def core_graph() -> Graph:
    return reasoner.ontology_graph()


def _with_fixture(core_graph: Graph, name: str) -> Graph:
    graph = Graph()
    for triple in core_graph:
        graph.add(triple)
    graph.parse(FIXTURES / name, format="turtle")
    return graph


@pytest.mark.slow
def test_hermit_finds_the_core_ontology_consistent_with_no_unsatisfiable_classes(core_graph):
    result = reasoner.check_consistency(core_graph)
    assert result.consistent, result.message
    assert result.unsatisfiable == []
    assert result.ok


@pytest.mark.slow
def test_hermit_accepts_alignments_bundled_data_and_contract_shaped_data_without_fetching_imports():
    """Core + every alignment + the bundled reference and demo data + data shaped as
    docs/data-model.md (with an owl:imports of a host that does not exist) is consistent with
    no unsatisfiable class. One HermiT run covers all: OWL is monotonic, so each part on its
    own is consistent as well."""
    graph = reasoner.ontology_graph(alignments=True)
    bundled = sorted((ROOT / "microhe" / "kg" / "reference").glob("*.ttl")) + sorted(
        (ROOT / "microhe" / "kg" / "demo").glob("*.ttl")
    )
    for path in bundled:
        graph.parse(path, format="turtle")
    graph.parse(FIXTURES / "consistent-sample.ttl", format="turtle")
    result = reasoner.check_consistency(graph)
    assert result.ok, result.message


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["contradiction.ttl", "conflicting-confidence.ttl", "chain-without-eqf.ttl"])
def test_the_same_check_reports_a_contradiction_as_inconsistent(core_graph, fixture):
    result = reasoner.check_consistency(_with_fixture(core_graph, fixture))
    assert not result.consistent
    assert not result.ok
    assert "inconsistent" in result.message


@pytest.mark.slow
def test_the_same_check_reports_an_unsatisfiable_class(core_graph):
    result = reasoner.check_consistency(_with_fixture(core_graph, "unsatisfiable.ttl"))
    assert result.consistent
    assert result.unsatisfiable == ["https://example.org/FrameworkThatIsALevel"]
    assert not result.ok
    assert "FrameworkThatIsALevel" in result.message


def test_owl_imports_are_removed_before_owlready2_sees_the_graph():
    graph = Graph().parse(FIXTURES / "consistent-sample.ttl", format="turtle")
    assert list(graph.triples((None, OWL.imports, None)))
    assert list(reasoner._without_imports(graph).triples((None, OWL.imports, None))) == []
    assert len(reasoner._without_imports(graph)) == len(graph) - 1
