"""Test-only speed-up for the HermiT runs: each check starts a JVM, and on a busy machine
JIT compilation dominates. ``JDK_JAVA_OPTIONS`` (read by the ``java`` launcher, Java 9+)
limits compilation to the quick tier and uses the serial collector: startup roughly halves
and nothing about the reasoning changes. A value already set by the caller wins."""

from __future__ import annotations

import os

import pytest

_FAST_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@pytest.fixture(scope="session", autouse=True)
def _fast_jvm_start():
    previous = os.environ.get("JDK_JAVA_OPTIONS")
    if previous is None:
        os.environ["JDK_JAVA_OPTIONS"] = _FAST_JVM
    yield
    if previous is None:
        os.environ.pop("JDK_JAVA_OPTIONS", None)
