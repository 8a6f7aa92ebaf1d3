"""Exporters: a specification of the graph written in the format another platform reads.

The mirror of :mod:`microhe.importers`: one module per target (:mod:`.elm` Europass ELM v3
JSON-LD, :mod:`.ob3` an unsigned Open Badges 3.0 AchievementCredential, :mod:`.ctdl` CTDL
JSON-LD for the Credential Registry, :mod:`.schemaorg` a schema.org
EducationalOccupationalCredential), each with ``NAME``, ``MEDIA_TYPE`` and
``export(spec) -> (document, lost)``, and one registry (:mod:`.registry`) that reads the
specification from the store (:mod:`.model`, the same paths the importers write and
``specification_facts`` reads) and refuses what is not one.

Every export states exactly what its target cannot hold: ``lost`` lists each field of the
specification that has a value and no place in the format (a loss report), so a steward
moving a credential between platforms knows what stays behind. Nothing is signed: a
specification is not an award, and signing is the issuer's act.
"""
