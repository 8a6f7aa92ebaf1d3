"""The level parser (microhe.frameworks.parse): framework and level input as credentials
and people write it, read to the level concept(s), ambiguity answered with the candidates.

Expected levels and IRIs are written by hand from the QDR list
(``../shared/anchors/elm/cv-xsd/nqf.xsd``: label -> concept IRI) and domain.md section 4
(codes, label forms), never taken from the code under test.
"""

from __future__ import annotations

import pytest

from microhe.errors import InputError, InvalidValue, NotFound
from microhe.frameworks.levels import UnknownFrameworkError, UnknownLevelError
from microhe.frameworks.parse import AmbiguousLevelError, parse_level

REF = "https://w3id.org/microhe/ref/framework/"
QDR = "http://data.europa.eu/snb/qdr/"


def got(p):
    return p.framework, [lv.label for lv in p.levels], list(p.eqf)


@pytest.mark.parametrize("framework,text,want", [
    # framework given apart (microhe code, any case, or a short form / QDR prefix)
    ("SCQF", "10", ("SCQF", ["10"], [6])),
    ("scqf", "Level 10", ("SCQF", ["10"], [6])),
    ("SCQF", "SCQF 10", ("SCQF", ["10"], [6])),
    ("DQR", "Niveau 6", ("DQR", ["6"], [6])),
    ("DQR", "06", ("DQR", ["6"], [6])),
    ("LTQF", "6", ("LTKS", ["6"], [6])),          # nqf.xsd 'LTQF Level 6', CSV 'LTKS/LTQF'
    ("FiNQF", "level_6", ("FINQF", ["6"], [6])),
    ("SOK", "7", ("SQF", ["7"], [6])),             # CSV 'SQF/SOK'; SQF 7 -> EQF 6
    ("RQF", "Entry 3", ("RQF", ["Entry 3"], [1])),
    ("RQF", "entry level 3", ("RQF", ["Entry 3"], [1])),
    ("CQFW", "E3", ("CQFW", ["Entry 3"], [1])),
    ("NLQF", "Entry level", ("NLQF", ["Entry"], [])),
    ("QF-EHEA", "second cycle", ("QF-EHEA", ["second"], [7])),
    ("qf-ehea", "short-cycle", ("QF-EHEA", ["short"], [5])),
    ("MQF", "a", ("MQF", ["A"], [])),
    ("FR-1969", "ii", ("FR-1969", ["II"], [6])),   # Roman: the 1969 labels are Roman
    ("FR-1969", "I", ("FR-1969", ["I"], [7, 8])),
    ("FR-1969", "I-Master", ("FR-1969", ["I"], [7])),      # the QDR concept of the EQF 7 candidate
    ("FR-1969", "i doctorat", ("FR-1969", ["I"], [8])),
    # framework and level in one text
    (None, "SCQF 10", ("SCQF", ["10"], [6])),
    (None, "SCQF level 10", ("SCQF", ["10"], [6])),
    (None, "scqf-10", ("SCQF", ["10"], [6])),
    (None, "EQF level 6", ("EQF", ["6"], [6])),
    (None, "RQF Entry 3", ("RQF", ["Entry 3"], [1])),
    (None, "QF-EHEA first cycle", ("QF-EHEA", ["first"], [6])),
    (None, "first cycle", ("QF-EHEA", ["first"], [6])),
    # QDR labels, exactly as nqf.xsd has them
    (None, "IE NQF Level 9", ("NFQ", ["9"], [7])),
    (None, "RQF Entry Level 3", ("RQF", ["Entry 3"], [1])),
    (None, "NQF RNCP Level I-Master", ("FR-1969", ["I"], [7])),
    (None, "NQF RNCP Level I-Doctorat", ("FR-1969", ["I"], [8])),
    (None, "NQF RNCP Level II-Grade de Licence", ("FR-1969", ["II"], [6])),
    (None, "RQF Entry Levels 1-2", ("RQF", ["Entry 1", "Entry 2"], [])),       # one concept, two levels
    (None, "CQFW Entry 1-3", ("CQFW", ["Entry 1", "Entry 2", "Entry 3"], [1])),  # Entry 3 = EQF 1
    (None, "IE NQF LEVEL 9", ("NFQ", ["9"], [7])),
    ("IE NQF", "9", ("NFQ", ["9"], [7])),
    # IRIs: microhe, EQF, QDR (exactMatch; closeMatch with its own EQF candidate)
    (None, REF + "FHEQ/level/6", ("FHEQ", ["6"], [6])),
    (None, "http://data.europa.eu/snb/eqf/4", ("EQF", ["4"], [4])),
    (None, QDR + "c_c392e7a2", ("RQF", ["6"], [6])),       # 'RQF Level 6' (domain.md section 3)
    (None, QDR + "c_828fbcc3", ("FR-1969", ["I"], [7])),   # 'NQF RNCP Level I-Master'
    (None, QDR + "c_7ab73420", ("FR-1969", ["I"], [8])),   # 'NQF RNCP Level I-Doctorat'
    (None, QDR + "c_778f8030", ("RQF", ["Entry 1", "Entry 2"], [])),  # 'RQF Entry Levels 1-2'
    ("RQF", QDR + "c_c392e7a2", ("RQF", ["6"], [6])),
])
def test_accepted_forms(demo_store, framework, text, want):
    assert got(parse_level(demo_store, text, framework)) == want


