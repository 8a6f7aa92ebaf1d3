"""Signing in without JavaScript: a write token exchanged for a session cookie (HttpOnly,
SameSite=Strict, Secure over https), CSRF tokens on every form with a write effect,
expiry, revocation, sign-out, no open redirect, no token in logs, CORS without
credentials, and the bearer header still the only key to the JSON write API."""

from __future__ import annotations

import json
import logging
import os
import stat
import time

import pytest
from fastapi.testclient import TestClient

from microhe.auth.sessions import sessions_file
from microhe.auth.tokens import TokenFile
from tests.api.desk.conftest import hidden_fields


def _cookie_header(r) -> str:
    return "; ".join(v for k, v in r.headers.multi_items() if k.lower() == "set-cookie" and v.startswith("microhe_session="))


def test_the_sign_in_page_is_a_plain_form(desk):
    r = desk.client.get("/sign-in")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<form method="post"' in r.text and 'type="password"' in r.text and 'name="token"' in r.text
    assert "<script" not in r.text.split("</footer>")[0].split("<main")[1]  # no script in the page itself
    assert "csrf" in hidden_fields(r.text)


def test_signing_in_sets_an_httponly_strict_session_cookie(desk):
    r = desk.sign_in()
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = _cookie_header(r)
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert "Path=/" in cookie and "Secure" not in cookie  # plain http: a Secure cookie would never come back
    assert desk.token not in cookie  # the cookie is a session id, never the token
    page = desk.client.get("/uploads")
    assert page.status_code == 200 and "test" in page.text


def test_over_https_the_cookie_is_secure(desk):
    c = TestClient(desk.client.app, base_url="https://testserver")
    with c:
        r = desk.sign_in(client=c)
        assert r.status_code == 303
        assert "Secure" in _cookie_header(r)


@pytest.mark.parametrize("token", ["wrong-token-0123456789", "", "x" * 5000])
def test_a_wrong_token_gets_a_generic_401_page(desk, token):
    r = desk.sign_in(token=token)
    assert r.status_code == 401 and r.headers["content-type"].startswith("text/html")
    assert "The token was not accepted" in r.text
    assert "microhe_session=" not in _cookie_header(r)
    if token:
        assert token[:40] not in r.text  # never echoed


def test_a_revoked_token_and_an_unknown_one_get_the_same_answer(desk):
    TokenFile.beside(desk.settings.store).revoke("other")
    revoked, unknown = desk.sign_in(token=desk.other_token), desk.sign_in(token="never-issued-token-abcdef")
    assert revoked.status_code == unknown.status_code == 401
    assert revoked.text == unknown.text  # nothing tells a revoked token from one never issued


def test_a_sign_in_post_without_the_form_token_is_refused(desk):
    r = desk.client.post("/sign-in", data={"token": desk.token}, follow_redirects=False)
    assert r.status_code == 403 and "form" in r.text.lower()
    assert "microhe_session=" not in _cookie_header(r)


def test_failed_sign_ins_are_rate_limited_per_client(desk):
    for _ in range(10):
        assert desk.sign_in(token="wrong-token-0123456789").status_code == 401
    r = desk.sign_in()  # even the right token: the client must wait
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert "microhe_session=" not in _cookie_header(r)


@pytest.mark.parametrize("next_", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
                                   "javascript:alert(1)", "http:/evil.example", "/\r\nSet-Cookie: x=1", "evil"])
def test_next_goes_only_to_a_local_path(desk, next_):
    from urllib.parse import quote

    r = desk.sign_in(next_=quote(next_, safe=""))
    assert r.status_code == 303 and r.headers["location"] == "/", r.headers["location"]


def test_next_to_a_local_page_is_followed(desk):
    from urllib.parse import quote

    r = desk.sign_in(next_=quote("/decisions?credential=x&y=1", safe=""))
    assert r.status_code == 303 and r.headers["location"] == "/decisions?credential=x&y=1"


def test_sign_out_ends_the_session(signed_in):
    d = signed_in
    old = dict(d.client.cookies)
    r = d.client.post("/sign-out", data={"csrf": d.csrf()}, follow_redirects=False)
    assert r.status_code == 303
    assert d.client.get("/uploads", follow_redirects=False).status_code == 303  # the cookie is gone
    replay = d.new_client()
    replay.cookies.update(old)  # the old cookie, replayed, is dead on the server too
    assert replay.get("/uploads", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("csrf", [None, "", "forged-0123456789"])
def test_sign_out_without_the_csrf_token_is_refused(signed_in, csrf):
    d = signed_in
    r = d.client.post("/sign-out", data={} if csrf is None else {"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    assert d.client.get("/uploads").status_code == 200  # still signed in


def test_an_idle_session_expires(signed_in):
    d = signed_in
    path = sessions_file(d.settings.store)
    data = json.loads(path.read_text())
    for s in data["sessions"].values():
        s["last_seen"] = time.time() - 9 * 3600  # idle 9 h; the default limit is 8 h
    path.write_text(json.dumps(data))
    r = d.client.get("/uploads", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in?next=")


def test_revoking_the_token_ends_its_sessions(signed_in):
    d = signed_in
    TokenFile.beside(d.settings.store).revoke("test")
    assert d.client.get("/uploads", follow_redirects=False).status_code == 303
    TokenFile.beside(d.settings.store).add("test")  # a new token of the same name revives nothing
    assert d.client.get("/uploads", follow_redirects=False).status_code == 303


def test_the_session_file_is_private_and_holds_no_session_id(signed_in):
    d = signed_in
    path = sessions_file(d.settings.store)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    cookie = d.client.cookies.get("microhe_session")
    assert cookie and cookie not in path.read_text() and d.token not in path.read_text()


def test_the_session_cookie_never_authenticates_the_json_write_api(signed_in):
    d = signed_in
    r = d.client.post("/api/recognition/decisions", json={
        "credential": "https://w3id.org/microhe/demo/credential/strathlowe-applied-data-analysis",
        "institution": "https://example.org/uni", "purpose": "access", "outcome": "recognise"})
    assert r.status_code == 401
    r = d.client.put("/rdf-graphs?graph=https://example.org/g", content=b"<a:b> <a:c> <a:d> .",
                     headers={"Content-Type": "application/n-triples"})
    assert r.status_code == 401


def test_cors_never_allows_credentials_and_form_writes_get_no_cors(signed_in):
    d = signed_in
    evil = {"Origin": "https://evil.example"}
    for method, path in (("POST", "/sign-in"), ("POST", "/sign-out"), ("POST", "/upload/load"), ("POST", "/decisions"),
                         ("POST", "/uploads/withdraw")):
        pre = d.client.options(path, headers={**evil, "Access-Control-Request-Method": method})
        assert "access-control-allow-credentials" not in pre.headers
        r = d.client.request(method, path, headers=evil, data={"csrf": "x"}, follow_redirects=False)
        assert "access-control-allow-credentials" not in r.headers
        if path != "/sign-in":
            assert "access-control-allow-origin" not in r.headers, path


def test_tokens_and_form_bodies_are_never_logged(desk, caplog):
    caplog.set_level(logging.DEBUG)
    desk.sign_in(token="leaky-token-value-0123456789")
    desk.sign_in()
    desk.client.post("/sign-out", data={"csrf": "wrong-csrf-value"})
    text = caplog.text
    assert "leaky-token-value" not in text and desk.token not in text and "wrong-csrf-value" not in text
    assert "refused 401 POST /sign-in" in text  # the failure itself is logged, without the token
