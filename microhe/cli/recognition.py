"""Recognition commands: level, credits, search, compare, stack, decision record/list.

Each calls the library function its API route calls; the read ones ask the server when
`microhe serve` holds the store (:mod:`microhe.cli.remote`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from microhe.cli.common import context_dir_option, contexts_for, emit, open_store, store_option
from microhe.cli.remote import ask, open_for_reading
from microhe.errors import InputError
from microhe.store.labels import language_tags


def _lang_option(f):
    return click.option("--lang", "lang", default=None, metavar="TAG",
                        help="Language of the labels, e.g. fr or fr,de (then English, then any).")(f)


def _name(ref) -> str:
    """A labelled thing as text: its label, else its IRI."""
    return (ref.label if ref.label else ref.iri) if not isinstance(ref, dict) else (ref["label"] or ref["iri"])


@click.command("level")
@store_option
@click.argument("framework")
@click.argument("level", required=False)
@click.option("--to", "to", default=None, metavar="FRAMEWORK", help="Only levels of this framework.")
@click.option("--country", default=None, metavar="ISO3",
              help="The credential's country, to tell apart frameworks sharing a name.")
@_lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def level_cmd(store_path, framework, level, to, country, lang, fmt) -> None:
    """Translate LEVEL of FRAMEWORK into EQF terms, with the levels of other frameworks at
    the same EQF level (broadly comparable level, not equivalence), the pairings a
    referencing documents and the evidence.

    FRAMEWORK is a code or short form (SCQF, LTQF, FQF); LEVEL as credentials write it (6,
    Level 6, Entry 3, 4+, I-Master). One argument alone is read whole: a level IRI, a QDR
    label ("FQF Level 6") or framework and level ("SCQF 10"); "-" as FRAMEWORK means none.
    Ambiguous input (Entry 3 without a framework) is refused with the candidates."""
    from microhe.frameworks.levels import translate

    if level is None:
        framework, level = "-", framework
    langs = language_tags(lang)
    store, server = open_for_reading(store_path)
    fw = None if framework == "-" else framework
    if server is not None:
        doc = ask(server, "/api/recognition/level", {"framework": fw, "level": level, "to": to, "country": country,
                                                     "lang": lang})
    else:
        assert store is not None  # open_for_reading: a store, or else a server
        doc = translate(store, fw, level, to, country, langs).model_dump(mode="json")

    def lines(d):
        none = "none (below EQF 1)" if d.get("found", True) else "referencing not found"
        yield f"{d['label']} ({d['framework']} {d['level']}) -> EQF {', '.join(map(str, d['eqf'])) or none}"
        for r in d["referencing"]:
            types = f" for {r['qualification_types']}" if r["qualification_types"] else ""
            yield f"  referencing: EQF {r['eqf']}{types} [{r['confidence']}]"
        for n in d["notes"]:
            yield f"  note: {n}"
        for c in d["closest"]:
            yield f"  closest: {c['label'] or c['framework'] + ' ' + c['level']} [{c['confidence']}] " \
                  f"{c['note'] or ''}".rstrip()
        if d["same_eqf_level"]:
            yield f"  same EQF level ({d['caveat']}):"
            for e in d["same_eqf_level"]:
                yield f"    {e['label'] or e['framework'] + ' ' + e['level']} (EQF {', '.join(map(str, e['eqf']))})"
        for q in d["qdr"]:
            yield f"  EU QDR: {_name(q)} <{q['iri']}>"
        for src in d["sources"]:
            yield f"  source: {src}"

    emit(doc, fmt, lines)


@click.command("credits")
@store_option
@click.argument("amount")
@click.argument("system")
@click.option("--country", default=None, metavar="ISO3",
              help="The credential's country: its fixed hours per ECTS (e.g. AUT, ITA, MLT 25 h) replace 25-30 h.")
@_lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def credits_cmd(store_path, amount, system, country, lang, fmt) -> None:
    """Convert AMOUNT credits of SYSTEM (ECTS, UK, SCQF, US-SCH, US-QCH, ECVET, HOURS) to ECTS:
    the system's value with its basis, and beside it the range notional hours give."""
    from microhe.frameworks.credits import convert

    langs = language_tags(lang)
    store, server = open_for_reading(store_path)
    if server is not None:
        doc = ask(server, "/api/recognition/credits", {"amount": amount, "system": system, "country": country,
                                                       "lang": lang})
    else:
        assert store is not None  # open_for_reading: a store, or else a server
        doc = convert(store, amount, system, country, langs).model_dump(mode="json")

    def lines(d):
        e, h = d["ects"], d["by_hours"]
        flag = " (disputed)" if e["disputed"] else ""
        value = "no value" if e["value"] is None else f"{e['value']} ECTS"
        yield f"{d['amount']} {d['system']} = {value} by {e['basis']}{flag}"
        yield f"  credit system: {_name(d['credit_system'])} <{d['credit_system']['iri']}>"
        if h is None:
            yield "  by notional hours: none (the system defines no hours per credit)"
        else:
            per = h["hours_per_ects"]
            per_s = per["min"] if per["min"] == per["max"] else f"{per['min']}-{per['max']}"
            yield f"  by notional hours: {h['min']}-{h['max']} ECTS (at {per_s} h per ECTS)"
        for n in d["notes"]:
            yield f"  note: {n}"
        for src in d["sources"]:
            yield f"  source: {src}"

    emit(doc, fmt, lines)