def test_a_qdr_concept_is_named_in_the_result(demo_store):
    p = parse_level(demo_store, "NQF RNCP Level I-Master")
    assert p.concept == QDR + "c_828fbcc3" and p.concept_label == "NQF RNCP Level I-Master"
    assert p.levels[0].iri == REF + "FR-1969/level/i"


@pytest.mark.parametrize("framework,text,candidates", [
    (None, "Entry 3", {"RQF Entry 3", "CQFW Entry 3"}),
    (None, "6", {"EQF 6", "DQR 6", "SCQF 6", "RQF 6", "FHEQ 6", "CNCP 6", "QNQ 6"}),
    (None, "Level 6", {"EQF 6", "DQR 6"}),
])
def test_ambiguous_input_lists_the_candidates_never_a_guess(demo_store, framework, text, candidates):
    with pytest.raises(AmbiguousLevelError) as e:
        parse_level(demo_store, text, framework)
    assert candidates <= {c.split(" <")[0] for c in e.value.valid}
    assert isinstance(e.value, InvalidValue)  # HTTP 422, exit 2
    for c in candidates:
        assert c in str(e.value)


def test_a_concept_of_several_levels_is_not_one_level(demo_store):
    p = parse_level(demo_store, "CQFW Entry 1-3")
    with pytest.raises(AmbiguousLevelError):
        _ = p.level
    assert parse_level(demo_store, "CQFW Entry 3").level.label == "Entry 3"


@pytest.mark.parametrize("framework,text", [
    ("DQR", "VI"),          # Roman numerals only where the official labels are Roman
    ("SCQF", "XI"),
    ("FR-1969", "2"),       # and Arabic ones not where they are Roman
    ("FR-1969", "VI"),
    ("SCQF", "13"), ("SCQF", "0"), ("RQF", "Entry 4"), ("QF-EHEA", "fourth"), ("EQF", "9"),
    ("NLQF", "Entry 2"),
    ("RQF", QDR + "c_828fbcc3"),   # an IRI of another framework's level
])
def test_unknown_levels_are_refused_with_the_valid_ones(demo_store, framework, text):
    with pytest.raises(UnknownLevelError) as e:
        parse_level(demo_store, text, framework)
    assert e.value.valid


@pytest.mark.parametrize("framework,text,error", [
    (None, "", InvalidValue), (None, "   ", InvalidValue), ("SCQF", "", InvalidValue),
    (None, "x" * 301, InvalidValue),
    ("", "6", UnknownFrameworkError), ("XQF", "6", UnknownFrameworkError), ("SCQF2", "1", UnknownFrameworkError),
    (None, "XQF Level 6", UnknownFrameworkError),
    (None, "<script>alert(1)</script>", UnknownFrameworkError),
    (None, "SCQF 10\x00", UnknownLevelError),
    (None, "http://example.org/level/6", UnknownLevelError),
    (None, QDR + "c_00000000", UnknownLevelError),
    (None, "'; DROP GRAPH <x> ; --", UnknownFrameworkError),
])
def test_malformed_and_hostile_input_gets_a_clear_refusal(demo_store, framework, text, error):
    with pytest.raises(error) as e:
        parse_level(demo_store, text, framework)
    assert isinstance(e.value, (InputError, NotFound))
    assert str(e.value)


