"""Sources the export tests start from: the official anchors and the interop fixtures,
imported with microhe's importers, read back as the exporters read a store."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from microhe.exporters import model
from microhe.importers.registry import import_document
from tests.importers.conftest import BASE, anchor

INTEROP = Path(__file__).resolve().parents[1] / "interop" / "fixtures"
#: name -> (importer, bytes): every importer's anchor, and the fixtures that hold every matrix field.
SOURCES = {
    "edc-sample": ("edc", lambda: anchor("elm/v3.1-master/examples-jsonld/Sample-MC-Annex1-signed.jsonld").read_bytes()),
    "ob3-example": ("ob3", lambda: anchor("openbadges3-clr2/examples/fullOpenBadge__Complete_OpenBadgeCredential.json")
                    .read_bytes()),
    "ob3-edubadge": ("ob3", lambda: (INTEROP / "ob3-edubadge.json").read_bytes()),
    "ctdl-handbook": ("ctdl", lambda: anchor("ctdl/handbook-qualifications-framework/credentialLevel.json").read_bytes()),
    "ctdl-micro": ("ctdl", lambda: (INTEROP / "ctdl-micro.json").read_bytes()),
}
#: Which importer reads each export format back (schema.org has none).
READER = {"elm": "edc", "ob3": "ob3", "ctdl": "ctdl"}


@cache
def source(name: str) -> tuple[model.Quads, list[str]]:
    fmt, data = SOURCES[name]
    conv = import_document(fmt, data(), f"{name}.json", base=BASE)
    return model.Quads(conv.quads), [f["iri"] for f in conv.facts()]


def spec_of(name: str) -> model.Spec:
    src, iris = source(name)
    return model.read(src, iris[0])


def reimport(fmt: str, doc: Any, name: str = "export") -> list[dict[str, Any]]:
    conv = import_document(READER[fmt], json.dumps(doc).encode("utf-8"), f"{name}.{fmt}", base=BASE)
    return conv.facts()
