"""Uploads staged between "validate" and "load": the steward's file kept server-side under a
random id, so that the "Load" button posts that id (with the session's CSRF token) and
never the content itself, which a hidden form field would let anyone rewrite.

A staged upload lives in ``<store>.uploads/`` (mode 0700, files 0600) beside the store,
belongs to the token name that validated it (another token cannot load it), is loaded at
most once, and expires after :data:`EXPIRES` seconds. Loading re-reads and re-validates
the bytes through the same all-or-nothing load as the CLI (nothing is trusted from the
earlier check). At most :data:`PER_OWNER` uploads wait per token; older ones are dropped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: Seconds a staged upload waits for its "Load" (1 h).
EXPIRES = 3600
#: Staged uploads kept per token name.
PER_OWNER = 10
_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@dataclass(frozen=True)
class Staged:
    id: str
    owner: str
    name: str
    format: str
    data: bytes


def staging_dir(store_path: str | Path) -> Path:
    p = Path(store_path)
    return p.with_name(p.name + ".uploads")


class Staging:
    def __init__(self, store_path: str | Path, clock: Callable[[], float] = time.time):
        self.dir = staging_dir(store_path)
        self.clock = clock

    def _meta(self, sid: str) -> Path:
        return self.dir / f"{sid}.json"

    def _data(self, sid: str) -> Path:
        return self.dir / f"{sid}.bin"

    def _write(self, path: Path, data: bytes) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)

    def _remove(self, sid: str) -> None:
        for p in (self._meta(sid), self._data(sid)):
            p.unlink(missing_ok=True)

    def _entries(self) -> list[tuple[str, dict]]:
        out = []
        for p in self.dir.glob("*.json") if self.dir.is_dir() else ():
            try:
                out.append((p.stem, json.loads(p.read_text(encoding="utf-8"))))
            except (OSError, ValueError):
                self._remove(p.stem)
        return out

    def prune(self) -> None:
        """Drop expired uploads (and, per owner, all but the newest :data:`PER_OWNER`)."""
        now = self.clock()
        by_owner: dict[str, list[tuple[float, str]]] = {}
        for sid, meta in self._entries():
            created = float(meta.get("created", 0))
            if now - created > EXPIRES:
                self._remove(sid)
            else:
                by_owner.setdefault(str(meta.get("owner")), []).append((created, sid))
        for items in by_owner.values():
            for _, sid in sorted(items, reverse=True)[PER_OWNER - 1:]:
                self._remove(sid)

    def put(self, owner: str, name: str, fmt: str, data: bytes) -> str:
        """Stage ``data`` for ``owner``; returns its id."""
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self.prune()
        sid = secrets.token_urlsafe(32)
        self._write(self._data(sid), data)
        self._write(self._meta(sid), json.dumps({"owner": owner, "name": name, "format": fmt,
                                                  "created": self.clock()}).encode("utf-8"))
        return sid

    def discard(self, sid: str) -> None:
        """Forget ``sid`` (after it was loaded: an upload is loaded once)."""
        if isinstance(sid, str) and _ID.match(sid):
            self._remove(sid)

    def get(self, sid: str, owner: str) -> Staged | None:
        """The staged upload ``sid`` of ``owner``; None when there is none (unknown,
        expired, already loaded, or another token's: which, is not said)."""
        if not isinstance(sid, str) or not _ID.match(sid):
            return None
        try:
            meta = json.loads(self._meta(sid).read_text(encoding="utf-8"))
            if meta.get("owner") != owner or self.clock() - float(meta.get("created", 0)) > EXPIRES:
                return None
            data = self._data(sid).read_bytes()
        except (OSError, ValueError):
            return None
        return Staged(sid, owner, str(meta.get("name")), str(meta.get("format")), data)


__all__ = ["Staged", "Staging", "staging_dir", "EXPIRES", "PER_OWNER"]
