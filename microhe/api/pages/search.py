"""The search page's model: the filters read from the URL (a GET form, so a search is a
shareable link and the back button walks through it), the page of results and the facets
from :func:`microhe.recognition.search.search`, each facet value a link that adds or
removes its filter, the pager, and the CSV rows of all matches.

Empty form fields are no filter. A value the search cannot use (``eqf=9``, an unknown
framework) is a message on the page (400), never a 5xx.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from pydantic import ValidationError

from microhe.errors import MicroheError
from microhe.publish.resource import label_of
from microhe.recognition.models import SearchHit, SearchResults
from microhe.recognition.search import ECTS_BANDS, search
from microhe.recognition.search_query import SearchQuery
from microhe.store.embedded import Store

#: The URL parameters of a search (SearchQuery's filters) and of the page.
FILTERS = ("text", "eqf", "framework", "level", "ects_min", "ects_max", "field", "skill", "country", "mode")
PAGE_SIZE = 20
CSV_BATCH = 1000
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
ISCED = "http://data.europa.eu/snb/isced-f/"
EQF = "http://data.europa.eu/snb/eqf/"
CSV_COLUMNS = ("iri", "title", "issuer", "issuer_name", "country", "eqf", "ects", "ects_min", "ects_max", "modes",
               "fields", "incomplete")


@dataclass
class SearchPage:
    filters: dict[str, str]                  # the filters as given (non-empty), in FILTERS order
    page: int = 1
    errors: list[str] = field(default_factory=list)
    results: SearchResults | None = None

    @property
    def pages(self) -> int:
        if self.results is None:
            return 0
        return max(1, -(-self.results.total // PAGE_SIZE))

    def url(self, path: str, **changes: str | None) -> str:
        """``path`` with the current filters, ``changes`` applied (None removes), page 1
        unless a page is given."""
        params = dict(self.filters)
        for k, v in changes.items():
            if k == "page":
                continue
            if v is None:
                params.pop(k, None)
            else:
                params[k] = v
        pairs = [(k, params[k]) for k in FILTERS if k in params]
        page = changes.get("page")
        if page not in (None, "1"):
            pairs.append(("page", str(page)))
        return path + ("?" + urlencode(pairs) if pairs else "")


def read(params: Mapping[str, str]) -> tuple[SearchPage, SearchQuery | None]:
    """The page's filters and the query they make (None, with errors, when they make none)."""
    filters = {k: params[k].strip() for k in FILTERS if params.get(k) and params[k].strip()}
    sp = SearchPage(filters)
    raw_page = params.get("page", "1").strip() or "1"
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= 1_000_000:
        sp.errors.append(f"page must be a whole number of at least 1, not {raw_page!r}")
        return sp, None
    sp.page = int(raw_page)
    try:
        query = SearchQuery.model_validate({**filters, "limit": PAGE_SIZE, "offset": (sp.page - 1) * PAGE_SIZE})
    except ValidationError as e:
        for err in e.errors():
            where = ".".join(str(x) for x in err["loc"])
            sp.errors.append(f"{where}: {err['msg']}")
        return sp, None
    return sp, query


def run(store: Store, sp: SearchPage, query: SearchQuery, langs: tuple[str, ...] = ()) -> None:
    """The page's results, titles and issuers labelled in ``langs`` (the page's language)."""
    try:
        sp.results = search(store, query, langs=langs)
    except MicroheError as e:
        sp.errors.append(str(e))


# -- facets -------------------------------------------------------------------------------


@dataclass
class FacetValue:
    label: str
    count: int
    href: str
    selected: bool


def _label(store: Store, iri: str, langs: tuple[str, ...], fallback: str) -> str:
    return label_of(store, ox.NamedNode(iri), langs) or fallback


