"""Read commands while ``microhe serve`` holds the store (issue #13).

The server holds the RocksDB lock of its store, so a second process can neither open it
for writing nor (safely) read-only. The server writes its loopback address beside the
store (``<store>/microhe-server.json``); a read command that finds the store locked asks
that server instead and must print exactly what it prints without a server. Every
comparison here is byte for byte against the output of the same command on the same
store taken before the server started. Write commands keep refusing, saying what to do.

One server (a real ``microhe serve`` subprocess on 127.0.0.1) serves the module; the
address-file life-cycle tests start their own.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.store.embedded import Store
from tests.ports import listening_ports, refused_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
ADDRESS_FILE = "microhe-server.json"
DEMO = "https://w3id.org/microhe/demo/credential/vmu-academic-writing-english"
FIXTURES = Path(__file__).parents[1] / "fixtures"
ROW_CAP = 100  # the module server's MICROHE_ROW_CAP: above every compared result, below MANY_RQ's

SELECT_RQ = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX elm: <http://data.europa.eu/snb/model/elm/>
SELECT ?s ?title (LANG(?title) AS ?lang) (STRLEN(?title) AS ?n) (1.5 AS ?d) (true AS ?b) ?unbound ?address WHERE {
  ?s dcterms:title ?title . FILTER(STRSTARTS(STR(?s), "https://w3id.org/microhe/demo/"))
  OPTIONAL { ?s <urn:nothing> ?unbound }
  OPTIONAL { ?s elm:address ?address }
} ORDER BY ?s ?title LIMIT 40
"""
MANY_RQ = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} ORDER BY ?s ?p ?o LIMIT {ROW_CAP + 1}\n"
BLANK_RQ = "SELECT ?b ?p ?o WHERE { ?b ?p ?o FILTER(isBlank(?b)) } ORDER BY ?b ?p ?o LIMIT 12\n"
ASK_RQ = "ASK { ?s ?p ?o }\n"
CONSTRUCT_RQ = """PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT { ?s dcterms:title ?t }
WHERE { ?s dcterms:title ?t . FILTER(STRSTARTS(STR(?s), "https://w3id.org/microhe/demo/")) }
ORDER BY ?s ?t LIMIT 10
"""
BAD_RQ = "SELECT ?x WHERE { ?x \n"

#: (id, arguments after the command name's own --store) of every read command compared.
READ_CASES: list[tuple[str, list[str]]] = [
    ("level-text", ["level", "SCQF", "7"]),
    ("level-json", ["level", "SCQF", "7", "--format", "json"]),
    ("level-to", ["level", "EQF", "6", "--to", "FHEQ"]),
    ("level-unknown", ["level", "NOPE", "7"]),
    ("credits-text", ["credits", "10", "UK"]),
    ("credits-json", ["credits", "7.5", "ECTS", "--format", "json"]),
    ("credits-bad", ["credits", "abc", "UK"]),
    ("search-text", ["search"]),
    ("search-json", ["search", "--format", "json"]),
    ("search-filters", ["search", "--eqf", "6", "--mode", "online", "--limit", "3", "--offset", "1"]),
    ("search-text-words", ["search", "--text", "writing", "--format", "json"]),
    ("search-framework", ["search", "--framework", "SCQF", "--level", "9"]),
    ("search-bad-level", ["search", "--framework", "SCQF", "--level", "99"]),
    *[(f"query-named-{fmt}", ["query", "credential-summary", "--param", f"credential={DEMO}", "--format", fmt])
      for fmt in ("table", "csv", "tsv", "json")],
    *[(f"query-stats-{fmt}", ["query", "store-statistics", "--format", fmt]) for fmt in ("table", "json")],
    ("query-levels-param", ["query", "framework-levels", "--param", "framework=scqf", "--format", "csv"]),
    *[(f"query-file-{fmt}", ["query", "{dir}/select.rq", "--format", fmt]) for fmt in ("table", "csv", "tsv", "json")],
    *[(f"query-blank-{fmt}", ["query", "{dir}/blank.rq", "--format", fmt]) for fmt in ("table", "tsv", "json")],
    *[(f"query-ask-{fmt}", ["query", "{dir}/ask.rq", "--format", fmt]) for fmt in ("table", "json")],
    ("query-construct", ["query", "{dir}/construct.rq"]),
    ("query-syntax-error", ["query", "{dir}/bad.rq"]),
    *[(f"graphs-{fmt}", ["graphs", "--format", fmt]) for fmt in ("table", "json", "csv")],
    ("dump-stdout", ["dump", "-"]),
]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def _microhe() -> list[str]:
    script = shutil.which("microhe")
    return [script] if script else [sys.executable, "-c", "from microhe.cli import main; main()"]


