"""Real processes of the installation for the multi-process tests: started, watched, stopped.

The tests of this package run the commands an installation runs (``manage.py workflow_timers``,
gunicorn, a Celery worker …) as child processes against the test's own PostgreSQL database,
each with its output in a log file. When a test fails, the logs are printed (``Processes.dump``)
so that what the servers said is in the report.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


NOT_ON_POSTGRESQL = (
    "needs PostgreSQL (DATABASE_URL=postgres://…): processes racing to write exist only there, "
    "SQLite lets one writer in at a time"
)


def database_url() -> str:
    """The URL of the database the test runs on (pytest-django's ``test_…`` database)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = db.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{db['NAME']}"


def redis_url(db: int | None = None) -> str | None:
    """The Redis of the tests (``GONGKAI_TEST_REDIS_URL``, else ``REDIS_URL``, else the local
    one), when it answers; ``db`` picks another database number on the same server."""
    url = os.environ.get("GONGKAI_TEST_REDIS_URL") or os.environ.get(
        "REDIS_URL", "redis://127.0.0.1:6379/0"
    )
    try:
        import redis
    except ImportError:
        return None
    if db is not None:
        base, _, _ = url.rpartition("/")
        url = f"{base}/{db}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except (redis.RedisError, OSError):
        return None
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], T], *, timeout: float, what: str, every: float = 0.2) -> T:
    """Poll ``condition`` until it returns something true; fail naming ``what`` after
    ``timeout`` seconds. Returns what the condition returned."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def child_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a child process: the test's database, its own files, no DEBUG noise."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "GONGKAI_", "DJANGO_")) and key != "DATABASE_URL"
    }
    var = tmp_path / "var"
    var.mkdir(exist_ok=True)
    # The fonts prepared for this checkout (var/fonts): letters render as in production.
    fonts = Path(settings.VAR_DIR) / "fonts"
    if fonts.exists() and not (var / "fonts").exists():
        (var / "fonts").symlink_to(fonts)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url(),
        GONGKAI_VAR_DIR=str(var),
        GONGKAI_MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def tool(name: str) -> str | None:
    """A console script of this virtualenv (gunicorn, celery), or None when not installed."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    return shutil.which(name)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = None
    starts: int = 0

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Processes:
    """The child processes of one test, each with its log under ``logs``."""

    logs: Path
    children: dict[str, Child] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Child:
        child = self.children.get(name) or Child(name, argv, env, self.logs / f"{name}.log")
        self.children[name] = child
        assert not child.alive(), f"{name} is already running"
        self.logs.mkdir(parents=True, exist_ok=True)
        with child.log.open("a") as log:
            log.write(f"\n=== start {child.starts + 1}: {' '.join(argv)}\n")
            log.flush()
            # A session of its own: a signal to the group reaches the server's own workers.
            child.popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        child.starts += 1
        return child

    def restart(self, name: str) -> Child:
        child = self.children[name]
        return self.start(name, child.argv, child.env)

    def wait(self, name: str, *, timeout: float) -> int:
        child = self.children[name]
        assert child.popen is not None
        try:
            return child.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{name} did not finish within {timeout:.0f} s") from None

    def signal(self, name: str, signum: int, *, group: bool = True) -> None:
        child = self.children[name]
        if not child.alive():
            return
        assert child.popen is not None
        try:
            if group:
                os.killpg(child.popen.pid, signum)
            else:
                child.popen.send_signal(signum)
        except ProcessLookupError:
            pass

    def kill(self, name: str) -> None:
        """SIGKILL the process and everything it started, and reap it."""
        self.signal(name, signal.SIGKILL)
        child = self.children[name]
        if child.popen is not None:
            child.popen.wait(timeout=30)

    def stop(self, name: str, *, timeout: float = 20) -> None:
        """SIGTERM, then SIGKILL whatever is left after ``timeout`` seconds."""
        child = self.children[name]
        if child.popen is None or child.popen.poll() is not None:
            self._kill_group(child)
            return
        self.signal(name, signal.SIGTERM)
        try:
            child.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(name, signal.SIGKILL)
            child.popen.wait(timeout=30)
        self._kill_group(child)

    @staticmethod
    def _kill_group(child: Child) -> None:
        # A worker of a server that exited may linger in the group: never leave one behind.
        if child.popen is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.popen.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name in reversed(list(self.children)):
            self.stop(name)

    def dump(self, tail: int = 200) -> str:
        parts = []
        for child in self.children.values():
            lines = child.output().splitlines()[-tail:]
            parts.append(f"----- {child.name} ({child.log}) -----\n" + "\n".join(lines))
        return "\n".join(parts)
