"""``GET /api/export/{format}?iri=IRI``: a specification in the format another platform
reads (``microhe export``'s route; the credential page links it).

``format`` is ``elm`` (Europass ELM v3 JSON-LD), ``ob3`` (an unsigned Open Badges 3.0
AchievementCredential), ``ctdl`` (CTDL JSON-LD) or ``schemaorg`` (EducationalOccupationalCredential);
``iri`` is repeatable (at most :data:`~microhe.exporters.registry.MAX_IRIS`; several give a
JSON array of documents). The answer is the document (``application/ld+json``) with the loss
report's summary in ``X-Microhe-Export-Lost`` (the number of fields lost and their names);
``?report=true`` answers the documents and the full loss report as one JSON object. An unknown
format or a value that is not an absolute IRI: 422; an IRI the graph does not hold: 404;
one that is not a specification: 422.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from markupsafe import Markup

from microhe.api.auth import refuse_token_in_url
from microhe.api.deps import StoreDep
from microhe.api.errors import error_content
from microhe.api.http.negotiation import JSON_LD
from microhe.api.pages import render
from microhe.exporters import schemaorg
from microhe.exporters.model import Accreditation, Organisation, Outcome, Spec
from microhe.exporters.registry import MAX_IRIS, check_iris, export, exporter
from microhe.publish.credential import CredentialView

router = APIRouter(tags=["export"])
EQF = "http://data.europa.eu/snb/eqf/"
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}

_STRINGS = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
#: A JSON-LD document of any of the formats: the keys they share (each format adds its own).
_DOCUMENT = {"type": "object", "description": "The JSON-LD document of the format (its own keys beside these)",
             "properties": {"@context": _STRINGS, "id": {"type": "string"}, "@id": {"type": "string"},
                            "type": _STRINGS, "@type": {"type": "string"},
                            "@graph": {"type": "array", "items": {"type": "object", "properties": {
                                "@id": {"type": "string"}, "@type": {"type": "string"}}}}}}
_REPORT = {"type": "object", "properties": {
    "format": {"type": "string"}, "media_type": {"type": "string"},
    "documents": {"type": "array", "items": _DOCUMENT},
    "lost": {"type": "array", "items": {"type": "object", "properties": {
        "specification": {"type": "string"}, "field": {"type": "string"}, "value": {"type": "string"},
        "reason": {"type": "string"}}}}}}

_DOC = {
    "parameters": [
        {"name": "iri", "in": "query", "required": True,
         "schema": {"type": "array", "items": {"type": "string", "format": "iri"}, "maxItems": MAX_IRIS},
         "style": "form", "explode": True,
         "description": f"The specification(s) to export (repeatable, at most {MAX_IRIS})."},
        {"name": "report", "in": "query", "required": False, "schema": {"type": "boolean"},
         "description": "Answer {format, media_type, documents, lost} as JSON instead of the document."},
    ],
    "responses": {"200": {"description": "The document (JSON-LD), or with report=true the documents and the "
                          "loss report", "content": {JSON_LD: {"schema": {"anyOf": [
                              _DOCUMENT, {"type": "array", "items": _DOCUMENT}]}},
                              "application/json": {"schema": _REPORT}}},
                  **{str(c): error_content(c) for c in (400, 404, 422)}},
}


@router.get("/api/export/{target}", summary="Export a specification (Europass ELM, Open Badges 3.0, CTDL, "
            "schema.org)", response_class=Response, openapi_extra=_DOC, responses={200: {"content": {}}})
async def export_route(target: str, request: Request, store: StoreDep) -> Response:
    """The specification(s) ``iri`` as ``elm``, ``ob3``, ``ctdl`` or ``schemaorg``, with what the format cannot hold."""
    refuse_token_in_url(request)
    exporter(target)  # unknown format: 422 naming the known ones
    value = request.query_params.get("report")
    if value is not None and value.strip().lower() not in _TRUE | _FALSE:
        raise HTTPException(400, detail=f"?report= takes true or false, not {value[:50]!r}")
    full = value is not None and value.strip().lower() in _TRUE
    iris = check_iris(request.query_params.getlist("iri"))
    result = await run_in_threadpool(export, store, target, iris)
    if full:
        return Response(json.dumps(result.report(), ensure_ascii=False), media_type="application/json")
    fields = sorted({x.field for x in result.lost})
    summary = json.dumps({"lost": len(result.lost), "fields": fields}, ensure_ascii=True)
    return Response(result.body(), media_type=result.media_type,
                    headers={"X-Microhe-Export-Lost": summary,
                             "Content-Disposition": f'inline; filename="specification.{target}.json"'})


def spec_of_view(c: CredentialView) -> Spec:
    """The specification as the credential page read it (its title, awarding bodies,
    levels, workload, outcomes, accrediting agents, web pages): what the schema.org block
    of the page needs, without reading the store a second time."""
    hours = c.workload[:-2] if c.workload and c.workload.endswith(" h") else None
    stated = [lv.stated.iri for lv in c.levels if lv.stated.iri]  # as stated: not the EQF levels derived from them
    return Spec(
        iri=c.iri, types=[], titles=[(c.title, None)],
        descriptions=[(c.description, None)] if c.description else [],
        issuers=[Organisation(body.iri or f"_:issuer{i}", [(body.text, None)], country.iri if country else None)
                 for i, (body, country) in enumerate(c.awarded_by)],
        eqf=sorted(int(i[len(EQF):]) for i in stated if i.startswith(EQF) and i[len(EQF):].isdigit()),
        nqf=[i for i in stated if not i.startswith(EQF)], hours=[f"PT{hours}H"] if hours else [],
        outcomes=[Outcome(f"_:outcome{i}", [(o.title, None)], None, [s.iri for s in o.skills if s.iri])
                  for i, o in enumerate(c.outcomes)],
        accreditations=[Accreditation(q.href or f"_:qa{i}", [(q.title, None)] if q.title else [], [],
                                      [a.iri for a in q.agents if a.iri]) for i, q in enumerate(c.quality)],
        homepages=[h.iri for h in c.homepages if h.iri])


def schemaorg_block(c: CredentialView) -> Markup:
    """The schema.org JSON-LD of the credential page's ``<script type="application/ld+json">``:
    a data block (it runs nothing, so the page's Content-Security-Policy allows it), with
    ``<``, ``>`` and ``&`` escaped so no text of the graph can end the element."""
    doc, _ = schemaorg.export(spec_of_view(c))
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


#: The credential page's include (templates/_export.html) calls it.
render.environment().globals["schemaorg_block"] = schemaorg_block

__all__ = ["router", "schemaorg_block", "spec_of_view"]
