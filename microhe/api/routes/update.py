"""SPARQL 1.1 Update over the SPARQL 1.1 Protocol at ``/update``: an administrator's tool.

``POST /update`` with either

* ``Content-Type: application/x-www-form-urlencoded``: ``update=`` (exactly once) and
  optional ``using-graph-uri=`` / ``using-named-graph-uri=`` (repeatable) in the body, or
* ``Content-Type: application/sparql-update``: the update as the body, the dataset
  parameters in the query string.

Other content types: 415; GET: 405. The body is capped at ``Settings.max_body_bytes`` (413).
Every request needs ``Authorization: Bearer <token>`` (401/403; a token in the URL: 400).

The request runs as **one transaction** (pyoxigraph ``Store.update``): all of its
operations apply, or none. Success: 204. A syntax error: 400 with the parser's message.

**Not SHACL-gated.** Unlike Graph Store writes and ``microhe load``, an update is written as
given: no validation, no learner-data check, no provenance record and no recomputation of
the derived values (``<g>#derived``). It is meant for administrators who know what they
change (fix a typo, move a graph); data stewards should use the Graph Store or the CLI.

The default graph of an update's ``WHERE`` is the store's own default graph (not the union
that ``/sparql`` queries); name graphs with ``GRAPH``, ``USING`` or ``WITH``. The dataset
parameters act as ``USING``/``USING NAMED`` clauses added to every ``DELETE``/``INSERT ...
WHERE`` operation (a ``DELETE WHERE`` shorthand is expanded to ``DELETE {..} WHERE {..}``
for that); giving them for a request that has its own ``USING``/``WITH`` is 400, as the
protocol requires.

**No network (SSRF).** ``LOAD`` and ``SERVICE`` would make the server fetch an IRI chosen by
the client (pyoxigraph has an HTTP client), so unless ``Settings.allow_remote_update``
(``MICROHE_ALLOW_REMOTE_UPDATE=true``) is set, an update whose text contains the word
``LOAD`` or ``SERVICE`` anywhere (in any case, also inside strings, IRIs, comments and
longer words; only ``?load``, ``$service``, ``mhe:Load`` are allowed) is refused with 400
before it runs. The check is :mod:`microhe.rdf.sparql_gate`, which does not tokenise SPARQL:
lexers that tried to find the keywords were bypassed by spellings the engine accepts.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from microhe.api.deps import SettingsDep, StoreDep, WriterDep, read_body
from microhe.api.errors import WRITE, error_responses
from microhe.api.http.requestlog import note_query
from microhe.ingest.lock import write_lock
from microhe.rdf import sparql_gate, sparql_text
from microhe.rdf.iri import iri_problem
from microhe.store.embedded import Store

PATH = "/update"
FORM = "application/x-www-form-urlencoded"
SPARQL_UPDATE = "application/sparql-update"

router = APIRouter(tags=["SPARQL"])


# -- the route ---------------------------------------------------------------------------------


def _iris(values: list[str], name: str) -> list[str]:
    for v in values:
        problem = iri_problem(v)
        if problem is not None:
            raise HTTPException(400, detail=f"{name}={v!r} is not an absolute IRI ({problem})")
    return values


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise HTTPException(400, detail=f"{what} is not UTF-8: {e}") from None


@router.post(
    PATH, status_code=204, summary="SPARQL 1.1 Update (administrators; not SHACL-gated)",
    responses={204: {"description": "applied (one transaction)"},
               **error_responses(*WRITE, 415, d400="syntax error, LOAD/SERVICE refused, bad parameters",
                                 d415="not form-encoded nor application/sparql-update")},
    openapi_extra={"requestBody": {"required": True, "content": {
        SPARQL_UPDATE: {"schema": {"type": "string"}},
        FORM: {"schema": {"type": "object", "required": ["update"], "properties": {
            "update": {"type": "string"},
            "using-graph-uri": {"type": "array", "items": {"type": "string", "format": "iri"}},
            "using-named-graph-uri": {"type": "array", "items": {"type": "string", "format": "iri"}}}}}}}},
)
async def update(request: Request, store: StoreDep, settings: SettingsDep, writer: WriterDep) -> Response:
    """Run a SPARQL 1.1 Update request in one transaction. Writes exactly what it says:
    no SHACL validation, no learner-data check, no provenance (an administrator's tool).
    ``LOAD`` and ``SERVICE`` are refused (no network from the server) unless the
    deployment allows them."""
    ct = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if ct not in (FORM, SPARQL_UPDATE):
        raise HTTPException(415, detail=f"send the update as {FORM} (update=...) or as {SPARQL_UPDATE}, "
                            f"not {ct or 'a body without Content-Type'}")
    data = await read_body(request, settings.max_body_bytes)
    if ct == FORM:
        form = parse_qs(_decode(data, "the form"), keep_blank_values=True)
        if any(k.lower() in ("access_token", "token") for k in form):
            raise HTTPException(400, detail="tokens are accepted only in the Authorization header")
        texts = form.get("update", [])
        using = form.get("using-graph-uri", [])
        using_named = form.get("using-named-graph-uri", [])
        if len(texts) != 1:
            raise HTTPException(400, detail=f"give the update once as update=... (got {len(texts)})")
        text = texts[0]
    else:
        text = _decode(data, "the update")
        using = request.query_params.getlist("using-graph-uri")
        using_named = request.query_params.getlist("using-named-graph-uri")
    note_query(request, text)  # its hash (never the text) goes in the log line of a refusal
    if not text.strip():
        raise HTTPException(400, detail="empty update")
    _iris(using, "using-graph-uri")
    _iris(using_named, "using-named-graph-uri")

    if using or using_named:
        try:
            text = sparql_text.with_dataset(text, using, using_named)
        except sparql_text.DatasetClauseConflict as e:
            raise HTTPException(400, detail=str(e)) from None
    if not settings.allow_remote_update:  # what runs: the caller's text and graph IRIs
        try:
            sparql_gate.check_update(text)
        except sparql_gate.RemoteAccessRefused as e:
            raise HTTPException(400, detail=f"{e} To add data, use the Graph Store (PUT/POST /rdf-graphs) "
                                "or `microhe load`.") from None

    def run() -> None:
        with write_lock(store):
            execute(store, text, base_iri=settings.base)

    await run_in_threadpool(run)
    return Response(status_code=204)


def execute(store: Store, text: str, *, base_iri: str | None) -> None:
    """Run the update. Nothing is applied when it fails: 400 with the parser's message on
    a syntax error, 400 when an operation fails (``CREATE`` of an existing graph, ``DROP``
    of a missing one without ``SILENT``), 502 when an allowed ``LOAD``/``SERVICE`` could
    not fetch, 500 when the store fails."""
    try:
        store.update(text, base_iri=base_iri)
    except SyntaxError as e:
        raise HTTPException(400, detail=f"SPARQL Update syntax error: {e}") from None
    except (RuntimeError, ValueError) as e:
        raise HTTPException(400, detail=f"the update failed and nothing was applied: {e}") from None
    except OSError as e:
        status = 502 if sparql_gate.find(text) else 500  # an allowed LOAD/SERVICE could not fetch
        raise HTTPException(status, detail=f"the update failed and nothing was applied: {e}") from None


__all__ = ["router", "PATH"]
