"""Deployment settings, in one place.

Every setting can be given as an environment variable ``MICROHE_<NAME>`` (for example
``MICROHE_STORE=/srv/microhe/store``); CLI options override the environment. A value a
setting does not allow is refused by :func:`get_settings` with :class:`SettingsError`, one
line naming the variable, the value and what is allowed (the CLI: exit 2; ``serve`` does
not start), never pydantic's report.
"""

from __future__ import annotations

import ipaddress
import os
import re
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from platformdirs import user_data_path
from pydantic import Field, NonNegativeInt, PositiveInt, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as _SourceError

from microhe.errors import InvalidValue


def default_store_path() -> Path:
    """``store`` in the platform's per-user data directory for microhe: on Linux
    ``$XDG_DATA_HOME/microhe/store``, i.e. ``~/.local/share/microhe/store``; on macOS
    ``~/Library/Application Support/microhe/store``; on Windows under ``%LOCALAPPDATA%``.
    Read from the environment when settings are made, so a changed ``HOME`` counts.
    The directory (and its parents) is created by :class:`microhe.store.embedded.Store` when a
    store is first opened for writing: on a fresh account none of it exists yet."""
    return user_data_path("microhe", appauthor=False) / "store"


#: Where instance data is minted and served unless MICROHE_BASE says otherwise.
DEFAULT_BASE = "http://127.0.0.1:8000/"
#: The SHACL profiles of validate, load and HTTP writes unless told otherwise
#: (``microhe/shapes/<name>.ttl``; ``microhe.validation.profiles`` lists them).
DEFAULT_PROFILES: tuple[str, ...] = ("council-2022", "consistency")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MICROHE_", extra="ignore")

    #: Directory of the embedded (pyoxigraph/RocksDB) store.
    store: Path = Field(default_factory=default_store_path)
    #: Base IRI under which instance data is minted and served.
    base: str = DEFAULT_BASE
    #: SPARQL query deadline in seconds (HTTP API).
    query_timeout: float = 30.0
    #: Maximum number of result rows / triples returned by one query (HTTP API).
    row_cap: int = 100_000
    #: Query workers that evaluate /sparql and named queries, and requests that may wait
    #: for one; past that a request gets 503 with Retry-After instead of queueing.
    query_workers: int = 4
    query_queue: int = 8
    #: ``processes``: each query runs in a worker process on a read-only snapshot of the
    #: store, killed at its deadline or memory limit (default for an embedded store on
    #: disk); ``threads``: on threads of the server process, where a runaway cannot be
    #: stopped (always used for a store in memory or a remote store).
    query_engine: Literal["processes", "threads"] | None = None
    #: Memory limit of one query worker process in MB (RLIMIT_DATA and resident size): a
    #: query that needs more is stopped with 503.
    query_memory_mb: int = 1024
    #: How many query workers one client may run at a time (its further queries wait, up
    #: to ``query_queue`` of them); default half of them, at least 1. A client is its
    #: source IP address.
    client_share: int | None = None
    #: Reverse proxies (IP addresses or CIDR networks, comma-separated) whose
    #: X-Forwarded-For header names the client; from any other peer it is ignored.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    #: Let /sparql queries use SERVICE (the server would fetch remote endpoints: SSRF).
    allow_service: bool = False
    #: Largest accepted request body / input file in bytes.
    max_body_bytes: int = 64 * 1024 * 1024
    #: ``microhe load``: files of at least this many bytes are read, validated and written
    #: in chunks (bounded memory; ``microhe.ingest.streamed``) instead of whole.
    stream_bytes: NonNegativeInt = 32 * 1024 * 1024
    #: Quads per chunk of such a load (parse, staging, write): memory grows with it.
    load_chunk: PositiveInt = 100_000
    #: ``microhe load``'s progress on a stderr that is not a terminal: a line every this many
    #: seconds (0: every step); unset: every 5 s, or 0.2 s rewritten in place on a terminal.
    progress_interval: float | None = Field(default=None, ge=0)
    #: Spreadsheet import (``microhe import csv``): the most bytes an XLSX file may unpack
    #: to (the sum of its zip members, counted while unpacking, whatever the zip headers
    #: claim: a zip bomb is refused here), and the most data rows one sheet or CSV may hold.
    sheet_max_uncompressed_bytes: int = 32 * 1024 * 1024
    sheet_max_rows: int = 5_000
    #: Validation profiles applied to loads and Graph Store writes.
    profiles: tuple[str, ...] = DEFAULT_PROFILES
    #: This deployment is a generic SPARQL Graph Store, not a clearinghouse: Graph Store
    #: writes that hold no node any profile targets are stored (instead of 422 "nothing was
    #: checked") and the learner-data gate is off. SHACL violations are still refused. Off
    #: by default; never applies to ``microhe load``. (Used by the W3C test-suite runner,
    #: whose tests write FOAF data about fictional people.)
    generic_graph_store: bool = False
    #: The operator's JSON-LD context directory: contexts microhe does not bundle (no clear
    #: licence), as files listed in DIR/index.json {"contexts": {"<URL>": "<file name>"}}
    #: (see microhe/rdf/context_dir.py). Nothing is ever fetched from the network.
    context_dir: Path | None = None
    #: Let SPARQL Update (``/update``) run ``LOAD`` and ``SERVICE``, i.e. make the server
    #: fetch IRIs named in a request (SSRF risk). Off: such requests are refused with 400.
    allow_remote_update: bool = False
    #: Remote store (see README "Remote store"): the SPARQL 1.1 query endpoint of a server,
    #: e.g. ``http://127.0.0.1:7878/query``. Set: the remote back end is used and
    #: ``store`` is ignored. Unset: the embedded store at ``store``.
    sparql_endpoint: str | None = None
    #: Its SPARQL 1.1 Update endpoint (default: the query endpoint).
    update_endpoint: str | None = None
    #: Its Graph Store Protocol endpoint (optional; needed to reach the store's own
    #: default graph, e.g. ``http://127.0.0.1:7878/store``).
    graph_store_endpoint: str | None = None
    #: HTTP authentication for the remote store (``sparql_auth``: basic or digest).
    sparql_user: str | None = None
    sparql_password: str | None = None
    sparql_auth: str = "basic"
    #: Origins whose browser pages may read every public route (CORS), comma-separated;
    #: ``*`` (default): any. A listed origin is echoed with ``Vary: Origin``.
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ("*",)
    #: Origins whose pages may call the write routes (token routes) cross-origin; default
    #: none, so no cross-origin write is possible.
    cors_write_origins: Annotated[tuple[str, ...], NoDecode] = ()
    #: JSON-LD answers (graphs: Graph Store reads, the ontology, VoID; resource pages) with
    #: more triples than this are served flattened and expanded instead of compacted with
    #: microhe's context: PyLD's compaction costs 0.4-1 ms per triple on this project's
    #: machine (bench/RESULTS.md "JSON-LD compaction": 10k triples 4.2 s, 100k 107 s), the
    #: expanded form ~16 us. The answer says so (Content-Type profile "...#flattened
    #: ...#expanded", header X-JSON-LD-Not-Compacted).
    jsonld_compact_cap: int = Field(default=10_000, ge=0)
    #: The licence of the data this deployment publishes (an IRI, e.g.
    #: http://publications.europa.eu/resource/authority/licence/CC_BY_4_0), stated in the
    #: VoID/DCAT-AP description as dct:license. Unset (default): no licence is claimed for
    #: loaded data; only the bundled reference data states its own. Checked at start-up
    #: (``microhe.publish.dataset.check_settings``: an absolute IRI).
    dataset_license: str | None = None
    #: Who publishes this deployment's data: an IRI (a person's or organisation's page or
    #: identifier) and a name, stated as dct:publisher in the VoID/DCAT-AP description.
    #: Unset: the publisher is "the microhe deployment at <base>", with no further claim.
    dataset_publisher: str | None = None
    dataset_publisher_name: str | None = None
    #: Build the recognition indexes (search, compare, pathways) on a background thread at
    #: start-up and after writes, instead of in the first request that needs them.
    warm_indexes: bool = True
    #: Web sessions (``/sign-in``): a session ends after this many minutes without use
    #: (and 24 h after signing in at the latest); kept server-side beside the store.
    session_idle_minutes: int = Field(default=480, ge=1)
    #: The change log beside the store (``GET /api/changes``, microhe/store/changes.py)
    #: keeps the last this many entries, and none older than this many days; a harvester
    #: asking from an older point gets 410 Gone ("harvest the dump again").
    changes_keep_entries: int = Field(default=100_000, ge=1)
    changes_keep_days: float = Field(default=30.0, gt=0)

    @field_validator("cors_origins", "cors_write_origins", mode="before")
    @classmethod
    def _split_origins(cls, value):
        if isinstance(value, str):
            value = tuple(v for v in value.replace(",", " ").split() if v)
        for v in value:
            if v != "*" and not (v.startswith(("http://", "https://")) and "/" not in v.split("://", 1)[1]):
                raise ValueError(f"CORS origin {v!r} is neither * nor scheme://host[:port] (no path), "
                                 "e.g. https://portal.example")
        return tuple(value)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value):
        if isinstance(value, str):
            value = tuple(v for v in value.replace(",", " ").split() if v)
        for v in value:
            try:
                ipaddress.ip_network(v, strict=False)
            except ValueError:
                raise ValueError(f"trusted_proxies: {v!r} is neither an IP address nor a network (CIDR) such as "
                                 "10.0.0.0/8") from None
        return value


