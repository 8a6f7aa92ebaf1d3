"""Substantial-difference comparison of a micro-credential with a target (a module or
qualification specification, or a set of requirements), after the Lisbon Recognition
Convention: level, workload, learning outcomes, assessment and identity verification,
quality assurance. Missing data is ``unknown`` (``substantial: null``), never a pass.

Default rules (thresholds and switches in :class:`Rules`, reported in ``rules``):

* level: substantial when the credential's highest EQF candidate is below the target's
  lowest (the recogniser must show the difference, so the benefit of the doubt goes to
  the applicant). A target module's own level is used; a target stating none whose
  programme (``elm:isPartOf`` / ``elm:hasPart``; ``programme_eqf`` in requirements) has one
  gets ``check-module-level`` (unknown) when the credential is below the programme's
  level (modules inside an EQF 6 degree often sit lower), ``meets`` when it is not;
  ``strict_level`` takes the programme's level as the module's (``below``, substantial);
* workload: ratio of the credential's ECTS to the target's; substantial below 0.8. The
  credential's ECTS are its credits as :func:`microhe.frameworks.credits.convert` gives
  them (the system's value: UK and SCQF 2:1, US semester credit 2 ECTS, quarter credit 2/3
  of that), with the fixed hours per ECTS of the issuer's country for a volume of learning;
  credits of a system with no official conversion and no hours (ECVET) leave it unknown;
* learning outcomes: coverage = share of the target's required outcomes matched by the
  same concept or a narrower one (``skos:broader*``); substantial below 0.75;
* assessment: substantial when the target requires identity-verified assessment and
  the credential's is unverified;
* quality assurance: when the target requires it and neither the credential nor its
  awarding body carries an accreditation, unknown (Council element M11: ask, do not
  presume a difference).

Recommendation, in this order:

1. ``substantial-differences`` when the level falls short or coverage is 0;
2. ``needs-information`` when the credential lacks Council 2022 elements M6-M10 (learning
   outcomes, workload, level, type of assessment, form of participation; M11 quality
   assurance only when the target requires it): ``missing`` lists them, so such a
   credential is never ``recognise``d. Elements M2-M4 and the recommended profile's
   warnings never block;
3. ``needs-information`` when unknowns among level, workload and outcomes (or a required
   assessment / QA fact) prevent a decision;
4. ``substantial-differences`` for a substantial difference in assessment alone;
5. ``recognise`` when nothing is substantial; ``recognise-partially`` otherwise.

Effects (``recognise`` and ``recognise-partially`` only; null otherwise):

* ``credit_transfer``: the ECTS the credential carries, at most what the target allows:
  ``min(credential ECTS, target ECTS)`` for ``recognise``, ``min(credential ECTS, target ECTS
  x outcome coverage)`` for ``recognise-partially`` (the rule of ``credited_ects`` before);
* ``exemption``: the target module waived, with its ECTS (``recognise`` only).

Every ambiguity is listed in ``caveats`` (:mod:`microhe.recognition.caveats`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pyoxigraph as ox

from microhe.errors import InvalidValue
from microhe.rdf.iri import is_absolute_iri
from microhe.recognition import models as m
from microhe.recognition.caveats import credit_caveats, level_caveats, programme_caveat
from microhe.recognition.facts import Facts
from microhe.recognition.search import search_index
from microhe.store.embedded import Store
from microhe.store.labels import Labels
from microhe.vocab import SKOS


@dataclass(frozen=True)
class Rules:
    """The thresholds and switches of the comparison (module docstring)."""

    workload_ratio: float = 0.8
    outcome_coverage: float = 0.75
    #: take a target's programme level as its module's own (the rule before issue 17)
    strict_level: bool = False


#: The Council 2022 elements whose absence blocks a decision (M11 only when QA is required).
BLOCKING = ("M6", "M7", "M8", "M9", "M10")
ELEMENT_NAMES = {"M6": "learning outcomes", "M7": "notional workload", "M8": "level", "M9": "type of assessment",
                 "M10": "form of participation", "M11": "type of quality assurance"}


class RequirementsError(InvalidValue):
    """Target requirements that cannot be used (the message says which field and why)."""


def target_from_requirements(req: dict) -> Facts:
    """A target from a small JSON document: ``{"eqf": 7, "ects": 7.5, "outcomes": [IRI...],
    "requires_identity_verification": true, "requires_quality_assurance": true, "title": "..."}``;
    ``programme_eqf`` instead of ``eqf`` describes a module known only by its programme's level."""
    allowed = {"eqf", "programme_eqf", "ects", "outcomes", "requires_identity_verification",
               "requires_quality_assurance", "title", "iri"}
    unknown = set(req) - allowed
    if unknown:
        raise RequirementsError(f"unknown target field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")
    f = Facts(req.get("iri") or "urn:microhe:target", title=req.get("title"), source="requirements")
    for key in ("eqf", "programme_eqf"):
        eqf = req.get(key)
        if eqf is not None:
            values = eqf if isinstance(eqf, list) else [eqf]
            if not values or not all(isinstance(e, int) and not isinstance(e, bool) and 1 <= e <= 8 for e in values):
                raise RequirementsError(f"{key} must be an integer 1-8 (or a list of them)")
            setattr(f, key, set(values))
    ects = req.get("ects")
    if ects is not None:
        if isinstance(ects, bool) or not isinstance(ects, (int, float)) or ects < 0 or ects != ects:
            raise RequirementsError("ects must be a non-negative number")
        f.ects = f.ects_min = f.ects_max = float(ects)  # stated in ECTS: nothing to convert
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


