"""Recognition decisions in the browser (the library: :mod:`microhe.recognition.decisions`).

* ``GET /decisions``: every recorded decision, or those about one ``credential``, about the
  credentials of one ``issuer``, or taken by one ``institution``;
* ``GET /decisions/{id}``: one decision: credential, institution, purpose, outcome,
  credited ECTS, the comparison it rests on (criteria as stored), the evaluator's
  reasons, who decided and when, and how to appeal (Lisbon Recognition Convention,
  Article III.5: decisions are reasoned and appealable);
* ``GET /decisions/new?credential=IRI&target=IRI`` (or requirements instead of a target,
  the parameters of ``/compare``: :mod:`microhe.api.pages.comparing`): signed in, the
  comparison recomputed here and a form prefilled from its recommendation; else 303 to
  the sign-in page, coming back afterwards;
* ``POST /decisions``: the form (session + CSRF); the comparison is computed again from
  parameters it carries (``cmp_<name>``; its result is never taken from the form) and recorded with the decision, by the
  token's name; 303 to the decision's page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from microhe.api import session as web
from microhe.api.errors import status_of
from microhe.api.pages import comparing, i18n, render
from microhe.api.pages.forms import posted, refused
from microhe.errors import MicroheError
from microhe.recognition.decisions import OUTCOMES, PURPOSES, decision_detail, decision_id, list_decisions, record_decision
from microhe.store.labels import Labels
from microhe.vocab import ELM

router = APIRouter(include_in_schema=False)
#: The prefix of the form fields carrying the comparison's parameters (``cmp_credential``...):
#: the decision's own fields (``outcome``...) must not be read as the comparison's.
CARRIED = "cmp_"


def _rows(request: Request, decisions) -> list[dict]:
    base, root = request.app.state.settings.base, render.root_of(request)
    return [{"d": d, "href": f"{root}/decisions/{decision_id(d.iri)}",
             "credential_href": render.href(d.credential.iri, base, root),
             "institution_href": render.href(d.institution.iri, base, root)} for d in decisions]


@router.get("/decisions")
def decisions_page(request: Request) -> Response:
    store = request.app.state.store
    lang = render.language(request)
    filters = {k: request.query_params.get(k) or None for k in ("credential", "issuer", "institution")}
    try:
        found = list_decisions(store, langs=i18n.label_langs(lang), **filters)
    except MicroheError as e:
        return refused(request, status_of(e), "Bad request", str(e))
    return render.page(request, "decisions.html", lang=lang, rows=_rows(request, found), filters=filters,
                       active={k: v for k, v in filters.items() if v})


def _institutions(request: Request) -> list[dict]:
    """The organisations the store knows (for the institution field's suggestions)."""
    store = request.app.state.store
    iris = [r["o"].value for r in store.query(f"SELECT DISTINCT ?o WHERE {{ ?o a <{ELM}Organisation> }} LIMIT 500")
            if isinstance(r["o"], ox.NamedNode)]
    labels = Labels(store, i18n.label_langs(render.language(request))).fetch(iris)
    refs = [labels.ref(i) for i in iris]
    return sorted(({"iri": r.iri, "label": r.label or r.iri} for r in refs), key=lambda x: x["label"].lower())


def _new_page(request: Request, asked: comparing.ComparisonForm, comparison, *, status: int = 200,
              values: dict | None = None, error: str | None = None) -> Response:
    rec = comparison.recommendation
    prefill = {"purpose": "credit-transfer", "outcome": rec.outcome,
               "credited_ects": f"{rec.credit_transfer.ects:g}" if rec.credit_transfer else "",
               "institution": "", "note": "; ".join(rec.reasons)}
    prefill.update(values or {})
    session = web.current(request)
    return render.page(request, "decision_new.html", status=status, c=comparison, asked=asked, v=prefill,
                       purposes=tuple(PURPOSES), outcomes=tuple(OUTCOMES), institutions=_institutions(request),
                       csrf=session.csrf if session else "", error=error, headers={"Cache-Control": "no-store"})


@router.get("/decisions/new")
async def new_decision(request: Request) -> Response:
    if web.current(request) is None:
        return web.to_sign_in(request)
    store = request.app.state.store
    try:
        asked = comparing.read(request.query_params.multi_items())
        comparison = await run_in_threadpool(comparing.run, store, asked, (render.language(request),))
    except MicroheError as e:
        return refused(request, status_of(e), "Cannot compare", str(e))
    return _new_page(request, asked, comparison)


def _decision_values(form) -> dict[str, str]:
    return {k: (form.get(k) if isinstance(form.get(k), str) else "") or ""
            for k in ("institution", "purpose", "outcome", "credited_ects", "note")}


@router.post("/decisions", dependencies=[Depends(web.session_write)])
async def post_decision(request: Request) -> Response:
    t = i18n.translator(render.language(request))
    settings, store = request.app.state.settings, request.app.state.store
    got = await posted(request)
    if isinstance(got, Response):
        return got
    form, session = got
    if session is None:
        return refused(request, 401, "Sign in first", t("Recording a decision needs a signed-in session; sign in "
                                                         "and open the comparison again. Nothing was recorded."))
    values = _decision_values(form)
    try:
        asked = comparing.read([(k[len(CARRIED):], v) for k, v in form.multi_items() if k.startswith(CARRIED)])
        comparison = await run_in_threadpool(comparing.run, store, asked, (render.language(request),))
    except MicroheError as e:
        return refused(request, status_of(e), "Cannot compare", str(e))
    credential = asked.values["credential"]  # comparing.read requires it
    credited: float | None = None
    problem = None
    if values["credited_ects"].strip():
        try:
            credited = float(values["credited_ects"].replace(",", "."))
        except ValueError:
            problem = t("Credited ECTS must be a number, such as 5 or 7.5.")
    if not values["institution"].strip():
        problem = t("Name the recognising institution (its IRI).")
    if problem is None:
        try:
            recorded = await run_in_threadpool(
                lambda: record_decision(store, credential=credential, institution=values["institution"].strip(),
                                        purpose=values["purpose"], outcome=values["outcome"],
                                        decided_by=session.name, base=settings.base, credited_ects=credited,
                                        comparison=comparison, note=values["note"].strip()[:5000] or None))
        except MicroheError as e:
            problem = str(e)
        else:
            return RedirectResponse(f"{render.root_of(request)}/decisions/{decision_id(recorded.iri)}",
                                    status_code=303)
    return _new_page(request, asked, comparison, status=400, values=values,
                     error=t("Nothing was recorded: {why}", why=problem))


@router.get("/decisions/{key}")
def decision_page(key: str, request: Request) -> Response:
    store = request.app.state.store
    lang = render.language(request)
    try:
        detail = decision_detail(store, key, i18n.label_langs(lang))
    except MicroheError as e:
        return refused(request, status_of(e), "Not found", str(e))
    [row] = _rows(request, [detail.decision])
    base, root = request.app.state.settings.base, render.root_of(request)
    target_href = render.href(detail.target.iri, base, root) if detail.target else None
    return render.page(request, "decision.html", lang=lang, x=row, detail=detail, target_href=target_href,
                       list_href=f"{root}/decisions?{urlencode({'credential': detail.decision.credential.iri})}")


__all__ = ["router"]
