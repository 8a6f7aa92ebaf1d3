"""The remote back end: the :class:`~microhe.store.embedded.Store` interface over any SPARQL 1.1
server (Oxigraph server, Virtuoso, Fuseki, GraphDB, Neptune).

Queries go through SPARQLWrapper to the query endpoint; the raw response (SPARQL JSON
results, or N-Triples/Turtle for CONSTRUCT/DESCRIBE) is parsed with pyoxigraph, so callers
get real ``pyoxigraph.QuerySolutions`` / ``QueryBoolean`` / ``QueryTriples`` objects and
read ``row["var"]`` exactly as with the embedded store.

Writes: every :meth:`RemoteStore.write` is **one** SPARQL 1.1 Update request (``DROP``s,
then ``DELETE DATA``, then ``INSERT DATA``; built by :mod:`microhe.store.remote_writes`).
It is atomic on servers that run one update request in one transaction: Oxigraph server (each request is one RocksDB transaction),
Apache Jena Fuseki (TDB/TDB2 write transaction per request), GraphDB (one transaction per
request) and Neptune (one transaction per request).

Virtuoso (recognised by its ``Server`` header; ``writes="graph-store"``/``"update"``
forces a mode) is written through its SPARQL 1.1 Graph Store endpoint instead, one
request per graph (not atomic across graphs), and its answers are repaired on reading:
see :mod:`microhe.store.virtuoso`.

Required server configuration
-----------------------------
* **Union default graph.** Queries must see the union of all named graphs as their
  default graph. Oxigraph server: ``oxigraph serve --union-default-graph``. Virtuoso: the
  default graph is the union of all graphs by default (nothing to do). Fuseki:
  ``tdb2:unionDefaultGraph true`` on the dataset. GraphDB: the default graph is the
  union by default. :class:`RemoteStore` probes this when it starts and refuses (with
  :class:`~microhe.store.base.StoreError`) when the default graph is not the union.
* **Updates allowed** on the update endpoint (Virtuoso: grant ``SPARQL_UPDATE`` to the
  ``SPARQL`` user for ``/sparql``, or use ``/sparql-auth`` with digest authentication).

Parameters (``substitutions``) are bound as RDF terms: each term is serialised by
pyoxigraph in N-Triples syntax (which is also SPARQL syntax, escaping done by
pyoxigraph) into a ``VALUES`` block injected at the start of the query's outermost
``WHERE`` group. User text never enters the query otherwise.

No network on a caller's behalf (SSRF): the server runs ``SERVICE`` and ``LOAD`` itself, so
the text of every query and of every :meth:`RemoteStore.update` passes
:mod:`microhe.rdf.sparql_gate` before anything is sent (refused: the word SERVICE or LOAD
anywhere in it), unless ``allow_service`` (queries) or ``allow_remote_update`` (updates)
is set (``MICROHE_ALLOW_SERVICE``, ``MICROHE_ALLOW_REMOTE_UPDATE``). Bound parameters are
terms, not text, and microhe's own writes are built from terms: neither is checked.

The store's own default graph (``graph=None``) is reached through the Graph Store
Protocol (``?default``) when a graph store endpoint is configured; otherwise operations
on it raise :class:`StoreError` (always on Virtuoso, which has no separate default graph).

Over 400 lines because the store interface is one concept here: each method is a request
and its reading back; what a write sends is built in ``store/remote_writes.py`` and
Virtuoso's repairs live in ``store/virtuoso.py``.
"""

from __future__ import annotations

import base64
import io
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Iterator, Mapping
from types import EllipsisType
from typing import BinaryIO

import pyoxigraph as ox
from SPARQLWrapper import BASIC, DIGEST, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from microhe.rdf import formats, nquads, sparql_gate
from microhe.rdf.sparql_text import bind_values, query_form
from microhe.store import remote_writes, virtuoso
from microhe.store.base import StoreError, WriteTracking

_PROBE_GRAPH = "urn:microhe:union-probe"
#: What ``oxigraph serve --timeout-s`` writes in place of the rest of the results of a query
#: it cancelled (after a 200 status and the start of the results).
_CANCELLED = b"The SPARQL operation has been cancelled"


