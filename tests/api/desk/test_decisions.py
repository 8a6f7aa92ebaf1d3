"""Recognition decisions in the browser: the list (filter by credential and institution),
one page per decision with the comparison it rests on and how to appeal (en/de/fr),
``/decisions/new`` recomputing the comparison from the same parameters as ``/compare``,
and ``POST /decisions`` recording it (signed in, CSRF) by the token's name."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from microhe.recognition.decisions import list_decisions
from tests.api.desk.conftest import hidden_fields

DEMO = "https://w3id.org/microhe/demo/"
CRED = DEMO + "credential/strathlowe-applied-data-analysis"
TARGET = DEMO + "credential/vmu-data-analysis-for-decision-making"
INSTITUTION = "https://w3id.org/microhe/ref/org/vmu"
SKILL = DEMO + "skill/statistical-analysis"


def new_url(**params) -> str:
    return "/decisions/new?" + urlencode(params, doseq=True)


def decision_form(page: str) -> dict[str, str]:
    return hidden_fields(page.split('action="/decisions"', 1)[1].split("</form>", 1)[0])


def record(d, **overrides) -> str:
    page = d.client.get(new_url(credential=CRED, target=TARGET))
    assert page.status_code == 200, page.text[-2000:]
    form = {**decision_form(page.text), "institution": INSTITUTION, "purpose": "credit-transfer",
            "outcome": "recognise", "credited_ects": "7.5", "note": "Equivalent module; see comparison.", **overrides}
    r = d.client.post("/decisions", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[-2000:]
    return r.headers["location"]


def test_new_decision_without_a_session_goes_to_sign_in(desk):
    url = new_url(credential=CRED, target=TARGET)
    r = desk.client.get(url, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/sign-in?next=%2Fdecisions%2Fnew%3Fcredential%3D")
    signed = desk.sign_in(next_=r.headers["location"].split("next=", 1)[1])
    assert signed.headers["location"] == url


def test_new_decision_shows_the_comparison_and_prefills_the_recommendation(signed_in):
    r = signed_in.client.get(new_url(credential=CRED, target=TARGET))
    assert r.status_code == 200
    text = r.text
    # the demo pair: no substantial difference; credit transfer min(7.5, 7.5) = 7.5 or exemption (7.5 ECTS)
    assert re.search(r'name="credited_ects"[^>]*value="7.5"', text)
    assert re.search(r'<option value="recognise" selected', text)
    assert "credit transfer" in text.lower() and "exemption" in text.lower()
    assert "csrf" in decision_form(text)


def test_new_decision_with_requirements(signed_in):
    r = signed_in.client.get(new_url(credential=CRED, eqf=6, ects=5, outcome=[SKILL], title="Module X",
                                     workload_ratio="0.8", outcome_coverage="0.5", strict_level="true"))
    assert r.status_code == 200, r.text[-2000:]
    assert "Module X" in r.text
    form = decision_form(r.text)
    assert form.get("cmp_eqf") == "6" and form.get("cmp_outcome") == SKILL and form.get("cmp_outcome_coverage") == "0.5"


@pytest.mark.parametrize("params", [{"credential": CRED}, {"credential": CRED, "target": TARGET, "eqf": "6"},
                                    {"credential": CRED, "eqf": "99"}, {"credential": CRED, "ects": "-1"},
                                    {"credential": CRED, "eqf": "6", "workload_ratio": "lots"},
                                    {"credential": "not an iri", "target": TARGET},
                                    {"credential": DEMO + "credential/nope", "target": TARGET}])
def test_new_decision_with_bad_parameters_is_a_4xx_page(signed_in, params):
    r = signed_in.client.get(new_url(**params))
    assert r.status_code in (400, 404, 422), r.status_code
    assert r.headers["content-type"].startswith("text/html")


def test_recording_a_decision(signed_in):
    d = signed_in
    location = record(d)
    assert re.fullmatch(r"/decisions/[0-9a-f-]{36}", location)
    page = d.client.get(location)
    assert page.status_code == 200
    text = page.text
    assert "Applied data analysis" in text or CRED in text
    assert "7.5" in text and "test" in text  # credited ECTS, decided by the token's name
    assert "Equivalent module; see comparison." in text
    assert "How to appeal" in text and "Lisbon Recognition Convention" in text
    [decision] = list_decisions(d.store, credential=CRED)
    assert decision.decided_by == "test" and decision.credited_ects == 7.5 and decision.outcome == "recognise"
    # the comparison it rests on, criteria as stored
    assert "level" in text.lower() and "workload" in text.lower()
    # listed on the credential page and the list, linking to its page
    cred_page = d.client.get("/demo/credential/strathlowe-applied-data-analysis", headers={"Accept": "text/html"})
    assert location in cred_page.text
    assert location in d.client.get("/decisions").text
    assert location in d.client.get("/decisions?" + urlencode({"credential": CRED})).text
    assert location not in d.client.get("/decisions?" + urlencode({"credential": TARGET})).text


@pytest.mark.parametrize(("lang", "says"), [("de", "Widerspruch"), ("fr", "recours")])
def test_how_to_appeal_in_german_and_french(signed_in, lang, says):
    location = record(signed_in)
    assert says in signed_in.client.get(f"{location}?lang={lang}").text


@pytest.mark.parametrize("csrf", [None, "", "forged-0123456789", "other-session"])
def test_recording_without_the_right_csrf_token_is_refused(signed_in, csrf):
    d = signed_in
    page = d.client.get(new_url(credential=CRED, target=TARGET))
    form = {**decision_form(page.text), "institution": INSTITUTION, "purpose": "access", "outcome": "recognise"}
    if csrf == "other-session":
        c = d.new_client()
        d.sign_in(client=c)
        form["csrf"] = d.csrf(client=c)
    elif csrf is None:
        del form["csrf"]
    else:
        form["csrf"] = csrf
    r = d.client.post("/decisions", data=form, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    assert list_decisions(d.store) == []


def test_recording_without_a_session_is_refused(desk):
    r = desk.client.post("/decisions", data={"credential": CRED, "target": TARGET, "institution": INSTITUTION,
                                             "purpose": "access", "outcome": "recognise", "csrf": "x"},
                         follow_redirects=False)
    assert r.status_code in (303, 401, 403) and list_decisions(desk.store) == []


@pytest.mark.parametrize("bad", [{"purpose": "bribe"}, {"outcome": "maybe"}, {"credited_ects": "-3"},
                                 {"credited_ects": "many"}, {"institution": "not an iri"}, {"institution": ""}])
def test_recording_bad_values_is_a_400_page_and_nothing_is_stored(signed_in, bad):
    d = signed_in
    page = d.client.get(new_url(credential=CRED, target=TARGET))
    form = {**decision_form(page.text), "institution": INSTITUTION, "purpose": "access", "outcome": "recognise", **bad}
    r = d.client.post("/decisions", data=form, follow_redirects=False)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert list_decisions(d.store) == []


def test_decision_pages_that_do_not_exist(desk):
    assert desk.client.get("/decisions/not-a-uuid").status_code == 404
    assert desk.client.get("/decisions/00000000-0000-4000-8000-000000000000").status_code == 404


def test_the_list_filters_by_institution(signed_in):
    d = signed_in
    location = record(d)
    assert location in d.client.get("/decisions?" + urlencode({"institution": INSTITUTION})).text
    assert location not in d.client.get("/decisions?" + urlencode({"institution": DEMO + "org/ashcombe"})).text
    r = d.client.get("/decisions?" + urlencode({"credential": "not an iri"}))
    assert r.status_code == 422 and "absolute IRI" in r.text


@pytest.mark.parametrize("params", [
    {"credential": CRED, "target": TARGET},
    {"credential": CRED, "eqf": "6", "ects": "5", "outcome": SKILL, "title": "Module X", "strict_level": "1"},
])
def test_the_compare_pages_record_link_opens_the_decision_form(signed_in, params):
    """The two halves of the desk meet: /compare's "Record a decision" link (its parameters,
    the checkbox's "1" included) is a /decisions/new the form page accepts, with the same
    recommendation."""
    page = signed_in.client.get("/compare?" + urlencode(params))
    assert page.status_code == 200, page.text[-1500:]
    m = re.search(r'<a[^>]*id="record-decision"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*id="record-decision"',
                  page.text)
    assert m, "no record link on the compare page"
    href = (m.group(1) or m.group(2)).replace("&amp;", "&")
    assert href.startswith("/decisions/new?")
    form = signed_in.client.get(href)
    assert form.status_code == 200, form.text[-1500:]
    assert "csrf" in decision_form(form.text)
