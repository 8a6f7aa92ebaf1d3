"""microhe: a linked-data knowledge graph and clearinghouse of European micro-credentials.

The public API, what a notebook imports (each name is loaded on first use, so
``import microhe`` and the command line stay light)::

    from microhe import Store, initialise, translate, convert, search, validate

    store = Store()                      # in memory; Store("path/to/dir") on disk
    initialise(store, demo=True)         # reference graphs + demo credentials
    translate(store, "SCQF", "11").eqf               # [7]
    convert(store, 15, "SCQF").ects.value            # 7.5: credit conversion, with sources
    search(store, eqf=6, limit=3).results            # faceted search (a typed result)
    validate(quads).conforms                         # SHACL, the default profiles

Where each lives: docs/architecture.md.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: name -> module that defines it
_API = {
    "Store": "microhe.store.embedded",
    "open_configured": "microhe.store",
    "Settings": "microhe.settings",
    "get_settings": "microhe.settings",
    "Source": "microhe.ingest.load",
    "load": "microhe.ingest.load",
    "initialise": "microhe.ingest.load",
    "validate": "microhe.validation",
    "parse": "microhe.rdf.parse",
    "translate": "microhe.frameworks.levels",
    "parse_level": "microhe.frameworks.parse",
    "convert": "microhe.frameworks.credits",
    "search": "microhe.recognition.search",
    "compare": "microhe.recognition.compare",
    "resolve_side": "microhe.recognition.sides",
    "MicroheError": "microhe.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'microhe' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
