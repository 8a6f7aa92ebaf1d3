"""Importers: what real platforms publish, turned into the project's ELM-native model.

One module per format (:mod:`.edc` Europass EDC / ELM v3, :mod:`.ob3` Open Badges 3.0,
:mod:`.ctdl` Credential Engine's CTDL, :mod:`.spreadsheet` the steward's CSV/XLSX with its
helpers in :mod:`.sheet`), one registry (:mod:`.registry`: format name ->
importer, ``sniff`` for ``auto``). Each importer takes the bytes of one document and
returns a :class:`~microhe.importers.result.Conversion`: the specification(s) it holds
as ELM triples (the learner of an award is never part of it), what was converted by
which rule and what was left out, the seal or signature status, and the provenance
the load record keeps. Nothing here writes to a store: ``microhe import`` and
``POST /api/import/{format}`` hand the converted triples to the validated,
all-or-nothing :func:`microhe.ingest.load.load`.

Output is deterministic: IRIs the source does not give (blank nodes, document-local
``urn:epass:`` numbering, outcomes made from alignments) are minted from content hashes
under ``<base>imported/<first 16 hex digits of the source SHA-256>/``, so the same
bytes give the same triples, and two documents that both number their qualification
``urn:epass:qualification:1`` do not merge in the union graph.
"""
