"""Where the graph lives: the embedded pyoxigraph store, a remote SPARQL server, the views
derived per store state, and their files beside the store.

``base`` (errors, write tracking, the protocol every store offers), ``embedded``
(pyoxigraph), ``remote`` (any SPARQL 1.1 server; ``virtuoso`` its repairs), ``views``
(per-state caches), ``changes`` (the change log: what each write changed),
``snapshots``/``checkpoint`` (files beside an on-disk store),
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

    store = Store(settings.store, read_only=read_only)
    retain(store, settings)
    return store


def retain(store, settings) -> None:
    """Apply the settings' retention to the store's change log (when it keeps one)."""
    log = getattr(store, "changes", None)
    if log is not None:
        log.keep_entries = settings.changes_keep_entries
        log.keep_days = settings.changes_keep_days



__all__ = ["open_configured", "retain"]
