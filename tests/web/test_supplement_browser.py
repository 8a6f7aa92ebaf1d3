"""The credit supplement (issue 19) in a real browser: Debian's Chromium driven by
Playwright against ``microhe serve --demo --port 0`` (a real subprocess): axe-core finds
nothing serious or critical in the English and the bilingual German supplement, the page
loads nothing the Content-Security-Policy refuses (no console error), the credential
page's link leads to it, and Chromium's own print of it is A4."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.web.harness import CHROMIUM, chromium, serving, watched_page

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="the chromium binary is not installed (apt-get install -y chromium)"),
]
CREDENTIAL = "/demo/credential/dhbw-python-data-wrangling"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("supplement-browser")
    log = work / "serve.log"
    with serving(["--store", str(work / "store"), "--demo"], log, dict(os.environ)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as b:
        yield b


@pytest.fixture
def page(browser):
    with watched_page(browser) as pg:
        yield pg


@pytest.mark.parametrize("lang", ["en", "de"])
def test_axe_finds_nothing_serious_or_critical(site, page, lang):
    page.goto(f"{site}{CREDENTIAL}/supplement?lang={lang}")
    assert page.locator("h2").count() == 8
    results = axe_module.Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


def test_the_credential_page_links_its_supplement_and_it_prints_on_a4(site, page):
    page.goto(site + CREDENTIAL + "?lang=en")
    page.get_by_role("link", name="Credit supplement").click()
    page.wait_for_url(f"{site}{CREDENTIAL}/supplement")
    assert page.locator("h1").inner_text() == "Data wrangling with Python"
    pdf = page.pdf(prefer_css_page_size=True)  # Chromium's print of the page: the @page size
    from io import BytesIO

    from pypdf import PdfReader
    box = PdfReader(BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
