"""Compiled SHACL validation: the profiles' shapes as SPARQL queries on a pyoxigraph store.

pyshacl (``microhe.validation.reference``) is the reference engine. This module compiles
the subset of SHACL the project's profiles use into one SPARQL SELECT per constraint,
run on a fresh in-memory pyoxigraph ``Store`` holding the bundled reference graph plus
the input, and builds the same ``ValidationResult`` objects pyshacl's report gives (focus
node, path, constraint component, severity, source shape, value, message). Equality with
pyshacl is proved on the fixture corpus, the demo data, the official sample and a mutated
corpus in ``tests/validation/test_fastvalidate.py``.

Supported (anything else raises :class:`UnsupportedShape`, and ``microhe.validation.validate`` falls
back to pyshacl for that profile; nothing is silently skipped):

* targets: ``sh:targetClass`` (with ``rdfs:subClassOf*``), ``sh:targetNode``,
  ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, SHACL-AF ``sh:SPARQLTarget``
  (``sh:select`` with ``sh:prefixes``/``sh:declare``);
* paths: IRIs, sequences, ``sh:alternativePath``, ``sh:inversePath``,
  ``sh:zeroOrOnePath``, ``sh:zeroOrMorePath``, ``sh:oneOrMorePath``;
* ``sh:minCount``, ``sh:maxCount`` (top level; ``minCount 1`` also nested),
  ``sh:nodeKind``, ``sh:pattern`` (+ ``sh:flags``), ``sh:datatype`` (``rdf:langString``,
  ``xsd:string``), ``sh:uniqueLang``, ``sh:in``, ``sh:hasValue``, ``sh:class``,
  ``sh:node``, ``sh:or`` (nested shapes compiled to ``EXISTS`` patterns),
  ``sh:qualifiedValueShape`` + ``sh:qualifiedMinCount 1``, ``sh:sparql`` SELECT
  constraints using ``$this`` (no ``$PATH``, ``$currentShape``, ``$shapesGraph``).

Messages: pyshacl's rule — the shape's ``sh:message`` (English or untagged), with
``{?var}``/``{$var}`` replaced by the row's values for SPARQL constraints. A shape without
``sh:message`` gets a short generated text that is NOT pyshacl's generic text (no
project shape lacks a message; the tests compare messages for all results, modulo the
lexical form of computed decimals, see below).

Literal lexical forms: the oxigraph store canonicalises typed literals ("PT60H" ->
"P2DT12H", "05"^^xsd:integer -> "5"), rdflib keeps them. Input literals are round-tripped
once; values, focus nodes and message substitutions are mapped back to the input's
lexical form, ``sh:pattern`` and ``STR()`` in SPARQL constraints read the original lexical
form through a custom function, and when two distinct literals of the input and reference
data collapse into one stored term (``"05"`` and ``"5"``) the input is refused with
:class:`NonCanonicalInput` (``microhe.validation.validate`` then uses pyshacl). Decimals computed inside
a SPARQL constraint (``?ects * 22.5``) may print differently ("45" vs rdflib's "45.0") in
a message: the only message difference the tests normalise.
"""

from microhe.validation.compiled.compiler import compile_graph, compile_shapes, compile_targets
from microhe.validation.compiled.form import (
    CompiledProfile,
    NonCanonicalInput,
    UnsupportedShape,
    lenient_duration,
)
from microhe.validation.compiled.run import run_compiled
from microhe.validation.compiled.staging import staging_store

__all__ = ["UnsupportedShape", "NonCanonicalInput", "CompiledProfile", "compile_shapes", "compile_targets", "compile_graph",
           "run_compiled", "staging_store", "lenient_duration"]
