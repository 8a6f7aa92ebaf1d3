"""Web sessions: what a signed-in browser holds instead of the write token.

Signing in (``POST /sign-in``) exchanges a write token for a random session id (256 bits)
in an HttpOnly cookie. Sessions are kept **server-side**, in a JSON file beside the store
(``<store>.sessions.json``, mode 0600, like the token file) rather than in HMAC-signed
cookies, because a server-side record is what makes signing out, idle expiry and
revocation real: a signed cookie stays valid until it expires wherever a copy of it is,
while here deleting the record ends the session everywhere. The file keeps only a
SHA-256 of each session id (a copy of the file lets nobody in), the token's name and the
hash of the token it was opened with: when ``microhe token revoke`` removes the token, or
a new token of the same name replaces it, the hashes differ and the session is over.

The CSRF token of a session is derived from its id (``HMAC-SHA256(id, "csrf")``): only
the holder of the cookie can know it, every form of the session carries it, and a token
of another session never matches (a synchronizer token without a second secret to store).

A session ends after ``idle`` seconds without use (``Settings.session_idle_minutes``,
default 8 h) and at the latest :data:`MAX_AGE` after signing in. Last use is written at
most every :data:`TOUCH_EVERY` seconds, so pages do not rewrite the file on each request.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from microhe.auth.tokens import TokenFile, TokensUnavailable

#: The longest a session lives, however busy (24 h).
MAX_AGE = 24 * 3600
#: Last use is recorded at most this often (seconds).
TOUCH_EVERY = 60
_LOCK = threading.Lock()


def sessions_file(store_path: str | Path) -> Path:
    p = Path(store_path)
    return p.with_name(p.name + ".sessions.json")


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def csrf_token(session_id: str) -> str:
    """The CSRF token of the session ``session_id`` (see the module docstring)."""
    return hmac.new(session_id.encode("utf-8"), b"csrf", hashlib.sha256).hexdigest()


def csrf_matches(session_id: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(session_id), str(presented))


@dataclass(frozen=True)
class Session:
    """A live session: the token's name, and its id (the cookie's value) for the CSRF token."""

    id: str
    name: str
    created: float

    @property
    def csrf(self) -> str:
        return csrf_token(self.id)


class Sessions:
    """The sessions of one store (``<store>.sessions.json``)."""

    def __init__(self, store_path: str | Path, *, idle: float = 8 * 3600, clock: Callable[[], float] = time.time):
        self.path = sessions_file(store_path)
        self.tokens = TokenFile.beside(store_path)
        self.idle = idle
        self.clock = clock

    # -- the file --------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time: threads of this process, and other processes (flock)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with _LOCK:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # an unreadable file ends every session (sign in again); never a crash
        sessions = data.get("sessions") if isinstance(data, dict) else None
        return sessions if isinstance(sessions, dict) else {}

    def _write(self, sessions: dict) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"sessions": sessions}, f, indent=1, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def _alive(self, entry: dict, now: float) -> bool:
        try:
            return now - float(entry["last_seen"]) <= self.idle and now - float(entry["created"]) <= MAX_AGE
        except (KeyError, TypeError, ValueError):
            return False

    # -- the operations --------------------------------------------------------------------

    def open(self, token: str) -> Session | None:
        """A new session for the write token ``token``; None when the token is not valid
        (unknown or revoked: the caller cannot tell which, and nor can the person signing in)."""
        try:
            found = self.tokens.identify(token)
        except TokensUnavailable:
            return None
        if found is None:
            return None
        name, token_hash = found
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with self._locked():
            sessions = {k: v for k, v in self._read().items() if self._alive(v, now)}
            sessions[_digest(session_id)] = {"name": name, "token_sha256": token_hash, "created": now, "last_seen": now}
            self._write(sessions)
        return Session(session_id, name, now)

    def get(self, session_id: str | None) -> Session | None:
        """The live session of a cookie's value, or None (unknown, expired, signed out, or
        its token revoked or replaced)."""
        if not session_id or len(session_id) > 200:
            return None
        key = _digest(session_id)
        now = self.clock()
        entry = self._read().get(key)
        if not isinstance(entry, dict) or not self._alive(entry, now):
            return None
        try:
            current = self.tokens.fingerprint(str(entry.get("name")))
        except TokensUnavailable:
            return None
        if current is None or not hmac.compare_digest(current, str(entry.get("token_sha256", ""))):
            return None
        if now - float(entry["last_seen"]) >= TOUCH_EVERY:
            with self._locked():
                sessions = self._read()
                if key in sessions:
                    sessions[key]["last_seen"] = now
                    self._write(sessions)
        return Session(session_id, str(entry["name"]), float(entry["created"]))

    def close(self, session_id: str) -> None:
        """Sign out: the session's record is deleted (its cookie is then worthless)."""
        with self._locked():
            sessions = self._read()
            if sessions.pop(_digest(session_id), None) is not None:
                self._write(sessions)


__all__ = ["Session", "Sessions", "csrf_matches", "csrf_token", "sessions_file", "MAX_AGE"]
