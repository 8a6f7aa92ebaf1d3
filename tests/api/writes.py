"""Material for the tests of the write endpoints, linked data and VoID: the documents they
send (conforming, invalid, unparsable, with a learner) and :func:`make_writable`, which
the fixtures ``writable``, ``writable_on_disk`` and ``make_writable_env``
(``tests/api/conftest.py``) and a few module fixtures elsewhere build on. Not a conftest:
its names are imported; the fixtures are found by pytest.

:func:`make_writable` is a fresh app over a fresh store holding the bundled ontology and
reference graphs (restored from ``reference_quads``, the root conftest's quads made once
per session: initialising every store from scratch would dominate the run time), with one
write token in the token file beside ``Settings.store`` (``tmp_path/"store"``). The store
is in memory (opening and filling a RocksDB store costs ~0.6 s, which over a hundred tests
breaks the time budget) unless ``on_disk``: ``Store(tmp_path/"store")`` itself, for the
tests that must see the real thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.auth.tokens import TokenFile
from microhe.settings import Settings
from microhe.store.embedded import Store

BASE = "http://127.0.0.1:8000/"
EX = "https://example.org/test/"
GRAPH = EX + "graph/spec"

PREFIXES = """@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rov: <http://www.w3.org/ns/regorg#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix cred: <https://www.w3.org/2018/credentials#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <https://example.org/test/> .
"""

ORG = """
ex:org a elm:Organisation ; rov:legalName "Test University"@en ;
    elm:location [ a dcterms:Location ; elm:address [ a elm:Address ;
        elm:countryCode <http://publications.europa.eu/resource/authority/country/DEU> ] ] .
ex:agency a elm:Organisation ; rov:legalName "Test Accreditation Agency"@en ;
    elm:location [ a dcterms:Location ; elm:address [ a elm:Address ;
        elm:countryCode <http://publications.europa.eu/resource/authority/country/DEU> ] ] .
"""


def spec(name: str = "spec", title: str = "Data analysis with Python") -> str:
    """A micro-credential specification with every Council 2022 element
    (docs/data-model.md), without the organisations."""
    return f"""
ex:{name} a elm:Qualification ;
    dcterms:title "{title}"@en ;
    elm:awardingOpportunity [ a elm:AwardingOpportunity ; elm:awardingBody ex:org ] ;
    elm:learningOutcome ex:{name}-lo1 ;
    elm:creditPoint [ a elm:CreditPoint ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ;
                      elm:point "5" ] ;
    elm:volumeOfLearning "PT125H"^^xsd:duration ;
    elm:EQFLevel <http://data.europa.eu/snb/eqf/6> ;
    elm:provenBy [ a elm:LearningAssessmentSpecification ; dcterms:title "Written examination"@en ;
                   dcterms:type <http://data.europa.eu/snb/assessment/6e6cb2cc78> ] ;
    elm:mode <http://data.europa.eu/snb/learning-assessment/920fbb3cbe> ;
    elm:accreditation [ a elm:Accreditation ; dcterms:title "Programme quality assurance"@en ;
                        dcterms:type <http://data.europa.eu/snb/accreditation/820101cba6> ;
                        elm:accreditingAgent ex:agency ] ;
    elm:ISCEDFCode <http://data.europa.eu/snb/isced-f/0613> .
ex:{name}-lo1 a elm:LearningOutcome ; dcterms:title "Analyse data sets with Python"@en .
"""


#: A conforming specification with its organisations (Council 2022 + consistency).
VALID = PREFIXES + spec() + ORG
#: A second conforming specification (for merges), without organisations: valid only
#: together with a graph that already holds ``ex:org`` and ``ex:agency``.
SECOND_SPEC_ONLY = PREFIXES + spec("spec2", "Statistics for data science")
#: No title (M2) and no learning outcome (M6).
INVALID = PREFIXES + """
ex:bad a elm:Qualification ;
    elm:awardingOpportunity [ a elm:AwardingOpportunity ; elm:awardingBody ex:org ] ;
    elm:creditPoint [ a elm:CreditPoint ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ;
                      elm:point "5" ] ;
    elm:EQFLevel <http://data.europa.eu/snb/eqf/6> .
""" + ORG
#: Not Turtle.
UNPARSABLE = PREFIXES + "ex:a ex:b .\n"
#: A conforming specification plus an award to a named learner.
LEARNER = VALID + """
ex:award1 cred:credentialSubject ex:learner1 .
ex:learner1 foaf:givenName "Ada" ; foaf:familyName "Lovelace" .
"""
#: Next to no data (for tests of the protocol rather than the shapes): a thing with an EQF
#: level, so that the consistency profile checks one node (a body no profile targets is
#: refused: "0 micro-credentials found: nothing was checked").
PLAIN = PREFIXES + 'ex:thing dcterms:description "just a thing"@en ; elm:EQFLevel <http://data.europa.eu/snb/eqf/6> .\n'
#: The triple that makes a protocol-test body something a profile checks (N-Triples).
CHECKED_NT = '<https://example.org/test/a> <http://data.europa.eu/snb/model/elm/EQFLevel> <http://data.europa.eu/snb/eqf/6> .\n'


@dataclass
class Writable:
    client: TestClient
    store: Store
    settings: Settings
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def dump(self) -> bytes:
        """The store as sorted N-Quads: the measure of "unchanged"."""
        return self.store.dump_bytes()


def make_writable(tmp_path, reference_quads, *, on_disk: bool = False, reference: bool = True,
                  **overrides) -> Writable:
    """A writable app and store under ``tmp_path`` (the caller closes ``client`` and ``store``)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    store = Store(tmp_path / "store") if on_disk else Store()
    if reference:  # validation brings its own copy of the reference data; derived values need it here
        store.restore(reference_quads)
    settings = Settings(**{"store": tmp_path / "store", "base": BASE, **overrides})
    token = TokenFile.beside(settings.store).add("test")
    client = TestClient(create_app(settings, store))
    client.__enter__()  # one event-loop portal for all requests of the test (much faster)
    return Writable(client, store, settings, token)


def parse_rdf(data: bytes, media_type: str) -> list[ox.Quad]:
    """Parse a response body by its media type (pyoxigraph; JSON-LD by PyLD, as a portal
    reads it: its ``@context``, the deployment's ``{base}context.jsonld``, resolved to the
    bundled copy the app serves there, nothing fetched)."""
    if media_type.split(";")[0].strip() == "application/ld+json":
        import json

        from microhe.rdf.jsonld_write import to_rdf

        doc = json.loads(data)
        own = [doc["@context"]] if isinstance(doc, dict) and isinstance(doc.get("@context"), str) else []
        return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in to_rdf(doc, own=own)]
    fmt = ox.RdfFormat.from_media_type(media_type.split(";")[0].strip())
    assert fmt is not None, media_type
    return list(ox.parse(data, fmt))
