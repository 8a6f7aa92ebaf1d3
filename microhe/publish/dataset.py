"""The VoID and DCAT-AP description of the store's current content
(https://www.w3.org/TR/void/, DCAT-AP): a ``void:Dataset`` with its counts (triples,
distinct subjects and objects, class and property partitions, one ``void:subset`` per
named graph with its Graph Store URL as dump, one ``void:subset`` per IRI space served
with its ``void:uriSpace``), its SPARQL endpoint, dump and URI lookup endpoint, and a
``dcat:Catalog`` holding it with a ``dcat:Distribution`` (the dump) and a
``dcat:DataService`` (the endpoint).

The counts are SPARQL aggregates over the union graph, a view per committed store state
(``per_store``: the one cache of derived views, ``microhe.store.views``). Where the
document, the endpoint, the dump and the Graph Store are served is the caller's
(:class:`Places`; the API's paths by default).

No licence is claimed for the data a deployment loads unless its operator says so
(``Settings.dataset_license``, stated on the dataset, catalogue, distribution and service);
the publisher is the operator's (``Settings.dataset_publisher``/``_name``), else "the
microhe deployment at <base>". The one licence stated by default is the bundled reference
data's own (EUPL-1.2, :data:`REFERENCE_LICENSE`), on its IRI space's subset, with where it
is stated."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox

from microhe.errors import InvalidValue
from microhe.kg.bundled import ONTOLOGY
from microhe.publish.service import SD
from microhe.rdf.iri import iri_problem
from microhe.store.views import per_store
from microhe.vocab import DCAT, DCTERMS, DEMO, ELM, FOAF, MHE, PROV, RDF, RDFS, REF, SKOS, VOID, XSD


@dataclass(frozen=True)
class Places:
    """The paths (under the base) of what the description points at."""

    document: str = "/.well-known/void"
    sparql: str = "/sparql"
    dump: str = "/dump.nq"
    graph_store: str = "/rdf-graphs"
    #: the URI lookup endpoint: ``<resource>?iri=<the IRI, percent-encoded>``
    resource: str = "/resource"


#: The licence of the bundled reference data (EU Publications Office authority list), as its
#: README states it ("the files are part of microhe (EUPL-1.2)"; the EU vocabulary concepts
#: it cites are EU reference data, reused with attribution).
REFERENCE_LICENSE = "http://publications.europa.eu/resource/authority/licence/EUPL_1_2"
REFERENCE_RIGHTS = ("The reference data files are part of microhe (EUPL-1.2), as stated in microhe/kg/reference/"
                    "README.md, \"Sources and licences\". The EU vocabulary concepts they cite "
                    "(data.europa.eu/snb/*, publications.europa.eu/resource/authority/*) are EU Publications Office / "
                    "DG EMPL reference data, reused with attribution.")
#: EU data theme of the dataset (DCAT-AP recommends dcat:theme from this list).
THEME = "http://publications.europa.eu/resource/authority/data-theme/EDUC"
NQUADS_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/RDF_N_QUADS"
NQUADS_MEDIA_TYPE = "http://www.iana.org/assignments/media-types/application/n-quads"
MICROHE_PROJECT = "https://w3id.org/microhe/ref/project/microhe"
TITLE = "microhe knowledge graph of European micro-credentials"
DESCRIPTION = (
    "Micro-credential specifications (European Learning Model v3), the institutions that award them, "
    "qualifications frameworks and their referencing to the EQF, credit systems and conversion rules, "
    "and recognition decisions, as linked data with a SPARQL endpoint. Learner data is never stored."
)



def _n(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _rows(store, query: str):
    return list(store.query(query))


@dataclass(frozen=True)
class Statistics:
    """What the description counts in the store (the part that costs queries)."""

    triples: int
    subjects: int
    objects: int
    classes: tuple[tuple[ox.NamedNode, int], ...]
    properties: tuple[tuple[ox.NamedNode, int], ...]
    graphs: tuple[tuple[ox.NamedNode, int], ...]
    default_graph: int


@per_store
def statistics(store) -> Statistics:
    """The counts of the store's current state (SPARQL aggregates over the union graph),
    computed once per state like every other view (``microhe.store.views``)."""
    [row] = _rows(store, "SELECT (COUNT(DISTINCT ?s) AS ?s_n) (COUNT(DISTINCT ?o) AS ?o_n) WHERE { ?s ?p ?o }")
    classes = _rows(store, f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF}type> ?c }} "
                           "GROUP BY ?c ORDER BY DESC(?n) ?c")
    properties = _rows(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p")
    graphs = _rows(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return Statistics(
        len(store), int(row["s_n"].value), int(row["o_n"].value),
        tuple((r["c"], int(r["n"].value)) for r in classes),
        tuple((r["p"], int(r["n"].value)) for r in properties),
        tuple((r["g"], int(r["n"].value)) for r in graphs if isinstance(r["g"], ox.NamedNode)),
        store.graph_size(None),
    )


@dataclass(frozen=True)
class Publication:
    """What the operator states about the data (``Settings.dataset_*``): licence and
    publisher IRIs, the publisher's name; None: nothing is claimed."""

    license: str | None = None
    publisher: str | None = None
    publisher_name: str | None = None

    @classmethod
    def of(cls, settings) -> Publication:
        return cls(settings.dataset_license, settings.dataset_publisher, settings.dataset_publisher_name)


