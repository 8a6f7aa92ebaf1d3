"""Web sessions beside the store (microhe.auth.sessions): idle expiry and the 24 h cap by
an injected clock (no sleeping), revocation and replacement of the token, sign-out, the
CSRF token bound to one session, and a damaged file ending sessions rather than crashing."""

from __future__ import annotations

from microhe.auth.sessions import MAX_AGE, Sessions, csrf_matches, sessions_file
from microhe.auth.tokens import TokenFile


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _sessions(tmp_path, idle: float = 3600):
    clock = Clock()
    token = TokenFile.beside(tmp_path / "store").add("ann")
    return Sessions(tmp_path / "store", idle=idle, clock=clock), clock, token


def test_a_session_lives_while_used_and_ends_when_idle(tmp_path):
    s, clock, token = _sessions(tmp_path)
    opened = s.open(token)
    assert opened is not None and opened.name == "ann"
    for _ in range(5):  # used every 50 min: alive after 4 h
        clock.now += 3000
        assert s.get(opened.id) is not None
    clock.now += 3601
    assert s.get(opened.id) is None


def test_a_busy_session_still_ends_after_the_cap(tmp_path):
    s, clock, token = _sessions(tmp_path, idle=10 * 24 * 3600)
    opened = s.open(token)
    clock.now += MAX_AGE - 1
    assert s.get(opened.id) is not None
    clock.now += 2
    assert s.get(opened.id) is None


def test_revoking_or_replacing_the_token_ends_the_session(tmp_path):
    s, _, token = _sessions(tmp_path)
    opened = s.open(token)
    tokens = TokenFile.beside(tmp_path / "store")
    tokens.revoke("ann")
    assert s.get(opened.id) is None
    tokens.add("ann")
    assert s.get(opened.id) is None


def test_sign_out_and_unknown_ids(tmp_path):
    s, _, token = _sessions(tmp_path)
    opened = s.open(token)
    s.close(opened.id)
    assert s.get(opened.id) is None
    assert s.get("") is None and s.get("x" * 10_000) is None and s.open("not-a-token") is None


def test_the_csrf_token_belongs_to_one_session(tmp_path):
    s, _, token = _sessions(tmp_path)
    a, b = s.open(token), s.open(token)
    assert csrf_matches(a.id, a.csrf) and not csrf_matches(a.id, b.csrf)
    assert not csrf_matches(a.id, None) and not csrf_matches(a.id, "")


def test_a_damaged_sessions_file_ends_every_session(tmp_path):
    s, _, token = _sessions(tmp_path)
    opened = s.open(token)
    sessions_file(tmp_path / "store").write_text("{not json")
    assert s.get(opened.id) is None
    assert s.open(token) is not None  # and signing in again works
