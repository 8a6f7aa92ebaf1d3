"""Shared by the importer tests: the anchors folder and a converter call."""

from __future__ import annotations

import hashlib
from pathlib import Path

ANCHORS = Path(__file__).resolve().parents[2].parent / "shared" / "anchors"
BASE = "http://127.0.0.1:8000/"

ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
EQF = "http://data.europa.eu/snb/eqf/"
QDR = "http://data.europa.eu/snb/qdr/"
MODE = "http://data.europa.eu/snb/learning-assessment/"
US_SCH = "https://w3id.org/microhe/ref/credit-system/US-SCH"


def anchor(rel: str) -> Path:
    return ANCHORS / rel


def minted(data: bytes, *path: str) -> str:
    return f"{BASE}imported/{hashlib.sha256(data).hexdigest()[:16]}/" + "/".join(path)
