"""RDF itself: parsing (bundled JSON-LD contexts, never a fetch), terms, IRIs, N-Quads, and the
SPARQL text gate. Imports nothing of microhe above it."""
