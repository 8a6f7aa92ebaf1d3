"""Where the graph lives: the embedded pyoxigraph store, a remote SPARQL server, the views
derived per store state, and their files beside the store.

``base`` (errors, write tracking, the protocol every store offers), ``embedded``
(pyoxigraph), ``remote`` (any SPARQL 1.1 server; ``virtuoso`` its repairs), ``views``
(per-state caches), ``snapshots``/``checkpoint`` (files beside an on-disk store),
``served`` (talking to a running server instead of its locked store).
"""

from __future__ import annotations


def open_configured(settings, *, read_only: bool = False):
    """The store the settings name: a :class:`~microhe.store.remote.RemoteStore` when
    ``settings.sparql_endpoint`` is set, else the embedded :class:`Store` at
    ``settings.store``. Raises :class:`~microhe.store.base.StoreError`."""
    if getattr(settings, "sparql_endpoint", None):
        from microhe.store.remote import RemoteStore

        return RemoteStore(
            settings.sparql_endpoint,
            settings.update_endpoint,
            graph_store_endpoint=settings.graph_store_endpoint,
            user=settings.sparql_user,
            password=settings.sparql_password,
            auth=settings.sparql_auth,
            timeout=settings.query_timeout,
            allow_service=getattr(settings, "allow_service", False),
            allow_remote_update=getattr(settings, "allow_remote_update", False),
        )
    from microhe.store.embedded import Store

    return Store(settings.store, read_only=read_only)



__all__ = ["open_configured"]
