"""Every shapes file describes itself and every property shape says how bad and what to do.

Style guide habits 8, 9 and 21: a header node (dcterms:description, dcterms:conformsTo
SHACL), a comment banner saying what the file does not cover, shapes named
``:<Thing>_Shape`` under the profile's namespace, sh:severity and sh:message on every
property shape; the shapes README documents every profile.
"""

from __future__ import annotations

from importlib import resources

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from microhe.validation import available_profiles

SHAPES = resources.files("microhe").joinpath("shapes")
SHACL_SPEC = URIRef("https://www.w3.org/TR/shacl")


def _load(profile: str) -> tuple[str, Graph]:
    text = SHAPES.joinpath(f"{profile}.ttl").read_text(encoding="utf-8")
    return text, Graph().parse(data=text, format="turtle")


def _property_shapes(g: Graph) -> set:
    shapes = set(g.subjects(RDF.type, SH.PropertyShape)) | set(g.objects(None, SH.property))
    return shapes | {s for s in g.subjects(SH.path, None) if (None, SH.property, s) in g or
                     (s, RDF.type, SH.PropertyShape) in g}


@pytest.mark.parametrize("profile", available_profiles())
def test_shapes_file_has_a_header_node(profile):
    _, g = _load(profile)
    header = URIRef(f"https://w3id.org/microhe/shapes/{profile}")
    assert g.value(header, DCTERMS.description) is not None
    assert (header, DCTERMS.conformsTo, SHACL_SPEC) in g


@pytest.mark.parametrize("profile", available_profiles())
def test_shapes_file_has_a_banner_saying_what_it_does_not_cover(profile):
    text, _ = _load(profile)
    banner = text.split("@prefix", 1)[0]
    assert banner.lstrip().startswith("#")
    assert "NOT covered" in banner


@pytest.mark.parametrize("profile", available_profiles())
def test_every_property_shape_has_severity_and_message(profile):
    _, g = _load(profile)
    shapes = _property_shapes(g)
    assert shapes
    for shape in shapes:
        assert g.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape
        message = g.value(shape, SH.message)
        assert message is not None and len(str(message)) > 20, shape


@pytest.mark.parametrize("profile", available_profiles())
def test_shapes_are_named_in_the_profile_namespace(profile):
    _, g = _load(profile)
    namespace = f"https://w3id.org/microhe/shapes/{profile}#"
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | _property_shapes(g)
    for shape in shapes:
        assert isinstance(shape, URIRef), f"unnamed shape in {profile}"
        assert str(shape).startswith(namespace), shape
        assert str(shape).endswith("_Shape"), shape


def test_readme_documents_every_profile():
    readme = SHAPES.joinpath("README.md").read_text(encoding="utf-8")
    for profile in available_profiles():
        assert f"`{profile}`" in readme, profile
    assert "22.5" in readme and "33" in readme  # the ECTS/hours tolerance


# -- SPARQL is evaluated from the focus node, never as a scan per focus node ------------------


def _sparql_texts():
    """(profile, node, kind, query text with prefixes) for every sh:select in every profile."""
    for profile in available_profiles():
        _, g = _load(profile)
        for node, text in g.subject_objects(SH.select):
            kind = "target" if (node, RDF.type, SH.SPARQLTarget) in g else "constraint"
            prefixes = "".join(f"PREFIX {g.value(d, SH.prefix)}: <{g.value(d, SH.namespace)}>\n"
                               for d in g.objects(g.value(node, SH.prefixes), SH.declare))
            yield pytest.param(profile, kind, prefixes + str(text), id=f"{profile}-{kind}-{str(node)[-30:]}")


def _walk(node, *, in_exists: bool, found: list) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "BGP" and node.triples:
            found.append((in_exists, list(node.triples)))
        if node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            _walk(node.graph, in_exists=True, found=found)  # the translated pattern is an attribute
            return
        for value in node.values():
            _walk(value, in_exists=in_exists, found=found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _walk(value, in_exists=in_exists, found=found)


@pytest.mark.parametrize("profile,kind,text", _sparql_texts())
def test_sparql_starts_every_pattern_from_a_bound_variable(profile, kind, text):
    """rdflib orders a basic graph pattern by its own heuristic, blind to the pre-bound
    ``$this``: a first triple without ``$this`` (or a variable bound outside an EXISTS)
    would scan the whole graph for every focus node, quadratic on 100k records."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    found: list = []
    _walk(prepareQuery(text).algebra, in_exists=False, found=found)
    this = Variable("this")
    outer = {t for inside, triples in found if not inside for triple in triples for t in triple
             if isinstance(t, Variable)}
    for inside, triples in found:
        first = {t for t in triples[0] if isinstance(t, Variable)}
        if inside:
            assert first & (outer | {this}), f"EXISTS pattern starts unbound: {triples[0]}"
        elif kind == "constraint":
            assert this in first, f"constraint pattern does not start at $this: {triples[0]}"
