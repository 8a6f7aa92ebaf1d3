"""``microhe load`` shows its progress on stderr (issue 26 item 4): phase, rate, time left;
``--quiet`` silences it. A small file is made "large" (MICROHE_STREAM_BYTES=1, so it is
loaded in chunks) and the reporting interval is forced to 0 (MICROHE_PROGRESS_INTERVAL)."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.cli.progress import ProgressLine
from microhe.devtools.synth import generate


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "small.nt"
    generate(path, credentials=40, seed=2)
    return path


def _load(tmp_path, small, *extra, interval="0"):
    env = {"MICROHE_STREAM_BYTES": "1", "MICROHE_PROGRESS_INTERVAL": interval}
    result = CliRunner().invoke(main, ["load", "--store", str(tmp_path / "store"), *extra, str(small)], env=env)
    assert result.exit_code == 0, result.output
    return result.stderr


@pytest.mark.parametrize("bulk", [False, True])
def test_a_load_shows_each_phase_with_its_rate_and_the_time_left(tmp_path, small, bulk):
    err = _load(tmp_path, small, *(["--bulk"] if bulk else []))
    lines = [line for line in err.splitlines() if line.startswith("load: ")]
    phases = list(dict.fromkeys(line.split()[1] for line in lines))
    # derive runs on what was written, inside the write (which then goes on)
    assert phases == ["parse", "validate", "write", "derive", *(["index"] if bulk else [])]
    assert [line.split()[1] for line in lines].count("write") >= 2
    assert re.search(r"load: derive +40 specifications / 40 specifications", err), err
    # the write phase counts triples against the file's total, with a rate and an estimate
    last_write = [line for line in lines if line.startswith("load: write")][-1]
    total = sum(1 for line in small.read_text().splitlines() if line.strip())
    assert re.search(rf"{total:,} triples / {total:,} triples +[\d,]+ triples/s +about \d+ s left", last_write), \
        last_write
    assert re.search(r"load: parse .* MB / .* MB/s", err)


def test_quiet_silences_the_progress_and_keeps_the_summary(tmp_path, small):
    err = _load(tmp_path, small, "--quiet")
    assert "load: " not in err
    assert "loaded" in err and "triples/s" in err  # the summary lines stay


def test_nothing_is_shown_for_a_load_shorter_than_the_interval(tmp_path, small):
    assert "load: " not in _load(tmp_path, small, interval="3600")


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_rate_and_time_left_are_those_of_the_current_phase():
    out, clock = io.StringIO(), Clock()
    line = ProgressLine(out, clock=clock, heartbeat=False)
    line.interval = 0.0
    line.phase("parse", total=4_000_000, unit="bytes")
    clock.now += 10
    line.advance(1_000_000)  # 1 MB in 10 s: 0.1 MB/s, 3 MB left: 30 s
    assert line.text() == "load: parse   1.0 MB / 4.0 MB   0.1 MB/s   about 30 s left"
    line.phase("write", total=3_000)
    clock.now += 2
    line.advance(500)  # 250 triples/s, 2,500 left: 10 s
    assert line.text() == "load: write   500 triples / 3,000 triples   250 triples/s   about 10 s left"
    line.phase("validate")
    clock.now += 125
    assert line.text() == "load: validate   2 min 05 s so far"
    assert out.getvalue().splitlines()[-1].startswith("load: validate")  # not a terminal: one line each


def test_a_terminal_gets_one_line_rewritten_in_place():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    out, clock = Tty(), Clock()
    line = ProgressLine(out, clock=clock, heartbeat=False)
    line.phase("write", total=10)
    for _ in range(10):
        clock.now += 1
        line.advance(1)
    line.close()
    text = out.getvalue()
    assert "\n" not in text and text.count("\r") >= 10 and text.endswith("\r\x1b[K")