def facets(store: Store, sp: SearchPage, t, langs: tuple[str, ...], path: str) -> list[tuple[str, str, list[FacetValue]]]:
    """(parameter, heading, values) of each facet of the results."""
    if sp.results is None or sp.results.facets is None:
        return []
    f = sp.results.facets
    out: list[tuple[str, str, list[FacetValue]]] = []

    def values(param: str, counts: dict[str, int], label, order=None) -> list[FacetValue]:
        keys = sorted(counts, key=order) if order else list(counts)
        cur = sp.filters.get(param)
        return [FacetValue(label(k), counts[k], sp.url(path, **{param: None if cur == k else k}), cur == k)
                for k in keys]

    out.append(("eqf", t("EQF level"), values("eqf", f.eqf, lambda k: t("EQF {n}", n=k), order=int)))
    out.append(("country", t("Country"), values("country", f.country, lambda k: _label(store, COUNTRY + k, langs, k))))
    out.append(("mode", t("Mode"), values("mode", f.mode, lambda k: t(k))))
    out.append(("field", t("Field (ISCED-F)"), values("field", f.field,
                                                      lambda k: f"{k} {_label(store, ISCED + k, langs, '')}".strip())))
    bands = []
    for name, count in ordered_bands(f.ects):
        want = band_filter(name)
        selected = all(sp.filters.get(k) == v for k, v in want.items()) and \
            sp.filters.get("ects_max") == want.get("ects_max")
        href = sp.url(path, ects_min=None, ects_max=None) if selected else \
            sp.url(path, ects_min=want["ects_min"], ects_max=want.get("ects_max"))
        bands.append(FacetValue(name, count, href, selected))
    out.append(("ects", t("ECTS credits"), bands))
    return out


def ordered_bands(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The ECTS bands with a count, smallest first."""
    return [(name, counts[name]) for _, _, name in ECTS_BANDS if name in counts]


def band_filter(name: str) -> dict[str, str]:
    """The ``ects_min``/``ects_max`` filters of an ECTS band (bands are half-open,
    ``[lo, hi)``; the filter's maximum is inclusive, so it stops 0.01 below ``hi``)."""
    lo, hi = next((lo, hi) for lo, hi, n in ECTS_BANDS if n == name)
    out = {"ects_min": _num(lo)}
    if hi != float("inf"):
        out["ects_max"] = _num(hi - 0.01)
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def pager(sp: SearchPage, path: str) -> list[dict[str, Any]]:
    """Links to the first, nearby and last pages (page numbers, current marked)."""
    n = sp.pages
    if n <= 1:
        return []
    shown = sorted({1, n, *range(max(1, sp.page - 2), min(n, sp.page + 2) + 1)})
    out: list[dict[str, Any]] = []
    prev = 0
    for p in shown:
        if p - prev > 1:
            out.append({"gap": True})
        out.append({"page": p, "href": sp.url(path, page=str(p)), "current": p == sp.page})
        prev = p
    return out


# -- CSV ----------------------------------------------------------------------------------


def incomplete(hit: SearchHit) -> list[str]:
    """What the record says is missing (``incomplete`` flags, where the library gives them)."""
    flags = getattr(hit, "incomplete", None) or []
    return [str(x) for x in flags]


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
    is prefixed with an apostrophe."""
    if value is None:
        return ""
    s = str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def csv_lines(store: Store, query: SearchQuery) -> Iterator[str]:
    """Every match of ``query`` as CSV (header first), a batch of records at a time."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    offset = 0
    while True:
        res = search(store, query.model_copy(update={"limit": CSV_BATCH, "offset": offset, "facets": False}))
        for h in res.results:
            lo, hi = (h.ects_range[0], h.ects_range[1]) if h.ects_range else (None, None)
            w.writerow([_cell(v) for v in (h.iri, h.label, h.issuer.iri if h.issuer else None,
                                           h.issuer.label if h.issuer else None, h.country,
                                           " ".join(map(str, h.eqf)), h.ects, lo, hi, " ".join(h.modes),
                                           " ".join(h.fields), " ".join(incomplete(h)))])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
        offset += CSV_BATCH
        if offset >= res.total or not res.results:
            return


__all__ = ["FILTERS", "PAGE_SIZE", "SearchPage", "read", "run", "facets", "pager", "csv_lines", "ordered_bands",
           "band_filter", "incomplete", "FacetValue", "CSV_COLUMNS"]