@click.command("search")
@store_option
@click.option("--eqf", type=click.IntRange(1, 8), default=None, help="EQF level (NQF levels count through their referencing).")
@click.option("--framework", default=None, help="Framework code or short form, with --level.")
@click.option("--level", default=None,
              help="A level as `microhe level` reads it: a label of --framework (6, Level 6, Entry 3) or, alone, "
                   "'SCQF 10', 'FQF Level 6' or a level IRI.")
@click.option("--ects-min", type=click.FloatRange(min=0), default=None)
@click.option("--ects-max", type=click.FloatRange(min=0), default=None)
@click.option("--field", default=None, metavar="ISCED", help="ISCED-F code (narrower fields included).")
@click.option("--skill", default=None, metavar="IRI", help="Skill concept (narrower skills included).")
@click.option("--country", default=None, metavar="ISO3", help="Issuer country (ISO 3166-1 alpha-3).")
@click.option("--mode", type=click.Choice(["online", "presential", "blended"]), default=None)
@click.option("--text", default=None, metavar="WORDS", help="Words in title, description or issuer name.")
@click.option("--limit", type=click.IntRange(0, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@_lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def search_cmd(store_path, eqf, framework, level, ects_min, ects_max, field, skill, country, mode, text,
               limit, offset, lang, fmt) -> None:
    """Find micro-credential specifications, with facet counts."""
    from microhe.recognition.models import SearchResults
    from microhe.recognition.search import search
    from microhe.recognition.search_query import SearchQuery

    query = SearchQuery.of(eqf=eqf, framework=framework, level=level, ects_min=ects_min, ects_max=ects_max,
                           field=field, skill=skill, country=country, mode=mode, text=text, limit=limit, offset=offset)
    langs = language_tags(lang)
    store, server = open_for_reading(store_path)
    if server is not None:
        params = query.params() | ({"lang": lang} if langs else {})
        found = SearchResults.model_validate(ask(server, "/api/credentials", params))
    else:
        assert store is not None  # open_for_reading: a store, or else a server
        found = search(store, query, langs=langs)

    def lines(d: SearchResults):
        yield f"{d.total} match(es); showing {len(d.results)} from {d.offset}"
        for r in d.results:
            eqf_s = ",".join(map(str, r.eqf)) or "?"
            flag = f"  [incomplete: {', '.join(r.incomplete)}]" if r.incomplete else ""
            issuer = f"  ({_name(r.issuer)})" if r.issuer else ""
            yield (f"  EQF {eqf_s:5} {str(r.ects or '?'):>5} ECTS  {r.country or '---'}  {r.label or r.iri}{issuer}  "
                   f"<{r.iri}>{flag}")
        for facet, counts in (d.facets.model_dump() if d.facets else {}).items():
            yield f"  {facet}: " + ", ".join(f"{k} ({v})" for k, v in counts.items())

    emit(found, fmt, lines)


_TARGET_HELP = "Target: an IRI in the store, an RDF file, or a JSON file of requirements."


@click.command("compare")
@store_option
@click.argument("credential")
@click.option("--target", required=True, help=_TARGET_HELP)
@click.option("--workload-ratio", type=click.FloatRange(0, 10), default=0.8, show_default=True)
@click.option("--outcome-coverage", type=click.FloatRange(0, 1), default=0.75, show_default=True)
@click.option("--strict-level", is_flag=True, default=False,
              help="Take a target module's programme level as its own (default: check-module-level when the "
                   "credential is below the programme's level).")
@_lang_option
@context_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def compare_cmd(store_path, credential, target, workload_ratio, outcome_coverage, strict_level, lang, context_dir,
                fmt) -> None:
    """Compare CREDENTIAL (an IRI in the store or an RDF file) with a target, criterion
    by criterion (Lisbon Recognition Convention), with a recommendation, its possible
    effects (credit transfer, exemption) and the caveats it rests on."""
    from microhe.recognition.compare import Rules
    from microhe.recognition.models import Comparison
    from microhe.recognition.sides import compare_sides, side_of_argument

    langs = language_tags(lang)
    store, _ = open_store(store_path, writes=False, http="POST /api/recognition/compare")
    cred = side_of_argument(store, credential, "credential", contexts=contexts_for(context_dir))
    tgt = side_of_argument(store, target, "target")
    comparison = compare_sides(store, cred, tgt, Rules(workload_ratio, outcome_coverage, strict_level), langs)

    def lines(d: Comparison):
        yield f"{_name(d.credential)}  vs  {_name(d.target)}"
        for name, side in (("credential", d.credential), ("target", d.target)):
            if side.incomplete:
                yield f"  {name} incomplete: {', '.join(side.incomplete)} (Council 2022 elements it lacks)"
        for c in d.criteria:
            flag = {True: "SUBSTANTIAL", False: "ok", None: "UNKNOWN"}[c.substantial]
            yield f"  {c.name:18} {flag:12} {c.detail}"
        r = d.recommendation
        yield f"  recommendation: {r.outcome}"
        if r.credit_transfer is not None:
            yield f"    credit transfer: {r.credit_transfer.ects:g} ECTS"
        if r.exemption is not None:
            ects = f" ({r.exemption.ects:g} ECTS)" if r.exemption.ects is not None else ""
            yield f"    or exemption from: {_name(r.exemption.module)}{ects}"
        if r.missing:
            yield f"    missing Council 2022 elements: {', '.join(r.missing)}"
        for reason in r.reasons:
            yield f"    - {reason}"
        for caveat in d.caveats:
            yield f"  caveat ({caveat.kind}): {caveat.text}"

    emit(comparison, fmt, lines)


@click.command("stack")
@store_option
@click.option("--target", required=True, help=_TARGET_HELP)
@click.option("--max", "max_size", type=click.IntRange(1, 6), default=3, show_default=True,
              help="Most credentials in one pathway.")
@_lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stack_cmd(store_path, target, max_size, lang, fmt) -> None:
    """Find combinations of micro-credentials that together cover a target's outcomes
    and workload at a compatible level (fewest excess credits first)."""
    from microhe.recognition.models import Pathways
    from microhe.recognition.pathways import pathways
    from microhe.recognition.sides import side_of_argument

    langs = language_tags(lang)
    store, _ = open_store(store_path, writes=False, http="GET /api/recognition/pathways")
    tgt = side_of_argument(store, target, "target")
    found = pathways(store, tgt.facts, max_size=max_size, langs=langs)

    def lines(d: Pathways):
        t = d.target
        yield (f"target: {_name(t)} (EQF {t.eqf or '?'}, {t.ects} ECTS, "
               f"{len(t.required_outcomes)} outcomes)")
        for i, p in enumerate(d.pathways, 1):
            yield f"  {i}. {p.total_ects:g} ECTS (+{p.excess_ects:g}): " + " + ".join(_name(c) for c in p.credentials)
        if d.no_solution:
            yield f"  no pathway: {d.no_solution.reason}; missing: {', '.join(map(_name, d.no_solution.missing))}"
        if d.declared_stack.parts:
            yield f"  declared parts: {', '.join(map(_name, d.declared_stack.parts))}"
        for c in d.declared_stack.cycles:
            yield f"  CYCLE in declared stack: {' -> '.join(map(_name, c))}"

    emit(found, fmt, lines)


@click.group("decision")
def decision_group() -> None:
    """Record and list recognition decisions (graph https://w3id.org/microhe/graph/decisions)."""


@decision_group.command("record")
@store_option
@click.option("--credential", required=True, metavar="IRI", help="The recognised specification (in the store).")
@click.option("--institution", required=True, metavar="IRI", help="The recognising institution.")
@click.option("--purpose", required=True, type=click.Choice(["access", "credit-transfer", "full-recognition"]))
@click.option("--outcome", required=True,
              type=click.Choice(["recognise", "recognise-partially", "substantial-differences", "needs-information"]))
@click.option("--credited-ects", type=click.FloatRange(min=0), default=None)
@click.option("--comparison", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The comparison it rests on: a JSON file from `microhe compare --format json`.")
@click.option("--decided-by", default=None, help="Who decided (default: $USER).")
@click.option("--note", default=None)
def decision_record(store_path, credential, institution, purpose, outcome, credited_ects, comparison, decided_by,
                    note) -> None:
    """Record a decision; prints its IRI alone on stdout."""
    from microhe.recognition.decisions import record_decision

    comp = None
    if comparison is not None:
        try:
            comp = json.loads(comparison.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise InputError(f"{comparison}: not a readable JSON comparison: {e}") from None
        if not isinstance(comp, dict):
            raise InputError(f"{comparison}: a comparison is a JSON object")
    store, settings = open_store(store_path, http="POST /api/recognition/decisions")
    recorded = record_decision(store, credential=credential, institution=institution, purpose=purpose,
                               outcome=outcome, credited_ects=credited_ects, comparison=comp, note=note,
                               decided_by=decided_by or os.environ.get("USER") or "microhe-cli", base=settings.base)
    click.echo(recorded.iri)


@decision_group.command("list")
@store_option
@click.option("--credential", default=None, metavar="IRI")
@click.option("--issuer", default=None, metavar="IRI", help="Decisions about credentials of this issuer.")
@_lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def decision_list(store_path, credential, issuer, lang, fmt) -> None:
    """List recorded decisions (oldest first)."""
    from microhe.recognition.decisions import list_decisions

    langs = language_tags(lang)
    store, _ = open_store(store_path, writes=False, http="GET /api/recognition/decisions")
    rows = list_decisions(store, credential=credential, issuer=issuer, langs=langs)
    if fmt == "json":
        click.echo(json.dumps([d.to_json() for d in rows], indent=2))
        return
    for d in rows:
        ects = f" {d.credited_ects:g} ECTS" if d.credited_ects is not None else ""
        click.echo(f"{d.time}  {d.outcome}{ects} ({d.purpose})  {_name(d.credential)} <{d.credential.iri}>  "
                   f"by {_name(d.institution)} <{d.institution.iri}>")


COMMANDS = [level_cmd, credits_cmd, search_cmd, compare_cmd, stack_cmd, decision_group]
