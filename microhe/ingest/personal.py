"""Learner (personal) data in RDF to be written: find it, and strip it on request.

The clearinghouse stores specifications, organisations, frameworks and recognition
decisions; learner data is never written to the store. Every data write path (``microhe
load``, Graph Store PUT/POST: ``load``/``merge`` in :mod:`microhe.ingest.load`) passes its
parsed quads through one gate, :func:`microhe.ingest.load.personal_gate`, which calls
:func:`find_personal_data`, refuses the write when it finds a learner, and with the
explicit opt-in has :meth:`PersonalData.strip` of them written instead (after the
document was validated as issued). SPARQL Update (``/update``, an administrator's tool
with a token) writes what its text says and is not gated.

**A learner** is a node that is

(a) the object of ``cred:credentialSubject`` (VC 1.1 and 2.0 use the same IRI) or of
    ``elm:awardedTo``, however it is described (untyped, unknown properties, a blank node),
    or the subject of ``elm:hasClaim`` / ``elm:hasCredential`` (ELM: domain ``elm:Person``);
(b) typed as a person: ``foaf:Person``, ``schema:Person`` (http and https schema.org),
    ``vcard:Individual``, ``elm:Person``, ``person:Person`` (ISA Core Person, which
    ``elm:Person`` specialises; http and https spellings);
(c) or carries a property of :data:`PERSONAL_PROPERTIES`: properties that only natural
    persons have (given/family/birth names, birth date and place, gender, citizenship,
    national ID), in FOAF, schema.org, vCard, ISA Core Person and ELM. A node whose only
    personal property sits on its ``vcard:hasName`` node is the learner, not that node.

Names, e-mails, telephones and addresses in general (``foaf:name``, ``schema:name``,
``foaf:mbox``, ``schema:email``, ``vcard:fn``, ``vcard:hasEmail`` ...) are *not* in the
table: organisations, courses and contact points carry them too, and an institution's
name or functional e-mail is exactly what the clearinghouse publishes. They are learner
data when they describe a learner found by (a)-(c), and go with it. A person described
only by such shared properties and linked to nothing (``_:x foaf:name "..."``) cannot be
told from an organisation and is not found; neither can properties nobody knows on a
node linked to nothing. Awarded credentials always link their learner, so (a) finds it.

**An organisation's named contact point is allowed**: a node found only by (c) whose every
mention is as the ``elm:contactPoint`` / ``schema:contactPoint`` of a node typed as an
organisation (:data:`ORGANISATION_TYPES`) is the contact the institution publishes (a
programme office, an admissions officer), not learner data. It stays a learner when it is
also typed as a person (a person record is refused wherever it sits: publish a contact
point instead), is linked by (a), or hangs off anything else.

**Its personal data** is every triple whose subject or object is a learner, plus the nodes
only learners reach (addresses, contact points, identifiers, mailboxes; blank or not), and
so on from those; but not the achievements and credentials a learner links to
(``elm:hasClaim``, ``elm:hasCredential``, ``schema:hasCredential``) nor organisations (the
learner's school is institution data), which stay without the link to the learner.

The report (:class:`PersonalData`) names each learner node and why it is one ("typed
schema:Person", "object of cred:credentialSubject", "carries schema:birthDate") and never
the personal values; e-mail, telephone and DID IRIs used as node names are shortened to
their scheme.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from microhe.errors import Hint
from microhe.ingest.errors import PersonalDataRefused
from microhe.vocab import CRED, ELM, FOAF, RDF

SCHEMA_HTTP = "http://schema.org/"
SCHEMA_HTTPS = "https://schema.org/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
PERSON_HTTP = "http://www.w3.org/ns/person#"  # ISA Core Person (ELM 3.2 uses http)
PERSON_HTTPS = "https://www.w3.org/ns/person#"  # the spelling of ELM 3.1's ontology and one EDC shape file
ORG = "http://www.w3.org/ns/org#"
ROV = "http://www.w3.org/ns/regorg#"

#: Short names for the report, longest namespace first so that prefixes do not shadow.
_PREFIXES = (("cred:", CRED), ("elm:", ELM), ("foaf:", FOAF), ("schema:", SCHEMA_HTTP),
             ("schema:", SCHEMA_HTTPS), ("vcard:", VCARD), ("person:", PERSON_HTTP),
             ("person:", PERSON_HTTPS), ("org:", ORG), ("rov:", ROV))


def _nodes(*iris: str) -> frozenset[ox.NamedNode]:
    return frozenset(ox.NamedNode(i) for i in iris)


def _schema(*names: str) -> tuple[str, ...]:
    return tuple(ns + n for ns in (SCHEMA_HTTP, SCHEMA_HTTPS) for n in names)


def _person_ns(*names: str) -> tuple[str, ...]:
    return tuple(ns + n for ns in (PERSON_HTTP, PERSON_HTTPS) for n in names)


RDF_TYPE = ox.NamedNode(RDF + "type")
CREDENTIAL_SUBJECT = ox.NamedNode(CRED + "credentialSubject")
#: Not an ELM 3.1/3.2 term (ELM links the learner with cred:credentialSubject); named by
#: issue #12 and used by hand-written award data, so its object is a learner too.
AWARDED_TO = ox.NamedNode(ELM + "awardedTo")
HAS_CLAIM = ox.NamedNode(ELM + "hasClaim")
HAS_CREDENTIAL = ox.NamedNode(ELM + "hasCredential")
VCARD_HAS_NAME = ox.NamedNode(VCARD + "hasName")

#: (a) links whose object is a learner.
LEARNER_OBJECT_OF = (CREDENTIAL_SUBJECT, AWARDED_TO)
#: (a) links whose subject is a learner (ELM: domain elm:Person).
LEARNER_SUBJECT_OF = (HAS_CLAIM, HAS_CREDENTIAL)

#: (b) classes of natural persons.
PERSON_TYPES = _nodes(FOAF + "Person", *_schema("Person"), VCARD + "Individual", ELM + "Person",
                      *_person_ns("Person"))

#: (c) properties only natural persons have: their presence marks the subject as a learner.
PERSONAL_PROPERTIES = _nodes(
    # FOAF (foaf:name and foaf:mbox are left out: foaf:Organization has them too);
    # foaf:fullName is not FOAF but the EDC JSON-LD context maps "fullName" to it
    FOAF + "givenName", FOAF + "familyName", FOAF + "firstName", FOAF + "lastName", FOAF + "surname",
    FOAF + "givenname", FOAF + "family_name", FOAF + "fullName", FOAF + "birthday", FOAF + "age",
    # schema.org, domain schema:Person only (schema:name, email, telephone, address are shared)
    *_schema("givenName", "familyName", "additionalName", "honorificPrefix", "honorificSuffix",
             "birthDate", "birthPlace", "deathDate", "deathPlace", "gender", "nationality"),
    # vCard (vcard:fn and vcard:hasEmail describe organisations too)
    VCARD + "given-name", VCARD + "family-name", VCARD + "additional-name", VCARD + "honorific-prefix",
    VCARD + "honorific-suffix", VCARD + "bday", VCARD + "hasGender", VCARD + "sex",
    # ISA Core Person, as ELM uses it
    *_person_ns("birthName", "patronymicName", "placeOfBirth", "countryOfBirth", "citizenship"),
    # ELM 3.1/3.2 properties with domain elm:Person (elm:nationalID: the EDC context's
    # spelling; elm:birthName, elm:fullName: earlier drafts). elm:groupMemberOf too, except
    # on an organisation (see find_personal_data)
    ELM + "dateOfBirth", ELM + "placeOfBirth", ELM + "nationalId", ELM + "nationalID",
    ELM + "citizenshipCountry", ELM + "gender", ELM + "groupMemberOf", ELM + "birthName", ELM + "fullName",
)

#: Classes of organisations whose contact points may name a member of staff.
ORGANISATION_TYPES = _nodes(
    ELM + "Organisation", FOAF + "Organization", ORG + "Organization", ORG + "FormalOrganization",
    ORG + "OrganizationalUnit", ROV + "RegisteredOrganization", VCARD + "Organization",
    *_schema("Organization", "EducationalOrganization", "CollegeOrUniversity", "School", "HighSchool",
             "GovernmentOrganization", "Corporation", "NGO", "ResearchOrganization", "Consortium"),
)
#: Links from an organisation to its published contact point.
CONTACT_LINKS = _nodes(ELM + "contactPoint", *_schema("contactPoint"))

#: Links from a learner to things that are not its personal data (they stay, unlinked).
_KEEP_LINKS = _nodes(ELM + "hasClaim", ELM + "hasCredential", *_schema("hasCredential"))

#: The option of every write path that strips learner data instead of refusing it.
STRIP_PERSONAL = "strip-personal-data"
STRIP_HINT = Hint(STRIP_PERSONAL, "to remove each learner (every triple about it and the nodes only it reaches) "
                  "and load the rest (specification, organisation, achievement).")
#: IRI schemes that name a person themselves: the report shows the scheme only.
_PERSONAL_SCHEMES = frozenset({"mailto", "tel", "sms", "fax", "did"})

# One dict lookup per quad on the fast path: predicate -> rule.
_OBJECT, _SUBJECT, _TYPE, _PROPERTY = range(4)
_RULES: dict[ox.NamedNode, int] = {
    **{p: _PROPERTY for p in PERSONAL_PROPERTIES},
    **{p: _OBJECT for p in LEARNER_OBJECT_OF},
    **{p: _SUBJECT for p in LEARNER_SUBJECT_OF},
    RDF_TYPE: _TYPE,
}


def short(iri: str) -> str:
    """``foaf:givenName`` for a known namespace, else the IRI in angle brackets."""
    for prefix, ns in _PREFIXES:
        if iri.startswith(ns) and len(iri) > len(ns):
            return prefix + iri[len(ns):]
    return f"<{iri}>"


def node_label(term) -> str:
    """How the report names a node: its IRI, but an e-mail, telephone or DID by its scheme
    only (such an IRI is personal data itself, and reports end up in logs); a blank node
    has no name worth showing."""
    if isinstance(term, ox.NamedNode):
        scheme = term.value.split(":", 1)[0].lower()
        if scheme in _PERSONAL_SCHEMES:
            return f"<{scheme}:…>"
        return f"<{term.value}>"
    return "a blank node"


@dataclass(frozen=True)
class Learner:
    """One learner node found: how the report names it, and why it is a learner."""

    node: str
    reasons: tuple[str, ...]


@dataclass
class PersonalData:
    """What :func:`find_personal_data` found: the learners (with why) and the quads that
    are their personal data. False when there is none."""

    learners: list[Learner] = field(default_factory=list)
    #: The personal properties carried by learners (IRIs), for the report.
    properties: list[str] = field(default_factory=list)
    #: The personal part: every quad to leave out when stripping.
    quads: set = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.learners)

    def strip(self, quads: Sequence[ox.Quad]) -> tuple[list[ox.Quad], int]:
        """``quads`` without the personal part, and how many quads were removed."""
        if not self.quads:
            return list(quads), 0
        kept = [q for q in quads if q not in self.quads]
        return kept, len(quads) - len(kept)

    def summary(self, limit: int = 5) -> str:
        """The learners and why, e.g. ``<https://ex/l1> (typed schema:Person; carries
        schema:birthDate)``; the first ``limit`` of them."""
        parts = [f"{x.node} ({_compact(x.reasons)})" for x in self.learners[:limit]]
        more = len(self.learners) - limit
        return ", ".join(parts) + (f" and {more} more" if more > 0 else "")

    def to_json(self) -> list[dict]:
        return [{"node": x.node, "reasons": list(x.reasons)} for x in self.learners]

    def message(self, source: str | None = None) -> str:
        """What was found, for a refusal (the remedy is :data:`STRIP_HINT`)."""
        where = f"{source}: " if source else ""
        return (f"{where}refused: the data holds personal data of {len(self.learners)} learner(s): "
                f"{self.summary()}. microhe never stores learner data.")

    def refusal(self, source: str | None = None) -> PersonalDataRefused:
        """The error refusing this data, naming the option that strips it instead."""
        return PersonalDataRefused(self.message(source), source=source, hint=STRIP_HINT)


def _compact(reasons: Sequence[str]) -> str:
    """``typed schema:Person; carries schema:givenName, schema:birthDate``: the reasons
    with the properties carried (alike) listed once."""
    out: dict[tuple[str, str], list[str]] = {}
    for r in reasons:
        if r.startswith("carries "):
            term, _, where = r[len("carries "):].partition(" ")
            out.setdefault(("carries ", f" {where}" if where else ""), []).append(term)
        else:
            out[(r, "")] = []
    return "; ".join(f"{head}{', '.join(terms)}{tail}" for (head, tail), terms in out.items())


_GROUP_MEMBER_REASON = f"carries {short(ELM + 'groupMemberOf')}"


def find_personal_data(quads: Iterable[ox.Quad]) -> PersonalData:
    """The one detector every write path uses: the learners in ``quads`` (see the module
    docstring for the definition) and their personal part. One cheap pass over the quads
    when there is no learner candidate (the common case: specifications); the indexes
    for exemptions and reachability are built only when there is one."""
    quads = quads if isinstance(quads, list) else list(quads)
    reasons: dict = {}  # node -> {reason: None} (ordered set)
    by_property: set = set()  # nodes with a (c) reason, subject to the contact exemption
    strong: set = set()  # nodes with an (a) or (b) reason: never exempt
    rules = _RULES
    for q in quads:
        rule = rules.get(q.predicate)
        if rule is None:
            continue
        if rule == _TYPE:
            if isinstance(q.object, ox.NamedNode) and q.object in PERSON_TYPES:  # IRIs, all of them
                reasons.setdefault(q.subject, {})[f"typed {short(q.object.value)}"] = None
                strong.add(q.subject)
        elif rule == _PROPERTY:
            reasons.setdefault(q.subject, {})[f"carries {short(q.predicate.value)}"] = None
            by_property.add(q.subject)
        elif rule == _OBJECT:
            if not isinstance(q.object, ox.Literal):
                reasons.setdefault(q.object, {})[f"object of {short(q.predicate.value)}"] = None
                strong.add(q.object)
        else:  # _SUBJECT
            reasons.setdefault(q.subject, {})[f"carries {short(q.predicate.value)}"] = None
            strong.add(q.subject)
    if not reasons:
        return PersonalData()

    # Indexes, kept small: every quad by subject (cheap), but the referrers only of the
    # nodes that matter (the candidates and what they reach); a full referrer index costs
    # ten times more on a large graph.
    by_subject: dict = {}
    for q in quads:
        by_subject.setdefault(q.subject, []).append(q)

    def types(node) -> set:
        return {q.object for q in by_subject.get(node, ()) if q.predicate == RDF_TYPE}

    # elm:groupMemberOf: the ontology gives it a person's domain, but the official EDC shapes
    # allow it on any elm:Agent and the official sample states it of the awarding body: an
    # organisation carrying it (and nothing else personal) is not a learner.
    for node in [n for n in by_property if n not in strong]:
        if set(reasons[node]) == {_GROUP_MEMBER_REASON} and not types(node).isdisjoint(ORGANISATION_TYPES):
            del reasons[node]
            by_property.discard(node)
    if not reasons:
        return PersonalData()

    referrers = _referrers(quads, set(reasons))

    # A personal property on a vcard:hasName node names whoever has that name.
    for node in [n for n in by_property if n not in strong]:
        holders = [s for s, p in referrers.get(node, ()) if p == VCARD_HAS_NAME]
        if holders:
            for holder in holders:
                mark = reasons.setdefault(holder, {})
                for r in reasons[node]:
                    mark[f"{r} on its vcard:hasName"] = None
                by_property.add(holder)
            del reasons[node]  # part of the holder's personal data (reached only from it)
            by_property.discard(node)

    def followed(q) -> bool:
        """Whether the personal part may extend from ``q``'s subject to its object."""
        obj = q.object
        return (not isinstance(obj, ox.Literal) and q.predicate not in _KEEP_LINKS and obj in by_subject
                and types(obj).isdisjoint(ORGANISATION_TYPES))

    reach = set(reasons)
    frontier = list(reach)
    while frontier:
        for q in by_subject.get(frontier.pop(), ()):
            if q.object not in reach and followed(q):
                reach.add(q.object)
                frontier.append(q.object)
    referrers = _referrers(quads, reach)

    def published_contact(node) -> bool:
        refs = referrers.get(node)
        if not refs:
            return False
        return all(
            p in CONTACT_LINKS and s not in strong and not types(s).isdisjoint(ORGANISATION_TYPES)
            for s, p in refs)

    learners = [n for n in reasons if n in strong or not published_contact(n)]
    if not learners:
        return PersonalData()

    # The nodes only learners (or such nodes) reach go with them.
    doomed = set(learners)
    frontier = list(learners)
    while frontier:
        for q in by_subject.get(frontier.pop(), ()):
            obj = q.object
            if obj not in doomed and followed(q) and all(s in doomed for s, _ in referrers.get(obj, ())):
                doomed.add(obj)
                frontier.append(obj)
    part = {q for q in quads if q.subject in doomed or q.object in doomed}
    found = [Learner(node_label(n), tuple(reasons[n])) for n in learners]
    carried = sorted({q.predicate.value for q in part if q.predicate in PERSONAL_PROPERTIES})
    return PersonalData(found, carried, part)


