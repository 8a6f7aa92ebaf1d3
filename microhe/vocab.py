"""IRIs used across the package, in one place.

The ontology and reference-data namespaces are fixed (identical in every deployment);
only instance data uses the configurable base (see ``microhe.settings``).
"""

MHE = "https://w3id.org/microhe/ontology#"
REF = "https://w3id.org/microhe/ref/"
DEMO = "https://w3id.org/microhe/demo/"

ELM = "http://data.europa.eu/snb/model/elm/"
CRED = "https://www.w3.org/2018/credentials#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
FOAF = "http://xmlns.com/foaf/0.1/"
SH = "http://www.w3.org/ns/shacl#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"

EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
EQF_LEVEL = "http://data.europa.eu/snb/eqf/"  # + "1".."8"
QDR_SCHEME = "http://data.europa.eu/snb/qdr/25831c2"
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
ISCED_F = "http://data.europa.eu/snb/isced-f/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"

# Named graphs holding the bundled reference data: REF_GRAPH + file stem.
REF_GRAPH = REF + "graph/"
# Provenance records of loads (one node per load) live here.
META_GRAPH = "https://w3id.org/microhe/graph/meta"
DEMO_GRAPH = DEMO + "graph/credentials"


def framework_iri(code: str) -> str:
    """The fixed IRI of a qualifications framework by its code (EQF is the official scheme)."""
    return EQF_SCHEME if code == "EQF" else f"{REF}framework/{code}"


def level_slug(label: str) -> str:
    """Bare level label -> IRI path segment: '7' -> '7', 'Entry 3' -> 'entry-3', '4+' -> '4plus'."""
    return label.strip().lower().replace("+", "plus").replace(" ", "-")


def level_iri(code: str, label: str) -> str:
    """The fixed IRI of a framework level (EQF levels are the official EU IRIs)."""
    if code == "EQF":
        return f"{EQF_LEVEL}{label}"
    return f"{framework_iri(code)}/level/{level_slug(label)}"
