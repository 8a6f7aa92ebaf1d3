"""The store package: what every store offers (store.base.Store protocol), the views
(store.views), and opening the configured store without loading the remote client."""

from __future__ import annotations

import subprocess
import sys

from microhe.settings import Settings


def test_both_stores_offer_what_the_protocol_describes():
    from microhe.store.base import StoreProtocol
    from microhe.store.embedded import Store
    from microhe.store.remote import RemoteStore

    for cls in (Store, RemoteStore):
        members = [n for n in vars(StoreProtocol) if not n.startswith("_")]
        assert "query" in members and "write" in members and "state" in members
        missing = [name for name in members if not hasattr(cls, name)]
        assert not missing, (cls.__name__, missing)
    assert isinstance(Store(), StoreProtocol)


def test_open_configured_opens_the_embedded_store(tmp_path):
    from microhe.store import open_configured
    from microhe.store.embedded import Store

    store = open_configured(Settings(store=tmp_path / "s"))
    try:
        assert isinstance(store, Store)
    finally:
        store.close()


def test_opening_the_embedded_store_loads_no_remote_client(tmp_path):
    code = ("import sys; from microhe.store import open_configured; from microhe.settings import Settings; "
            f"open_configured(Settings(store={str(tmp_path / 's')!r})).close(); "
            "print(sorted(m for m in ('SPARQLWrapper', 'rdflib', 'microhe.store.remote') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
