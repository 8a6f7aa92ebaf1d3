"""microhe.publish (issue 14): what the web API says about the data (VoID/DCAT, the
SPARQL service description, resource descriptions and pages, the ontology's
documentation) is built by library functions with no FastAPI, usable without the app."""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest

from microhe.settings import Settings
from tests.demo import demo_copy

CREDENTIAL = ox.NamedNode("https://w3id.org/microhe/demo/credential/acb-web-development")


def test_publish_imports_no_web_framework():
    code = ("import sys, microhe.publish.dataset, microhe.publish.service, microhe.publish.resource, "
            "microhe.publish.ontology, microhe.publish.names; "
            "print(sorted(m for m in ('fastapi', 'starlette', 'jinja2', 'uvicorn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_descriptions_are_library_functions():
    from microhe.publish.dataset import description
    from microhe.publish.ontology import ontology_documentation
    from microhe.publish.resource import describe, is_known, resource_page
    from microhe.publish.service import SD, service_description

    store = demo_copy()
    void = description(store, "https://kg.example/")
    assert ox.Quad(ox.NamedNode("https://kg.example/.well-known/void#dataset"),
                   ox.NamedNode("http://rdfs.org/ns/void#sparqlEndpoint"),
                   ox.NamedNode("https://kg.example/sparql")) in void
    sd = service_description("https://kg.example/sparql", store, Settings(), ["http://www.w3.org/ns/formats/Turtle"])
    assert ox.Triple(ox.BlankNode("service"), ox.NamedNode(SD + "endpoint"), ox.NamedNode("https://kg.example/sparql")) in sd
    assert is_known(store, CREDENTIAL)
    quads = describe(store, CREDENTIAL)
    page = resource_page(store, "https://kg.example/", CREDENTIAL, quads, root="/kg")
    assert page["iri"] == CREDENTIAL.value and page["label"] and page["rows"]
    assert all(link.startswith("/kg/rdf-graphs?") for _, _, link in page["graphs"])
    assert ontology_documentation()["sections"]


@pytest.mark.parametrize("path,shown", [
    ("((<http://data.europa.eu/snb/model/elm/provenBy>|^<http://data.europa.eu/snb/model/elm/proves>)"
     "/<http://purl.org/dc/terms/type>)", "((elm:provenBy|^elm:proves)/dcterms:type)"),
    ("http://purl.org/dc/terms/title", "dcterms:title"),
    ("(<urn:x:y>/<http://data.europa.eu/snb/model/elm/mode>)", "(<urn:x:y>/elm:mode)"),  # no prefix fits: kept
    ("https://example.org/p", "https://example.org/p"),
])
def test_result_paths_are_shown_with_the_prefixes_the_messages_use(path, shown):
    from microhe.publish.names import compact_path
    assert compact_path(path) == shown
