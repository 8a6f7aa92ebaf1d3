"""Substantial-difference comparison of a micro-credential with a target (a module or
qualification specification, or a set of requirements), after the Lisbon Recognition
Convention: level, workload, learning outcomes, assessment and identity verification,
quality assurance. Missing data is ``unknown`` (``substantial: null``), never a pass.

Default rules (thresholds in :class:`Rules`):

* level: substantial when the credential's highest EQF candidate is below the target's
  lowest (the recogniser must show the difference, so the benefit of the doubt goes to
  the applicant);
* workload: ratio of the credential's ECTS value to the target's; substantial below 0.8;
* learning outcomes: coverage = share of the target's required outcomes matched by the
  same concept or a narrower one (``skos:broader*``); substantial below 0.75;
* assessment: substantial when the target requires identity-verified assessment and
  the credential's is unverified;
* quality assurance: substantial when the target requires it and neither the credential
  nor its awarding body carries an accreditation.

Recommendation: ``substantial-differences`` when the level falls short or coverage is 0;
``needs-information`` when unknowns among level, workload and outcomes (or a required
assessment / QA fact) prevent a decision; ``recognise`` when nothing is substantial;
``recognise-partially`` otherwise, crediting min(credential ECTS, target ECTS x coverage).
A substantial difference in assessment or quality assurance alone also gives
``substantial-differences``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pyoxigraph as ox

from microhe.errors import InvalidValue
from microhe.rdf.iri import is_absolute_iri
from microhe.recognition import models as m
from microhe.recognition.facts import Facts
from microhe.recognition.search import search_index
from microhe.store.embedded import Store
from microhe.vocab import SKOS


@dataclass(frozen=True)
class Rules:
    workload_ratio: float = 0.8
    outcome_coverage: float = 0.75


class RequirementsError(InvalidValue):
    """Target requirements that cannot be used (the message says which field and why)."""


def target_from_requirements(req: dict) -> Facts:
    """A target from a small JSON document: ``{"eqf": 7, "ects": 7.5, "outcomes": [IRI...],
    "requires_identity_verification": true, "requires_quality_assurance": true, "title": "..."}``."""
    allowed = {"eqf", "ects", "outcomes", "requires_identity_verification", "requires_quality_assurance", "title", "iri"}
    unknown = set(req) - allowed
    if unknown:
        raise RequirementsError(f"unknown target field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")
    f = Facts(req.get("iri") or "urn:microhe:target", title=req.get("title"), source="requirements")
    eqf = req.get("eqf")
    if eqf is not None:
        values = eqf if isinstance(eqf, list) else [eqf]
        if not all(isinstance(e, int) and not isinstance(e, bool) and 1 <= e <= 8 for e in values):
            raise RequirementsError("eqf must be an integer 1-8 (or a list of them)")
        f.eqf = set(values)
    ects = req.get("ects")
    if ects is not None:
        if isinstance(ects, bool) or not isinstance(ects, (int, float)) or ects < 0 or ects != ects:
            raise RequirementsError("ects must be a non-negative number")
        f.ects = f.ects_min = f.ects_max = float(ects)
    outcomes = req.get("outcomes", [])
    if not isinstance(outcomes, list) or not all(isinstance(o, str) and is_absolute_iri(o) for o in outcomes):
        raise RequirementsError("outcomes must be a list of IRIs")
    f.skills = set(outcomes)
    for key in ("requires_identity_verification", "requires_quality_assurance"):
        v = req.get(key, False)
        if not isinstance(v, bool):
            raise RequirementsError(f"{key} must be true or false")
        setattr(f, key, v)
    return f


def _labels(store: Store, iris: set[str]) -> dict[str, str]:
    out = {}
    for iri in iris:
        for r in store.query(f"SELECT ?c ?l WHERE {{ ?c <{SKOS}prefLabel> ?l }}", substitutions={"c": ox.NamedNode(iri)}):
            if iri not in out or getattr(r["l"], "language", None) == "en":
                out[iri] = r["l"].value
    return out


def _verified(store: Store, cred: Facts) -> bool | None:
    """True/False when the credential's identity-verification concepts say so; None if unknown."""
    if not cred.id_verification:
        return None
    labels = _labels(store, cred.id_verification)
    verdicts = set()
    for iri in cred.id_verification:
        text = (labels.get(iri, "") + " " + iri).lower().replace("-", " ")
        if "without id verification" in text or "unverified" in text:
            verdicts.add(False)
        elif "with id verification" in text or "verified" in text:
            verdicts.add(True)
    return None if not verdicts else (True in verdicts)