def test_a_bad_country_is_refused(demo_store):
    with pytest.raises(InvalidValue, match="alpha-3"):
        parse_level(demo_store, "SCQF 10", country="Scotland")


def test_a_country_keeps_its_own_and_the_european_frameworks(demo_store):
    assert got(parse_level(demo_store, "RQF Entry 3", country="GBR")) == ("RQF", ["Entry 3"], [1])
    assert got(parse_level(demo_store, "EQF 6", country="DEU")) == ("EQF", ["6"], [6])
    with pytest.raises(UnknownFrameworkError):
        parse_level(demo_store, "SCQF 10", country="DEU")


# -- issue 17 item 1: the QDR concepts of the frameworks microhe has -------------------

#: nqf.xsd label -> concept IRI (read by hand from the anchor file)
FQF = {1: "c_cf509e8a", 2: "c_7f5e85a7", 3: "c_650d7e95", 4: "c_615c4895", 5: "c_6fa57440", 6: "c_65235ec5",
       7: "c_95fec238", 8: "c_13c65774"}


@pytest.mark.parametrize("n", range(1, 9))
def test_fqf_levels_are_the_french_2019_framework(demo_store, n):
    """'FQF Level n' (QDR: French National Qualifications Framework) = CNCP n = EQF n
    (décret 2019-14, the CSV's CNCP-2019 rows)."""
    for text in (f"FQF Level {n}", QDR + FQF[n]):
        assert got(parse_level(demo_store, text)) == ("CNCP", [str(n)], [n])
    assert got(parse_level(demo_store, str(n), "FQF")) == ("CNCP", [str(n)], [n])


@pytest.mark.parametrize("text,framework", [("NLQF Level 4+", None), ("NLQF 4+", None), ("4+", "NLQF"),
                                            (QDR + "c_c2700f4e", None)])
def test_nlqf_4_plus_is_the_vwo_level_at_eqf_4(demo_store, text, framework):
    """Nuffic's table of Dutch diplomas: VWO diploma = NLQF 4+, EQF 4."""
    p = parse_level(demo_store, text, framework)
    assert got(p) == ("NLQF", ["4+"], [4])
    assert p.levels[0].iri == REF + "NLQF/level/4plus"


@pytest.mark.parametrize("text", ["QNQ Level 6", "QNQ 6", "qnq level 6"])
def test_qnq_alone_is_ambiguous_between_italy_and_the_qdr_qnq_concepts(demo_store, text):
    """Italy's framework and the QDR's 'QNQ Level n' (most likely Portugal's Quadro Nacional de
    Qualificações) share the abbreviation: candidates, never a guess."""
    with pytest.raises(AmbiguousLevelError) as e:
        parse_level(demo_store, text)
    assert any(c.startswith("QNQ 6 <" + REF + "QNQ/level/6>") for c in e.value.valid)
    assert any(QDR + "c_8cf0774e" in c and "PRT" in c for c in e.value.valid)  # nqf.xsd 'QNQ Level 6'


def test_qnq_is_italys_when_the_code_or_the_country_says_so(demo_store):
    assert got(parse_level(demo_store, "6", "QNQ")) == ("QNQ", ["6"], [6])
    assert got(parse_level(demo_store, "QNQ Level 6", country="ITA")) == ("QNQ", ["6"], [6])
    assert got(parse_level(demo_store, "IT NQF Level 6")) == ("QNQ", ["6"], [6])  # nqf.xsd: Italy's own label


def test_the_qdr_qnq_concepts_are_portugals_levels_not_italys(demo_store):
    """Issue 22: the QDR's 'QNQ Level n' are the levels of Portugal's framework (QNQ-PT)."""
    # EQF 6: the repository CSV's QNQ-PT 6 row (ANQEP; inferred 1:1)
    assert got(parse_level(demo_store, QDR + "c_8cf0774e")) == ("QNQ-PT", ["6"], [6])
    assert got(parse_level(demo_store, "QNQ Level 6", country="PRT")) == ("QNQ-PT", ["6"], [6])
