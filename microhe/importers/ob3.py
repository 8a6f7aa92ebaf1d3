"""Open Badges 3.0 (and the achievements inside a CLR 2.0) -> ELM specifications.

Accepted: an ``OpenBadgeCredential`` / ``AchievementCredential`` as JSON-LD, with or without
a Data Integrity ``proof``; a compact JWT (JOSE) whose payload is the credential or carries
it under ``vc``; a ``ClrCredential`` (each achievement of its embedded credentials). A JWT
with ``alg: none`` or a malformed segment is refused (:mod:`.jose`); a signature or proof is
recorded as "present, not verified". The JSON-LD must resolve with the bundled contexts
(an unknown context is refused naming it: Edubadges' extension is added through an
operator's context directory, never fetched).

``credentialSubject.achievement`` becomes an ``elm:LearningAchievementSpecification``
(the Achievement is the specification: it is kept, the learner dropped):

* ``name`` -> ``dcterms:title`` (language from ``inLanguage``), ``description`` ->
  ``dcterms:description``, ``criteria.narrative`` -> an ``elm:additionalNote``;
* ``alignment`` -> ``elm:learningOutcome`` (title ``targetName``, description
  ``targetDescription``, ``elm:relatedESCOSkill`` for an ESCO skill IRI, else
  ``elm:relatedSkill`` ``targetUrl``), except Edubadges' ``targetType`` ``ext:EQF`` ->
  ``elm:EQFLevel`` (from ``targetCode``) and ``ext:QualityAssurance`` -> ``elm:accreditation``;
* ``creditsAvailable`` -> ``elm:creditPoint`` in US semester credit hours
  (``ref:credit-system/US-SCH``): OB 3.0 defines it as credit hours, US usage, so it is
  never ECTS; Edubadges' ``ECTS`` -> ``elm:creditPoint`` with the ECTS framework;
  Edubadges' ``timeInvestment`` (hours) -> ``elm:volumeOfLearning``; ``participationType``
  -> ``elm:mode`` where it names one mode;
* ``achievementType`` is kept as the OB term (``MicroCredential`` also types the
  specification ``ceterms:MicroCredential``, its exact match);
* the awarding body is the credential's ``issuer`` Profile (name, ``address.addressCountryCode``
  / ``addressCountry``), described by the achievement's ``creator`` when the issuer is only an IRI.

Dropped: the learner (``credentialSubject`` but its achievement: id, identifiers, results,
``creditsEarned``), proofs and JWT claims, images, endorsements. Lost (no place in the
model, listed in the report): result descriptions, Edubadges' assessment and supervision
texts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from microhe.importers import jose, vocabulary
from microhe.importers.build import Builder, lang_tag, literal, number_text
from microhe.importers.errors import ImportFailed, NothingToImport
from microhe.importers.jsondoc import as_list, check_size, decode_text, jsonld_quads, load_json
from microhe.importers.mint import Minter
from microhe.importers.result import Conversion
from microhe.vocab import DCTERMS, ECTS, ELM, REF

NAME = "ob3"
OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
CETERMS = "https://purl.org/ctdl/terms/"
BADGE_TYPES = ("OpenBadgeCredential", "AchievementCredential")
US_SCH = REF + "credit-system/US-SCH"


def _types(node: Any) -> list[str]:
    return [t for t in as_list(node.get("type") if isinstance(node, dict) else None) if isinstance(t, str)]


def _open(data: bytes, source: str, conv: Conversion) -> Any:
    check_size(data, source)
    text = decode_text(data, source)
    if jose.looks_like_jwt(text):
        header, claims = jose.open_jwt(text, source)
        conv.signature = jose.NOT_VERIFIED
        conv.note("converted", "compact JWT", f"signature (alg {header.get('alg')}) recorded as "
                  f"'{jose.NOT_VERIFIED}'; the credential in its payload is imported")
        conv.note("dropped", "JWT claims (iss, sub, nbf, jti ...)", "envelope of the award; sub is the learner")
        vc = claims.get("vc")
        return vc if isinstance(vc, dict) else claims
    return load_json(text, source)


def _profile(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else ({"id": node} if isinstance(node, str) else {})


def _achievements(cred: dict[str, Any], source: str, conv: Conversion) -> list[tuple[dict, dict]]:
    """(achievement, issuer profile) pairs of an OB credential or a CLR."""
    types = _types(cred)
    if "ClrCredential" in types:
        conv.note("converted", "ClrCredential", "each achievement of its embedded credentials is imported")
        out = []
        for inner in as_list((cred.get("credentialSubject") or {}).get("verifiableCredential")):
            if isinstance(inner, dict) and set(BADGE_TYPES) & set(_types(inner)):
                out += _achievements(inner, source, conv)
        return out
    if not set(BADGE_TYPES) & set(types):
        shown = ", ".join(types) or "no type"
        raise NothingToImport(f"nothing to import: found {shown} (an Open Badge is an OpenBadgeCredential or "
                              "AchievementCredential)", source, found=types)
    subject = cred.get("credentialSubject")
    issuer = _profile(cred.get("issuer"))
    out = []
    for s in as_list(subject):
        if isinstance(s, dict):
            for a in as_list(s.get("achievement")):
                if isinstance(a, dict):
                    out.append((a, issuer))
    return out


def _title(a: dict, key: str) -> list[tuple[str, str | None]]:
    lang = lang_tag(a.get("inLanguage"))
    v = a.get(key)
    return [(v, lang)] if isinstance(v, str) and v.strip() else []


def _spec(b: Builder, a: dict, issuer: dict, conv: Conversion, minter: Minter) -> None:
    aid = a.get("id")
    spec = ox.NamedNode(aid) if isinstance(aid, str) and vocabulary.is_absolute_iri(aid) else \
        minter.hashed("achievement", a.get("name"), a.get("description"))
    b.typed(spec, ELM + "LearningAchievementSpecification")
    lang = lang_tag(a.get("inLanguage"))
    for text, tl in _title(a, "name"):
        b.add(spec, DCTERMS + "title", literal(text, tl))
    for text, tl in _title(a, "description"):
        b.add(spec, DCTERMS + "description", literal(text, tl))
    criteria = a.get("criteria")
    if isinstance(criteria, dict) and isinstance(criteria.get("narrative"), str) and criteria["narrative"].strip():
        b.note(spec, ELM + "additionalNote", "Criteria: " + criteria["narrative"], lang)
        conv.note("converted", "achievement.criteria.narrative", "elm:additionalNote 'Criteria: ...'")
    for t in as_list(a.get("achievementType")):
        if isinstance(t, str):
            b.add(spec, OB + "achievementType", ox.Literal(t))
            if t == "MicroCredential":
                b.typed(spec, CETERMS + "MicroCredential")
    for al in as_list(a.get("alignment")):
        if not isinstance(al, dict):
            continue
        ttype, code, url = al.get("targetType"), al.get("targetCode"), al.get("targetUrl")
        if ttype == "ext:EQF":
            level = vocabulary.eqf(url) if isinstance(url, str) and vocabulary.eqf(url) else vocabulary.eqf(code)
            if level:
                b.add(spec, ELM + "EQFLevel", ox.NamedNode(level))
                conv.note("converted", "alignment targetType ext:EQF", "elm:EQFLevel from targetCode (Edubadges)")
            else:
                conv.note("lost", f"alignment ext:EQF {code!r}", "not an EQF level 1-8")
            continue
        if ttype == "ext:QualityAssurance":
            acc = minter.hashed("accreditation", spec.value, code, al.get("targetName"), url)
            b.add(spec, ELM + "accreditation", b.typed(acc, ELM + "Accreditation"))
            if isinstance(al.get("targetName"), str):
                b.add(acc, DCTERMS + "title", literal(al["targetName"], lang))
            if isinstance(al.get("targetDescription"), str):
                b.add(acc, DCTERMS + "description", literal(al["targetDescription"], lang))
            if isinstance(url, str) and vocabulary.is_absolute_iri(url):
                b.add(acc, "http://xmlns.com/foaf/0.1/homepage", ox.NamedNode(url))
            conv.note("converted", "alignment targetType ext:QualityAssurance", "elm:accreditation (Edubadges)")
            continue
        name = al.get("targetName")
        titles = [(name, lang)] if isinstance(name, str) and name.strip() else []
        if not titles and isinstance(code, str):
            titles = [(code, None)]
        skill = url if isinstance(url, str) and vocabulary.is_absolute_iri(url) else None
        desc = al.get("targetDescription") if isinstance(al.get("targetDescription"), str) else None
        b.outcome(spec, titles, desc, skill)
        conv.note("converted", "achievement.alignment", "elm:learningOutcome (targetName, targetDescription; "
                  "targetUrl as elm:relatedESCOSkill or elm:relatedSkill)")
    credits = number_text(a.get("creditsAvailable"))
    if credits is not None:
        b.credit(spec, US_SCH, credits)
        conv.note("converted", "achievement.creditsAvailable", "elm:creditPoint in US semester credit hours "
                  "(OB 3.0: credit hours, US usage; never ECTS)")
    ects = number_text(a.get("ECTS"))
    if ects is not None:
        b.credit(spec, ECTS, ects)
        conv.note("converted", "achievement.ECTS", "elm:creditPoint with the ECTS framework (Edubadges)")
    hours = number_text(a.get("timeInvestment"))
    if hours is not None:
        b.hours(spec, f"PT{hours}H")
        conv.note("converted", "achievement.timeInvestment", "elm:volumeOfLearning in hours (Edubadges)")
    mode = a.get("participationType") or a.get("ParticipationType")
    if isinstance(mode, str):
        iri = vocabulary.mode(mode)
        if iri:
            b.add(spec, ELM + "mode", ox.NamedNode(iri))
            conv.note("converted", "achievement.participationType", "elm:mode")
        else:
            conv.note("lost", f"achievement.participationType {mode!r}", "names no single ELM mode")
    for key in ("assessmentType", "supervisionType", "identityChecked", "resultDescription", "fieldOfStudy",
                "specialization", "humanCode", "tag", "otherIdentifier"):
        if a.get(key) not in (None, "", []):
            conv.note("lost", f"achievement.{key}", "no place in the specification model")
    creator = _profile(a.get("creator"))
    body = issuer if len(issuer) > 1 or not creator or creator.get("id") != issuer.get("id") else creator
    if body.get("id") and len(body) == 1 and creator.get("id") == body.get("id"):
        body = creator
    _awarding_body(b, spec, body, conv, minter)


def _awarding_body(b: Builder, spec: ox.NamedNode, profile: dict, conv: Conversion, minter: Minter) -> None:
    if not profile:
        conv.note("lost", "issuer", "the credential names no issuer")
        return
    pid = profile.get("id")
    org = ox.NamedNode(pid) if isinstance(pid, str) and vocabulary.is_absolute_iri(pid) else \
        minter.hashed("organisation", profile.get("name"))
    names: list[tuple[str, str | None]] = [(profile["name"], None)] if isinstance(profile.get("name"), str) else []
    address: dict[str, Any] = profile["address"] if isinstance(profile.get("address"), dict) else {}
    country_value = address.get("addressCountryCode") or address.get("addressCountry")
    url = profile.get("url") if isinstance(profile.get("url"), str) and vocabulary.is_absolute_iri(profile["url"]) \
        else None
    unresolved = b.organisation(org, names, country_value, url)
    b.awarded_by(spec, org)
    conv.note("converted", "issuer Profile", "elm:awardingOpportunity/elm:awardingBody (rov:legalName, "
              "address.addressCountryCode -> elm:countryCode)")
    if unresolved:
        conv.note("lost", f"issuer country {unresolved!r}", "no country code the bundled list resolves")
    if not names:
        conv.note("lost", "issuer name", "the issuer is given by IRI only")


def convert(data: bytes, source: str, *, base: str, sha256: str,
            contexts: Mapping[str, Any] | None = None) -> Conversion:
    """Import one Open Badge 3.0 credential (see module docstring); ``contexts``: the
    operator's context directory (an issuer's extension context microhe does not bundle)."""
    conv = Conversion(NAME, source, sha256, [])
    cred = _open(data, source, conv)
    if not isinstance(cred, dict):
        raise ImportFailed("an Open Badge credential is a JSON object", source)
    jsonld_quads(cred, source, contexts=contexts)  # bundled or the context directory; an unknown one is refused here
    pairs = _achievements(cred, source, conv)
    if not pairs:
        raise NothingToImport("nothing to import: the credential has no credentialSubject.achievement", source,
                              found=_types(cred))
    if cred.get("proof") and conv.signature == jose.UNSIGNED:
        conv.signature = jose.NOT_VERIFIED
        conv.note("dropped", "proof", f"Data Integrity proof recorded as '{jose.NOT_VERIFIED}'")
    conv.found = sorted({t for t in _types(cred) if t in (*BADGE_TYPES, "ClrCredential")})
    minter = Minter(base, sha256)
    b = Builder(minter)
    names: dict[str, set[str]] = {}
    for a, _ in pairs:
        if isinstance(a.get("id"), str):
            names.setdefault(a["id"], set()).add(json.dumps(a, sort_keys=True))
    for aid, variants in names.items():
        if len(variants) > 1:  # one id for different achievements (seen in CLR fixtures): keep them apart
            conv.note("converted", f"achievement id {aid}", f"names {len(variants)} different achievements: "
                      "each gets a minted IRI")
            for a, _ in pairs:
                if a.get("id") == aid:
                    a["id"] = minter.hashed("achievement", json.dumps(a, sort_keys=True)).value
    for a, issuer in pairs:
        _spec(b, a, issuer, conv, minter)
    conv.note("dropped", "the learner (credentialSubject)", "its id, identifiers, results, creditsEarned: never stored")
    conv.note("dropped", "images, endorsements", "not part of the specification")
    conv.quads = b.result()
    return conv


def sniff(doc: Any) -> bool:
    types = set(_types(doc)) | set(_types(doc.get("vc") if isinstance(doc, dict) else None))
    return bool(types & {*BADGE_TYPES, "ClrCredential", "EndorsementCredential"})


__all__ = ["NAME", "convert", "sniff"]
