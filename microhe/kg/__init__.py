"""The knowledge graph's own content: the reference graphs (frameworks, credit systems,
vocabularies, partner institutions) and the demo graphs in reference/ and demo/ (data, each
folder with a README), and bundled.py, which reads them as package data."""
