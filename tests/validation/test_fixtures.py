"""Data-driven SHACL profile tests: every fixture under ``fixtures/<profile>/``.

Passing fixtures give no result under their profile; failing fixtures give exactly the
results their ``# expect:`` header lists (severity, focus node, path, constraint
component, optionally the value). Issue: SHACL profiles council-2022,
council-2022-recommended, microhe-2018, consistency.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from microhe.validation import available_profiles, validate

from .expectations import FIXTURES, expectations, fixture_files


def _report(path: Path):
    return validate(Graph().parse(path, format="turtle"), profiles=[path.parent.name])


def _show(results) -> str:
    return "\n".join(f"  {r.severity} | {r.focus_node} | {r.path} | {r.constraint} | {r.value}" for r in results)


@pytest.mark.parametrize("path", fixture_files("pass"))
def test_passing_fixture_gives_no_result(path: Path):
    report = _report(path)
    assert report.results == [], f"unexpected results:\n{_show(report.results)}"
    assert report.conforms


@pytest.mark.parametrize("path", fixture_files("fail"))
def test_failing_fixture_gives_exactly_the_expected_results(path: Path):
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect:' line"
    report = _report(path)
    unmatched = list(report.results)
    missing = []
    for e in expected:
        hit = next((r for r in unmatched if e.matches(r)), None)
        if hit is None:
            missing.append(e)
        else:
            unmatched.remove(hit)
    assert not missing and not unmatched, (
        f"missing: {missing}\nunexpected:\n{_show(unmatched)}\nall results:\n{_show(report.results)}")
    assert all(r.message for r in report.results)
    assert report.conforms == (not any(e.severity == "Violation" for e in expected))


@pytest.mark.parametrize("profile", available_profiles())
def test_every_profile_has_passing_and_failing_fixtures(profile: str):
    folder = FIXTURES / profile
    assert sorted(folder.glob("pass-*.ttl")), f"no passing fixture for {profile}"
    assert sorted(folder.glob("fail-*.ttl")), f"no failing fixture for {profile}"
