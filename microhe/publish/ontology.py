"""The documentation of the core ontology (``https://w3id.org/microhe/ontology``): its
terms grouped by kind (classes, properties, individuals) with labels, definitions,
comments, super-terms, domains and ranges, from the bundled Turtle file."""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from microhe.errors import NotFound
from microhe.kg import bundled
from microhe.publish.names import ONTOLOGY, compact, local_href, safe_href
from microhe.vocab import DCTERMS, MHE, OWL, RDF, RDFS, SKOS


class OntologyNotBundled(NotFound, LookupError):
    """The package lacks the core ontology's file (a broken installation)."""


def core_ontology():
    """The bundled core ontology graph."""
    for g in bundled.ontology_graphs():
        if g.iri == ONTOLOGY:
            return g
    raise OntologyNotBundled("the core ontology is not bundled")


@cache
def ontology_documentation(root: str = "") -> dict:
    """The documentation page's content (the template's variables); ``root`` is the path the
    server is mounted at (for local links)."""
    core = core_ontology()
    triples = [q.triple for q in core.quads()]
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)

    def values(s, p, lang="en"):
        vs = [t.object for t in by_subject.get(s, []) if t.predicate.value == p and isinstance(t.object, ox.Literal)]
        return sorted(vs, key=lambda v: (v.language not in (lang, None, ""), v.value))

    def objects(s, p):
        return [t.object for t in by_subject.get(s, []) if t.predicate.value == p and isinstance(t.object, ox.NamedNode)]

    def link(iri: str) -> dict:
        return {"text": compact(iri), "href": local_href(iri, None, root) or safe_href(iri), "iri": iri}

    kinds = [("Classes", OWL + "Class"), ("Object properties", OWL + "ObjectProperty"),
             ("Datatype properties", OWL + "DatatypeProperty"),
             ("Annotation properties", OWL + "AnnotationProperty"), ("Individuals", OWL + "NamedIndividual")]
    sections = []
    placed: set = set()
    for title, cls in kinds:
        terms = []
        for s in sorted(by_subject, key=lambda n: str(n)):
            if not isinstance(s, ox.NamedNode) or not s.value.startswith(MHE) or s in placed:
                continue
            if ox.NamedNode(cls) not in objects(s, RDF + "type"):
                continue
            placed.add(s)
            local = s.value[len(MHE):]
            label = values(s, RDFS + "label")
            terms.append({
                "id": local, "iri": s.value, "curie": f"mhe:{local}",
                "label": label[0].value if label else local,
                "definition": [v.value for v in values(s, SKOS + "definition")][:1],
                "comments": [v.value for v in values(s, RDFS + "comment") + values(s, SKOS + "scopeNote")],
                "types": [link(o.value) for o in objects(s, RDF + "type")],
                "super": [link(o.value) for o in objects(s, RDFS + "subClassOf") + objects(s, RDFS + "subPropertyOf")],
                "domain": [link(o.value) for o in objects(s, RDFS + "domain")],
                "range": [link(o.value) for o in objects(s, RDFS + "range")],
            })
        if terms:
            sections.append({"title": title, "terms": terms})
    onto = ox.NamedNode(ONTOLOGY)
    title = values(onto, DCTERMS + "title")
    description = values(onto, DCTERMS + "description")
    version = values(onto, OWL + "versionInfo")
    return dict(iri=ONTOLOGY, namespace=MHE, title=title[0].value if title else "microhe ontology",
                description=description[0].value if description else "",
                version=version[0].value if version else "", sections=sections, root=root)


__all__ = ["core_ontology", "ontology_documentation", "OntologyNotBundled"]