def check_settings(settings) -> None:
    """Refuse a licence or publisher setting that is no absolute IRI (at start-up, with
    the variable to fix), rather than publish a broken description."""
    for name, value in (("dataset_license", settings.dataset_license),
                        ("dataset_publisher", settings.dataset_publisher)):
        if value is not None:
            problem = iri_problem(value)
            if problem is not None:
                raise InvalidValue(f"MICROHE_{name.upper()}={value!r} is not an absolute IRI ({problem}); give "
                                   "e.g. http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")


def iri_spaces(base: str) -> list[tuple[str, str, str, str]]:
    """The IRI spaces this deployment serves: (slug, uriSpace, title, where it is served
    under ``base``): the instance base, the demo data, the reference data, the ontology."""
    return [
        ("instances", base, "Instance data minted and served by this deployment", base),
        ("demo", DEMO, "Demo data bundled with microhe (fictional)", base + "demo/"),
        ("reference", REF, "Reference data bundled with microhe (frameworks, levels, credit systems, "
                           "controlled lists)", base + "ref/"),
        ("ontology", ONTOLOGY, "The microhe ontology (mhe:)", base + "ontology"),
    ]


def description(store, base: str, places: Places = Places(), publication: Publication = Publication()
                ) -> list[ox.Quad]:
    """The VoID + DCAT-AP description of the store's current content (its counts are a
    per-state view; the rest is written for ``base``, ``places`` and ``publication`` on
    each call)."""
    return _describe(statistics(store), base, places, publication)


