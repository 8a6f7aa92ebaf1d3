"""One hierarchy of refusals, mapped to an HTTP status in one place and to an exit code
in one place; the option a message suggests is spelt by each layer.

Every exception class the library defines is a :class:`microhe.errors.MicroheError` of
exactly one category, apart from the protocol-internal ones listed in ``OUTSIDE`` (they
never reach a caller as such: the SPARQL protocol renders them itself, as plain text,
with the status they carry across the worker processes).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import microhe
from microhe.api import create_app
from microhe.api.errors import STATUS
from microhe.cli import main
from microhe.cli.common import EXIT_CODES, exit_code
from microhe.errors import (
    CATEGORIES,
    Conflict,
    Hint,
    InputError,
    InvalidValue,
    MicroheError,
    NotFound,
    Unavailable,
    ValidationFailed,
    category,
)
from microhe.ingest.errors import GraphConflict
from microhe.ingest.personal import STRIP_HINT
from microhe.settings import Settings
from microhe.store.embedded import Store

OUTSIDE = {
    # the SPARQL protocol's own refusals (status carried by the error, plain-text answers)
    "microhe.api.http.sparql_protocol.ProtocolError", "microhe.engine.results.QueryFailure",
    "microhe.engine.pool.QueryRefused", "microhe.engine.pool.PoolBusy", "microhe.engine.pool.ClientBusy",
    "microhe.engine.pool.QueryStopped", "microhe.engine.threads.QueryTimeout", "microhe.engine.threads.Saturated",
    "microhe.rdf.sparql_gate.RemoteAccessRefused", "microhe.store.remote.RemoteQueryError",
    "microhe.api.http.negotiation.FormatError",
    # HTTP plumbing: a body over the limit inside the middleware, a stream cut short
    "microhe.api.http.limits.BodyTooLarge", "microhe.api.http.streaming.StreamFailed",
    # the compiled validator's signals to fall back to pyshacl (never raised to a caller)
    "microhe.validation.compiled.form.UnsupportedShape", "microhe.validation.compiled.form.NonCanonicalInput",
    # a large file's signal to fall back to the whole-file load (caught in load(), never raised to a caller)
    "microhe.ingest.streamed.NotStreamed",
}


def library_exceptions() -> dict[str, type]:
    found = {}
    for info in pkgutil.walk_packages(microhe.__path__, "microhe."):
        if info.name.startswith("microhe.devtools.reasoner"):
            continue  # needs owlready2 (optional); its ReasonerError is an Unavailable
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return found


def test_every_library_exception_belongs_to_one_category():
    found = library_exceptions()
    assert "microhe.ingest.errors.LoadError" in found and "microhe.rdf.reading.ParseError" in found
    outside = {name for name, cls in found.items() if category(cls.__new__(cls)) is None}
    abstract = {"microhe.errors.MicroheError", "microhe.ingest.errors.LoadError"}  # raised only as subclasses
    assert outside - abstract == OUTSIDE
    assert {c for c in CATEGORIES} <= set(found.values())


def test_load_errors_are_classes_not_kind_strings():
    e = GraphConflict("<g> already holds data", hint=Hint("replace", "to swap its content"))
    assert not hasattr(e, "kind") and e.reason == "conflict" and category(e) is Conflict
    assert e.failures == [e]


def test_each_category_has_one_status_and_one_exit_code():
    assert set(STATUS) == set(CATEGORIES) and set(EXIT_CODES) == set(CATEGORIES) - {InvalidValue}
    assert [STATUS[c] for c in (InputError, InvalidValue, ValidationFailed, Conflict, NotFound, Unavailable)] == \
        [400, 422, 422, 409, 404, 503]
    assert [exit_code(c("x")) for c in (InputError, InvalidValue, ValidationFailed, Conflict, NotFound,
                                        Unavailable)] == [2, 2, 1, 1, 2, 2]


def test_a_hint_is_spelt_by_each_layer():
    e = GraphConflict("<g> already holds data", hint=Hint("replace", "to swap its content"))
    assert str(e) == "<g> already holds data; use the replace option to swap its content"
    assert e.render(lambda o: f"--{o}") == "<g> already holds data; use --replace to swap its content"
    refusal = MicroheError("refused: learner data.", hint=STRIP_HINT)
    assert str(refusal).startswith("refused: learner data. Use the strip-personal-data option to remove")


@pytest.mark.parametrize("error,status", [
    (InputError("unreadable"), 400), (InvalidValue("bad value"), 422), (ValidationFailed("refused"), 422),
    (Conflict("held", hint=STRIP_HINT), 409), (NotFound("missing", valid=["a", "b"]), 404),
    (Unavailable("later"), 503),
])
def test_the_api_answers_a_library_error_by_its_category(tmp_path, error, status):
    app = create_app(Settings(store=tmp_path / "store"), Store())

    @app.get("/raise")
    def raising():
        raise error

    with TestClient(app) as client:
        r = client.get("/raise")
    assert r.status_code == status
    detail = r.json()["detail"]
    if isinstance(error, NotFound):
        assert detail == {"message": "missing", "valid": ["a", "b"]}
    elif error.hint is not None:
        assert "use ?strip-personal-data=true to remove" in detail
    else:
        assert detail == error.message


def test_restore_into_a_store_that_holds_data_is_a_conflict_naming_the_cli_option(tmp_path):
    store, dump = tmp_path / "store", tmp_path / "dump.nq"
    dump.write_text('<https://example.org/s> <https://example.org/p> "o" <https://example.org/g> .\n')
    runner = CliRunner()
    assert runner.invoke(main, ["restore", "--store", str(store), str(dump)]).exit_code == 0
    r = runner.invoke(main, ["restore", "--store", str(store), str(dump)])
    assert r.exit_code == 1
    assert "is not empty; use --replace to empty it first" in r.stderr
