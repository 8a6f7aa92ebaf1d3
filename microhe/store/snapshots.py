"""Views kept on disk beside the store's data, valid for one state of the store.

Building the search records of a large store takes minutes (reading every specification's
facts: 43 s at 10^5 credentials, 12 min at 10^6); reading them back from a file takes
seconds. So a view marked ``persist`` (``per_store(persist=...)``) is written to
``<store>/microhe-views/<name>.pickle`` after it is built and read from there by the next
process that opens the same store in the same state: a restarted server, each run of
``microhe search``.

The state is a token in ``<store>/microhe-state``: a random string replaced *before* every
write through :class:`~microhe.store.embedded.Store` (so a crash between the two at worst costs a
rebuild, never serves a stale view) and created when a store without one is opened for
writing. A view file holds the token it was built for and is used only while the token is
unchanged. Stores written by other tools (``oxigraph load`` on the directory) do not
change the token: delete ``microhe-views`` after such a write. Read-only opens never
create a token; they read and write views when there is one.

A view that follows the change log (issue 24) is also saved with the change-log point it
describes and the log's id (header fields ``seq`` and ``log``): another state's file is
then read and caught up from that point (``microhe.store.views``) instead of rebuilt, as
long as the same log still holds every change after it.

Files are unpickled with only the classes a view declares (and builtin containers), so a
planted file cannot run code; an unreadable, truncated or foreign file is ignored (the
view is rebuilt and the file replaced). Both files sit inside the store's directory, so
they move with it; RocksDB ignores files it did not create.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import secrets
import tempfile
from pathlib import Path

log = logging.getLogger("microhe.snapshots")

STATE_FILE = "microhe-state"
VIEWS_DIR = "microhe-views"
#: bump when the layout of any persisted view changes: older files are then rebuilt
FORMAT = 4  # 2: the view classes moved to microhe.recognition (issue 14); 3: Record.incomplete;
# 4: the search index carries its posting lists and what it needs to follow the change log (issue 24)


def token(path: Path | None) -> str | None:
    """The store's state token, or None (in memory, or no token written yet)."""
    if path is None:
        return None
    try:
        text = (Path(path) / STATE_FILE).read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if 16 <= len(text) <= 64 and text.isalnum() else None


def new_token(path: Path) -> str:
    """Replace the state token (call before writing the store). Raises OSError when the
    file cannot be written, so the write does not go ahead with a stale token."""
    value = secrets.token_hex(16)
    _atomic_write(Path(path) / STATE_FILE, lambda f: f.write(value.encode("ascii")))
    return value


def load(path: Path | None, name: str, state: str | None, allowed: tuple[type, ...]):
    """The view ``name`` saved for ``state``, or None (none saved, another state, unreadable)."""
    if state is None:
        return None
    found = read(path, name, allowed, lambda header: header.get("state") == state)
    return None if found is None else found[1]


def read(path: Path | None, name: str, allowed: tuple[type, ...], accept) -> tuple[dict, object] | None:
    """``(header, view)`` of the view ``name`` saved beside the store when ``accept(header)``
    (the header says for which state, change-log point and format it was saved), else None
    (none saved, not accepted, unreadable: the caller rebuilds)."""
    if path is None:
        return None
    file = Path(path) / VIEWS_DIR / f"{name}.pickle"
    try:
        with open(file, "rb") as f:
            header = json.loads(f.readline(4096))
            if not isinstance(header, dict) or header.get("view") != name or header.get("format") != FORMAT \
                    or not accept(header):
                return None
            return header, _Unpickler(f, allowed).load()
    except FileNotFoundError:
        return None
    except Exception as e:  # noqa: BLE001 - any damage means "rebuild", never a failed request
        log.warning("ignoring the saved view %s (%s: %s); it will be rebuilt", file, type(e).__name__, e)
        return None


def save(path: Path | None, name: str, state: str | None, view, **extra) -> bool:
    """Write ``view`` for ``state`` (``extra``: more header fields, such as the change-log
    point the view describes); False (logged) when it cannot be written."""
    if path is None or state is None:
        return False
    file = Path(path) / VIEWS_DIR / f"{name}.pickle"
    def write(f) -> None:  # streamed: the file of 10^6 records is ~600 MB
        f.write(json.dumps({**extra, **_header(name, state)}).encode("ascii") + b"\n")
        pickle.dump(view, f, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        file.parent.mkdir(exist_ok=True)
        _atomic_write(file, write)
        return True
    except Exception as e:  # noqa: BLE001 - a view that cannot be saved is built again next time
        log.warning("cannot save the view %s (%s: %s)", file, type(e).__name__, e)
        return False


def _header(name: str, state: str) -> dict:
    return {"view": name, "state": state, "format": FORMAT}


def _atomic_write(file: Path, write) -> None:
    """``write(f)`` into a temporary file beside ``file``, synced, then renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_BUILTINS = {"set", "frozenset", "dict", "list", "tuple"}
#: typed arrays (posting lists): made from a type code and bytes, never code
_ARRAYS = {("array", "array"), ("array", "_array_reconstructor")}


class _Unpickler(pickle.Unpickler):
    """Resolves only the view's own classes and builtin containers."""

    def __init__(self, f, allowed: tuple[type, ...]):
        super().__init__(f)
        self._allowed = {(c.__module__, c.__qualname__): c for c in allowed}

    def find_class(self, module: str, name: str):
        if (module == "builtins" and name in _BUILTINS) or (module, name) in _ARRAYS:
            return super().find_class(module, name)
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a saved view") from None
