"""The spreadsheet importer's parts (``microhe import csv``): the documented columns
(:mod:`.columns`), the controlled vocabularies and alias table (:mod:`.controlled`), reading
CSV/XLSX within limits (:mod:`.reading`), one row -> one specification (:mod:`.rows`) and the
template (:mod:`.template`). The registry's entry point is :mod:`microhe.importers.spreadsheet`."""
