"""HTML to PDF/A-2b with WeasyPrint, offline.

WeasyPrint fetches what a document links (stylesheets, images, fonts of ``@font-face``)
through a URL fetcher; :class:`PackageFetcher` serves the files of this package's
``templates`` folder and refuses everything else (http, https, ftp, data, and files
outside the folder), so rendering a supplement never touches the network or the disk
beyond the package, whatever a value from the graph contains (values are escaped text
anyway: no value becomes a link WeasyPrint loads). Fonts come from fontconfig (Debian's
fonts-dejavu-core) and are embedded, subset, as PDF/A requires.

Imported only for a PDF: WeasyPrint's import costs about half a second and needs pango.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

VARIANT = "pdf/a-2b"


def _folder() -> Path:
    return Path(str(resources.files("microhe.publish").joinpath("templates"))).resolve()


class PackageFetcher(URLFetcher):
    """Serves ``file:`` URLs of the package's template folder; refuses every other URL."""

    def __init__(self):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.folder = _folder()

    def url_of(self, name: str) -> str:
        return (self.folder / name).as_uri()

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            from urllib.request import url2pathname
            path = Path(url2pathname(url.split("?", 1)[0].removeprefix("file:"))).resolve()
            if path.is_relative_to(self.folder) and path.is_file():
                return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                          {"Content-Type": "text/css" if path.suffix == ".css" else "application/octet-stream"})
        raise ValueError(f"refused {url[:200]!r}: a supplement is rendered from the package's files only, "
                         "never from the network or other files")


def pdf_of(html: str) -> bytes:
    """The PDF/A-2b of ``html`` (links relative to the package's template folder)."""
    doc = HTML(string=html, base_url=_folder().as_uri() + "/", url_fetcher=PackageFetcher())
    return doc.write_pdf(pdf_variant=VARIANT)


__all__ = ["PackageFetcher", "pdf_of", "VARIANT"]
