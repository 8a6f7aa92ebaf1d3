"""The recognition desk in a real browser: Playwright driving Debian's Chromium (never a
downloaded browser) against a real ``microhe serve --demo --port 0`` subprocess on loopback.

The level form and its answer; the compare flow (a credential found by words, a target found
by words, the report criterion by criterion, the recommendation, and the "Record a decision"
link carrying the comparison's parameters); pathways; the compare form by keyboard alone;
axe-core on each page type (nothing serious or critical); the evaluator's task (compare a
credential with a target and reach the record link) with its clicks and time printed, never
asserted on time. ``MICROHE_SCREENSHOTS=DIR`` keeps ``compare.png`` in DIR (the README's).

Golden values come from the demo Turtle by hand (tests/api/routes/test_desk_pages.py says how).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")

from tests.web.harness import CHROMIUM, chromium, serving, watched_page  # noqa: E402

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="the chromium binary is not installed (apt-get install -y chromium)"),
]

DEMO = "https://w3id.org/microhe/demo/"
CRED = DEMO + "credential/strathlowe-applied-data-analysis"
TARGET = DEMO + "credential/vmu-data-analysis-for-decision-making"
CERT = DEMO + "credential/dhbw-applied-data-science-certificate"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    """``microhe serve --demo --port 0`` over a fresh store."""
    work = tmp_path_factory.mktemp("desk-browser")
    log = work / "serve.log"
    with serving(["--store", str(work / "store"), "--demo"], log, dict(os.environ)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as b:
        yield b


@pytest.fixture
def page(browser):
    def asked_for(m) -> bool:  # a refusal page's own 422 is what the level tests ask for
        return (m.text.endswith("status of 422 (Unprocessable Entity)")
                and m.location.get("url", "").split("?")[0].endswith("/level"))

    with watched_page(browser, ignore=asked_for) as pg:
        yield pg


def _statuses(pg) -> dict[str, str]:
    rows = pg.locator("table.report tbody tr")
    return {rows.nth(i).get_attribute("data-criterion"): rows.nth(i).get_attribute("data-status")
            for i in range(rows.count())}


def test_the_level_form_answers_in_words(site, page):
    page.goto(site + "/level")
    page.get_by_label(re.compile(r"^Framework")).fill("SCQF")
    page.get_by_label(re.compile(r"^Level \(")).fill("11")
    page.get_by_role("button", name="Translate level").click()
    page.wait_for_url(re.compile(r"framework=SCQF&level=11"))
    # domain.md: SCQF 11 is EQF 7
    assert "is EQF level 7" in page.locator("#level-answer .answer").inner_text()
    page.get_by_label("Amount").fill("15")
    page.get_by_label("Credit system").select_option("SCQF")
    page.get_by_role("button", name="Convert credits").click()
    page.wait_for_url(re.compile(r"amount=15&system=SCQF"))
    # 15 SCQF credit points: 7.5 ECTS by convention
    assert "7.5 ECTS" in page.locator("#credit-answer .answer").inner_text()
    # an ambiguous level: the candidates are links that answer
    page.get_by_label(re.compile(r"^Level \(")).fill("Entry 3")
    page.get_by_role("button", name="Translate level").click()
    page.get_by_role("link", name="RQF Entry 3").click()
    page.wait_for_url(re.compile(r"framework=RQF"))
    assert page.locator("#level-answer").is_visible()


def _evaluator(page, site: str) -> int:
    """Compare a credential with a target by searching both, up to the report; the clicks."""
    clicks = 0
    page.goto(site + "/")
    page.locator("header.site nav").get_by_role("link", name="Compare").click()
    clicks += 1
    page.wait_for_url(re.compile(r"/compare$"))
    page.get_by_label("or find it by words").first.fill("applied data analysis")
    page.get_by_role("button", name="Find credential").click()
    clicks += 1
    page.get_by_role("link", name="Choose: Applied data analysis").click()
    clicks += 1
    page.wait_for_url(re.compile(r"credential="))
    assert "Applied data analysis" in page.locator(".credential .chosen").inner_text()
    page.locator("#c-target-text").fill("decision making")
    page.get_by_role("button", name="Find target").click()
    clicks += 1
    page.get_by_role("link", name="Choose: Data analysis for decision making").click()
    clicks += 1
    page.wait_for_selector("#report")
    return clicks


def test_the_compare_flow_reaches_the_report_and_the_record_link(site, page):
    _evaluator(page, site)
    # by hand (demo README): level, workload, outcomes (3 of 4 = 0.75), ID verification and QA all hold
    assert _statuses(page) == {"level": "meets", "workload": "meets", "learning-outcomes": "covered",
                               "assessment": "verified", "quality-assurance": "assured"}
    rec = page.locator("#recommendation").inner_text()
    assert "Recommendation: Recognise" in rec and "Credit transfer: 7.5 ECTS" in rec and "Exemption" in rec
    record = page.get_by_role("link", name="Record a decision")
    assert parse_qs(urlsplit(record.get_attribute("href")).query) == {"credential": [CRED], "target": [TARGET]}
    assert urlsplit(record.get_attribute("href")).path == "/decisions/new"


def test_a_scripted_evaluator_compares_and_reaches_the_record_link(site, page):
    """The persona task: from the home page, find the credential and the target by words, read the
    recommendation, reach the link that records the decision. Clicks and time are printed."""
    started = time.monotonic()
    clicks = _evaluator(page, site)
    record = page.get_by_role("link", name="Record a decision")
    record.scroll_into_view_if_needed()
    assert record.is_visible()
    print(f"evaluator task: {clicks} clicks, {time.monotonic() - started:.2f} s to the record link")
    assert clicks == 5


def test_requirements_from_the_skill_hierarchy(site, page):
    page.goto(site + "/compare?credential=" + CRED)
    page.get_by_label("EQF level of the module").select_option("7")
    page.get_by_label("ECTS credits of the module").fill("7.5")
    page.locator("details.skills > summary").click()
    page.get_by_label("statistical analysis").check()
    page.get_by_label("data visualisation").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_selector("#report")
    assert _statuses(page)["learning-outcomes"] == "covered"
    href = page.get_by_role("link", name="Record a decision").get_attribute("href")
    q = parse_qs(urlsplit(href).query)
    assert q["eqf"] == ["7"] and q["ects"] == ["7.5"] and len(q["outcome"]) == 2 and "target" not in q


def test_pathways_link_each_credential_to_its_page(site, page):
    page.goto(site + "/pathways")
    page.locator("#p-target-text").fill("applied data science")
    page.get_by_role("button", name="Find target").click()
    page.get_by_role("link", name="Choose: Certificate in applied data science").click()
    page.wait_for_selector("ol.pathways")
    first = page.locator("li.pathway").first
    assert "15 ECTS" in first.inner_text()
    title = first.locator("ul.stack a").first.inner_text()
    first.locator("ul.stack a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == title


def test_the_compare_form_by_keyboard_alone(site, page):
    page.goto(site + "/compare?credential=" + CRED)
    for _ in range(60):  # Tab to the target's search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "c-target-text":
            break
    assert page.evaluate("document.activeElement.id") == "c-target-text"
    page.keyboard.type("decision making")
    page.keyboard.press("Enter")  # submits the form (the credential kept)
    page.wait_for_url(re.compile(r"target_text=decision"))
    for _ in range(80):  # Tab to the hit that picks the target, Enter
        page.keyboard.press("Tab")
        if page.evaluate("(document.activeElement.textContent || '').includes('Choose: Data analysis for')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('choose')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#report")
    for _ in range(200):  # and on to the record link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "record-decision":
            break
    assert page.evaluate("document.activeElement.id") == "record-decision"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


PAGES = {"level": "/level?framework=SCQF&level=11&amount=15&system=SCQF",
         "level-error": "/level?level=Entry+3",
         "compare": "/compare",
         "compare-report": f"/compare?credential={CRED}&target={TARGET}",
         "compare-needs-information": f"/compare?credential={CRED}&programme_eqf=8&ects=5",
         "pathways": f"/pathways?target={CERT}"}


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_nothing_serious_or_critical(site, page, name):
    page.goto(site + PAGES[name])
    page.locator("details").evaluate_all("ds => ds.forEach(d => d.open = true)")  # check the folded parts too
    results = axe_module.Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


def test_a_390px_viewport_needs_no_sideways_scrolling(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    try:
        pg = context.new_page()
        for path in (PAGES["compare-report"], PAGES["level"], PAGES["pathways"]):
            pg.goto(site + path)
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path}: {width}px wide"
    finally:
        context.close()


def test_screenshot_of_the_compare_page(site, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = context.new_page()
        pg.goto(site + PAGES["compare-report"])
        top, bottom = pg.locator("#report").bounding_box(), pg.locator("#recommendation").bounding_box()
        assert top and bottom
        shot = tmp_path / "compare.png"  # the report and the recommendation, as the README shows them
        pg.screenshot(path=str(shot), full_page=True,
                      clip={"x": 0, "y": top["y"] - 8, "width": 1280, "height": bottom["y"] + bottom["height"] - top["y"] + 16})
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page is a few hundred bytes
        keep = os.environ.get("MICROHE_SCREENSHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(keep) / shot.name)
    finally:
        context.close()