def _side(f: Facts) -> m.Side:
    """A side of the comparison: where its facts came from, and the Council elements its
    record lacks when it lacks any (so a record loaded with a lighter profile is never
    compared as if complete)."""
    return m.Side(iri=f.iri, title=f.title, source=f.source, incomplete=list(f.incomplete) if f.incomplete else None)


def compare(store: Store, cred: Facts, target: Facts, rules: Rules = Rules()) -> m.Comparison:
    """The comparison (criteria, recommendation, reasons). A document side's validation
    is added by :func:`microhe.recognition.sides.compare_sides`."""
    criteria: list[m.Criterion] = []

    # level
    if cred.eqf and target.eqf:
        hi, need = max(cred.eqf), min(target.eqf)
        sub = hi < need
        criteria.append(m.LevelCompared(
            name="level", status="below" if sub else "meets", substantial=sub,
            detail=f"credential EQF {sorted(cred.eqf)} vs target EQF {sorted(target.eqf)}",
            evidence=m.LevelEvidence(credential_eqf=sorted(cred.eqf), credential_levels=sorted(cred.levels),
                                     target_eqf=sorted(target.eqf), target_levels=sorted(target.levels))))
    else:
        missing = "credential" if not cred.eqf else "target"
        criteria.append(m.LevelUnknown(
            name="level", status="unknown", substantial=None,
            detail=f"the {missing} states no level that resolves to EQF",
            evidence=m.LevelsStated(credential_levels=sorted(cred.levels), target_levels=sorted(target.levels))))

    # workload
    ratio = None
    workload: m.WorkloadCompared | m.WorkloadUnknown
    if cred.ects is not None and target.ects:
        assert cred.ects_min is not None and cred.ects_max is not None  # derived together with the ECTS value
        ratio = cred.ects / target.ects
        sub = ratio < rules.workload_ratio
        workload = m.WorkloadCompared(
            name="workload", status="short" if sub else "meets", substantial=sub,
            detail=f"{cred.ects:g} ECTS vs {target.ects:g} ECTS (ratio {ratio:.2f}, threshold {rules.workload_ratio}); "
                   f"by notional hours the credential is {cred.ects_min:g}-{cred.ects_max:g} ECTS",
            evidence=m.WorkloadEvidence(credential_ects=m.EctsRange(value=cred.ects, min=cred.ects_min,
                                                                    max=cred.ects_max),
                                        target_ects=target.ects, ratio=round(ratio, 3)))
    else:
        missing = "credential" if cred.ects is None else "target"
        workload = m.WorkloadUnknown(name="workload", status="unknown", substantial=None,
                                     detail=f"the {missing} states no workload", evidence=m.NoEvidence())
    criteria.append(workload)

    # learning outcomes
    required = target.required_outcomes
    coverage = None
    outcomes: m.OutcomesCompared | m.OutcomesUnknown
    if required and (cred.skills or cred.outcomes):
        idx = search_index(store)
        have = cred.skills | cred.outcomes
        covered = sorted(t for t in required if have & idx.expand(t))
        missing_o = sorted(set(required) - set(covered))
        coverage = len(covered) / len(required)
        sub = coverage < rules.outcome_coverage
        outcomes = m.OutcomesCompared(
            name="learning-outcomes", status="partial" if sub and coverage > 0 else ("none" if coverage == 0 else "covered"),
            substantial=sub,
            detail=f"{len(covered)} of {len(required)} required outcomes covered (coverage {coverage:.2f}, "
                   f"threshold {rules.outcome_coverage}), same concept or narrower",
            evidence=m.OutcomesEvidence(covered=covered, missing=missing_o,
                                        credential_outcomes=sorted(cred.skills or cred.outcomes),
                                        coverage=round(coverage, 3)))
    else:
        missing = "target states no required outcomes" if not required else "credential states no learning outcomes"
        outcomes = m.OutcomesUnknown(name="learning-outcomes", status="unknown", substantial=None,
                                     detail=f"the {missing}", evidence=m.NoEvidence())
    criteria.append(outcomes)

    # assessment and identity verification
    verified = _verified(store, cred)
    if not target.requires_identity_verification:
        criteria.append(m.AssessmentNotRequired(
            name="assessment", status="not-required", substantial=False,
            detail="the target does not require identity-verified assessment",
            evidence=m.AssessmentStated(assessment_types=sorted(cred.assessment_types),
                                        id_verification=sorted(cred.id_verification))))
    elif verified is None:
        criteria.append(m.AssessmentUnknown(
            name="assessment", status="unknown", substantial=None,
            detail="the target requires identity-verified assessment; the credential does not say",
            evidence=m.AssessmentTypes(assessment_types=sorted(cred.assessment_types))))
    else:
        criteria.append(m.AssessmentCompared(
            name="assessment", status="verified" if verified else "unverified", substantial=not verified,
            detail="identity verified" if verified else "assessment without identity verification",
            evidence=m.IdentityVerification(id_verification=sorted(cred.id_verification),
                                            assessment_types=sorted(cred.assessment_types))))

    # quality assurance
    qa = sorted(cred.accreditations | cred.issuer_accreditations)
    if not target.requires_quality_assurance:
        criteria.append(m.QualityNotRequired(
            name="quality-assurance", status="not-required", substantial=False,
            detail="the target does not require quality assurance", evidence=m.Accreditations(accreditations=qa)))
    else:
        sub = not qa
        criteria.append(m.QualityCompared(
            name="quality-assurance", status="missing" if sub else "assured", substantial=sub,
            detail="no accreditation on the credential or its awarding body" if sub else f"{len(qa)} accreditation(s)",
            evidence=m.QualityAssurance(accreditations=qa, issuer=cred.issuer)))

    by: dict[str, m.CriterionResult] = {c.name: c for c in criteria}
    reasons: list[str] = []
    credited = None
    rec: m.RecommendedOutcome
    level_sub = by["level"].substantial
    core_unknown = [n for n in ("level", "workload", "learning-outcomes") if by[n].substantial is None]
    other_sub = [n for n in ("assessment", "quality-assurance") if by[n].substantial is True]
    other_unknown = [n for n in ("assessment", "quality-assurance") if by[n].substantial is None]
    if level_sub is True or coverage == 0:
        rec = "substantial-differences"
        if level_sub:
            reasons.append(by["level"].detail)
        if coverage == 0:
            reasons.append("none of the target's required learning outcomes is covered")
    elif core_unknown or other_unknown:
        rec = "needs-information"
        reasons += [f"{n}: {by[n].detail}" for n in core_unknown + other_unknown]
    elif other_sub:
        rec = "substantial-differences"
        reasons += [f"{n}: {by[n].detail}" for n in other_sub]
    elif not by["workload"].substantial and not by["learning-outcomes"].substantial:
        rec = "recognise"
        reasons.append("no substantial difference in level, workload or learning outcomes")
        credited = target.ects
    else:
        rec = "recognise-partially"
        # workload and outcomes were both compared (an unknown one answered "needs-information" above)
        assert cred.ects is not None and target.ects is not None and coverage is not None
        credited = round(min(cred.ects, target.ects * coverage), 2)
        reasons += [f"{n}: {by[n].detail}" for n in ("workload", "learning-outcomes") if by[n].substantial]
        reasons.append(f"credit min({cred.ects:g}, {target.ects:g} x {coverage:.2f}) = {credited:g} ECTS")
    return m.Comparison(
        credential=_side(cred),
        target=_side(target),
        criteria=criteria,
        recommendation=m.Recommendation(outcome=rec, credited_ects=credited, reasons=reasons),
        rules=m.RulesUsed(**asdict(rules)),
    )
