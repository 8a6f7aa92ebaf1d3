"""The server that holds a store: where it answers, and how a command asks it.

Why: ``microhe serve`` holds the store's RocksDB lock for as long as it runs. Another
process can then neither open the store for writing nor read it safely (a read-only open
while another process writes is undefined behaviour in pyoxigraph 0.5, which has no
secondary mode). So the server writes its address beside the store's data, in
``<store>/microhe-server.json`` (``{"url", "pid", "started"}``, mode 0600, replaced
atomically), once it listens, and removes it when it shuts down cleanly; a read command
that finds the store locked asks that server through its HTTP routes instead
(``microhe.cli``).

The URL is always one this machine can reach: the bound address, with the loopback
address of the same family when the server binds every interface (``0.0.0.0``/``::``).

A server killed with SIGKILL leaves its file behind. It is trusted only while its
process is alive and the URL answers ``/health``; a command that opens the store itself
(so no server holds it) removes the file as stale. Only stdlib HTTP (urllib) is used,
with proxies off: the server is on this machine.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from microhe.errors import InputError, Unavailable

ADDRESS_FILE = "microhe-server.json"
#: How long a command waits for ``/health`` before deciding that nothing answers.
HEALTH_TIMEOUT_S = 2.0
#: How long a command waits for an answer: a search on a large store may wait for the
#: server's first build of its views (minutes at 10^6 credentials); queries end at the
#: server's own deadline (``Settings.query_timeout``) well before this.
ANSWER_TIMEOUT_S = 900.0


def address_file(store: str | Path) -> Path:
    return Path(store) / ADDRESS_FILE


def loopback_url(host: str, port: int) -> str:
    """``http://HOST:PORT`` for an address a server is bound to, reachable from this
    machine: an unspecified address (``0.0.0.0``, ``::``) becomes the loopback address
    of its family, an IPv4-mapped IPv6 address its IPv4 form; a name stays as given."""
    host = host.strip("[]")
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return f"http://{host}:{port}"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        ip = ipaddress.ip_address("127.0.0.1" if ip.version == 4 else "::1")
    return f"http://[{ip}]:{port}" if ip.version == 6 else f"http://{ip}:{port}"


@dataclass(frozen=True)
class Address:
    """What ``<store>/microhe-server.json`` says."""

    url: str
    pid: int
    started: str


def write(store: str | Path, url: str) -> Path:
    """Write this process's address beside the store (atomically, mode 0600)."""
    path = address_file(store)
    doc = {"url": url, "pid": os.getpid(),
           "started": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f)
            f.write("\n")
        os.chmod(tmp, 0o600)  # O_CREAT's mode is masked by the umask; 0600 whatever the umask
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def read(store: str | Path) -> Address | None:
    """The address file's content, or None when there is none (or it cannot be read)."""
    try:
        doc = json.loads(address_file(store).read_text(encoding="utf-8"))
        return Address(str(doc["url"]), int(doc["pid"]), str(doc.get("started", "")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def remove(store: str | Path, *, pid: int | None = None) -> None:
    """Remove the address file; with ``pid``, only if it names that process (a server
    removes its own file, never another's)."""
    if pid is not None:
        current = read(store)
        if current is None or current.pid != pid:
            return
    with contextlib.suppress(FileNotFoundError):
        address_file(store).unlink()


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (signal 0 checks without sending anything). On
    Windows ``os.kill`` would terminate it instead, so there only ``/health`` decides."""
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return False
    return True


def running(store: str | Path) -> Address | None:
    """The server named beside the store, if its process is alive and it answers
    ``/health``; otherwise None. A file whose process is gone is removed (stale after a
    kill); one whose process lives but does not answer is left (a server starting up or
    stopping)."""
    address = read(store)
    if address is None:
        return None
    if not process_alive(address.pid):
        remove(store, pid=address.pid)
        return None
    try:
        status, _, body = Client(address.url).get("/health", timeout=HEALTH_TIMEOUT_S)
    except ServerUnavailable:
        return None
    try:
        ok = status == 200 and json.loads(body).get("status") == "ok"
    except (ValueError, AttributeError):
        ok = False
    return address if ok else None


class ServerUnavailable(Unavailable, OSError):
    """The server did not answer (connection refused, timed out, answer cut short)."""


class ServerRefused(InputError):
    """The server answered with an error status; ``message`` is its explanation."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Client:
    """GET/POST to a server on this machine (stdlib only, no proxies)."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(self, path: str, params=None, *, accept: str | None = None, timeout: float = ANSWER_TIMEOUT_S):
        """(status, headers, body) of ``GET path?params`` (params: pairs or a dict;
        None values left out)."""
        return self._send(urllib.request.Request(self._target(path, params), headers=_accept(accept)), timeout)

    def post(self, path: str, body: bytes, content_type: str, *, accept: str | None = None,
             timeout: float = ANSWER_TIMEOUT_S):
        headers = {**_accept(accept), "Content-Type": content_type}
        return self._send(urllib.request.Request(self._target(path, None), data=body, headers=headers,
                                                 method="POST"), timeout)

    def _target(self, path: str, params) -> str:
        pairs = list(params.items() if isinstance(params, dict) else params or [])
        query = urllib.parse.urlencode([(k, str(v)) for k, v in pairs if v is not None])
        return self.url + path + (f"?{query}" if query else "")

    def _send(self, request: urllib.request.Request, timeout: float):
        try:
            with self._opener.open(request, timeout=timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            try:
                return e.code, e.headers, e.read()
            finally:
                e.close()
        except (OSError, ValueError, http.client.HTTPException) as e:  # refused, reset, timed out, a cut stream
            raise ServerUnavailable(f"the server at {self.url} did not answer: {e}") from e

    def fetch(self, path: str, params=None, *, accept: str | None = None, method: str = "GET",
              body: bytes | None = None, content_type: str | None = None):
        """(headers, body) of a successful request; an error status raises
        :class:`ServerRefused` with the server's message."""
        if method == "POST":
            status, headers, data = self.post(path, body or b"", content_type or "application/octet-stream",
                                              accept=accept)
        else:
            status, headers, data = self.get(path, params, accept=accept)
        if status >= 400:
            raise ServerRefused(status, error_message(headers, data) or f"HTTP {status}")
        return headers, data

    def json(self, path: str, params=None):
        """The JSON document of a successful GET."""
        _, data = self.fetch(path, params, accept="application/json")
        return json.loads(data)


def _accept(accept: str | None) -> dict[str, str]:
    return {"Accept": accept} if accept else {}


def error_message(headers, body: bytes) -> str:
    """The explanation in an error answer: ``detail`` of a JSON error (its ``message``
    when it is an object, the ``msg`` of each item of a validation error), else the text."""
    text = body.decode("utf-8", "replace").strip()
    if "json" not in (headers.get("Content-Type") or ""):
        return text
    try:
        detail = json.loads(text).get("detail", text)
    except (ValueError, AttributeError):
        return text
    if isinstance(detail, dict):
        return str(detail.get("message", detail))
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(map(str, d.get('loc', [])[1:]))}: {d.get('msg', d)}" if isinstance(d, dict)
                         else str(d) for d in detail)
    return str(detail)


__all__ = ["ADDRESS_FILE", "Address", "Client", "ServerRefused", "ServerUnavailable", "address_file",
           "loopback_url", "process_alive", "read", "remove", "running", "write"]