def _side(f: Facts, labels: Labels) -> m.Side:
    """A side of the comparison: what it is, where its facts came from, and the Council
    elements its record lacks when it lacks any (so a record loaded with a lighter profile
    is never compared as if complete). A side the store does not hold (an upload, a set of
    requirements) is labelled with the title it states."""
    ref = labels.ref(f.iri, fallback=f.title or ("target requirements" if f.source == "requirements" else None))
    return m.Side(iri=f.iri, label=ref.label, lang=ref.lang, source=f.source,
                  incomplete=list(f.incomplete) if f.incomplete else None)


def _credits_stated(f: Facts, labels: Labels) -> m.CreditsStated | None:
    c = f.credits
    if c is None:
        if f.ects is None:
            return None
        # ECTS stated as such (requirements, facts built by a caller): nothing was converted
        by_hours = m.EctsByHours(min=_num(f.ects_min), max=_num(f.ects_max)) \
            if f.ects_min is not None and f.ects_max is not None else None
        return m.CreditsStated(amount=_num(f.ects), system="ECTS", credit_system=None, ects=_num(f.ects),
                               basis="identity",
                               disputed=False, by_hours=by_hours, country=None)
    h = c.by_hours
    return m.CreditsStated(amount=c.amount, system=c.system, credit_system=labels.ref(c.credit_system.iri),
                           ects=c.ects.value, basis=c.ects.basis,
                           disputed=c.ects.disputed, by_hours=m.EctsByHours(min=h.min, max=h.max) if h else None,
                           country=h.country if h else None)


def _level(cred: Facts, target: Facts, rules: Rules, labels: Labels) -> tuple[m.Criterion, list[m.Caveat]]:
    """The level criterion, and the caveats of the target's level when it is its programme's."""
    own = bool(target.eqf)
    target_eqf = target.eqf or target.programme_eqf
    if not (cred.eqf and target_eqf):
        missing = "credential" if not cred.eqf else "target"
        return m.LevelUnknown(
            name="level", status="unknown", substantial=None,
            detail=f"the {missing} states no level that resolves to EQF",
            evidence=m.LevelsStated(credential_levels=labels.refs(sorted(cred.levels)),
                                    target_levels=labels.refs(sorted(target.levels)))), []
    hi, need = max(cred.eqf), min(target_eqf)
    evidence = m.LevelEvidence(credential_eqf=sorted(cred.eqf), credential_levels=labels.refs(sorted(cred.levels)),
                               target_eqf=sorted(target_eqf), target_levels=labels.refs(sorted(target.levels)),
                               target_level_from="module" if own else "programme")
    detail = f"credential EQF {sorted(cred.eqf)} vs target EQF {sorted(target_eqf)}"
    caveats = [] if own else [programme_caveat(target.programme_eqf, rules.strict_level)]
    if not own:
        detail += " (the target's programme; the target states no level of its own)"
    if hi < need and not own and not rules.strict_level:
        return m.LevelCheckModule(
            name="level", status="check-module-level", substantial=None,
            detail=detail + ": the module's own level decides (modules often sit below their degree's level)",
            evidence=evidence), caveats
    return m.LevelCompared(name="level", status="below" if hi < need else "meets", substantial=hi < need,
                           detail=detail, evidence=evidence), caveats


