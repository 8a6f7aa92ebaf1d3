"""Signed envelopes, opened without verifying them: the JWS JSON serialisation Europass
seals EDCs with (JAdES) and the compact JWT Open Badges 3.0 allows.

Nothing here checks a signature (no keys, no trust lists, no network): an importer
records a seal as "present, not verified" and never as verified. What is checked is the
form, so a damaged or hostile envelope is refused with a message rather than half-read:

* the protected header must be base64url of a JSON object with an ``alg``;
  ``alg: none`` (an unsigned token dressed as signed) is refused;
* the JWS JSON ``payload`` is the raw JSON text when the protected header says
  ``b64: false`` (RFC 7797, as the Europass seal does), base64url otherwise; an absent or
  empty payload (a *detached* signature, whose content travels separately) is refused;
* a compact JWT is exactly three dot-separated base64url segments.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from microhe.importers.errors import ImportFailed

NOT_VERIFIED = "present, not verified"
UNSIGNED = "none"

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(segment: str, what: str, source: str | None) -> bytes:
    if not isinstance(segment, str) or not _B64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise ImportFailed(f"{what} is not base64url text", source)
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise ImportFailed(f"{what} is not base64url text", source) from None


def _json_object(raw: bytes, what: str, source: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ImportFailed(f"{what} is not JSON", source) from None
    if not isinstance(value, dict):
        raise ImportFailed(f"{what} is not a JSON object", source)
    return value


def _header(segment: str, what: str, source: str | None) -> dict[str, Any]:
    header = _json_object(b64url_decode(segment, what, source), what, source)
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise ImportFailed(f"{what} names no signature algorithm ('alg')", source)
    if alg.lower() == "none":
        raise ImportFailed(f"{what} says alg 'none': an unsigned token presented as signed is refused", source)
    return header


@dataclass
class Opened:
    """The content of a signed envelope: its payload text, the protected header(s), and
    the seal status to record (never "verified")."""

    payload: str
    headers: list[dict[str, Any]]
    status: str = NOT_VERIFIED

    @property
    def algorithms(self) -> list[str]:
        return [str(h.get("alg")) for h in self.headers]


def is_jws_json(doc: Any) -> bool:
    return isinstance(doc, dict) and ("signatures" in doc or {"protected", "signature"} <= set(doc))


def open_jws_json(doc: dict[str, Any], source: str | None) -> Opened:
    """The payload of a JWS JSON serialisation (general ``{payload, signatures: [...]}`` or
    flattened ``{payload, protected, signature}``)."""
    sigs = doc.get("signatures") if "signatures" in doc else [doc]
    if not isinstance(sigs, list) or not sigs or not all(isinstance(s, dict) for s in sigs):
        raise ImportFailed("JWS 'signatures' must be a non-empty array of objects", source)
    headers = []
    for i, sig in enumerate(sigs):
        protected = sig.get("protected")
        if not isinstance(protected, str):
            raise ImportFailed(f"JWS signature {i} has no protected header", source)
        headers.append(_header(protected, f"JWS signature {i}'s protected header", source))
    payload = doc.get("payload")
    if payload is None or payload == "":
        raise ImportFailed("the JWS has no payload: a detached signature, whose content travels separately; "
                           "import the signed document that carries its payload", source)
    if not isinstance(payload, str):
        raise ImportFailed("JWS 'payload' must be a string", source)
    unencoded = [h.get("b64") is False for h in headers]
    if any(unencoded) and not all(unencoded):
        raise ImportFailed("the JWS signatures disagree on 'b64' (payload encoding)", source)
    if unencoded[0]:
        return Opened(payload, headers)
    raw = b64url_decode(payload, "the JWS payload", source)
    try:
        return Opened(raw.decode("utf-8"), headers)
    except UnicodeDecodeError:
        raise ImportFailed("the JWS payload is not UTF-8 text", source) from None


_COMPACT = re.compile(r"\s*([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\s*")


def looks_like_jwt(text: str) -> bool:
    """Text that is meant as a compact JWT (dot-separated segments, no JSON brackets)."""
    t = text.strip()
    return "." in t and not t.startswith(("{", "[", '"')) and len(t.split()) == 1


def open_jwt(text: str, source: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a compact JWT; the signature is not verified."""
    m = _COMPACT.fullmatch(text)
    if not m:
        parts = text.strip().split(".")
        raise ImportFailed(f"not a compact JWT: expected three base64url segments separated by '.', "
                           f"found {len(parts)} segment(s)" + (" with characters outside base64url"
                                                               if len(parts) == 3 else ""), source)
    head, body, sig = m.groups()
    header = _header(head, "the JWT header", source)
    if not sig:
        raise ImportFailed("the JWT has an empty signature segment", source)
    b64url_decode(sig, "the JWT signature", source)
    claims = _json_object(b64url_decode(body, "the JWT payload", source), "the JWT payload", source)
    return header, claims


__all__ = ["NOT_VERIFIED", "UNSIGNED", "Opened", "b64url_decode", "is_jws_json", "looks_like_jwt",
           "open_jws_json", "open_jwt"]
