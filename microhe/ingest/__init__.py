"""Getting data in: parsing a source, the learner-data gate, derived values, provenance records
and the all-or-nothing load."""