def _describe(stats: Statistics, base: str, places: Places, publication: Publication) -> list[ox.Quad]:
    N = ox.NamedNode
    doc = N(base + places.document.lstrip("/"))
    ds, catalog, dump, service = (N(f"{doc.value}#{x}") for x in ("dataset", "catalog", "dump", "sparql"))
    publisher = N(publication.publisher or f"{doc.value}#publisher")
    sparql, dump_url = N(base + places.sparql.lstrip("/")), N(base + places.dump.lstrip("/"))
    a = N(RDF + "type")
    t: list[tuple] = []

    def add(s, p, o):
        t.append((s, N(p) if isinstance(p, str) else p, o))

    def licensed(node):
        if publication.license:
            add(node, DCTERMS + "license", N(publication.license))

    # The document
    add(doc, a, N(VOID + "DatasetDescription"))
    add(doc, DCTERMS + "title", _en("VoID and DCAT-AP description of the " + TITLE))
    add(doc, FOAF + "primaryTopic", ds)


    add(ds, a, N(VOID + "Dataset"))
    add(ds, a, N(DCAT + "Dataset"))
    add(ds, DCTERMS + "title", _en(TITLE))
    add(ds, DCTERMS + "description", _en(DESCRIPTION))
    add(ds, DCTERMS + "publisher", publisher)
    licensed(ds)
    add(ds, DCAT + "theme", N(THEME))
    for kw in ("micro-credentials", "European Learning Model", "EQF", "ECTS", "recognition", "qualifications frameworks"):
        add(ds, DCAT + "keyword", _en(kw))
    add(ds, DCAT + "distribution", dump)
    add(ds, VOID + "sparqlEndpoint", sparql)
    add(ds, VOID + "dataDump", dump_url)
    # any IRI the store describes, whatever its host or scheme (urn:epass:... of Europass
    # data), is looked up by appending it, percent-encoded, to this (VoID section 5.2)
    add(ds, VOID + "uriLookupEndpoint", N(base + places.resource.lstrip("/") + "?iri="))
    add(ds, VOID + "feature", N("http://www.w3.org/ns/formats/N-Quads"))
    for vocab in (ELM, MHE, SKOS, DCTERMS, PROV):
        add(ds, VOID + "vocabulary", N(vocab))
    add(ds, VOID + "triples", _n(stats.triples))
    add(ds, VOID + "distinctSubjects", _n(stats.subjects))
    add(ds, VOID + "distinctObjects", _n(stats.objects))
    add(ds, VOID + "classes", _n(len(stats.classes)))
    add(ds, VOID + "properties", _n(len(stats.properties)))
    add(ds, RDFS + "seeAlso", N(MICROHE_PROJECT))

    for c, n in stats.classes:
        part = N(f"{doc.value}#class-{_slug(c.value)}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", c)
        add(part, VOID + "entities", _n(n))
    for p, n in stats.properties:
        part = N(f"{doc.value}#property-{_slug(p.value)}")
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", p)
        add(part, VOID + "triples", _n(n))
    for g, n in stats.graphs:
        sub = N(f"{doc.value}#graph-{_slug(g.value)}")
        add(ds, VOID + "subset", sub)
        add(sub, a, N(VOID + "Dataset"))
        add(sub, a, N(SD + "NamedGraph"))
        add(sub, N(SD + "name"), g)
        add(sub, VOID + "triples", _n(n))
        add(sub, VOID + "dataDump", N(f"{base}{places.graph_store.lstrip('/')}?{urlencode({'graph': g.value})}"))
    for slug, space, title, served in iri_spaces(base):
        sub = N(f"{doc.value}#space-{slug}")
        add(ds, VOID + "subset", sub)
        add(sub, a, N(VOID + "Dataset"))
        add(sub, DCTERMS + "title", _en(title))
        add(sub, VOID + "uriSpace", ox.Literal(space))
        add(sub, RDFS + "seeAlso", N(served))
        if slug == "reference":
            add(sub, DCTERMS + "license", N(REFERENCE_LICENSE))
            add(sub, DCTERMS + "rights", _en(REFERENCE_RIGHTS))
            add(sub, DCTERMS + "source", N(MICROHE_PROJECT))  # the project whose README states it
    if stats.default_graph:
        sub = N(f"{doc.value}#default-graph")
        add(ds, VOID + "subset", sub)
        add(sub, a, N(VOID + "Dataset"))
        add(sub, DCTERMS + "title", _en("the store's default graph"))
        add(sub, VOID + "triples", _n(stats.default_graph))
        add(sub, VOID + "dataDump", N(f"{base}{places.graph_store.lstrip('/')}?default"))

    # DCAT-AP: catalogue, distribution, data service, publisher
    add(catalog, a, N(DCAT + "Catalog"))
    add(catalog, DCTERMS + "title", _en("microhe catalogue"))
    add(catalog, DCTERMS + "description", _en("The datasets and data services of this microhe deployment."))
    add(catalog, DCTERMS + "publisher", publisher)
    licensed(catalog)
    add(catalog, FOAF + "homepage", N(base))
    add(catalog, DCAT + "dataset", ds)
    add(catalog, DCAT + "service", service)

    add(dump, a, N(DCAT + "Distribution"))
    add(dump, DCTERMS + "title", _en("Full dump (N-Quads)"))
    add(dump, DCTERMS + "description", _en("Every quad of the store, all named graphs included, streamed."))
    add(dump, DCAT + "accessURL", dump_url)
    add(dump, DCAT + "downloadURL", dump_url)
    add(dump, DCAT + "mediaType", N(NQUADS_MEDIA_TYPE))
    add(dump, DCTERMS + "format", N(NQUADS_FILE_TYPE))
    licensed(dump)

    add(service, a, N(DCAT + "DataService"))
    add(service, DCTERMS + "title", _en("microhe SPARQL 1.1 endpoint"))
    add(service, DCTERMS + "description", _en("SPARQL 1.1 Protocol; the default graph is the union of all graphs."))
    add(service, DCAT + "endpointURL", sparql)
    add(service, DCAT + "endpointDescription", sparql)
    add(service, DCAT + "servesDataset", ds)
    add(service, DCTERMS + "conformsTo", N("https://www.w3.org/TR/sparql11-protocol/"))
    add(service, DCTERMS + "publisher", publisher)
    licensed(service)

    add(publisher, a, N(FOAF + "Agent"))
    if publication.publisher_name:
        add(publisher, FOAF + "name", ox.Literal(publication.publisher_name))
    elif not publication.publisher:
        add(publisher, FOAF + "name", _en("microhe deployment at " + base))
        add(publisher, RDFS + "seeAlso", N(MICROHE_PROJECT))

    return [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in t]


