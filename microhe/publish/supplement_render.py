"""The credit supplement as HTML (one template for the web, files and the PDF) and as PDF.

The HTML is a standalone document: its stylesheet (screen and A4 print) is linked when a
server serves it (``stylesheet_href``; the pages' Content-Security-Policy forbids inline
style) and inlined otherwise, so a saved file prints the same. Its
``<meta name="description">`` carries the certification line (:func:`certificate_line`)
that ``microhe supplement --verify`` reads back (in the PDF it is the document's subject).

The PDF: :mod:`microhe.publish.supplement_pdf` (WeasyPrint), imported only when a PDF is
asked for; without WeasyPrint or its system libraries (pango) the request is refused
with what to install.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from importlib import resources
from urllib.parse import quote, unquote

from microhe.errors import InvalidValue, Unavailable
from microhe.frameworks.models import SAME_EQF_CAVEAT
from microhe.publish.supplement import Supplement
from microhe.publish.supplement_text import translator

CERTIFICATE_TAG = "microhe-supplement/1"


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape
    return Environment(loader=PackageLoader("microhe.publish", "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


@cache
def stylesheet() -> str:
    """The supplement's stylesheet (package data)."""
    return resources.files("microhe.publish").joinpath("templates", "supplement.css").read_text("utf-8")


def certificate_line(s: Supplement, fmt: str) -> str:
    """``microhe-supplement/1 format=.. iri=.. lang=.. generated=.. version=.. sha256=..``
    (the IRI percent-encoded, so no value holds a space)."""
    c = s.certification
    return (f"{CERTIFICATE_TAG} format={fmt} iri={quote(s.iri, safe='')} lang={s.lang} generated={c.generated} "
            f"version={c.version} sha256={c.digest}")


def parse_certificate(line: str) -> dict[str, str]:
    """The fields of a :func:`certificate_line` (InvalidValue when it is none)."""
    parts = line.strip().split()
    if not parts or parts[0] != CERTIFICATE_TAG:
        raise InvalidValue("this file is not a microhe credit supplement: its certification line is missing "
                           f"(expected {CERTIFICATE_TAG!r} in the document's description)")
    fields = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
    needed = ("format", "iri", "lang", "generated", "version", "sha256")
    if any(k not in fields for k in needed):
        raise InvalidValue(f"the certification line of this supplement lacks {', '.join(k for k in needed if k not in fields)}")
    fields["iri"] = unquote(fields["iri"])
    return fields


def render_html(s: Supplement, *, stylesheet_href: str | None = None, links: Sequence[tuple[str, str]] = (),
                fmt: str = "html", icon_href: str | None = None) -> str:
    """The supplement as an HTML document (``links``: (label, href) shown above it on the web;
    ``icon_href``: the site's icon, on the web)."""
    t = translator(s.lang)
    return _environment().get_template("supplement.html").render(
        s=s, t=t, bilingual=s.lang != "en", certificate=certificate_line(s, fmt), stylesheet_href=stylesheet_href,
        icon_href=icon_href,
        css=stylesheet() if stylesheet_href is None else "", links=list(links), caveat=SAME_EQF_CAVEAT,
        missing={m for m, v in s.elements.items() if v == "missing"})


class PdfUnavailable(Unavailable):
    """WeasyPrint or its system libraries are not installed."""


def render_pdf(s: Supplement) -> bytes:
    """The supplement as PDF/A-2b, fonts embedded, rendered without network access."""
    try:
        from microhe.publish.supplement_pdf import pdf_of
    except (ImportError, OSError) as e:
        raise PdfUnavailable(f"PDF output needs WeasyPrint and its system libraries ({e}): "
                             "pip install weasyprint; apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core") from e
    return pdf_of(render_html(s, fmt="pdf"))


def preload_pdf() -> threading.Thread:
    """Import WeasyPrint and render a one-line PDF in a background thread (a server calls
    this at start-up): the import and the first font lookup take about a second, which the
    first supplement PDF a user asks for would otherwise pay. Failures are left to the
    request, which answers with what to install."""

    def run() -> None:
        try:
            from microhe.publish.supplement_pdf import pdf_of
            pdf_of("<!DOCTYPE html><html lang='en'><head><title>warm</title></head><body><p>warm</p></body></html>")
        except Exception:  # noqa: BLE001  # reported by the request that needs it
            return

    thread = threading.Thread(target=run, name="microhe-pdf-preload", daemon=True)
    thread.start()
    return thread


__all__ = ["preload_pdf", "render_html", "render_pdf", "stylesheet", "certificate_line", "parse_certificate", "PdfUnavailable"]