class SettingsError(InvalidValue):
    """A setting's value (a ``MICROHE_*`` variable, or the option standing for it) that the
    setting does not allow; the message names it, the value and what is allowed."""


def get_settings(**overrides) -> Settings:
    """Settings from the environment, with explicit (non-None) overrides applied; raises
    :class:`SettingsError` for a value a setting does not allow."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as e:
        raise SettingsError("; ".join(_problem(err, given) for err in e.errors())) from None
    except _SourceError as e:  # a list setting whose variable is not JSON (pydantic-settings decodes it first)
        m = re.search(r'field "(\w+)"', str(e))
        name = m.group(1) if m else "?"
        raise SettingsError(f"{_given_as(name, os.environ.get(_variable(name)), given)} is not allowed: "
                            f"{allowed(name)}") from None


def _variable(name: str) -> str:
    return "MICROHE_" + name.upper()


def _given_as(name: str, value: Any, overrides: dict[str, Any]) -> str:
    """``MICROHE_NAME='value'``, or ``name='value'`` when an option gave it (not the environment)."""
    shown = "(hidden)" if "password" in name else (value[:100] if isinstance(value, str) else value)
    return f"{name if name in overrides else _variable(name)}={shown!r}"


def _problem(err: Any, overrides: dict[str, Any]) -> str:
    name = str(err["loc"][0]) if err.get("loc") else "?"
    why = str(err.get("msg", "")).removeprefix("Value error, ")
    if why.startswith("Input "):  # pydantic's own words, inside a sentence
        why = "i" + why[1:]
    return f"{_given_as(name, err.get('input'), overrides)} is not allowed ({why}): {allowed(name)}"


_KINDS = {bool: "true or false", int: "a whole number", float: "a number", Path: "a path", str: "text"}
_BOUNDS = ((annotated_types.Gt, "gt", ">"), (annotated_types.Ge, "ge", ">="), (annotated_types.Lt, "lt", "<"),
           (annotated_types.Le, "le", "<="))


def allowed(name: str) -> str:
    """What setting ``name`` allows, in words: "a whole number > 0", "one of processes, threads"."""
    field = Settings.model_fields.get(name)
    if field is None:
        return "see the settings in microhe/settings.py"
    kind = field.annotation
    if get_origin(kind) in (Union, types.UnionType):  # X | None: what X allows
        kind = next(a for a in get_args(kind) if a is not type(None))
    if get_origin(kind) is Literal:
        words = "one of " + ", ".join(map(str, get_args(kind)))
    elif get_origin(kind) is tuple and any(m is NoDecode or isinstance(m, NoDecode) for m in field.metadata):
        words = "a comma-separated list"
    elif get_origin(kind) is tuple:
        example = field.default if isinstance(field.default, tuple) and field.default else ("...",)
        words = "a JSON list such as " + "[" + ", ".join(f'"{x}"' for x in example) + "]"
    else:
        words = _KINDS.get(kind, "a value of the documented form") if isinstance(kind, type) \
            else "a value of the documented form"
    for meta in field.metadata:
        for cls, attr, sign in _BOUNDS:
            if isinstance(meta, cls):
                words += f" {sign} {getattr(meta, attr):g}"
    return words + " (or unset it for the default)"
