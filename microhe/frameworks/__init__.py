"""Qualifications frameworks and credit systems: level translation and credit conversion,
shared by loading (derived values) and recognition."""