def _workload(cred: Facts, target: Facts, rules: Rules, labels: Labels) -> tuple[m.Criterion, float | None]:
    stated = _credits_stated(cred, labels)
    if cred.ects is not None and target.ects:
        assert stated is not None  # the ECTS come from the conversion
        ratio = cred.ects / target.ects
        sub = ratio < rules.workload_ratio
        detail = f"{cred.ects:g} ECTS vs {target.ects:g} ECTS (ratio {ratio:.2f}, threshold {rules.workload_ratio})"
        if stated.system != "ECTS":
            detail += f"; {stated.amount:g} {stated.system} by {stated.basis}"
            if stated.by_hours is not None and stated.system != "HOURS":
                detail += f", {stated.by_hours.min:g}-{stated.by_hours.max:g} ECTS by notional hours"
        return m.WorkloadCompared(
            name="workload", status="short" if sub else "meets", substantial=sub, detail=detail,
            evidence=m.WorkloadEvidence(credential_ects=stated.ects if stated.ects is not None else cred.ects,
                                        credential_credits=stated, target_ects=target.ects,
                                        ratio=round(ratio, 3))), ratio
    if cred.ects is None and stated is not None:
        detail = (f"the credential states {stated.amount:g} {stated.system}, which has no official conversion to "
                  "ECTS and no notional hours per credit: state the workload in ECTS or hours")
    else:
        detail = f"the {'credential' if cred.ects is None else 'target'} states no workload"
    return m.WorkloadUnknown(name="workload", status="unknown", substantial=None, detail=detail,
                             evidence=m.WorkloadStated(credential_credits=stated)), None


