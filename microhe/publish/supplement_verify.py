"""``microhe supplement --verify FILE``: does a credit supplement still say what the graph
says?

A supplement (HTML, PDF or JSON-LD) states in its certification the specification, the
language, the time it was generated, the microhe version and the SHA-256 of the data it
was made from (:mod:`microhe.publish.certify`). Verifying:

1. recompute the digest from the store now: a different digest means the graph changed
   since (a fact of the credential, its awarding body, its levels ...), so the supplement
   no longer describes it;
2. rebuild the supplement from the store with the same language and time, and compare
   what the file states with it (JSON-LD: the same JSON; HTML: the same text; PDF: the
   same extracted text): a difference means the file was edited after it was made.

Both must hold. A supplement made by another microhe version is checked by its digest
alone (rendering may differ between versions), and the result says so.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from microhe import __version__
from microhe.errors import InvalidValue
from microhe.publish.supplement import Supplement, build_supplement, supplement_jsonld
from microhe.publish.supplement_render import certificate_line, parse_certificate, render_html, render_pdf

FORMATS = ("html", "pdf", "jsonld")


@dataclass
class Verification:
    ok: bool
    iri: str
    format: str
    generated: str
    digest: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def render(s: Supplement, fmt: str) -> bytes:
    """The supplement as a file of ``fmt`` (html, pdf, jsonld)."""
    if fmt == "html":
        return render_html(s).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(s)
    if fmt == "jsonld":
        doc = supplement_jsonld(s)
        doc["@graph"][0]["dcterms:description"] = certificate_line(s, "jsonld")
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    raise InvalidValue(f"unknown supplement format {fmt!r}: choose one of {', '.join(FORMATS)}")


class _Text(HTMLParser):
    """The description meta and the visible text of <main>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.description: str | None = None
        self.depth: int = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name") == "description" and self.description is None:
            self.description = a.get("content") or ""
        if tag == "main" or self.depth:
            self.depth += 1 if tag not in ("br", "meta", "link", "img", "input") else 0

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in ("br",):
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _html(data: bytes) -> tuple[str | None, str]:
    p = _Text()
    p.feed(data.decode("utf-8", errors="replace"))
    return p.description, _norm(" ".join(p.parts))


def _pdf(data: bytes) -> tuple[str | None, str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    try:
        reader = PdfReader(io.BytesIO(data))
        meta = reader.metadata
        subject = meta.get("/Subject") if meta is not None else None
        text = _norm(" ".join(page.extract_text() or "" for page in reader.pages))
    except (PyPdfError, ValueError, KeyError, TypeError) as e:
        raise InvalidValue(f"this file is not a readable PDF credit supplement ({e})") from None
    return (str(subject) if subject else None), text


def _jsonld(data: bytes) -> tuple[str | None, Any]:
    try:
        doc = json.loads(data)
        line = doc["@graph"][0]["dcterms:description"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise InvalidValue("this JSON file is not a microhe credit supplement (no certification in its first node)") from None
    return str(line), doc


def sniff(data: bytes) -> str:
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"{"):
        return "jsonld"
    if head[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    raise InvalidValue("this file is not a credit supplement: expected the HTML, PDF or JSON-LD that "
                       "`microhe supplement` writes")


def verify(store, data: bytes, *, decisions_of: Callable[[str], Sequence[Any]] = lambda iri: (),
           base: str | None = None) -> Verification:
    """Check ``data`` (a supplement file) against ``store`` (see the module's docstring).
    InvalidValue when ``data`` is no supplement; NotFound when the store no longer
    describes its specification."""
    fmt = sniff(data)
    content: Any
    if fmt == "pdf":
        line, content = _pdf(data)
    elif fmt == "html":
        line, content = _html(data)
    else:
        line, content = _jsonld(data)
    cert = parse_certificate(line or "")
    result = Verification(True, cert["iri"], fmt, cert["generated"], cert["sha256"])
    if cert["format"] != fmt:
        result.problems.append(f"the certification says {cert['format']}, but the file is {fmt}")
    fresh = build_supplement(store, cert["iri"], lang=cert["lang"], generated=cert["generated"],
                             decisions=decisions_of(cert["iri"]), base=base)
    if fresh.certification.digest != cert["sha256"]:
        result.problems.append(
            f"the graph changed since the supplement was made: the SHA-256 of the data is now "
            f"{fresh.certification.digest}, the supplement states {cert['sha256']}")
    if cert["version"] != __version__:
        result.notes.append(f"made by microhe {cert['version']}, checked by {__version__}: the digest was checked, "
                            "the text was not compared (rendering differs between versions)")
    elif not result.problems:
        if fmt == "jsonld":
            same = json.loads(render(fresh, "jsonld")) == content
        elif fmt == "html":
            same = _html(render(fresh, "html"))[1] == content
        else:
            same = _pdf(render(fresh, "pdf"))[1] == content
        if not same:
            result.problems.append(f"the {fmt} file differs from the supplement the graph gives for the same time and "
                                   "language: it was changed after it was made")
    result.ok = not result.problems
    return result


__all__ = ["FORMATS", "Verification", "render", "verify", "sniff"]
