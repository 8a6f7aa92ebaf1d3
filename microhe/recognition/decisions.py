"""Recognition decisions: who recognised which credential, for what purpose, with what
outcome and credit, on the basis of which comparison (PROV), kept in the graph
``https://w3id.org/microhe/graph/decisions``.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, unquote

import pyoxigraph as ox

from microhe.errors import InvalidValue, NotFound
from microhe.rdf.iri import iri_problem
from microhe.recognition.models import Comparison, Decision, DecisionRecorded
from microhe.recognition.search import ISSUER_PATH
from microhe.store import changes
from microhe.store.embedded import Store
from microhe.store.labels import Labels, Ref
from microhe.vocab import ELM, MHE, PROV, RDF, RDFS, XSD

DECISIONS_GRAPH = "https://w3id.org/microhe/graph/decisions"
#: Credentials per VALUES block of one query (as the label look-ups, microhe.store.labels).
_VALUES_CHUNK = 2000
PURPOSES = {"access": "AccessPurpose", "credit-transfer": "CreditTransferPurpose",
            "full-recognition": "FullRecognitionPurpose"}
OUTCOMES = {"recognise": "Recognise", "recognise-partially": "RecognisePartially",
            "substantial-differences": "SubstantialDifferences", "needs-information": "NeedsInformation"}


CRITERIA = {"level": "LevelCriterion", "workload": "WorkloadCriterion", "learning-outcomes": "LearningOutcomesCriterion",
            "assessment": "AssessmentCriterion", "quality-assurance": "QualityAssuranceCriterion"}


class DecisionError(InvalidValue):
    """A decision that cannot be recorded or a filter that cannot be used (the message says why)."""


class UnknownCredential(NotFound, DecisionError):
    """The decision names a credential the store does not hold (a DecisionError, found
    missing: NotFound comes first, so it is answered as one)."""


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _is_spec(store: Store, iri: str) -> bool:
    return bool(store.query(
        f"ASK {{ {{ ?s a <{ELM}Qualification> }} UNION {{ ?s a <{ELM}LearningAchievementSpecification> }} }}",
        substitutions={"s": ox.NamedNode(iri)}))


def record_decision(store: Store, *, credential: str, institution: str, purpose: str, outcome: str,
                    decided_by: str, base: str, credited_ects: float | None = None,
                    comparison: Comparison | dict | None = None, note: str | None = None) -> DecisionRecorded:
    """Record a decision; returns its IRI and who recorded it. ``comparison`` is the one it
    rests on: a :class:`Comparison`, or its JSON as a client sent it (any object: what it
    has of a target and criteria is kept). Raises DecisionError for bad input or an
    unknown credential."""
    if purpose not in PURPOSES:
        raise DecisionError(f"purpose must be one of {', '.join(PURPOSES)}")
    if outcome not in OUTCOMES:
        raise DecisionError(f"outcome must be one of {', '.join(OUTCOMES)}")
    if credited_ects is not None and (not math.isfinite(credited_ects) or credited_ects < 0):
        raise DecisionError(f"credited_ects must be a finite non-negative number, not {credited_ects}")
    for name, iri in (("credential", credential), ("institution", institution)):
        problem = iri_problem(iri)
        if problem is not None:
            raise DecisionError(f"{name} must be an absolute IRI: {iri!r} is not ({problem})")
    if not _is_spec(store, credential):
        raise UnknownCredential(f"unknown credential <{credential}>: no such specification in the store")
    g = _n(DECISIONS_GRAPH)
    d = _n(f"{base.rstrip('/')}/decision/{uuid.uuid4()}")
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    q = [
        ox.Quad(d, _n(RDF + "type"), _n(MHE + "RecognitionDecision"), g),
        ox.Quad(d, _n(RDF + "type"), _n(PROV + "Entity"), g),
        ox.Quad(d, _n(MHE + "recognisedSpecification"), _n(credential), g),
        ox.Quad(d, _n(MHE + "recognisingInstitution"), _n(institution), g),
        ox.Quad(d, _n(MHE + "recognitionPurpose"), _n(MHE + PURPOSES[purpose]), g),
        ox.Quad(d, _n(MHE + "recognitionOutcome"), _n(MHE + OUTCOMES[outcome]), g),
        ox.Quad(d, _n(PROV + "generatedAtTime"), ox.Literal(now, datatype=_n(XSD + "dateTime")), g),
        ox.Quad(d, _n(PROV + "wasAttributedTo"), _n(f"{base.rstrip('/')}/agent/{quote(decided_by, safe='')}"), g),
    ]
    if credited_ects is not None:
        q.append(ox.Quad(d, _n(MHE + "creditedECTS"), ox.Literal(f"{credited_ects:g}", datatype=_n(XSD + "decimal")), g))
    if note:
        q.append(ox.Quad(d, _n(RDFS + "comment"), ox.Literal(note), g))
    if isinstance(comparison, Comparison):
        comparison = comparison.to_json()
    if comparison:
        c = _n(str(d.value) + "#comparison")
        q += [ox.Quad(d, _n(MHE + "basedOnComparison"), c, g), ox.Quad(c, _n(RDF + "type"), _n(MHE + "Comparison"), g)]
        target = (comparison.get("target") or {}).get("iri")
        if target:
            q.append(ox.Quad(c, _n(MHE + "comparisonTarget"), _n(target), g))
        for i, crit in enumerate(comparison.get("criteria", [])):
            node = _n(f"{c.value}-{i}")
            q += [ox.Quad(c, _n(MHE + "criterionResult"), node, g),
                  ox.Quad(node, _n(RDF + "type"), _n(MHE + "CriterionResult"), g),
                  ox.Quad(node, _n(MHE + "criterion"), _n(MHE + CRITERIA.get(str(crit.get("name")), "IssuerStatusCriterion")), g),
                  ox.Quad(node, _n(MHE + "reason"), ox.Literal(str(crit.get("detail", ""))), g)]
            if crit.get("substantial") is not None:
                q.append(ox.Quad(node, _n(MHE + "substantial"),
                                 ox.Literal("true" if crit["substantial"] else "false", datatype=_n(XSD + "boolean")), g))
    with changes.operation("decision"):  # the change log's kind (microhe.store.changes)
        store.write(add=q)
    return DecisionRecorded(iri=d.value, decided_by=decided_by)


def _issuers(store: Store, creds: set[str]) -> dict[str, list]:
    """The awarding bodies of each credential of ``creds`` (written ``<iri>``), by IRI: one
    query with the credentials as VALUES, evaluated from them (a query per credential cost
    ~1 ms each, 200 decided credentials 50 ms; bench/decisions_listing.py)."""
    out: dict[str, list] = {}
    todo = sorted(creds)
    for start in range(0, len(todo), _VALUES_CHUNK):
        for r in store.query(f"PREFIX elm: <{ELM}> SELECT DISTINCT ?cred ?issuer WHERE {{ "
                             f"VALUES ?cred {{ {' '.join(todo[start:start + _VALUES_CHUNK])} }} "
                             f"?cred {ISSUER_PATH} ?issuer }}"):
            out.setdefault(r["cred"].value, []).append(r["issuer"])
    for bodies in out.values():
        bodies.sort(key=lambda t: t.value)
    return out


def list_decisions(store: Store, *, credential: str | None = None, issuer: str | None = None,
                   langs: tuple[str, ...] = (), institution: str | None = None) -> list[Decision]:
    """The recorded decisions, oldest first; only those about ``credential``, about the
    credentials of ``issuer``, or taken by the recognising ``institution``, when given.
    Credential, issuer and institution are labelled in ``langs`` (else English, else any)."""
    for name, iri in (("credential", credential), ("issuer", issuer), ("institution", institution)):
        problem = iri_problem(iri) if iri else None
        if problem is not None:
            raise DecisionError(f"{name} must be an absolute IRI: {iri!r} is not ({problem})")
    subs = {}
    if credential:
        subs["cred"] = ox.NamedNode(credential)
    if institution:
        subs["inst"] = ox.NamedNode(institution)
    # The decisions first (their graph is small), then the issuers of the credentials decided
    # on, their IRIs written into one query as VALUES (_issuers): joined in the decisions'
    # query (OPTIONAL or substituted),
    # pyoxigraph 0.5 read the issuer of every specification of the store first (3 s at 10^5;
    # 45 ms per credential page at 10k with no decision recorded at all).
    found = list(store.query(
        f"""PREFIX mhe: <{MHE}> PREFIX prov: <{PROV}> PREFIX elm: <{ELM}>
        SELECT DISTINCT ?d ?cred ?inst ?purpose ?outcome ?ects ?time ?by WHERE {{
          GRAPH <{DECISIONS_GRAPH}> {{ ?d a mhe:RecognitionDecision ; mhe:recognisedSpecification ?cred ;
             mhe:recognisingInstitution ?inst ; mhe:recognitionPurpose ?purpose ; mhe:recognitionOutcome ?outcome ;
             prov:generatedAtTime ?time ; prov:wasAttributedTo ?by . OPTIONAL {{ ?d mhe:creditedECTS ?ects }} }}
        }} ORDER BY ?time ?d""", substitutions=subs or None))
    issuers = _issuers(store, {str(r["cred"]) for r in found if isinstance(r["cred"], ox.NamedNode)})
    rows = []
    for r in found:
        row = {k: r[k] for k in ("d", "cred", "inst", "purpose", "outcome", "ects", "time", "by")}
        of = issuers.get(r["cred"].value, []) if isinstance(r["cred"], ox.NamedNode) else []
        if issuer:
            of = [x for x in of if x.value == issuer]
            if not of:
                continue
        rows += [{**row, "issuer": x} for x in of] or [{**row, "issuer": None}]
    inv_p = {MHE + v: k for k, v in PURPOSES.items()}
    inv_o = {MHE + v: k for k, v in OUTCOMES.items()}
    labels = Labels(store, langs).fetch(r[k].value for r in rows for k in ("cred", "issuer", "inst") if r[k])
    return [Decision(iri=r["d"].value, credential=labels.ref(r["cred"].value),
                     issuer=labels.ref(r["issuer"].value) if r["issuer"] else None,
                     institution=labels.ref(r["inst"].value), purpose=inv_p.get(r["purpose"].value, r["purpose"].value),
                     outcome=inv_o.get(r["outcome"].value, r["outcome"].value),
                     credited_ects=float(r["ects"].value) if r["ects"] else None,
                     time=r["time"].value, decided_by=unquote(r["by"].value.rsplit("/", 1)[-1]))
            for r in rows]


# -- one decision, as its page shows it --------------------------------------------------------

#: Criterion classes -> the names comparisons give them.
_CRITERION_NAMES = {MHE + v: k for k, v in CRITERIA.items()} | {MHE + "IssuerStatusCriterion": "issuer-status"}
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass
class StoredCriterion:
    """A criterion of the comparison a decision rests on, as recorded."""

    name: str
    reason: str
    substantial: bool | None


@dataclass
class DecisionDetail:
    """A decision with what its page shows besides the list's fields: the evaluator's
    reasons (``note``) and the comparison it rests on (target, criteria), as stored."""

    decision: Decision
    note: str | None
    target: Ref | None
    criteria: list[StoredCriterion] = field(default_factory=list)

    @property
    def id(self) -> str:
        return decision_id(self.decision.iri)


def decision_id(iri: str) -> str:
    """The id of a decision IRI (``<base>/decision/<id>``): its page is ``/decisions/<id>``."""
    return iri.rsplit("/", 1)[-1]


def decision_detail(store: Store, decision_key: str, langs: tuple[str, ...] = ()) -> DecisionDetail:
    """The decision whose id (the UUID its IRI ends with) is ``decision_key``; NotFound
    when there is none."""
    if not _ID.match(decision_key or ""):
        raise NotFound(f"no recognition decision {decision_key!r}: a decision id is a UUID")
    rows = list(store.query(  # the key is a UUID (checked above): safe in the query text
        f"""SELECT ?d WHERE {{ GRAPH <{DECISIONS_GRAPH}> {{ ?d a <{MHE}RecognitionDecision> }}
        FILTER(STRENDS(STR(?d), "/decision/{decision_key}")) }}"""))
    if not rows:
        raise NotFound(f"no recognition decision {decision_key!r} is recorded")
    iri = rows[0]["d"].value
    decision = next((d for d in list_decisions(store, langs=langs) if d.iri == iri), None)
    if decision is None:
        raise NotFound(f"the recognition decision {decision_key!r} is incomplete in the store")
    g = _n(DECISIONS_GRAPH)

    def value(subject, predicate: str) -> str | None:
        o = next((q.object for q in store.quads_matching(subject, _n(predicate), None, g)), None)
        return o.value if isinstance(o, (ox.NamedNode, ox.Literal)) else None

    note = value(_n(iri), RDFS + "comment")
    comparison = value(_n(iri), MHE + "basedOnComparison")
    target: Ref | None = None
    criteria: list[StoredCriterion] = []
    if comparison is not None:
        t = value(_n(comparison), MHE + "comparisonTarget")
        if t:
            target = Labels(store, langs).fetch([t]).ref(t)
        nodes = sorted((q.object.value for q in store.quads_matching(_n(comparison), _n(MHE + "criterionResult"), None, g)
                        if isinstance(q.object, ox.NamedNode)), key=_order)
        for node in nodes:
            kind = value(_n(node), MHE + "criterion") or ""
            sub = value(_n(node), MHE + "substantial")
            criteria.append(StoredCriterion(_CRITERION_NAMES.get(kind, kind.rsplit("#", 1)[-1]),
                                            value(_n(node), MHE + "reason") or "",
                                            None if sub is None else sub == "true"))
    return DecisionDetail(decision, note, target, criteria)


def _order(iri: str) -> int:
    tail = iri.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0
