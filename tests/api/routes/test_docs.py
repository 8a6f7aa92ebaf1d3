"""/docs (Swagger UI) and /redoc (ReDoc) from this server alone: vendored assets, a
static initialiser, no inline script; the vendored files are the ones their README lists.
What the browser draws offline: tests/web/test_yasgui.py."""

from __future__ import annotations

import hashlib
import re

import pytest

from microhe.api.http.csp import POLICY
from microhe.api.pages.render import static_directory

from .test_sparql_page import Elements, assert_local_assets_only

VENDOR = static_directory() / "vendor"


@pytest.mark.parametrize("path, scripts, sheets", [
    ("/docs", ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/docs/swagger-init.js"],
     ["/static/vendor/swagger-ui/swagger-ui.css"]),
    ("/redoc", ["/static/vendor/redoc/redoc.standalone.js", "/static/docs/redoc-init.js"], []),
])
def test_the_docs_pages_load_only_local_assets_and_no_inline_script(client, path, scripts, sheets):
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = Elements(r.text)
    assert_local_assets_only(page)
    assert [s["src"] for s in page.all("script")] == scripts
    assert [link["href"] for link in page.all("link") if link.get("rel") == "stylesheet"] == sheets
    assert "/openapi.json" in r.text  # where the initialiser finds the API description
    for asset in [*scripts, *sheets]:
        got = client.get(asset)
        assert got.status_code == 200, asset
        assert got.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript", "text/css")


def test_fastapis_cdn_pages_are_gone(client):
    """FastAPI's own /docs loads a CDN and an inline script: the app must not serve it."""
    for path in ("/docs", "/redoc"):
        assert "cdn.jsdelivr.net" not in client.get(path).text
    assert client.get("/docs/oauth2-redirect").status_code == 404
    assert client.app.docs_url is None and client.app.redoc_url is None


def test_redoc_has_its_own_policy_and_docs_needs_none(client):
    csp = client.get("/redoc").headers["content-security-policy"]
    assert "script-src 'self';" in csp and "'unsafe-eval'" not in csp
    assert "img-src 'self' data:" in csp  # refuses the cdn.redoc.ly logo
    # /docs needs no exception: it gets the strict policy of every page (api/http/csp.py)
    assert client.get("/docs").headers["content-security-policy"] == POLICY


def test_the_docs_pages_honour_the_root_path(make_client):
    client = make_client()
    r = client.get("/docs", headers={}, params={})
    assert 'data-openapi-url="/openapi.json"' in r.text
    client.app.root_path = "/microhe"
    try:
        page = Elements(client.get("/docs").text)
    finally:
        client.app.root_path = ""
    assert [s["src"] for s in page.all("script")][0] == "/microhe/static/vendor/swagger-ui/swagger-ui-bundle.js"
    assert page.by_id("swagger-ui")["data-openapi-url"] == "/microhe/openapi.json"


ROW = re.compile(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|$", re.MULTILINE)


@pytest.mark.parametrize("folder", ["yasgui", "swagger-ui", "redoc"])
def test_each_vendored_file_is_the_one_its_readme_names(folder):
    readme = (VENDOR / folder / "README.md").read_text()
    listed = dict(ROW.findall(readme))
    on_disk = {p.name for p in (VENDOR / folder).iterdir() if p.name != "README.md"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / folder / name).read_bytes()).hexdigest() == digest, name
    assert re.search(r"licen[cs]e: \*\*(MIT|Apache-2\.0)\*\*", readme)