def page(store, base: str, places: Places = Places(), publication: Publication = Publication()) -> dict:
    """The content of the description's HTML view (the same per-state counts as the RDF):
    the dataset's sizes, the IRI spaces served, the named graphs with their sizes and
    downloads, the largest class and property partitions, licence and publisher."""
    stats = statistics(store)
    store_url = places.graph_store  # links are paths: the page prefixes where the app is mounted
    return {
        "title": TITLE, "description": DESCRIPTION,
        "triples": stats.triples, "subjects": stats.subjects, "objects": stats.objects,
        "classes": len(stats.classes), "properties": len(stats.properties),
        "spaces": [{"slug": slug, "space": space, "title": title, "served": "/" + served[len(base):]}
                   for slug, space, title, served in iri_spaces(base)],
        "reference_license": REFERENCE_LICENSE, "reference_rights": REFERENCE_RIGHTS,
        "graphs": [{"iri": g.value, "triples": n, "download": f"{store_url}?{urlencode({'graph': g.value})}"}
                   for g, n in stats.graphs],
        "default_graph": stats.default_graph, "default_download": f"{store_url}?default",
        "top_classes": [(c.value, n) for c, n in stats.classes[:20]],
        "top_properties": [(p.value, n) for p, n in stats.properties[:20]],
        "license": publication.license, "publisher": publication.publisher,
        "publisher_name": publication.publisher_name,
        "sparql": places.sparql, "dump": places.dump, "document": places.document, "lookup": places.resource,
    }


def _slug(iri: str) -> str:
    """A short stable fragment for an IRI (readable tail + hash)."""
    tail = "".join(c if c.isalnum() else "-" for c in iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1])[:40]
    return f"{tail.strip('-') or 'x'}-{hashlib.sha1(iri.encode('utf-8')).hexdigest()[:8]}"


__all__ = ["description", "page", "Places", "Publication", "check_settings", "iri_spaces", "statistics", "REFERENCE_LICENSE",
           "TITLE", "DESCRIPTION"]
