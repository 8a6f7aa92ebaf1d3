"""The skill hierarchy the desk's forms offer (microhe/recognition/skills.py), on the demo data.

By hand from microhe/kg/demo/skills.ttl and credentials.ttl: data science > data analysis >
statistical analysis; no credential teaches German (``german-foreign-language`` and its
narrower ``workplace-german``), so neither is offered, while ``welsh-language`` is (Glanmor's
credential teaches its narrower ``workplace-welsh``); labels follow the language asked for."""

from __future__ import annotations

from microhe.recognition import skills
from microhe.recognition.skills import skill_tree

SKILL = "https://w3id.org/microhe/demo/skill/"


def test_taught_skills_and_their_broader_ones_depth_first(demo_store):
    tree, truncated = skill_tree(demo_store, ("en",))
    assert not truncated
    at = {s.iri: i for i, s in enumerate(tree)}
    depth = {s.iri: s.depth for s in tree}
    assert depth[SKILL + "data-science"] == 0 and depth[SKILL + "data-analysis"] == 1
    assert depth[SKILL + "statistical-analysis"] == 2
    assert at[SKILL + "data-science"] < at[SKILL + "data-analysis"] < at[SKILL + "statistical-analysis"]
    assert SKILL + "welsh-language" in at and SKILL + "workplace-welsh" in at
    assert SKILL + "german-foreign-language" not in at and SKILL + "workplace-german" not in at
    assert len(at) == len(tree)  # each concept once


def test_labels_in_the_language_asked_for(demo_store):
    de = {s.iri: s for s in skill_tree(demo_store, ("de", "en"))[0]}
    assert de[SKILL + "data-analysis"].label == "Datenanalyse" and de[SKILL + "data-analysis"].lang == "de"
    assert de[SKILL + "supervised-learning"].label == "supervised learning"  # no German label: English


def test_the_list_is_cut_at_the_maximum(demo_store, monkeypatch):
    monkeypatch.setattr(skills, "MAX_CONCEPTS", 5)
    tree, truncated = skill_tree(demo_store)
    assert truncated and len(tree) == 5
