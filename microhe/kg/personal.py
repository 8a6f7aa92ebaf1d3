"""Learner (personal) data in awarded credentials: find it, and strip it on request.

The clearinghouse stores specifications, organisations, frameworks and recognition
decisions; learner data is never written to the store. A learner is any node that is
the object of ``cred:credentialSubject`` or is typed ``elm:Person``, or that carries one
of the personal properties below. Stripping removes each learner node, every triple
that mentions it, and the nodes only it describes (identifiers, addresses, contact
points), but keeps the achievements it links to with ``elm:hasClaim``, so the
specification, organisation and achievement load without the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import CRED, ELM, FOAF, RDF

CREDENTIAL_SUBJECT = ox.NamedNode(CRED + "credentialSubject")
PERSON = ox.NamedNode(ELM + "Person")
RDF_TYPE = ox.NamedNode(RDF + "type")
HAS_CLAIM = ox.NamedNode(ELM + "hasClaim")

#: Properties whose presence marks their subject as a natural person.
PERSONAL_PROPERTIES = frozenset(
    ox.NamedNode(i)
    for i in (
        FOAF + "givenName",
        FOAF + "familyName",
        FOAF + "name",
        FOAF + "mbox",
        ELM + "dateOfBirth",
        ELM + "placeOfBirth",
        ELM + "nationalId",
        ELM + "nationalID",  # the EDC v3.1 JSON-LD context's spelling
        ELM + "citizenshipCountry",
        ELM + "gender",
        ELM + "birthName",
        ELM + "fullName",
    )
)

STRIP_OPTION = "--strip-personal-data"


@dataclass
class PersonalData:
    """What was found: the learner nodes and the personal properties they carry."""

    learners: list[str] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.learners)

    def message(self, source: str | None = None) -> str:
        where = f"{source}: " if source else ""
        props = ", ".join(sorted(set(self.properties))) or "cred:credentialSubject"
        return (
            f"{where}refused: the data holds personal data of {len(self.learners)} learner(s) "
            f"({props}); microhe never stores learner data. Use {STRIP_OPTION} to remove the "
            "learner and load the rest (specification, organisation, achievement)."
        )


def _label(term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def find_personal_data(quads: Iterable[ox.Quad]) -> PersonalData:
    learners: dict = {}
    props: list[str] = []
    for q in quads:
        if q.predicate == CREDENTIAL_SUBJECT and not isinstance(q.object, ox.Literal):
            learners.setdefault(q.object, None)
        elif q.predicate == RDF_TYPE and q.object == PERSON:
            learners.setdefault(q.subject, None)
        elif q.predicate in PERSONAL_PROPERTIES:
            learners.setdefault(q.subject, None)
            props.append(q.predicate.value)
    return PersonalData([_label(t) for t in learners], props)


def strip_personal_data(quads: list[ox.Quad]) -> tuple[list[ox.Quad], int]:
    """The quads without learner data, and how many quads were removed."""
    by_subject: dict = {}
    referrers: dict = {}
    learners: set = set()
    for q in quads:
        by_subject.setdefault(q.subject, []).append(q)
        if not isinstance(q.object, ox.Literal):
            referrers.setdefault(q.object, set()).add(q.subject)
        if q.predicate == CREDENTIAL_SUBJECT and not isinstance(q.object, ox.Literal):
            learners.add(q.object)
        elif (q.predicate == RDF_TYPE and q.object == PERSON) or q.predicate in PERSONAL_PROPERTIES:
            learners.add(q.subject)

    # Nodes described only by learners (or by such nodes) go with them; achievements stay.
    doomed = set(learners)
    frontier = list(learners)
    while frontier:
        node = frontier.pop()
        for q in by_subject.get(node, ()):
            obj = q.object
            if q.predicate == HAS_CLAIM or isinstance(obj, ox.Literal) or obj in doomed:
                continue
            if obj in by_subject and referrers.get(obj, set()) <= doomed:
                doomed.add(obj)
                frontier.append(obj)

    kept = [q for q in quads if q.subject not in doomed and q.object not in doomed]
    return kept, len(quads) - len(kept)
