"""The recognition desk and the steward's upload in the browser (issue 21 part A), server
side: a fresh app over a copy of the demo store with two write tokens (``test`` and
``other``) in the token file beside ``Settings.store``, driven by a TestClient that keeps
cookies like a browser. :class:`Desk` signs in the way a person does: it reads the form's
hidden fields from the HTML and posts them back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.auth.tokens import TokenFile
from microhe.settings import Settings
from microhe.store.embedded import Store

BASE = "http://127.0.0.1:8000/"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (the CSRF token, a staged upload's id...), last one wins."""
    import html as h

    return {name: h.unescape(value) for name, value in _HIDDEN.findall(html)}


@dataclass
class Desk:
    client: TestClient
    store: Store
    settings: Settings
    token: str
    other_token: str

    def sign_in(self, token: str | None = None, next_: str | None = None, client: TestClient | None = None):
        c = client or self.client
        page = c.get("/sign-in" + (f"?next={next_}" if next_ else ""))
        assert page.status_code == 200, page.text
        form = hidden_fields(page.text)
        form["token"] = self.token if token is None else token
        return c.post("/sign-in", data=form, follow_redirects=False)

    def csrf(self, path: str = "/upload", client: TestClient | None = None) -> str:
        """The CSRF token of the signed-in session, as a page's forms carry it."""
        page = (client or self.client).get(path)
        return hidden_fields(page.text)["csrf"]

    def new_client(self) -> TestClient:
        c = TestClient(self.client.app)
        c.__enter__()
        return c


def make_desk(tmp_path, store: Store, **overrides) -> Desk:
    settings = Settings(**{"store": tmp_path / "store", "base": BASE, "warm_indexes": False, **overrides})
    tokens = TokenFile.beside(settings.store)
    token, other = tokens.add("test"), tokens.add("other")
    client = TestClient(create_app(settings, store))
    client.__enter__()
    return Desk(client, store, settings, token, other)


@pytest.fixture
def desk(tmp_path, scratch_store) -> Iterator[Desk]:
    d = make_desk(tmp_path, scratch_store)
    yield d
    d.client.__exit__(None, None, None)


@pytest.fixture
def signed_in(desk) -> Desk:
    r = desk.sign_in()
    assert r.status_code == 303, r.text
    return desk