def may_hold_learners(quads: Iterable[ox.Quad]) -> bool:
    """Whether ``quads`` hold a candidate learner: the first, cheap pass of
    :func:`find_personal_data` (a person type, a personal property, the object of
    ``cred:credentialSubject`` ...). False means the full detector would find none in
    any data made of such chunks, so a file read in chunks (:mod:`microhe.ingest.streamed`)
    is checked chunk by chunk; True sends the file to the whole-file detector."""
    rules = _RULES
    for q in quads:
        rule = rules.get(q.predicate)
        if rule is None:
            continue
        if rule == _TYPE:
            if isinstance(q.object, ox.NamedNode) and q.object in PERSON_TYPES:
                return True
        elif rule == _OBJECT:
            if not isinstance(q.object, ox.Literal):
                return True
        else:
            return True
    return False


def _referrers(quads: Sequence[ox.Quad], nodes: set) -> dict:
    """``node -> [(subject, predicate), ...]`` of the quads whose object is one of ``nodes``."""
    out: dict = {}
    for q in quads:
        obj = q.object
        if obj in nodes:
            out.setdefault(obj, []).append((q.subject, q.predicate))
    return out


def strip_personal_data(quads: list[ox.Quad], found: PersonalData | None = None) -> tuple[list[ox.Quad], int]:
    """The quads without learner data, and how many quads were removed (``found``: the
    result of :func:`find_personal_data` on the same quads, to avoid a second pass)."""
    found = find_personal_data(quads) if found is None else found
    return found.strip(quads)
