"""The named SPARQL queries (*.rq, header grammar in README.md) and their catalogue."""
