"""The compiler: the SHACL subset of the project's profiles (see the package docstring) as
SPARQL SELECT queries, one per constraint; anything else raises UnsupportedShape.

A little over 400 lines: one class walking one shapes graph (targets, paths, node
constraints, SPARQL constraints); splitting it would scatter the translation rules that
tests/validation/test_fastvalidate.py proves together."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from microhe.validation.compiled.form import (
    _LEX_FN,
    _STRDT_FN,
    _XSD_STRING,
    CompiledProfile,
    UnsupportedShape,
    _Check,
    _str,
)
from microhe.validation.profiles import shapes_graph
from microhe.validation.report import render_path

_DEFAULT_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "owl": "http://www.w3.org/2002/07/owl#",
                     "sh": str(SH)}

# every sh: predicate the compiler understands; any other one makes the shapes unsupported
_KNOWN_SH = {SH[x] for x in (
    "targetClass targetNode targetSubjectsOf targetObjectsOf target select prefixes declare prefix namespace "
    "property path alternativePath inversePath zeroOrOnePath zeroOrMorePath oneOrMorePath minCount maxCount "
    "nodeKind pattern flags datatype uniqueLang in hasValue class node or qualifiedValueShape "
    "qualifiedMinCount sparql message severity name description order group").split()}
_IGNORED_TYPES = {SH.NodeShape, SH.PropertyShape, SH.SPARQLTarget, SH.SPARQLConstraint,
                  URIRef("http://www.w3.org/2002/07/owl#Ontology"), SH.PrefixDeclaration}



def _count(node: Node) -> int:
    """A cardinality (``sh:minCount``...): an integer literal (a bare ``Node`` to rdflib's types)."""
    if not isinstance(node, Literal):
        raise UnsupportedShape(f"a cardinality must be an integer literal, not {node!r}")
    return int(node)


def _sparql_term(t) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        s = json.dumps(str(t), ensure_ascii=False)
        if t.language:
            return f"{s}@{t.language}"
        if t.datatype is not None and str(t.datatype) != _XSD_STRING:
            return f"{s}^^<{t.datatype}>"
        return s
    raise UnsupportedShape(f"blank node used as a constant: {t!r}")


def _string_literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _absent(pattern: str, path: str) -> str:
    """A filter keeping the rows whose bound ``?this`` has no solution of ``pattern``.

    ``MINUS`` when the path has no zero-length step: oxigraph evaluates it as one hash
    anti-join (the pattern once, from its own side), while ``FILTER NOT EXISTS`` after the
    focus subquery is re-evaluated per focus row without the binding reaching the path, so
    its cost grew with (focus nodes x path solutions): 250 s at 10k credentials for the
    Specification-M3 sequence path, 0.3 s as MINUS. ``?this`` occurs in both sides, so MINUS
    and NOT EXISTS agree. A zero-length step (``?``/``*``) would make the unbound pattern
    start from every node of the store, so those keep ``FILTER NOT EXISTS``."""
    if "?" in path.replace("?_", "") or "*" in path:
        return f"FILTER NOT EXISTS {{ {pattern} }}"
    return f"MINUS {{ {pattern} }}"


class _Compiler:
    def __init__(self, g: Graph):
        self.g = g
        self.n = 0

    def var(self, stem="v") -> str:
        self.n += 1
        return f"?_{stem}{self.n}"

    # -- vocabulary guard ------------------------------------------------------------------

    def check_vocabulary(self):
        g = self.g
        for s, p, o in g:
            if str(p).startswith(str(SH)) and p not in _KNOWN_SH:
                raise UnsupportedShape(f"unsupported SHACL predicate {p}")
            if p == RDF.type and str(o).startswith(str(SH)) and o not in _IGNORED_TYPES:
                raise UnsupportedShape(f"unsupported SHACL type {o}")
            if p == RDF.type and o in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")) \
                    and ((s, RDF.type, SH.NodeShape) in g or (s, RDF.type, SH.PropertyShape) in g):
                raise UnsupportedShape(f"implicit class target on {s}")

    # -- paths -----------------------------------------------------------------------------

    def path(self, p, depth=0) -> str:
        g = self.g
        if depth > 20:
            raise UnsupportedShape("path too deep")
        if isinstance(p, URIRef):
            return f"<{p}>"
        if isinstance(p, Literal):
            raise UnsupportedShape(f"literal path {p!r}")
        if (p, RDF.first, None) in g:
            items = list(Collection(g, p))
            if not items:
                raise UnsupportedShape("empty sequence path")
            # a/(b)?/c is evaluated as (a/c)|(a/b/c): oxigraph evaluates a zero-or-one step
            # from every node of the store, the expanded form only from the bound ones
            choices = [[""]]
            for x in items:
                inner = g.value(x, SH.zeroOrOnePath) if isinstance(x, BNode) else None
                step = self.path(inner if inner is not None else x, depth + 1)
                choices = [c + [step] for c in choices] + ([c for c in choices] if inner is not None else [])
            seqs = ["/".join(c[1:]) for c in choices if len(c) > 1]
            if len(seqs) == 1:
                return f"({seqs[0]})"
            if any(len(c) == 1 for c in choices):
                return "(" + "/".join(self.path(x, depth + 1) for x in items) + ")"
            return "(" + "|".join(f"({sq})" for sq in seqs) + ")"
        props = {pr: o for pr, o in g.predicate_objects(p)}
        if len(props) != 1:
            raise UnsupportedShape(f"malformed path node {p}")
        (pr, inner), = props.items()
        if pr == SH.inversePath:
            return f"^({self.path(inner, depth + 1)})"
        if pr == SH.zeroOrOnePath:
            return f"({self.path(inner, depth + 1)})?"
        if pr == SH.zeroOrMorePath:
            return f"({self.path(inner, depth + 1)})*"
        if pr == SH.oneOrMorePath:
            return f"({self.path(inner, depth + 1)})+"
        if pr == SH.alternativePath:
            items = list(Collection(g, inner))
            if not items:
                raise UnsupportedShape("empty alternative path")
            return "(" + "|".join(self.path(x, depth + 1) for x in items) + ")"
        raise UnsupportedShape(f"unsupported path construct {pr}")

    # -- value conditions (a SPARQL expression true when ?v violates) ----------------------

    def one(self, s, pred):
        vals = list(self.g.objects(s, pred))
        return vals

    def value_conditions(self, shape, v: str, depth: int):
        """(component IRI, parameter, SPARQL expression true iff v violates) for each
        value-type constraint of ``shape``."""
        g = self.g
        out = []
        for kind in g.objects(shape, SH.nodeKind):
            violated: dict[Node, str] = {
                SH.IRI: f"!isIRI({v})", SH.Literal: f"!isLiteral({v})", SH.BlankNode: f"!isBlank({v})",
                SH.BlankNodeOrIRI: f"isLiteral({v})", SH.BlankNodeOrLiteral: f"isIRI({v})",
                SH.IRIOrLiteral: f"isBlank({v})"}
            cond = violated.get(kind)
            if cond is None:
                raise UnsupportedShape(f"sh:nodeKind {kind}")
            out.append((SH.NodeKindConstraintComponent, cond))
        flags = [str(f) for f in g.objects(shape, SH.flags)]
        if len(flags) > 1:
            raise UnsupportedShape("several sh:flags")
        for pat in g.objects(shape, SH.pattern):
            fl = flags[0] if flags else ""
            if set(fl) - set("imsx"):
                raise UnsupportedShape(f"sh:flags {fl!r}")
            lex = f"IF(isLiteral({v}), <{_LEX_FN.value}>({v}), STR({v}))"
            args = f"{lex}, {_string_literal(str(pat))}" + (f", {_string_literal(fl)}" if fl else "")
            out.append((SH.PatternConstraintComponent, f"(isBlank({v}) || !REGEX({args}))"))
        for dt in g.objects(shape, SH.datatype):
            if dt == RDF.langString:
                cond = f"!(isLiteral({v}) && LANG({v}) != \"\")"
            elif dt == XSD.string:
                cond = f"!(isLiteral({v}) && LANG({v}) = \"\" && sameTerm(DATATYPE({v}), <{XSD.string}>))"
            else:
                raise UnsupportedShape(f"sh:datatype {dt} (well-formedness rules differ)")
            out.append((SH.DatatypeConstraintComponent, cond))
        for lst in g.objects(shape, SH["in"]):
            items = list(Collection(g, lst))
            for it in items:
                if isinstance(it, Literal) and it.datatype is not None and str(it.datatype) != _XSD_STRING:
                    raise UnsupportedShape("typed literal in sh:in")
            cond = "!(" + (" || ".join(f"sameTerm({v}, {_sparql_term(it)})" for it in items) or "false") + ")"
            out.append((SH.InConstraintComponent, cond))
        for cls in g.objects(shape, SH["class"]):
            if not isinstance(cls, URIRef):
                raise UnsupportedShape("sh:class must be an IRI")
            out.append((SH.ClassConstraintComponent,
                        f"(isLiteral({v}) || NOT EXISTS {{ {v} <{RDF.type}>/<{RDFS.subClassOf}>* <{cls}> }})"))
        for node in g.objects(shape, SH.node):
            out.append((SH.NodeConstraintComponent, f"EXISTS {{ {self.violation(node, v, depth + 1)} }}"))
        for lst in g.objects(shape, SH["or"]):
            members = list(Collection(g, lst))
            if not members:
                raise UnsupportedShape("empty sh:or")
            cond = " && ".join(f"EXISTS {{ {self.violation(m, v, depth + 1)} }}" for m in members)
            out.append((SH.OrConstraintComponent, f"({cond})"))
        return out

    def violation(self, shape, x: str, depth: int) -> str:
        """A group graph pattern with at least one solution iff node ``x`` does not conform
        to ``shape`` (nested use: sh:node, sh:or, sh:qualifiedValueShape)."""
        g = self.g
        if depth > 8:
            raise UnsupportedShape("shape nesting too deep (recursive shapes)")
        if (shape, SH.sparql, None) in g or (shape, SH.uniqueLang, None) in g or (shape, SH.maxCount, None) in g \
                or (shape, SH.qualifiedValueShape, None) in g:
            raise UnsupportedShape(f"nested shape {shape} uses a constraint supported only at top level")
        if (shape, SH.deactivated, None) in g:
            raise UnsupportedShape("sh:deactivated")
        branches = []
        path = g.value(shape, SH.path)
        if path is None:
            for _comp, cond in self.value_conditions(shape, x, depth):
                branches.append(f"FILTER ({cond})")
            for mc in g.objects(shape, SH.minCount):
                if _count(mc) > 1:
                    raise UnsupportedShape("sh:minCount > 1 on a node shape")
                # a node shape's value node is the focus itself: minCount 1 always holds
            for hv in g.objects(shape, SH.hasValue):
                branches.append(f"FILTER (!sameTerm({x}, {_sparql_term(hv)}))")
        else:
            p = self.path(path)
            for _comp, cond in self.value_conditions(shape, "?_VAL", depth):
                w = self.var()
                branches.append(f"{x} {p} {w} . FILTER ({cond.replace('?_VAL', w)})")
            for mc in g.objects(shape, SH.minCount):
                if _count(mc) > 1:
                    raise UnsupportedShape("nested sh:minCount > 1")
                if _count(mc) == 1:
                    branches.append(f"FILTER NOT EXISTS {{ {x} {p} {self.var()} }}")
            for hv in g.objects(shape, SH.hasValue):
                branches.append(f"FILTER NOT EXISTS {{ {x} {p} {_sparql_term(hv)} }}")
        for prop in g.objects(shape, SH.property):
            branches.append(self.violation(prop, x, depth + 1))
        if not branches:
            return "FILTER (false)"
        return " UNION ".join(f"{{ {b} }}" for b in branches)

    # -- targets ----------------------------------------------------------------------------

    def prefixes_of(self, node) -> dict:
        out = dict(_DEFAULT_PREFIXES)
        for ont in self.g.objects(node, SH.prefixes):
            for decl in self.g.objects(ont, SH.declare):
                out[str(self.g.value(decl, SH.prefix))] = str(self.g.value(decl, SH.namespace))
        return out

    def focus(self, shape):
        """(SPARQL group pattern binding ?this to each focus node, prefixes) or None."""
        g = self.g
        parts, prefixes = [], dict(_DEFAULT_PREFIXES)
        for c in g.objects(shape, SH.targetClass):
            parts.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* <{c}> .")
        for n in g.objects(shape, SH.targetNode):
            parts.append(f"VALUES ?this {{ {_sparql_term(n)} }}")
        for p in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this <{p}> [] .")
        for p in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"[] <{p}> ?this .")
        for t in g.objects(shape, SH.target):
            if (t, RDF.type, SH.SPARQLTarget) not in g:
                raise UnsupportedShape(f"sh:target that is not a sh:SPARQLTarget on {shape}")
            select = g.value(t, SH.select)
            if select is None:
                raise UnsupportedShape("sh:SPARQLTarget without sh:select")
            text = str(select).strip()
            if re.search(r"\$(PATH|currentShape|shapesGraph)\b|\bPREFIX\b|\bBASE\b", text, re.I):
                raise UnsupportedShape("SPARQL target uses pre-bound variables or inline prefixes")
            prefixes.update(self.prefixes_of(t))
            parts.append(f"{{ {text} }}")
        if not parts:
            return None
        if len(parts) == 1:
            body = parts[0]
        else:
            body = " UNION ".join(f"{{ {p} }}" for p in parts)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {body} }} }}", prefixes

    # -- top-level checks ---------------------------------------------------------------------

    def shape_meta(self, shape):
        sev = self.g.value(shape, SH.severity)
        severity = str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"
        return severity, list(self.g.objects(shape, SH.message))

    def compile(self) -> CompiledProfile:
        self.check_vocabulary()
        g = self.g
        out = CompiledProfile()
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape)) \
            | set(g.subjects(SH.path, None)) | set(g.subjects(SH.property, None))
        for shape in sorted(shapes, key=str):
            if (shape, SH.deactivated, None) in g:
                raise UnsupportedShape("sh:deactivated")
            f = self.focus(shape)
            if f is None:
                continue
            focus, prefixes = f
            # the targeted shape's own constraints, then each of its property shapes
            self.top_level(shape, focus, prefixes, out, render_path)
            for prop in g.objects(shape, SH.property):
                if (prop, SH.property, None) in g:
                    raise UnsupportedShape("sh:property inside a property shape")
                self.top_level(prop, focus, prefixes, out, render_path)
        return out

    def top_level(self, shape, focus, prefixes, out, render):
        g = self.g
        severity, messages = self.shape_meta(shape)
        path_node = g.value(shape, SH.path)
        if path_node is not None and len(list(g.objects(shape, SH.path))) > 1:
            raise UnsupportedShape("several sh:path")
        sh_str = _str(shape)

        def add(query, component, has_value, prefixes_override=None, **kw):
            out.checks.append(_Check(query=query, prefixes=prefixes_override or prefixes, shape=sh_str, component=str(component),
                                     severity=severity, messages=messages,
                                     path=None if path_node is None else (
                                         str(path_node) if isinstance(path_node, URIRef) else render(g, path_node)),
                                     has_value=has_value, **kw))

        if path_node is None:
            # node shape: the value node is the focus node itself
            for comp, cond in self.value_conditions(shape, "?this", 0):
                add(f"SELECT ?this (?this AS ?value) WHERE {{ {focus} FILTER ({cond}) }}", comp, True)
            for hv in g.objects(shape, SH.hasValue):
                add(f"SELECT ?this WHERE {{ {focus} FILTER (!sameTerm(?this, {_sparql_term(hv)})) }}",
                    SH.HasValueConstraintComponent, False)
            for pred in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape):
                if (shape, pred, None) in g:
                    raise UnsupportedShape(f"{pred} on a node shape")
        else:
            p = self.path(path_node)
            for comp, cond in self.value_conditions(shape, "?value", 0):
                add(f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {p} ?value . FILTER ({cond}) }}",
                    comp, True)
            for mc in g.objects(shape, SH.minCount):
                n = int(mc)
                if n == 1:
                    add(f"SELECT ?this WHERE {{ {focus} {_absent(f'?this {p} ?_x', p)} }}",
                        SH.MinCountConstraintComponent, False)
                elif n > 1:
                    add(f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} ?_x }} }} GROUP BY ?this "
                        f"HAVING (COUNT(DISTINCT ?_x) < {n})", SH.MinCountConstraintComponent, False)
            for mc in g.objects(shape, SH.maxCount):
                add(f"SELECT ?this WHERE {{ {focus} ?this {p} ?_x }} GROUP BY ?this "
                    f"HAVING (COUNT(DISTINCT ?_x) > {int(mc)})", SH.MaxCountConstraintComponent, False)
            for hv in g.objects(shape, SH.hasValue):
                add(f"SELECT ?this WHERE {{ {focus} {_absent(f'?this {p} {_sparql_term(hv)}', p)} }}",
                    SH.HasValueConstraintComponent, False)
            for ul in g.objects(shape, SH.uniqueLang):
                if not (isinstance(ul, Literal) and ul.value is True):
                    continue
                # one result per focus node and duplicated (lower-cased) language, no value
                add(f"SELECT ?this ?_lang WHERE {{ {focus} ?this {p} ?_x . "
                    f"FILTER (isLiteral(?_x) && LANG(?_x) != \"\") BIND (LCASE(LANG(?_x)) AS ?_lang) }} "
                    f"GROUP BY ?this ?_lang HAVING (COUNT(DISTINCT ?_x) > 1)", SH.UniqueLangConstraintComponent, False)
            qvs = list(g.objects(shape, SH.qualifiedValueShape))
            if qvs:
                if len(qvs) > 1 or (shape, SH.qualifiedMaxCount, None) in g \
                        or (shape, SH.qualifiedValueShapesDisjoint, None) in g:
                    raise UnsupportedShape("qualified value shapes beyond one sh:qualifiedMinCount")
                for qmin in g.objects(shape, SH.qualifiedMinCount):
                    if int(qmin) > 1:
                        raise UnsupportedShape("sh:qualifiedMinCount > 1")
                    if int(qmin) == 1:
                        inner = self.violation(qvs[0], "?_q", 1)
                        add(f"SELECT ?this WHERE {{ {focus} "
                            f"{_absent(f'?this {p} ?_q . FILTER NOT EXISTS {{ {inner} }}', p)} }}",
                            SH.QualifiedMinCountConstraintComponent, False)
        for c in g.objects(shape, SH.sparql):
            self.sparql_constraint(shape, c, focus, prefixes, add)

    def sparql_constraint(self, shape, c, focus, prefixes, add):
        g = self.g
        if (c, SH.deactivated, None) in g:
            raise UnsupportedShape("sh:deactivated on a SPARQL constraint")
        if (c, SH.message, None) in g:
            raise UnsupportedShape("sh:message on the SPARQL constraint node")  # pyshacl: extra_messages
        select = g.value(c, SH.select)
        if select is None:
            raise UnsupportedShape("SPARQL constraint without sh:select")
        text = str(select).strip()
        if re.search(r"\$(PATH|currentShape|shapesGraph|value)\b|\bPREFIX\b|\bBASE\b", text, re.I):
            raise UnsupportedShape("SPARQL constraint uses $PATH/$value/$currentShape/$shapesGraph or inline prefixes")
        m = re.match(r"(?is)^SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\s*WHERE\s*\{(.*)\}\s*$", text)
        if not m:
            raise UnsupportedShape("SPARQL constraint is not a plain SELECT ... WHERE { ... }")
        projection, body = m.group(2), m.group(3)
        if projection.strip() == "*" or "(" in projection:
            raise UnsupportedShape("SPARQL constraint projection must list variables")
        pvars = re.findall(r"[?$](\w+)", projection)
        if "failure" in pvars or "path" in pvars:
            raise UnsupportedShape("?failure/?path in a SPARQL constraint")
        if re.search(r"\b(STRLEN|SUBSTR|UCASE|LCASE|STRSTARTS|STRENDS|CONTAINS|STRBEFORE|STRAFTER|"
                     r"ENCODE_FOR_URI|CONCAT|REPLACE|REGEX|LANGMATCHES|sameTerm)\s*\(\s*[?$]", text, re.I):
            raise UnsupportedShape("SPARQL constraint reads a lexical form other than through STR()")
        body = re.sub(r"\$this\b", "?this", body)
        # STR() gives the input's lexical form, as rdflib does (the store canonicalises)
        body = re.sub(r"(?i)\bSTR\s*\(", f"<{_LEX_FN.value}>(", body)
        # STRDT() reads durations as leniently as rdflib
        body = re.sub(r"(?i)\bSTRDT\s*\(", f"<{_STRDT_FN.value}>(", body)
        out_vars = [v for v in dict.fromkeys(pvars) if v != "this"]
        proj = " ".join(["?this"] + [f"?{v}" for v in out_vars])
        query = f"SELECT DISTINCT {proj} WHERE {{ {focus} {body} }}"
        pre = dict(prefixes)
        pre.update(self.prefixes_of(c))
        add(query, SH.SPARQLConstraintComponent, "value" in out_vars, prefixes_override=pre, sparql=True,
            this_projected="this" in pvars, row_vars=tuple(out_vars))


@lru_cache(maxsize=16)
def compile_shapes(profile: str) -> CompiledProfile:
    """Compile one profile (``microhe/shapes/<profile>.ttl``); UnsupportedShape when it
    uses a feature outside the supported subset."""
    return compile_graph(shapes_graph((profile,)))


@lru_cache(maxsize=16)
def compile_targets(profile: str) -> tuple[tuple[str, dict], ...]:
    """The focus-node queries of one profile: ``(SELECT ?this ..., prefixes)`` per targeted
    shape (what "how many nodes did it check" counts). UnsupportedShape for a target
    outside the supported subset."""
    c = _Compiler(shapes_graph((profile,)))
    g = c.g
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    out = []
    for shape in sorted(shapes, key=str):
        f = c.focus(shape)
        if f is not None:
            focus, prefixes = f
            out.append((f"SELECT ?this WHERE {{ {focus} }}", prefixes))
    return tuple(out)


def compile_graph(shapes: Graph) -> CompiledProfile:
    """Compile a shapes graph (UnsupportedShape when outside the supported subset)."""
    return _Compiler(shapes).compile()

