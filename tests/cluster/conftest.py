"""Fixtures of the multi-process tests: the child processes, and their logs when a test fails."""

from __future__ import annotations

import signal
import threading

import pytest

from tests.cluster.harness import Processes


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def processes(request, tmp_path):
    """Start child processes with ``processes.start(name, argv, env)``; all are stopped after the
    test, and their logs printed when it failed."""
    children = Processes(tmp_path / "logs")
    # A run stopped from outside (CI's timeout sends SIGTERM) still stops the servers it started:
    # SIGTERM unwinds the test like Ctrl-C, and this fixture's teardown runs.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
    try:
        yield children
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        children.stop_all()
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        print(children.dump())


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")
