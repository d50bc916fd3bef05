"""What the benchmarks share: each runs its measurements in a child process per database, on a
database of its own (a fresh SQLite file under ``var/<folder>``, or a PostgreSQL database created
afresh), with production settings (``DEBUG`` off)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["sqlite", "postgresql", "both"]


def postgres_reachable(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def run_children(
    *,
    script: str,
    backend: str,
    folder: str,
    pg_url: str,
    child_args: list[str],
    label=True,
    keep=False,
) -> None:
    """Run ``script --child child_args`` once per backend of ``backend`` ("both" = each).

    ``keep``: the database is not made afresh (the PostgreSQL one is created when missing); the
    child finds its kept data, or empties the database itself."""
    backends = ["sqlite", "postgresql"] if backend == "both" else [backend]
    for name in backends:
        env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "bench", "ALLOWED_HOSTS": "*"}
        # Production settings, measured through Django's test client over plain HTTP: no redirect
        # to HTTPS (the TLS in front of the servers is not what is measured).
        env["SECURE_SSL_REDIRECT"] = "0"
        bench_dir = ROOT / "var" / folder
        bench_dir.mkdir(parents=True, exist_ok=True)
        env["GONGKAI_VAR_DIR"] = str(bench_dir)
        env.pop("DATABASE_URL", None)
        if name == "sqlite":
            for leftover in [] if keep else bench_dir.glob("gongkai.sqlite3*"):
                leftover.unlink()
        else:
            if not postgres_reachable():
                print("# postgresql: skipped (no server on 127.0.0.1:5432)")
                continue
            db = pg_url.rsplit("/", 1)[1]
            admin = pg_url.rsplit("/", 1)[0] + "/postgres"
            if not keep:
                subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True)
            exists = subprocess.run(
                ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],
                check=True,
                capture_output=True,
                text=True,
            )
            if exists.stdout.strip() != "1":
                subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {db}"], check=True)
            env["DATABASE_URL"] = pg_url
        if label:
            print(f"# {name}", flush=True)
        command = [sys.executable, script, "--child", *child_args]
        subprocess.run(command, env=env, check=True, cwd=ROOT)
