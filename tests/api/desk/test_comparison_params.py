"""One reading of a comparison's parameters for every page that takes them: ``GET /compare``,
``GET /pathways``, ``GET /decisions/new`` and ``POST /decisions`` (its ``cmp_`` fields).
The same hostile value gets the same answer everywhere: 422 and a message naming the field
and the rule (:mod:`microhe.api.pages.comparing`), and nothing is recorded.

The rules are the project's choices, written here from the brief of the fix, not read
from the code: ECTS 0-10000 (the recognition library and ``/api/recognition/compare``
accept any non-negative workload; 10000 only keeps infinities and typos out), EQF levels
1-8 (whole numbers), a title of at most 300 characters, at most 100 outcomes (a decision's
form carries each as a field and a form has at most 200), every IRI absolute, each
single-valued parameter once, strict_level true or false (the checkbox sends "1"), a
workload ratio 0-10 and an outcome coverage 0-1 (the JSON API's bounds)."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest

from microhe.recognition.decisions import list_decisions
from tests.api.desk.conftest import Desk, make_desk
from tests.demo import demo_copy

DEMO = "https://w3id.org/microhe/demo/"
CRED = DEMO + "credential/strathlowe-applied-data-analysis"
TARGET = DEMO + "credential/vmu-data-analysis-for-decision-making"
INSTITUTION = "https://w3id.org/microhe/ref/org/vmu"
SKILL = DEMO + "skill/statistical-analysis"

Params = list[tuple[str, str]]


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[Desk]:
    d = make_desk(tmp_path_factory.mktemp("params"), demo_copy())
    assert d.sign_in().status_code == 303
    yield d
    d.client.__exit__(None, None, None)


def _compare(d: Desk, params: Params):
    return d.client.get("/compare?" + urlencode([("credential", CRED), *params]))


def _pathways(d: Desk, params: Params):
    return d.client.get("/pathways?" + urlencode(params))


def _new_decision(d: Desk, params: Params):
    return d.client.get("/decisions/new?" + urlencode([("credential", CRED), *params]))


def _post_decision(d: Desk, params: Params):
    form = [("csrf", d.csrf()), ("cmp_credential", CRED), *(("cmp_" + k, v) for k, v in params),
            ("institution", INSTITUTION), ("purpose", "credit-transfer"), ("outcome", "recognise"),
            ("credited_ects", "5")]
    return d.client.post("/decisions", content=urlencode(form), follow_redirects=False,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})


ROUTES: dict[str, Callable] = {"GET /compare": _compare, "GET /pathways": _pathways,
                               "GET /decisions/new": _new_decision, "POST /decisions": _post_decision}
COMPARING = {k: v for k, v in ROUTES.items() if k != "GET /pathways"}  # the routes that read the rules

#: (parameters, what the message says): a target's requirements, read by all four routes.
TARGET_CASES: list[tuple[Params, str]] = [
    ([("eqf", "6"), ("ects", "10001")], "ects must be a number from 0 to 10000, not '10001'"),
    ([("eqf", "6"), ("ects", "-1")], "ects must be a number from 0 to 10000, not '-1'"),
    ([("eqf", "6"), ("ects", "nan")], "ects must be a number from 0 to 10000, not 'nan'"),
    ([("eqf", "6"), ("ects", "1e999")], "ects must be a number from 0 to 10000, not '1e999'"),
    ([("eqf", "6"), ("ects", "five")], "ects must be a number from 0 to 10000, not 'five'"),
    ([("eqf", "9")], "eqf must be a whole number from 1 to 8, not '9'"),
    ([("eqf", "6.5")], "eqf must be a whole number from 1 to 8, not '6.5'"),
    ([("programme_eqf", "0")], "programme_eqf must be a whole number from 1 to 8, not '0'"),
    ([("eqf", "6"), ("eqf", "7")], "eqf is given 2 times: give it once"),
    ([("eqf", "6"), ("title", "x" * 301)], "title is longer than 300 characters (301): shorten it"),
    ([("eqf", "6"), ("outcome", "javascript:alert(1)x y")], "outcome must be an absolute IRI"),
    ([("eqf", "6"), *[("outcome", f"{SKILL}-{i}") for i in range(101)]],
     "101 outcomes: give at most 100"),
    ([("target", "not an iri")], "target must be an absolute IRI"),
    ([("target", TARGET), ("eqf", "6")], "give a target IRI or requirements"),
]
#: The comparison's rules: read by the three comparing routes (pathways has none).
RULE_CASES: list[tuple[Params, str]] = [
    ([("target", TARGET), ("strict_level", "maybe")], "strict_level must be true or false, not 'maybe'"),
    ([("target", TARGET), ("workload_ratio", "11")], "workload_ratio must be a number from 0 to 10, not '11'"),
    ([("target", TARGET), ("outcome_coverage", "lots")], "outcome_coverage must be a number from 0 to 1, not 'lots'"),
]


def _answers(desk: Desk, routes: dict[str, Callable], params: Params) -> dict[str, tuple[int, str]]:
    return {name: (r.status_code, html.unescape(r.text)) for name, r in
            ((name, call(desk, params)) for name, call in routes.items())}


def _check_same_refusal(desk: Desk, routes: dict[str, Callable], params: Params, says: str) -> None:
    answers = _answers(desk, routes, params)
    statuses = {name: status for name, (status, _) in answers.items()}
    assert set(statuses.values()) == {422}, statuses
    missing = [name for name, (_, text) in answers.items() if says not in text]
    assert not missing, f"{says!r} not said by {missing}"
    assert list_decisions(desk.store) == []


@pytest.mark.parametrize("params,says", TARGET_CASES, ids=[m[:40] for _, m in TARGET_CASES])
def test_a_bad_target_gets_the_same_answer_on_every_route(desk, params, says):
    _check_same_refusal(desk, ROUTES, params, says)


@pytest.mark.parametrize("params,says", RULE_CASES, ids=[m[:40] for _, m in RULE_CASES])
def test_a_bad_rule_gets_the_same_answer_on_every_comparing_route(desk, params, says):
    _check_same_refusal(desk, COMPARING, params, says)


@pytest.mark.parametrize("params", [
    [("eqf", "6"), ("ects", "5000")],                      # large but within 0-10000
    [("eqf", "6"), ("title", "x" * 300)],                  # exactly the longest title
    [("eqf", "6"), *[("outcome", f"{SKILL}-{i}") for i in range(100)]],
], ids=["ects-5000", "title-300", "outcomes-100"])
def test_the_same_values_are_accepted_by_every_reading_page(desk, params):
    answers = _answers(desk, {k: v for k, v in ROUTES.items() if k != "POST /decisions"}, params)
    assert {name: status for name, (status, _) in answers.items()} == dict.fromkeys(answers, 200)


@pytest.mark.parametrize("value,strict", [("1", True), ("true", True), ("on", True), ("false", False),
                                          ("0", False)])
def test_strict_level_is_read_alike_on_the_compare_and_decision_pages(desk, value, strict):
    """The checkbox's "1" and the words true/false; both pages carry the value on."""
    params = [("target", TARGET), ("strict_level", value)]
    answers = _answers(desk, {k: COMPARING[k] for k in ("GET /compare", "GET /decisions/new")}, params)
    for name, (status, _) in answers.items():
        assert status == 200, name
    compare_page = answers["GET /compare"][1]
    assert ('id="c-strict-level" name="strict_level" value="1" checked' in compare_page) is strict
