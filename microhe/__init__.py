"""microhe: a linked-data knowledge graph and clearinghouse of European micro-credentials."""

__version__ = "0.1.0"
