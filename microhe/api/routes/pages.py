"""The clearinghouse for people: HTML pages over what the library returns.

* ``GET /``: the home page (what the graph holds, charts of the facet index, a search
  box, links to every part); an RDF client is sent to the VoID description (303), a
  JSON client gets the entry points as JSON;
* ``GET /search``: faceted search with the filters in the URL; ``GET /search.csv``: all
  its matches as CSV;
* ``GET /frameworks``: the framework ladder (every framework on the EQF axis);
  ``GET /frameworks/{code}``: one framework's levels and their referencing;
* ``GET /sitemap.xml``.

Credential and institution pages are the HTML of their dereferenced IRIs
(:mod:`microhe.api.routes.linked_data` with :mod:`microhe.api.pages.views`). The pages
are not part of the OpenAPI document (they are for people; the JSON API is).
"""

from __future__ import annotations

from urllib.parse import urlencode
from xml.sax.saxutils import escape

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse

from microhe import __version__
from microhe.api.deps import SettingsDep, StoreDep
from microhe.api.http import negotiation as neg
from microhe.api.http.paths import DUMP, SPARQL, VOID
from microhe.api.pages import charts, i18n, ladder, render
from microhe.api.pages import search as sp
from microhe.errors import NotFound
from microhe.publish.names import local_href
from microhe.publish.resource import label_of
from microhe.recognition.overview import overview
from microhe.recognition.search import search, search_index
from microhe.recognition.search_query import SearchQuery

router = APIRouter(include_in_schema=False)

#: What ``GET /`` answers: the page, the dataset description (303) or the entry points.
HOME_OFFERED = (neg.HTML, neg.TURTLE, neg.JSON_LD, neg.N_TRIPLES, neg.RDF_XML, neg.JSON)


def _entry_points(root: str) -> dict:
    return {"name": "microhe", "version": __version__, "links": {
        "home": f"{root}/", "search": f"{root}/search", "credentials": f"{root}/api/credentials",
        "frameworks": f"{root}/frameworks", "sparql": f"{root}{SPARQL}", "void": f"{root}{VOID}",
        "dump": f"{root}{DUMP}", "openapi": f"{root}/openapi.json", "docs": f"{root}/docs",
        "ontology": f"{root}/ontology"}}


@router.get("/")
@router.head("/")
def home(request: Request, store: StoreDep) -> Response:
    mt = neg.negotiate(request.headers.get("accept"), HOME_OFFERED)
    root = render.root_of(request)
    if mt is None:
        return JSONResponse({"detail": neg.not_acceptable_message(request.headers.get("accept"),
                                                                  neg.offer("the home page", HOME_OFFERED))},
                            status_code=406, headers={"Vary": "Accept"})
    if mt == neg.JSON:
        return JSONResponse(_entry_points(root), headers={"Vary": "Accept"})
    if mt != neg.HTML:
        return RedirectResponse(f"{root}{VOID}", status_code=303, headers={"Vary": "Accept"})
    lang = render.language(request)
    t = i18n.translator(lang)
    langs = i18n.label_langs(lang)
    facets = search(store, SearchQuery.model_validate({"limit": 0})).facets
    assert facets is not None  # asked for (facets=True is the default)
    s = f"{root}/search"
    country = sorted(facets.country.items(), key=lambda kv: (-kv[1], kv[0]))
    figures = [
        charts.bar_chart("eqf", t("Credentials by EQF level"),
                         [(t("EQF {n}", n=k), v, f"{s}?eqf={k}")
                          for k, v in sorted(facets.eqf.items(), key=lambda kv: int(kv[0]))]),
        charts.bar_chart("country", t("Credentials by country"),
                         [(_country_label(store, k, langs), v, f"{s}?country={k}") for k, v in country]),
        charts.bar_chart("ects", t("Credentials by ECTS credits"),
                         [(k, v, f"{s}?{urlencode(sp.band_filter(k))}") for k, v in sp.ordered_bands(facets.ects)]),
        charts.bar_chart("mode", t("Credentials by mode"), [(t(k), v, f"{s}?mode={k}") for k, v in facets.mode.items()]),
    ]
    return render.page(request, "home.html", lang=lang, counts=overview(store), charts=figures,
                       headers={"Vary": "Accept, Accept-Language, Cookie"})