def compare(store: Store, cred: Facts, target: Facts, rules: Rules = Rules(), langs: tuple[str, ...] = ()
            ) -> m.Comparison:
    """The comparison (criteria, recommendation with its effects, caveats, reasons), naming
    things with their labels in ``langs`` (else English, else any). A document side's
    validation is added by :func:`microhe.recognition.sides.compare_sides`."""
    criteria: list[m.Criterion] = []
    labels = Labels(store, langs).fetch(
        [cred.iri, target.iri, cred.issuer, *cred.levels, *target.levels, *cred.skills, *cred.outcomes,
         *target.required_outcomes, *cred.assessment_types, *cred.id_verification, *cred.accreditations,
         *cred.issuer_accreditations, cred.credits.credit_system.iri if cred.credits else None])

    level, caveats = _level(cred, target, rules, labels)
    criteria.append(level)
    caveats = level_caveats(store, "credential", cred.eqf, cred.levels, "the highest") + caveats
    if target.eqf:
        caveats += level_caveats(store, "target", target.eqf, target.levels, "the lowest")
    workload, _ = _workload(cred, target, rules, labels)
    criteria.append(workload)
    caveats += credit_caveats(cred.credits, target.ects, rules.workload_ratio)

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
            evidence=m.OutcomesEvidence(covered=labels.refs(covered), missing=labels.refs(missing_o),
                                        credential_outcomes=labels.refs(sorted(cred.skills or cred.outcomes)),
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
            evidence=m.AssessmentStated(assessment_types=labels.refs(sorted(cred.assessment_types)),
                                        id_verification=labels.refs(sorted(cred.id_verification)))))
    elif verified is None:
        criteria.append(m.AssessmentUnknown(
            name="assessment", status="unknown", substantial=None,
            detail="the target requires identity-verified assessment; the credential does not say",
            evidence=m.AssessmentTypes(assessment_types=labels.refs(sorted(cred.assessment_types)))))
    else:
        criteria.append(m.AssessmentCompared(
            name="assessment", status="verified" if verified else "unverified", substantial=not verified,
            detail="identity verified" if verified else "assessment without identity verification",
            evidence=m.IdentityVerification(id_verification=labels.refs(sorted(cred.id_verification)),
                                            assessment_types=labels.refs(sorted(cred.assessment_types)))))

    # quality assurance
    qa = labels.refs(sorted(cred.accreditations | cred.issuer_accreditations))
    issuer = labels.ref(cred.issuer) if cred.issuer else None
    if not target.requires_quality_assurance:
        criteria.append(m.QualityNotRequired(
            name="quality-assurance", status="not-required", substantial=False,
            detail="the target does not require quality assurance", evidence=m.Accreditations(accreditations=qa)))
    elif not qa:
        criteria.append(m.QualityUnknown(
            name="quality-assurance", status="unknown", substantial=None,
            detail="the target requires quality assurance; no accreditation on the credential or its awarding body "
                   "(Council element M11)",
            evidence=m.QualityAssurance(accreditations=qa, issuer=issuer)))
    else:
        criteria.append(m.QualityCompared(
            name="quality-assurance", status="assured", substantial=False, detail=f"{len(qa)} accreditation(s)",
            evidence=m.QualityAssurance(accreditations=qa, issuer=issuer)))

    by: dict[str, m.CriterionResult] = {c.name: c for c in criteria}
    blocking = [e for e in cred.incomplete
                if e in BLOCKING or (e == "M11" and target.requires_quality_assurance)]
    reasons: list[str] = []
    transfer: m.CreditTransfer | None = None
    exemption: m.Exemption | None = None
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
        reasons += [_missing_reason(e) for e in blocking]
    elif blocking or core_unknown or other_unknown:
        rec = "needs-information"
        reasons += [_missing_reason(e) for e in blocking]
        reasons += [f"{n}: {by[n].detail}" for n in core_unknown + other_unknown]
    elif other_sub:
        rec = "substantial-differences"
        reasons += [f"{n}: {by[n].detail}" for n in other_sub]
    else:
        # workload and outcomes were both compared (an unknown one answered "needs-information" above)
        assert cred.ects is not None and target.ects is not None and coverage is not None
        full = not by["workload"].substantial and not by["learning-outcomes"].substantial
        allowed = target.ects if full else round(target.ects * coverage, 2)
        credited = round(min(cred.ects, allowed), 2)
        transfer = m.CreditTransfer(ects=_num(credited), credential_ects=_num(cred.ects), allowed_ects=_num(allowed))
        if full:
            rec = "recognise"
            reasons.append("no substantial difference in level, workload or learning outcomes")
            side = _side(target, labels)
            exemption = m.Exemption(module=m.Ref(iri=target.iri, label=side.label, lang=side.lang),
                                    ects=_num(target.ects))
            reasons.append(f"credit transfer min({cred.ects:g}, {target.ects:g}) = {credited:g} ECTS, "
                           f"or exemption from the target ({target.ects:g} ECTS)")
        else:
            rec = "recognise-partially"
            reasons += [f"{n}: {by[n].detail}" for n in ("workload", "learning-outcomes") if by[n].substantial]
            reasons.append(f"credit transfer min({cred.ects:g}, {target.ects:g} x {coverage:.2f}) = {credited:g} ECTS")
    return m.Comparison(
        credential=_side(cred, labels),
        target=_side(target, labels),
        criteria=criteria,
        recommendation=m.Recommendation(outcome=rec, credit_transfer=transfer, exemption=exemption,
                                        missing=blocking, reasons=reasons),
        caveats=caveats,
        rules=m.RulesUsed(**asdict(rules)),
    )


def _missing_reason(code: str) -> str:
    return (f"{code} {ELEMENT_NAMES.get(code, '')}: the credential does not state it "
            "(Council Recommendation 2022/C 243/02, Annex I)")


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x
