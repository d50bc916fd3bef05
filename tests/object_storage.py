"""An S3-compatible object store for the tests: moto's server (``moto[server]``, the test extra)
started once per test session on this machine, and a fresh bucket for each test that asks for
``s3`` (the file storage is then that bucket, as ``GONGKAI_STORAGE=s3`` makes it).

Without moto the tests that need it are skipped, saying why. ``GONGKAI_TEST_S3_PORTS`` (e.g.
``8300-8399``) keeps the server within a range of ports; by default the system picks a free one.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import pytest

from config.settings import file_storage

ACCESS_KEY, SECRET_KEY, REGION = "gongkai-test", "gongkai-test-secret", "us-east-1"
START_TIMEOUT = 60


def _command(port: int) -> list[str] | None:
    if importlib.util.find_spec("moto") and importlib.util.find_spec("flask"):
        return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    binary = shutil.which("moto_server")
    return [binary, "-H", "127.0.0.1", "-p", str(port)] if binary else None


def _free_ports():
    wanted = os.environ.get("GONGKAI_TEST_S3_PORTS", "").strip()
    if wanted:
        ports = list(range(int(wanted.split("-")[0]), int(wanted.split("-")[-1]) + 1))
        # Each xdist worker starts its own server: from its own part of the range, so that two
        # of them do not race for one free port.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
        shift = (int(worker) if worker.isdigit() else 0) * 10 % len(ports)
        candidates = ports[shift:] + ports[:shift]
    else:
        candidates = [0] * 5  # the system picks a free one
    for candidate in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port = probe.getsockname()[1]
        yield port  # closed: the server binds it next


def _wait_until_up(process: subprocess.Popen, url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False  # the port was taken meanwhile, or moto could not start
        with (
            contextlib.suppress(urllib.error.URLError, OSError),
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as response,
        ):
            if response.status == 200:
                return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def moto_endpoint():
    """The URL of a running moto server (S3 API), stopped at the end of the session."""
    if _command(0) is None:
        pytest.skip("moto_server is not installed (pip install 'moto[server]'): no S3 test")
    for port in _free_ports():
        url = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            _command(port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY},
        )
        try:
            if _wait_until_up(process, url):
                yield url
                return
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    pytest.skip("moto_server did not start on any free port: no S3 test")


@dataclass
class Bucket:
    """The bucket the file storage is set to, and a client to look into it."""

    name: str
    endpoint: str
    client: object

    def stored(self) -> set[str]:
        """The keys of every object in the bucket."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {entry["Key"] for page in pages for entry in page.get("Contents", ())}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def environment(endpoint: str, bucket: str, **more: str) -> dict[str, str]:
    """The variables of an installation that keeps its files in ``bucket`` at ``endpoint``."""
    return {
        "GONGKAI_STORAGE": "s3",
        "GONGKAI_S3_BUCKET": bucket,
        "GONGKAI_S3_ENDPOINT_URL": endpoint,
        "GONGKAI_S3_REGION": REGION,
        "GONGKAI_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "GONGKAI_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "GONGKAI_S3_ADDRESSING_STYLE": "path",
        **more,
    }


@pytest.fixture
def s3(settings, moto_endpoint) -> Bucket:
    """A new, empty bucket, and the file storage set to it as ``GONGKAI_STORAGE=s3`` would."""
    import boto3

    name = f"gongkai-{uuid.uuid4().hex[:16]}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": file_storage(environment(moto_endpoint, name)),
    }
    return Bucket(name=name, endpoint=moto_endpoint, client=client)