def _country_label(store, code: str, langs) -> str:
    return label_of(store, ox.NamedNode(sp.COUNTRY + code), langs) or code


@router.get("/search")
@router.head("/search")
def search_page(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    lang = render.language(request)
    t = i18n.translator(lang)
    langs = i18n.label_langs(lang)
    page, query = sp.read(request.query_params)
    if query is not None:
        sp.run(store, page, query, (lang,))
    path = f"{render.root_of(request)}/search"
    cards = []
    if page.results is not None:
        for hit in page.results.results:
            cards.append({
                "hit": hit, "href": render.href(hit.iri, settings.base, render.root_of(request)),
                "issuer_href": render.href(hit.issuer.iri, settings.base, render.root_of(request)) if hit.issuer else None,
                "country": _country_label(store, hit.country, langs) if hit.country else None,
                "incomplete": sp.incomplete(hit)})
    csv_href = page.url(f"{render.root_of(request)}/search.csv")
    return render.page(request, "search.html", status=400 if page.errors else 200, lang=lang, sp=page,
                       facets=sp.facets(store, page, t, langs, path), cards=cards, pager=sp.pager(page, path),
                       csv_href=csv_href, modes=("online", "presential", "blended"),
                       frameworks=ladder.framework_choices(store), path=path)


@router.get("/search.csv")
def search_csv(request: Request, store: StoreDep) -> Response:
    page, query = sp.read(request.query_params)
    if query is None:
        return JSONResponse({"detail": "; ".join(page.errors)}, status_code=422)
    search(store, query.model_copy(update={"limit": 0, "facets": False}))  # refusals (unknown framework) before streaming
    return StreamingResponse(sp.csv_lines(store, query), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="microhe-search.csv"'})


@router.get("/frameworks")
@router.head("/frameworks")
def frameworks_page(request: Request, store: StoreDep) -> Response:
    lang = render.language(request)
    root = render.root_of(request)
    facets = search(store, SearchQuery.model_validate({"limit": 0})).facets
    assert facets is not None
    return render.page(request, "frameworks.html", lang=lang, ladder=ladder.ladder(store, root, facets.eqf))


@router.get("/frameworks/{code}")
@router.head("/frameworks/{code}")
def framework_page(code: str, request: Request, store: StoreDep) -> Response:
    lang = render.language(request)
    try:
        fw = ladder.framework(store, code, render.root_of(request))
    except NotFound as e:
        return render.page(request, "error.html", status=404, lang=lang, message=str(e))
    return render.page(request, "framework.html", lang=lang, fw=fw)


#: At most this many URLs in the site map (the sitemaps.org limit of one file).
SITEMAP_MAX = 50_000


@router.get("/sitemap.xml")
def sitemap(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The pages of the site: home, search, the ladder and each framework, the recognition
    desk (level, compare, pathways), every credential
    and awarding body served here (local pages only), at most :data:`SITEMAP_MAX`."""
    origin = str(request.base_url).rstrip("/")
    root = render.root_of(request)
    paths = ["/", "/search", "/frameworks", *(f"/frameworks/{c}" for c in ladder.framework_codes(store)),
             "/level", "/compare", "/pathways"]
    urls = [origin + p for p in paths]
    seen: set[str] = set()
    for r in search_index(store).records:
        for iri in (r.iri, r.issuer):
            if iri and iri not in seen:
                seen.add(iri)
                local = local_href(iri, settings.base, root)
                if local is not None:
                    urls.append(origin + local[len(root):] if root else origin + local)
        if len(urls) >= SITEMAP_MAX:
            break
    body = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    body += [f"<url><loc>{escape(u)}</loc></url>" for u in urls[:SITEMAP_MAX]]
    body.append("</urlset>")
    return Response("\n".join(body) + "\n", media_type="application/xml")


__all__ = ["router", "HOME_OFFERED", "SITEMAP_MAX"]
