"""Build the per-store recognition indexes ahead of the first request.

Search, compare and pathways answer from views built once per store state (``per_store``:
the search records and their posting lists, part-of edges, frameworks, credit systems).
Built on demand, the first request after start-up or after a write pays for the build
(seconds at 10^5 credentials, minutes at 10^6; at start-up the search records are read back
from the store's directory when saved for its current state: ``microhe.store.snapshots``).
:class:`Warmer` builds them on a background thread when the server starts and again once
the store has been quiet for a moment after a write; a request that arrives mid-build
waits for that build (``per_store``'s lock) rather than starting a second one.
"""

from __future__ import annotations

import logging
import threading
import time

from microhe.frameworks.credits import credit_systems
from microhe.frameworks.levels import framework_index
from microhe.recognition.pathways import part_of_edges
from microhe.recognition.search import facet_index, search_index
from microhe.store.embedded import Store
from microhe.store.views import save_all

log = logging.getLogger("microhe.warm")

#: the views, in build order (facet_index reads search_index)
VIEWS = (("frameworks", framework_index), ("credit systems", credit_systems), ("search records", search_index),
         ("posting lists", facet_index), ("part-of edges", part_of_edges))


def warm(store: Store) -> dict[str, float]:
    """Build every view that is not current for ``store``; seconds per view built."""
    took = {}
    for name, view in VIEWS:
        if view.cached(store):
            continue
        t = time.perf_counter()
        view(store)
        took[name] = round(time.perf_counter() - t, 3)
    return took


class Warmer:
    """A daemon thread that keeps the views of ``store`` built: at start, and after each
    write once ``store.generation`` has not changed for ``settle`` seconds (a burst of
    writes is built for once). The views that follow the change log are brought up to
    date by the writes themselves; they are saved beside the store once no write came for
    ``save_after`` seconds (saving 10^5 records takes seconds: not after every write), so
    the next start catches up from a recent point."""

    def __init__(self, store: Store, *, poll: float = 0.5, settle: float = 2.0, save_after: float = 10.0):
        self.store, self.poll, self.settle, self.save_after = store, poll, settle, save_after
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="microhe-warm", daemon=True)
        self.ready = threading.Event()  # set after each completed pass
        self.last: dict[str, float] = {}

    def start(self) -> Warmer:
        self.thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        seen = None
        quiet_since, saved = time.monotonic(), True
        while not self._stop.is_set():
            generation = self.store.generation
            if generation != seen:
                quiet_since, saved = time.monotonic(), False
            elif not saved and time.monotonic() - quiet_since >= self.save_after:
                saved = True  # the views followed the writes in memory: saved once writes pause
                try:
                    names = save_all(self.store)
                    if names:
                        log.info("views saved beside the store: %s", ", ".join(names))
                except Exception:  # noqa: BLE001 - not saved: the next start catches up from an older point
                    log.exception("saving the views failed")
            if generation != seen:
                if seen is not None and self._stop.wait(self.settle):
                    return
                if self.store.generation != generation:
                    continue  # still being written: wait for it to settle
                try:
                    t = time.perf_counter()
                    self.last = warm(self.store)
                    if self.last:
                        log.info("recognition indexes built in %.1f s (%s)", time.perf_counter() - t,
                                 ", ".join(f"{k} {v:.1f} s" for k, v in self.last.items()))
                except Exception:  # noqa: BLE001 - a failed warm-up leaves the on-demand build
                    log.exception("building the recognition indexes failed; they will be built on demand")
                seen = generation
                self.ready.set()
            self._stop.wait(self.poll)