class RemoteQueryError(SyntaxError):
    """The server refused a query or update (HTTP 400): the message is the server's."""


class RemoteStore(WriteTracking):
    """The store interface over a SPARQL 1.1 query endpoint and update endpoint."""

    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str | None = None,
        *,
        graph_store_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        timeout: float = 30.0,
        hide_graphs: Iterable[str] = virtuoso.SYSTEM_GRAPHS,
        check_union: bool = True,
        chunk_size: int = 1000,
        writes: str = "auto",
        allow_service: bool = False,
        allow_remote_update: bool = False,
    ):
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint
        self.graph_store_endpoint = graph_store_endpoint
        self.user, self.password = user, password
        if auth not in ("basic", "digest"):
            raise StoreError(f"unknown HTTP authentication {auth!r} (basic or digest)")
        self.auth = auth
        self.timeout = float(timeout)
        self.hide_graphs = tuple(hide_graphs)
        self._hide_origin = hide_graphs is virtuoso.SYSTEM_GRAPHS
        self.path = None
        #: Most quads per INSERT operation (Virtuoso refuses very large ones); all the
        #: operations of one write still go in one request.
        self.chunk_size = chunk_size
        if writes not in ("auto", "update", "graph-store"):
            raise StoreError(f"unknown write mode {writes!r} (auto, update or graph-store)")
        self.writes = writes
        #: Send queries / updates whose text contains SERVICE or LOAD (see the module docstring).
        self.allow_service = allow_service
        self.allow_remote_update = allow_remote_update
        #: The ``Server`` header of the last answer (how a Virtuoso server is recognised).
        self.server_software: str | None = None
        #: Incremented on every write through this object (writes by others are not seen).
        self._init_write_tracking()
        #: no change log: a SPARQL server is also written behind microhe's back
        self.changes = None
        if check_union:
            self._check_union_default_graph()

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_endpoint!r})"

    # -- HTTP --------------------------------------------------------------------------

    def _wrapper(self, endpoint: str) -> SPARQLWrapper:
        w = SPARQLWrapper(self.query_endpoint, updateEndpoint=self.update_endpoint)
        w.setMethod(POST)
        w.setOnlyConneg(True)  # the Accept header only: no format=xml (Virtuoso obeys it)
        w.setTimeout(int(self.timeout))  # what SPARQLWrapper does with it anyway
        if self.user is not None:
            w.setHTTPAuth(DIGEST if self.auth == "digest" else BASIC)
            w.setCredentials(self.user, self.password or "")
        return w

    def _send(self, w: SPARQLWrapper, endpoint: str) -> tuple[bytes, str]:
        try:
            res = w.query()
            resp = res.response
            self.server_software = resp.headers.get("Server", "") or ""
            try:
                return resp.read(), resp.headers.get("Content-Type", "")
            finally:
                resp.close()
        except SPARQLWrapperException as e:
            text = str(e)
            if "QueryBadFormed" in type(e).__name__ or "400" in text[:40]:
                raise RemoteQueryError(f"{endpoint} refused the request: {_short(text)}") from None
            raise StoreError(f"the SPARQL server at {endpoint} failed: {_short(text)}") from None
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")
            if e.code == 400:
                raise RemoteQueryError(f"{endpoint} refused the request: {_short(body)}") from None
            raise StoreError(f"the SPARQL server at {endpoint} answered HTTP {e.code}: {_short(body)}") from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise StoreError(f"the SPARQL server at {endpoint} did not answer within "
                                 f"{self.timeout:g} s (MICROHE_QUERY_TIMEOUT)") from None
            raise StoreError(f"cannot reach the SPARQL server at {endpoint}: {reason} "
                             "(is it running? check MICROHE_SPARQL_ENDPOINT)") from None
        except TimeoutError:
            raise StoreError(f"the SPARQL server at {endpoint} did not answer within "
                             f"{self.timeout:g} s (MICROHE_QUERY_TIMEOUT)") from None
        except OSError as e:
            raise StoreError(f"cannot reach the SPARQL server at {endpoint}: {e}") from None

    @property
    def is_virtuoso(self) -> bool:
        """Whether the server is OpenLink Virtuoso (from its ``Server`` header)."""
        if self.server_software is None:
            self._request_query("ASK {}", "application/sparql-results+json, application/sparql-results+xml;q=0.8")
        return "virtuoso" in (self.server_software or "").lower()

    @property
    def _default_graph_ok(self) -> bool:
        """The store's own default graph is reachable (Graph Store ``?default``); never on
        Virtuoso, whose default graph is only the union of its graphs."""
        return bool(self.graph_store_endpoint) and not self.is_virtuoso

    def _graph_store_writes(self) -> bool:
        if self.writes == "auto":
            return self.is_virtuoso
        return self.writes == "graph-store"

    def _graph_store_write_endpoint(self) -> str:
        if self.graph_store_endpoint:
            return self.graph_store_endpoint
        if self.is_virtuoso:  # Virtuoso's SPARQL 1.1 Graph Store endpoint, next to /sparql
            parts = urllib.parse.urlsplit(self.update_endpoint)
            path = "/sparql-graph-crud-auth" if self.user is not None else "/sparql-graph-crud"
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        raise StoreError("graph store writes need a Graph Store endpoint: set MICROHE_GRAPH_STORE_ENDPOINT")

    def _http(self, method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] = {}) -> bytes:
        """One plain HTTP request (Graph Store Protocol), with the configured credentials."""
        handlers = []
        if self.user is not None:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            mgr.add_password(None, url, self.user, self.password or "")
            handlers.append(urllib.request.HTTPDigestAuthHandler(mgr) if self.auth == "digest"
                            else urllib.request.HTTPBasicAuthHandler(mgr))
        opener = urllib.request.build_opener(*handlers)
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
        if self.user is not None and self.auth == "basic":
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        endpoint = url.split("?")[0]
        try:
            with opener.open(req, timeout=self.timeout) as resp:
                self.server_software = resp.headers.get("Server", "") or ""
                return resp.read()
        except urllib.error.HTTPError as e:
            text = _html_text(e.read().decode("utf-8", "replace"))
            if e.code == 400:
                raise RemoteQueryError(f"{endpoint} refused the request: {_short(text)}") from None
            raise StoreError(f"the graph store at {endpoint} answered HTTP {e.code}: {_short(text)}") from None
        except TimeoutError:
            raise StoreError(f"the graph store at {endpoint} did not answer within {self.timeout:g} s") from None
        except (urllib.error.URLError, OSError) as e:
            raise StoreError(f"cannot reach the graph store at {endpoint}: {e}") from None

    def _request_query(self, text: str, accept: str, default_graph=None, named_graphs=None) -> tuple[bytes, str]:
        w = self._wrapper(self.query_endpoint)
        w.setQuery(text)
        w.queryType = "SELECT"  # never let SPARQLWrapper route a query to the update endpoint
        for g in default_graph or ():
            w.addParameter("default-graph-uri", g)
        for g in named_graphs or ():
            w.addParameter("named-graph-uri", g)
        w.addCustomHttpHeader("Accept", accept)
        return self._send(w, self.query_endpoint)

    @property
    def state(self) -> None:
        """No durable token: the server's data changes behind microhe's back, so views of a
        remote store are kept in memory per ``generation`` only, never saved."""
        return None

    # -- reading ---------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ):
        """Run a SPARQL query on the server; same contract as :meth:`Store.query`.
        ``substitutions`` are bound in a ``VALUES`` block (terms, never text). Raises
        :class:`~microhe.rdf.sparql_gate.RemoteAccessRefused` (a ValueError), before
        sending anything, for a text with SERVICE or LOAD unless ``allow_service``."""
        if not self.allow_service:
            sparql_gate.check_query(sparql)
        form = query_form(sparql)
        if default_graph is not None and named_graphs is None:
            # As with the embedded store, naming the default graph leaves the named graphs
            # as they are; the protocol would empty them, so name them all.
            named_graphs = self.named_graphs()
        text = bind_values(sparql, substitutions) if substitutions else sparql
        if base_iri:
            text = f"BASE {ox.NamedNode(base_iri)}\n{text}"
        if form in ("CONSTRUCT", "DESCRIBE"):
            body, ctype = self._request_query(
                text, f"{formats.N_TRIPLES}, text/plain;q=0.9, {formats.TURTLE};q=0.8",
                default_graph, named_graphs)
            if self.is_virtuoso:
                body = virtuoso.fix_rdf(body)
            return _as_query_triples(_parse_rdf(body, ctype, self.query_endpoint))
        body, ctype = self._request_query(
            text, f"{formats.SPARQL_JSON}, {formats.SPARQL_XML};q=0.8",
            default_graph, named_graphs)
        fmt = ox.QueryResultsFormat.XML if "xml" in ctype else ox.QueryResultsFormat.JSON
        if fmt == ox.QueryResultsFormat.JSON:
            body = virtuoso.fix_json(body)
        if self.is_virtuoso:
            body = virtuoso.fix_results(body)
        try:
            # read through once: pyoxigraph parses solutions lazily, and an error in the middle
            # of the body must not surface later, in the caller's loop, as a SyntaxError
            answer = ox.parse_query_results(body, format=fmt)
            if not isinstance(answer, ox.QuerySolutions):
                return answer  # a boolean: read whole already
            for _ in answer:
                pass
        except (SyntaxError, ValueError) as e:
            if body.rstrip().endswith(_CANCELLED):
                raise StoreError(f"the SPARQL server at {self.query_endpoint} cancelled the query: it reached the "
                                 "server's own time limit (e.g. `oxigraph serve --timeout-s`); narrow the query, "
                                 "or raise the server's limit") from None
            raise StoreError(f"unreadable results from {self.query_endpoint} ({ctype}): {e}") from None
        return ox.parse_query_results(body, format=fmt)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update request (one request; see the module docstring on atomicity).
        Raises :class:`~microhe.rdf.sparql_gate.RemoteAccessRefused`, before sending anything,
        for a text with SERVICE or LOAD unless ``allow_remote_update``."""
        if not self.allow_remote_update:
            sparql_gate.check_update(sparql)
        if base_iri:
            sparql = f"BASE {ox.NamedNode(base_iri)}\n{sparql}"
        with self._changing():
            self._update(sparql)

    def _update(self, sparql: str) -> None:
        w = self._wrapper(self.update_endpoint)
        w.setQuery(sparql)
        w.queryType = "INSERT"  # an update: SPARQLWrapper posts it as update= to the update endpoint
        w.addCustomHttpHeader("Accept", "*/*")
        self._send(w, self.update_endpoint)

    def _select(self, text: str, **subs) -> ox.QuerySolutions:
        return self.query(text, substitutions=subs or None)

    def _visible(self, iri: str) -> bool:
        if self._hide_origin and self.server_software is not None:
            # Virtuoso also names system graphs after the server's own address
            # (http://host:port/DAV/, http://host:port/sparql).
            self._hide_origin = False
            if self.is_virtuoso:
                parts = urllib.parse.urlsplit(self.query_endpoint)
                self.hide_graphs += (f"{parts.scheme}://{parts.netloc}/",)
        return not iri.startswith(self.hide_graphs)

    def named_graphs(self) -> list[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(g for g in (r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))
                      if self._visible(g))

    def has_graph(self, iri: str) -> bool:
        return bool(self._select("ASK { GRAPH ?g { ?s ?p ?o } }", g=ox.NamedNode(iri)))

    def graph_size(self, iri: str | None) -> int:
        if iri is None:
            return sum(1 for _ in self._default_graph_quads())
        rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", g=ox.NamedNode(iri))
        return next(int(r["n"].value) for r in rows)

    def quads(self, graph: str | None | EllipsisType = ...) -> Iterator[ox.Quad]:
        """All quads (the visible named graphs, and the default graph when a graph store
        endpoint is configured), or those of one graph (``None``: the default graph)."""
        if graph is ...:
            return iter(self._all_quads())
        if graph is None:
            return iter(self._default_graph_quads())
        return iter(self.quads_matching(graph=ox.NamedNode(graph)))

    def _all_quads(self) -> list[ox.Quad]:
        out: list[ox.Quad] = []
        for g in self.named_graphs():
            out.extend(self.quads_matching(graph=ox.NamedNode(g)))
        if self._default_graph_ok:
            out.extend(self._default_graph_quads())
        return out

    def quads_matching(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        """The quads matching a pattern of pyoxigraph terms (``None`` = any) in the named
        graphs (or in the graph ``graph`` names; ``ox.DefaultGraph()``: the default graph)."""
        if isinstance(graph, ox.DefaultGraph):
            return iter([q for q in self._default_graph_quads()
                         if (subject is None or q.subject == subject)
                         and (predicate is None or q.predicate == predicate)
                         and (object is None or q.object == object)])
        subs = {k: v for k, v in (("s", subject), ("p", predicate), ("o", object), ("g", graph)) if v is not None}
        rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions=subs or None)
        out = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]
        if graph is None:
            out = [q for q in out if not isinstance(q.graph_name, ox.DefaultGraph) and self._visible(q.graph_name.value)]
        return iter(out)

    def _default_graph_quads(self) -> list[ox.Quad]:
        endpoint = self._need_default_graph()
        req = urllib.request.Request(endpoint + "?default",
                                     headers={"Accept": formats.N_TRIPLES})
        if self.user is not None and self.auth == "basic":
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body, ctype = resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return []
            raise StoreError(f"the graph store at {self.graph_store_endpoint} answered HTTP {e.code}") from None
        except (urllib.error.URLError, OSError) as e:
            raise StoreError(f"cannot reach the graph store at {self.graph_store_endpoint}: {e}") from None
        body = virtuoso.fix_rdf(body) if self.is_virtuoso else body
        return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                for t in _parse_rdf(body, ctype, endpoint)]

    def _need_default_graph(self) -> str:
        """The Graph Store endpoint that reads the default graph, or a StoreError saying why there is none."""
        if self.is_virtuoso:
            raise StoreError("Virtuoso has no separate default graph (its default graph is the union of "
                             "its named graphs): use a named graph")
        if not self.graph_store_endpoint:
            raise StoreError("the store's own default graph can only be read through the Graph Store "
                             "Protocol on a remote store: set MICROHE_GRAPH_STORE_ENDPOINT")
        return self.graph_store_endpoint

    def is_empty(self) -> bool:
        if self._default_graph_ok and self.graph_size(None):
            return False
        return not self.named_graphs()

    def __len__(self) -> int:
        n = sum(self.graph_size(g) for g in self.named_graphs())
        return n + (self.graph_size(None) if self._default_graph_ok else 0)

    # -- writing ---------------------------------------------------------------------

    def write(
        self,
        graphs: Mapping[str, Iterable[ox.Quad]] | None = None,
        *,
        drop: Iterable[str | None] = (),
        add: Iterable[ox.Quad] = (),
        remove: Iterable[ox.Quad] = (),
        bulk: bool = False,
    ) -> None:
        """One write, sent as one SPARQL Update request: set the content of each graph in
        ``graphs``, drop the graphs in ``drop`` (``None``: empty the default graph), then
        remove/add single quads. Atomic on servers that run a request in one transaction
        (see the module docstring). ``bulk`` is accepted for the embedded store's
        signature and changes nothing: a server has no bulk writer microhe can drive."""
        with self._changing():
            self._write(dict(graphs or {}), list(drop), list(add), list(remove))

    def _write(self, graphs: dict, drop: list, add: list, remove: list) -> None:
        if self._graph_store_writes():
            self._write_graph_store(graphs, list(drop), list(add), list(remove))
            return
        text = remote_writes.update_request(graphs, drop, add, remove, self.chunk_size)
        if text is not None:
            self._update(text)

    def _write_graph_store(self, graphs: dict, drop: list, add: list, remove: list) -> None:
        """A write as Graph Store requests (Virtuoso; what is sent:
        :func:`~microhe.store.remote_writes.graph_store_requests`), each an N-Triples body
        read by the server's own parser. Each request is atomic; the write as a whole is not."""
        if remote_writes.touches_default_graph(drop, add, remove):
            self._need_default_graph()
        endpoint = self._graph_store_write_endpoint()  # refused before anything is sent
        text, requests = remote_writes.graph_store_requests(graphs, drop, add, remove, self.chunk_size)
        if text is not None:
            self._update(text)
        # the Graph Store Protocol names a graph with ?graph= (Virtuoso: ?graph-uri=; a server
        # that does not know the parameter writes into its default graph or a new graph)
        param = "graph-uri" if self.is_virtuoso else "graph"
        for method, iri, qs in requests:
            url = f"{endpoint}?default" if iri is None else f"{endpoint}?{param}={urllib.parse.quote(iri, safe='')}"
            self._http(method, url, remote_writes.ntriples_body(qs), {"Content-Type": formats.N_TRIPLES})

    def optimize(self) -> None:
        """Nothing to do: the remote server manages its own storage."""

    def restore(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one request (the server relabels blank nodes)."""
        self.write(add=list(quads))

    def clear(self) -> None:
        """Drop every visible named graph (and the default graph), in one request."""
        with self._changing():
            ops = [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in self.named_graphs()]
            if self._default_graph_ok:
                ops.append("DROP SILENT DEFAULT")
            if ops:
                self._update(" ;\n".join(ops))

    # -- dumping ---------------------------------------------------------------------

    def dump(self, out: BinaryIO | str, *, sort: bool = True) -> int:
        """Write every quad as (sorted) N-Quads; returns the number of quads written."""
        return nquads.dump_quads(self._all_quads(), out, sort=sort)

    def dump_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.dump(buf)
        return buf.getvalue()

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- probing ---------------------------------------------------------------------

    def _check_union_default_graph(self) -> None:
        """Refuse a server whose default graph is not the union of the named graphs."""
        rows = list(self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                               "FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1"))
        if rows:
            r = rows[0]
            ok = bool(self.query("ASK { ?s ?p ?o }", substitutions={"s": r["s"], "p": r["p"], "o": r["o"]}))
        else:  # an empty store: write a probe triple, look, remove it
            node = ox.NamedNode(f"urn:uuid:{uuid.uuid4()}")
            probe = ox.Quad(node, node, node, ox.NamedNode(_PROBE_GRAPH))
            self._update("INSERT DATA { " + nquads.data_block([probe]) + " }")
            try:
                ok = bool(self.query("ASK { ?s ?s ?s }", substitutions={"s": node}))
            finally:
                self._update(f"DROP SILENT GRAPH <{_PROBE_GRAPH}>")
        if not ok:
            raise StoreError(
                f"the SPARQL server at {self.query_endpoint} does not use the union of its named "
                "graphs as the default graph; microhe needs it (Oxigraph: `oxigraph serve "
                "--union-default-graph`; Fuseki: tdb2:unionDefaultGraph true; Virtuoso: the default)")


# -- results -----------------------------------------------------------------------

def _html_text(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text)


def _rdf_format(ctype: str) -> ox.RdfFormat:
    """The format of a server's RDF answer; N-Triples when its Content-Type tells none
    (``text/plain`` is N-Triples' historic media type)."""
    return formats.rdf_format(media_type=ctype) or ox.RdfFormat.N_TRIPLES


def _parse_rdf(body: bytes, ctype: str, endpoint: str) -> list[ox.Triple]:
    try:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=_rdf_format(ctype))]
    except (SyntaxError, ValueError) as e:
        raise StoreError(f"unreadable RDF from {endpoint} ({ctype}): {e}") from None


def _as_query_triples(triples: list[ox.Triple]) -> ox.QueryTriples:
    """A real ``pyoxigraph.QueryTriples`` over the triples (through a scratch store)."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    result = scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples), "a CONSTRUCT answers triples"
    return result


def _short(text: str, limit: int = 600) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


__all__ = ["RemoteStore", "RemoteQueryError"]
