"""Write tokens: bearer tokens for the HTTP write endpoints.

Only a SHA-256 hash of each token is kept, in a JSON file beside the store
(``<store>.tokens.json``, mode 0600), never in the RDF store, so ``/sparql`` can never
reveal it. Tokens are random (``secrets.token_urlsafe(32)``, 256 bits), so a plain hash
is enough; comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from microhe.errors import InputError, Unavailable

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class TokenError(InputError, ValueError):
    """A token name that cannot be used, or a token that does not exist."""


class TokensUnavailable(Unavailable):
    """The token file cannot be read: every write is refused until it can."""


@dataclass(frozen=True)
class TokenInfo:
    name: str
    created: str


def tokens_file(store_path: str | Path) -> Path:
    p = Path(store_path)
    return p.with_name(p.name + ".tokens.json")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenFile:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    @classmethod
    def beside(cls, store_path: str | Path) -> TokenFile:
        return cls(tokens_file(store_path))

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise TokensUnavailable(f"{self.path}: unreadable token file: {e}") from e

    def _write(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def add(self, name: str) -> str:
        """Create a token called ``name``; returns the token (shown once, never stored)."""
        if not _NAME.match(name):
            raise TokenError(f"invalid token name {name!r}: use letters, digits, '.', '_', '@', '-' (max 64)")
        data = self._read()
        if name in data:
            raise TokenError(f"a token named {name!r} exists; revoke it first")
        token = secrets.token_urlsafe(32)
        data[name] = {"sha256": _hash(token), "created": datetime.now(UTC).replace(microsecond=0).isoformat()}
        self._write(data)
        return token

    def list(self) -> list[TokenInfo]:
        return [TokenInfo(n, v.get("created", "")) for n, v in sorted(self._read().items())]

    def revoke(self, name: str) -> None:
        data = self._read()
        if name not in data:
            raise TokenError(f"no token named {name!r}")
        del data[name]
        self._write(data)

    def fingerprint(self, name: str) -> str | None:
        """The stored hash of the token called ``name`` (None: no such token). A session
        remembers it, so revoking the token, or replacing it by a new one of the same name,
        ends the session (:mod:`microhe.auth.sessions`)."""
        entry = self._read().get(name)
        return entry.get("sha256") if isinstance(entry, dict) else None

    def identify(self, token: str) -> tuple[str, str] | None:
        """(name, stored hash) of ``token``, or None; constant time like :meth:`verify`."""
        name = self.verify(token)
        return None if name is None else (name, _hash(token))

    def verify(self, token: str) -> str | None:
        """The name of the token, or None. Every entry is compared (constant time)."""
        digest = _hash(token)
        found = None
        for name, v in self._read().items():
            if hmac.compare_digest(digest, v.get("sha256", "")):
                found = name
        return found
