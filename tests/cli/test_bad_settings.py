"""A ``MICROHE_*`` variable with a value its setting does not allow stops the command before
it does anything: one line on stderr naming the variable, the value and what is allowed,
exit 2, no traceback, nothing stored; ``microhe serve`` refuses to start the same way.

Real subprocesses of the ``microhe`` console script (the environment is read at start-up).
What each setting allows is written here from its documentation in ``microhe/settings.py``
and the README (``load_chunk``: quads per chunk, at least 1; ``progress_interval``: seconds,
0 or more; ``query_engine``: processes or threads; ``allow_service``: a switch)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from microhe.errors import InvalidValue
from microhe.settings import SettingsError, get_settings

TURTLE = '<https://example.org/s> <https://example.org/p> "o" .\n'


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")} | env
    command = [sys.executable, "-c", "import sys; from microhe.cli import main; sys.argv[0] = 'microhe'; main()"]
    return subprocess.run([*command, *args], env=full, capture_output=True, text=True, timeout=timeout)


def _assert_refused(result: subprocess.CompletedProcess, variable: str, value: str, allowed: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "pydantic" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines[0]
    assert f"{variable}={value!r}" in lines[0], lines[0]
    assert allowed in lines[0], lines[0]


@pytest.mark.parametrize("variable,value,allowed", [
    ("MICROHE_LOAD_CHUNK", "0", "a whole number > 0"),
    ("MICROHE_LOAD_CHUNK", "many", "a whole number > 0"),
    ("MICROHE_PROGRESS_INTERVAL", "abc", "a number >= 0"),
    ("MICROHE_PROGRESS_INTERVAL", "-1", "a number >= 0"),
])
def test_load_refuses_a_bad_variable_and_stores_nothing(tmp_path, variable, value, allowed):
    data = tmp_path / "one.ttl"
    data.write_text(TURTLE)
    store = tmp_path / "store"
    result = _run(["load", "--store", str(store), str(data)], {variable: value})
    _assert_refused(result, variable, value, allowed)
    assert not store.exists() or not any(store.iterdir())


@pytest.mark.parametrize("variable,value,allowed", [
    ("MICROHE_QUERY_ENGINE", "fast", "one of processes, threads"),
    ("MICROHE_ALLOW_SERVICE", "perhaps", "true or false"),
    ("MICROHE_PROFILES", "council-2022", 'a JSON list such as ["council-2022", "consistency"]'),
])
def test_a_read_command_refuses_a_bad_variable(tmp_path, variable, value, allowed):
    result = _run(["graphs", "--store", str(tmp_path / "store")], {variable: value})
    _assert_refused(result, variable, value, allowed)


def test_serve_refuses_to_start(tmp_path):
    """It exits by itself (a server that started would run until the timeout and fail the test)."""
    store = tmp_path / "store"
    result = _run(["serve", "--port", "0", "--store", str(store)], {"MICROHE_QUERY_WORKERS": "four"}, timeout=120)
    _assert_refused(result, "MICROHE_QUERY_WORKERS", "four", "a whole number")
    assert "listening" not in result.stderr
    assert not store.exists() or not any(store.iterdir())


def test_a_value_given_in_code_is_named_as_given():
    """An override (a CLI option's value) is not blamed on the environment variable."""
    with pytest.raises(SettingsError) as e:
        get_settings(load_chunk=0)
    assert str(e.value).startswith("load_chunk=0 is not allowed") and "MICROHE_" not in str(e.value)
    assert isinstance(e.value, InvalidValue)  # the CLI's exit 2, the API's 422