def _health(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/health", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


class Server:
    """``microhe serve --store STORE --port 0`` as a subprocess (the OS picks the port), ready
    once its address file names a URL that answers /health; ``port`` is the one it names."""

    def __init__(self, store: Path, log: Path, **settings: str):
        self.store, self.log = store, log
        env = {**_env(), **{f"MICROHE_{k.upper()}": v for k, v in settings.items()}}
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([*_microhe(), "serve", "--store", str(store), "--port", "0"],
                                         stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert self.proc.poll() is None, f"microhe serve exited {self.proc.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no address file answering in {START_TIMEOUT_S} s:\n{log.read_text()}"
            info = self.address()
            if info is not None and _health(info["url"]):
                self.info = info
                self.port = int(info["url"].rsplit(":", 1)[1])
                return
            time.sleep(0.1)

    def address(self) -> dict | None:
        try:
            return json.loads((self.store / ADDRESS_FILE).read_text())
        except (OSError, ValueError):
            return None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)


def run(*args: str, store: Path, queries: Path | None = None):
    """The command in this process (not the server's): exit code, stdout bytes, stderr."""
    argv = [a.replace("{dir}", str(queries)) for a in args]
    r = CliRunner().invoke(main, [*argv, "--store", str(store)], catch_exceptions=False, env={"MICROHE_STORE": None})
    out = r.exit_code, r.stdout_bytes, r.stderr
    del r  # its exc_info (an error's traceback) may still reference the command's store
    gc.collect()  # the store object of the command goes now: its RocksDB lock with it
    return out


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A demo store, every read command's output taken on it without a server, then a
    server on it (stopped at the end of the module)."""
    root = tmp_path_factory.mktemp("while-serving")
    store, queries = root / "store", root / "queries"
    queries.mkdir()
    files = {"select": SELECT_RQ, "blank": BLANK_RQ, "ask": ASK_RQ, "construct": CONSTRUCT_RQ, "bad": BAD_RQ}
    for name, text in files.items():
        (queries / f"{name}.rq").write_text(text)
    code, _, err = run("init", "--demo", store=store)
    assert code == 0, err
    before = {case: run(*args, store=store, queries=queries) for case, args in READ_CASES}
    before_dump = root / "before.nq"
    assert run("dump", str(before_dump), store=store)[0] == 0
    server = Server(store, root / "serve.log", row_cap=str(ROW_CAP))
    try:
        yield {"store": store, "queries": queries, "root": root, "before": before, "before_dump": before_dump,
               "server": server}
    finally:
        server.stop()


# -- the address file -------------------------------------------------------------------


def test_the_server_writes_its_loopback_address_beside_the_store_readable_by_its_user_only(served):
    server, store = served["server"], served["store"]
    path = store / ADDRESS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    info = json.loads(path.read_text())
    assert info["url"] == f"http://127.0.0.1:{server.port}"
    assert server.port in listening_ports(server.proc.pid)  # the port it is bound to, not the 0 it was given
    assert info["pid"] == server.proc.pid
    assert isinstance(info["started"], str) and info["started"]


@pytest.mark.parametrize("host, port, url", [
    ("0.0.0.0", 8000, "http://127.0.0.1:8000"),
    ("::", 8000, "http://[::1]:8000"),
    ("127.0.0.1", 9, "http://127.0.0.1:9"),
    ("127.0.0.2", 80, "http://127.0.0.2:80"),
    ("::1", 8443, "http://[::1]:8443"),
    ("::ffff:0.0.0.0", 8000, "http://127.0.0.1:8000"),
])
def test_the_address_is_a_loopback_url_even_when_the_server_binds_every_interface(host, port, url):
    from microhe.store.served import loopback_url

    assert loopback_url(host, port) == url


# -- read commands ------------------------------------------------------------------------


@pytest.mark.parametrize("case", [c for c, _ in READ_CASES])
def test_a_read_command_while_serving_prints_what_it_prints_without_the_server(served, case):
    args = dict(READ_CASES)[case]
    code0, out0, err0 = served["before"][case]
    code, out, err = run(*args, store=served["store"], queries=served["queries"])
    assert "in use by another process" not in err, err
    assert f"asking it at {served['server'].info['url']}" in err, err  # answered by the server, not the store
    assert code == code0, f"exit {code}, without the server {code0}\n{err}"
    assert out == out0, f"stdout differs from the run without the server\n{err}"
    assert _error_lines(err) == _error_lines(err0)


def test_dump_to_a_file_while_serving_writes_the_same_file(served):
    target = served["root"] / "during.nq"
    code, _, err = run("dump", str(target), store=served["store"])
    assert code == 0, err
    assert "asking it at" in err, err
    assert target.read_bytes() == served["before_dump"].read_bytes()
    assert err.strip().endswith(f"dumped {len(target.read_bytes().splitlines())} quads")


def test_a_result_the_server_cut_at_its_row_cap_is_refused_never_printed_as_complete(served):
    (served["queries"] / "many.rq").write_text(MANY_RQ)
    code, out, err = run("query", "{dir}/many.rq", "--format", "csv", store=served["store"], queries=served["queries"])
    assert code == 2 and out == b"", err
    assert f"row cap of {ROW_CAP} rows" in err, err


def test_a_query_file_with_parameters_is_refused_while_serving_not_run_differently(served):
    rq = served["queries"] / "param.rq"
    rq.write_text("#+ summary: one label\n#+ param: s iri (required) the subject\n"
                  "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }\n")
    code, out, err = run("query", str(rq), "--param", f"s={DEMO}", store=served["store"])
    assert code == 2 and out == b""
    assert "microhe serve" in err and "stop" in err, err


# -- write commands -----------------------------------------------------------------------


@pytest.mark.parametrize("args, route", [
    (["load", str(FIXTURES / "spec-valid.ttl")], "/rdf-graphs"),
    (["drop", "https://w3id.org/microhe/demo/graph/skills"], "DELETE /rdf-graphs"),
    (["init"], None),
    (["restore", "--replace", "{before}"], None),
    (["decision", "record", "--credential", DEMO, "--institution", "https://example.org/uni",
      "--purpose", "access", "--outcome", "recognise"], "/api/recognition/decisions"),
])
def test_a_write_command_while_serving_refuses_and_says_what_to_do(served, args, route):
    argv = [a.replace("{before}", str(served["before_dump"])) for a in args]
    code, out, err = run(*argv, store=served["store"])
    assert code == 2, err
    assert out == b""
    server = served["server"]
    assert f"pid {server.proc.pid}" in err and server.info["url"] in err, err
    assert "stop the server" in err, err
    if route is not None:
        assert route in err and "microhe token add" in err, err
    # nothing was written: the server still serves the store as it was
    code, out, _ = run("dump", "-", store=served["store"])
    assert code == 0 and out == served["before_dump"].read_bytes()


def test_tokens_are_managed_while_serving_they_need_no_store_lock(served):
    code, out, err = run("token", "add", "while-serving", store=served["store"])
    assert code == 0, err
    token = out.decode().strip()

    def delete_missing_graph(bearer: str) -> int:  # a write route that changes nothing (404)
        req = urllib.request.Request(served["server"].info["url"] + "/rdf-graphs?graph=urn:while-serving:none",
                                     method="DELETE", headers={"Authorization": f"Bearer {bearer}"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as e:
            e.read()
            return e.code

    assert delete_missing_graph("not-a-token") == 403
    assert delete_missing_graph(token) == 404  # the running server accepts the new token at once


# -- no server, or a dead one --------------------------------------------------------------


def test_a_store_locked_by_another_process_with_no_server_answering_is_still_refused(tmp_path):
    store = tmp_path / "store"
    assert run("init", store=store)[0] == 0
    # an address file that names a live pid (this process) and a port nothing listens on
    holder = Store(store)  # holds the lock, as a long `microhe load` would
    try:
        with refused_port() as port:
            (store / ADDRESS_FILE).write_text(json.dumps({"url": f"http://127.0.0.1:{port}", "pid": os.getpid(),
                                                          "started": "2020-01-01T00:00:00Z"}))
            code, out, err = run("level", "SCQF", "7", store=store)
    finally:
        holder.close()
        del holder
        gc.collect()
    assert code == 2 and out == b""
    assert "in use by another process" in err, err


def test_after_kill_9_the_stale_address_file_is_ignored_and_the_store_opened(tmp_path):
    store = tmp_path / "store"
    assert run("init", "--demo", store=store)[0] == 0
    expected = run("level", "SCQF", "7", "--format", "json", store=store)
    server = Server(store, tmp_path / "serve.log")
    server.stop(signal.SIGKILL)
    assert (store / ADDRESS_FILE).exists()  # nothing removed it: the process was killed
    code, out, err = run("level", "SCQF", "7", "--format", "json", store=store)
    assert (code, out) == expected[:2], err
    assert "serve" not in err and "in use" not in err, err
    assert not (store / ADDRESS_FILE).exists()  # the stale file is gone


def test_a_clean_shutdown_removes_the_address_file(tmp_path):
    store = tmp_path / "store"
    assert run("init", store=store)[0] == 0
    server = Server(store, tmp_path / "serve.log")
    assert (store / ADDRESS_FILE).exists()
    server.stop(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert server.proc.returncode in (0, -signal.SIGTERM), server.log.read_text()
    assert "Traceback" not in server.log.read_text()
    assert not (store / ADDRESS_FILE).exists()
