"""The progress of a long load on stderr: phase, rate and time left.

A :class:`ProgressLine` is the :class:`microhe.ingest.progress.Meter` of ``microhe load``:

    load: write   1,200,000 / 3,200,000 triples   41,500 triples/s   about 48 s left

On a terminal it is one line rewritten in place (``\\r``) at most every 0.2 s; when stderr
is not a terminal (a log, CI) it prints a new line at most every ``interval`` seconds
(default 5; the setting ``progress_interval``, ``MICROHE_PROGRESS_INTERVAL``, overrides it,
e.g. ``0`` for every step, and a value it does not allow is refused before the load) and
at each new phase. Nothing is shown for a load that ends within the first interval, and
``--quiet`` silences it altogether. The rate is of the current phase
(bytes/s while parsing, triples/s while writing); the time left is the phase's remaining
work at that rate, shown only when the phase's total is known.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


def _interval(tty: bool, interval: float | None) -> float:
    if interval is not None:
        return interval
    return 0.2 if tty else 5.0


def _amount(n: float, unit: str) -> str:
    if unit == "bytes":
        return f"{n / 1e6:,.1f} MB"
    return f"{n:,.0f} {unit}"


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 90:
        return f"{minutes} min {s:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class ProgressLine:
    """Phase, amount done, rate and time left of a load, on ``stream`` (stderr)."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, label: str = "load",
                 clock=time.monotonic, heartbeat: bool = True, interval: float | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.label = label
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = _interval(self.tty, interval)
        self._clock = clock
        self._begun = clock()
        self._name: str | None = None
        self._total: int | None = None
        self._unit = "triples"
        self._done = 0
        self._start = self._begun
        # the first line comes one interval in: a quick load shows none
        self._shown = self._begun
        self._dirty = False  # a TTY line is on screen
        self._lock = threading.Lock()
        # a phase without steps (validate, index) still gets its line every interval
        self._stop = threading.Event()
        self._beat = (threading.Thread(target=self._heartbeat, name="progress", daemon=True)
                      if heartbeat and not quiet else None)
        if self._beat is not None:
            self._beat.start()

    def _heartbeat(self) -> None:
        while not self._stop.wait(max(self.interval, 0.5)):
            self._show()

    def phase(self, name: str, total: int | None = None, unit: str = "triples") -> None:
        self._name, self._total, self._unit, self._done = name, total, unit, 0
        self._start = self._clock()
        # in a log, a new phase gets its line (once lines are shown at all)
        self._show(force=not self.tty and self._clock() - self._begun >= self.interval)

    def advance(self, n: int) -> None:
        self._done += n
        self._show()

    def text(self) -> str:
        """The current line (without the line ending)."""
        now = self._clock()
        parts = [f"{self.label}: {self._name}"]
        if self._done or self._total:
            parts.append(_amount(self._done, self._unit) + (f" / {_amount(self._total, self._unit)}"
                                                             if self._total else ""))
        elapsed = now - self._start
        if self._done and elapsed > 0:
            rate = self._done / elapsed
            parts.append(f"{_amount(rate, self._unit)}/s")
            if self._total and rate > 0:
                parts.append(f"about {_duration(max(0.0, self._total - self._done) / rate)} left")
        elif not self._total:
            parts.append(f"{_duration(elapsed)} so far")
        return "   ".join(parts)

    def _show(self, force: bool = False) -> None:
        with self._lock:
            if self.quiet or self._name is None or self._stop.is_set():
                return
            now = self._clock()
            if not force and now - self._shown < self.interval:
                return
            self._shown = now
            line = self.text()
            if self.tty:
                self.stream.write("\r\x1b[K" + line)
                self._dirty = True
            else:
                self.stream.write(line + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Stop the heartbeat; end the line on a terminal (the next output starts afresh)."""
        with self._lock:
            self._stop.set()
            if self.tty and self._dirty and not self.quiet:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self._dirty = False


__all__ = ["ProgressLine"]
