"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description manifests
(``<shared>/anchors/w3c-sparql11-protocol/``) read into plain records: each test's
requests ("HTTP in RDF": ``ht:``/``cnt:`` terms) and what each response must be.

Nothing here knows microhe: the runner (:mod:`tests.w3c.test_w3c_suites`) maps the
manifests' placeholder paths (``/sparql/``, ``/gsp``) onto the server under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

ANCHORS = Path(__file__).resolve().parents[3] / "shared" / "anchors" / "w3c-sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

#: hts: terms used by the manifests: a status code, or a class ``"2xx"``.
STATUS = {"OK": "200", "Created": "201", "NoContent": "204", "NotFound": "404",
          "StatusCode2xx": "2xx", "StatusCode3xx": "3xx", "StatusCode4xx": "4xx"}


@dataclass
class Expected:
    statuses: list[str]                       # codes ("201") or classes ("2xx"); any one matches
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None                   # RDF, in the Content-Type of ``headers``
    boolean: bool | None = None               # mf:expectedBoolean
    format: str | None = None                 # mf:expectedFormat: boolean, tabular, rdf
    location_var: str | None = None           # mf:expectedLocation: the template variable

    def status_ok(self, code: int) -> bool:
        return any(s == str(code) or (s.endswith("xx") and s[0] == str(code)[0]) for s in self.statuses)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class W3CTest:
    suite: str                                # protocol, graph-store-protocol, service-description
    name: str                                 # the local name of the test IRI
    title: str                                # mf:name
    requests: list[Request]
    graph_data: list[tuple[str, Path]]        # (graph IRI, N-Triples file) to hold before the test
    requires: list[str]


def _list(g: Graph, head) -> list:
    return list(Collection(g, head)) if head is not None else []


def _headers(g: Graph, node) -> dict[str, str]:
    return {str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
            for h in _list(g, g.value(node, HT.headers))}


def _body(g: Graph, node) -> bytes | None:
    body = g.value(node, HT.body)
    if body is None:
        return None
    encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
    return str(g.value(body, CNT.chars)).encode(encoding)


def _request(g: Graph, node) -> Request:
    resp = g.value(node, HT.resp)
    statuses = sorted(STATUS[str(s)[len(HTS):]] for s in g.objects(resp, MF.expectedStatus))
    boolean = g.value(resp, MF.expectedBoolean)
    fmt = g.value(resp, MF.expectedFormat)
    location = g.value(resp, MF.expectedLocation)
    body = _body(g, resp)
    expected = Expected(statuses, _headers(g, resp), None if body is None else body.decode("utf-8"),
                        None if boolean is None else bool(boolean.toPython()), None if fmt is None else str(fmt),
                        None if location is None else str(location))
    return Request(str(g.value(node, HT.methodName)), str(g.value(node, HT.absolutePath)), _headers(g, node),
                   _body(g, node), expected)


def _entries(path: Path) -> list[tuple[Graph, URIRef]]:
    g = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = URIRef(path.as_uri())
    out = [(g, e) for e in _list(g, g.value(manifest, MF.entries))]
    for included in _list(g, g.value(manifest, MF.include)):
        out += _entries(Path(str(included)[len("file://"):]))
    return out


def _local(iri) -> str:
    return str(iri).rsplit("#", 1)[1]


def load_suite(suite: str) -> list[W3CTest]:
    """The tests of one suite's ``manifest.ttl`` (with its ``mf:include``s), in manifest order."""
    tests = []
    for g, entry in _entries(ANCHORS / suite / "manifest.ttl"):
        action = g.value(entry, MF.action)
        requests = [] if action is None else [_request(g, r) for r in _list(g, g.value(action, HT.requests))]
        data = [(str(g.value(d, RDFS.label)), Path(str(g.value(d, UT.graph))[len("file://"):]))
                for d in g.objects(entry, UT.graphData)]
        tests.append(W3CTest(suite, _local(entry), str(g.value(entry, MF.name)), requests, sorted(data),
                             sorted(_local(r) for r in g.objects(entry, MF.requires))))
        assert g.value(entry, RDF.type) is not None
    return tests


SUITES = ("protocol", "graph-store-protocol", "service-description")


def all_tests() -> list[W3CTest]:
    return [t for suite in SUITES for t in load_suite(suite)]
