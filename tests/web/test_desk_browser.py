"""The steward's upload and the evaluator's decision in a real browser: Playwright driving
Debian's Chromium against a real ``microhe serve --demo --port 0`` subprocess (loopback),
with write tokens made by ``microhe token add``.

Sign in (no JavaScript: the forms post), upload a file with a validation error (the report
names the record and what to add), fix it and load it, see it in "my uploads", withdraw it;
record a decision from ``/decisions/new?...`` and see it on the credential page and its
own page; a form posted without its CSRF token is refused; sign out. axe-core finds nothing
serious or critical on any of the new page types. The two persona tasks print their clicks
and time (not asserted). ``MICROHE_SCREENSHOTS=DIR`` keeps ``upload.png`` (the upload page
with a report) in DIR.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.api.writes import INVALID, VALID
from tests.web.harness import CHROMIUM, chromium, serving, watched_page
from tests.web.harness import microhe_command as _microhe
from tests.web.harness import status as _status

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="the chromium binary is not installed (apt-get install -y chromium)"),
]

DEMO = "https://w3id.org/microhe/demo/"
CRED = DEMO + "credential/strathlowe-applied-data-analysis"
TARGET = DEMO + "credential/vmu-data-analysis-for-decision-making"
INSTITUTION = "https://w3id.org/microhe/ref/org/vmu"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    """(the server's URL, a write token named ``steward``, a folder for the files to upload)."""
    work = tmp_path_factory.mktemp("desk-browser")
    store = work / "store"
    store.mkdir()
    env = dict(os.environ)
    token = subprocess.run([*_microhe(), "token", "add", "--store", str(store), "steward"], check=True,
                           capture_output=True, text=True, env=env).stdout.strip()
    log = work / "serve.log"
    with serving(["--store", str(store), "--demo"], log, env) as url:
        files = work / "files"
        files.mkdir()
        yield url, token, files
    assert token not in log.read_text()  # the server's log never holds the token


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as b:
        yield b


@pytest.fixture
def page(browser):
    with watched_page(browser, ignore=lambda m: "status of 4" in m.text) as pg:  # the 4xx pages it asks for
        yield pg


def axe_ok(page, name: str) -> None:
    results = axe_module.Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], (name, bad)


def sign_in(page, token: str) -> None:
    page.get_by_label("Write token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_the_steward_uploads_fixes_loads_and_withdraws(desk, page):
    """Persona: a data steward uploads a file, fixes the error the report names, loads it,
    finds it in "my uploads" and withdraws it. Clicks and time are printed."""
    site, token, files = desk
    bad = files / "course.ttl"
    bad.write_text(INVALID.replace("ex:bad", "ex:course"), encoding="utf-8")
    clicks, started = 0, time.monotonic()
    page.goto(site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload", exact=True).click()
    clicks += 1
    page.wait_for_url(re.compile(r"/upload$"))
    axe_ok(page, "upload form")
    page.locator("header.site").get_by_role("link", name="Sign in").click()
    clicks += 1
    axe_ok(page, "sign-in")
    sign_in(page, token)
    clicks += 2  # the field and the button
    page.wait_for_url(re.compile(r"/upload$"))  # back where the steward was
    page.set_input_files("#file", str(bad))
    page.get_by_role("button", name="Check the file").click()
    clicks += 2
    page.wait_for_selector("#report")
    report = page.locator("#report").inner_text()
    assert "https://example.org/test/course" in report
    assert "M2 title: give the specification a dcterms:title." in report  # what to add, by record
    assert page.locator("form[action='/upload/load']").count() == 0
    axe_ok(page, "upload with a report")
    keep = os.environ.get("MICROHE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(keep) / "upload.png"), full_page=True)
    # the fix the report names: a title (M2) and a learning outcome (M6)
    fixed = VALID.replace("ex:spec", "ex:course")
    bad.write_text(fixed, encoding="utf-8")
    page.set_input_files("#file", str(bad))
    page.get_by_role("button", name="Check the file").click()
    clicks += 2
    page.wait_for_selector("#report")
    assert "conforms" in page.locator("#report").inner_text()
    page.get_by_role("button", name=re.compile("^Load into")).click()
    clicks += 1
    page.wait_for_url(re.compile(r"/uploads\?"))
    graph = page.locator("table code").first.inner_text()
    assert graph.endswith("/graph/course.ttl")
    axe_ok(page, "my uploads")
    elapsed = time.monotonic() - started
    print(f"steward task (upload, fix, load): {clicks} clicks, {elapsed:.2f} s")
    # withdraw, after the confirmation
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_selector("h1:has-text('Withdraw this graph?')")
    axe_ok(page, "withdraw confirmation")
    page.get_by_role("button", name="Withdraw the graph").click()
    page.wait_for_url(re.compile(r"/uploads\?withdrawn="))
    assert page.locator("table").count() == 0
    assert _status(site + "/rdf-graphs?" + urlencode({"graph": graph})) == 404


def test_the_evaluator_records_a_decision(desk, page):
    """Persona: a credential evaluator opens the comparison's "Record a decision" link, signs
    in, records the decision and finds it on the credential page. Clicks and time printed."""
    site, token, _ = desk
    clicks, started = 0, time.monotonic()
    page.goto(site + "/decisions/new?" + urlencode({"credential": CRED, "target": TARGET}))
    page.wait_for_url(re.compile(r"/sign-in\?next="))
    sign_in(page, token)
    clicks += 2
    page.wait_for_url(re.compile(r"/decisions/new\?"))
    assert page.locator("#credited_ects").input_value() == "7.5"
    axe_ok(page, "new decision")
    page.locator("#institution").fill(INSTITUTION)
    page.locator("#note").fill("Equivalent to our module; credit transfer of 7.5 ECTS.")
    page.get_by_role("button", name="Record the decision").click()
    clicks += 3
    page.wait_for_url(re.compile(r"/decisions/[0-9a-f-]{36}$"))
    decision = page.url.split(site, 1)[1]
    text = page.locator("main").inner_text()
    assert "7.5 ECTS" in text and "steward" in text and "How to appeal" in text
    axe_ok(page, "decision")
    print(f"evaluator task (sign in, record): {clicks} clicks, {time.monotonic() - started:.2f} s")
    page.goto(site + "/demo/credential/strathlowe-applied-data-analysis")
    page.locator(f"a[href='{decision}']").click()
    page.wait_for_url(re.compile(re.escape(decision) + "$"))
    page.goto(site + "/decisions")
    assert page.locator(f"a[href='{decision}']").count() == 1
    axe_ok(page, "decisions")
    # a form posted without its CSRF token is refused, and nothing is stored
    page.goto(site + "/decisions/new?" + urlencode({"credential": CRED, "target": TARGET}))
    page.locator("#institution").fill(INSTITUTION)
    page.evaluate("document.querySelector(\"form[action='/decisions'] input[name='csrf']\").remove()")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert "Form refused" in page.locator("h1").inner_text() and "CSRF" in page.locator("main").inner_text()
    page.goto(site + "/decisions")
    assert page.locator("main tbody tr").count() == 1
    # sign out: the pages no longer know the evaluator
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.locator("header.site").get_by_role("link", name="Sign in").count() == 1
    page.goto(site + "/uploads")
    page.wait_for_url(re.compile(r"/sign-in\?next="))
