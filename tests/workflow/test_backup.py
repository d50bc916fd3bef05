"""manage.py backup / restore (issue #14 §4): a round trip of the database and the files into an
empty installation and over an existing one, and the refusals of a damaged archive and of one
made by newer code. The commands run in their own processes, as an operator runs them, against
this test run's database (SQLite file, or PostgreSQL with pg_dump / pg_restore)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.test import override_settings

from requests_app.models import CaseDocument, InformationRequest
from requests_app.services import request_accept, request_register
from tests.conftest import _persona, make_agency, walk_in_registration
from workflow import backup as backup_module
from workflow.letters.models import IssuedLetter

ROOT = Path(__file__).resolve().parents[2]
RESTORE_ACTION = "restored_from_backup"


def _manage(*args: str, env: dict[str, str], stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _base_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "GONGKAI_MEDIA_ROOT"}}
    env["GONGKAI_VAR_DIR"] = str(var_dir)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _database_url(name: str) -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    auth = s.get("USER") or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{name}"


class Installation:
    """Where a process of the site finds its database and files."""

    def __init__(self, var_dir: Path, database: str | None, media: Path):
        self.var_dir, self.database, self.media = var_dir, database, media
        var_dir.mkdir(parents=True, exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        env = _base_env(self.var_dir)
        env["GONGKAI_MEDIA_ROOT"] = str(self.media)
        if self.database is not None:
            env["DATABASE_URL"] = _database_url(self.database)
        return env

    def connect(self):
        if connection.vendor == "sqlite":
            return sqlite3.connect(self.database or self.var_dir / "gongkai.sqlite3")
        import psycopg

        s = connection.settings_dict
        return psycopg.connect(
            dbname=self.database,
            host=s.get("HOST") or "127.0.0.1",
            port=s.get("PORT") or 5432,
            user=s.get("USER") or None,
            password=s.get("PASSWORD") or None,
            autocommit=True,
        )


def _state(installation: Installation, tables=None) -> dict:
    """Every table's rows, the case numbers, the letters' numbers and every file's SHA-256."""
    db = installation.connect()
    try:
        cursor = db.cursor()
        counts = {}
        for table in tables or connection.introspection.table_names():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]

        def column(sql):
            cursor.execute(sql)
            return sorted(row[0] for row in cursor.fetchall())

        state = {
            "counts": counts,
            "case_numbers": column(f"SELECT case_number FROM {InformationRequest._meta.db_table}"),
            "letter_numbers": column(f"SELECT number FROM {IssuedLetter._meta.db_table}"),
            "document_files": column(f"SELECT file FROM {CaseDocument._meta.db_table}"),
        }
        cursor.execute("SELECT action FROM workflow_auditevent ORDER BY id DESC LIMIT 1")
        state["last_audit_action"] = cursor.fetchone()[0]
    finally:
        db.close()
    state["files"] = {
        str(p.relative_to(installation.media)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(installation.media.rglob("*"))
        if p.is_file()
    }
    return state


def _assert_restored(restored: dict, original: dict) -> None:
    """The restored installation is the original one, plus the audit event of the restore."""
    expected_counts = dict(original["counts"])
    expected_counts["workflow_auditevent"] += 1
    assert restored["counts"] == expected_counts
    assert restored["last_audit_action"] == RESTORE_ACTION
    for key in ("case_numbers", "letter_numbers", "document_files", "files"):
        assert restored[key] == original[key], key


# The tests that use ``backup`` say so, for pytest-django to set the test database up and to
# run them after the tests that rely on a database as the migrations left it.
COMMITTED = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def backup(django_db_setup, django_db_blocker, tmp_path_factory) -> tuple[Path, dict]:
    """A backup of this test run's database with a few cases and their letters (PDF and DOCX
    files), made once for the module, and the state it was made of. Only for transactional
    tests (``COMMITTED``): their teardown empties the database again."""
    if connection.vendor != "sqlite" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not on PATH: the PostgreSQL backup is not tested")
    assert "test" in Path(connection.settings_dict["NAME"]).name, "not a test database"
    tmp = tmp_path_factory.mktemp("backup")
    source = Installation(tmp / "source-var", connection.settings_dict["NAME"], tmp / "media")
    received = date(2026, 3, 2)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=source.media):
        agency = make_agency()
        registrar = _persona(get_user_model(), "registrar", agency, "registrar")
        handler = _persona(get_user_model(), "handler", agency, "handler")
        for i, name in enumerate(["张明华", "李秀英", "王建国"]):
            case = request_register(
                actor=registrar,
                agency=agency,
                data=walk_in_registration(
                    applicant_name=name, description=f"第{i + 1}项申请的政府信息"
                ),
                today=received,
            )
            if i:
                request_accept(actor=handler, case_id=case.pk, today=received)
        original = _state(source)
        assert len(original["case_numbers"]) == 3
        assert original["letter_numbers"] and original["files"]
        path = tmp / "backup.zip"
        result = _manage("backup", "--output", str(path), env=source.env)
        assert result.returncode == 0, result.stderr
        assert "备份完成" in result.stdout
    return path, original


def _maintenance_db():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        autocommit=True,
    )


@pytest.fixture
def restored_database(backup):
    """The database of a second installation: a file that does not exist yet (SQLite), or a
    fresh empty PostgreSQL database, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield None
        return
    if not shutil.which("pg_restore"):
        pytest.skip("pg_restore is not on PATH: the PostgreSQL restore is not tested")
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    with _maintenance_db() as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    yield name
    with _maintenance_db() as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def archive(backup) -> Path:
    return backup[0]


@COMMITTED
def test_a_backup_restores_into_an_empty_installation_and_over_an_existing_one(
    tmp_path, backup, restored_database
):
    archive, original = backup
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    assert manifest["format_version"] == 1
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["database"]["tables"] == original["counts"]
    assert {e["name"]: e["sha256"] for e in manifest["files"]["entries"]} == original["files"]
    assert "requests_app" in manifest["database"]["migrations"]

    # An empty installation: no database file (or an empty database), no files.
    target = Installation(tmp_path / "target-var", restored_database, tmp_path / "target-media")
    result = _manage("restore", str(archive), "--yes", env=target.env)
    assert result.returncode == 0, result.stderr
    assert "恢复完成" in result.stdout
    _assert_restored(_state(target, original["counts"]), original)

    # An existing installation that went on: a row gone, a file changed, a file added. The
    # restore puts the backup's state back, and leaves nothing of the attempt behind.
    db = target.connect()
    db.cursor().execute(f"DELETE FROM {IssuedLetter._meta.db_table} WHERE number <> ''")
    db.commit()
    db.close()
    a_file = next(p for p in sorted(target.media.rglob("*")) if p.is_file())
    a_file.write_bytes(b"changed")
    (target.media / "stray.txt").write_text("after the backup")
    result = _manage("restore", str(archive), "--no-input", env=target.env)
    assert result.returncode == 0, result.stderr
    _assert_restored(_state(target, original["counts"]), original)
    leftovers = [p.name for p in target.media.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


@COMMITTED
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the confirmation is alike on every database"
)
def test_restore_asks_for_confirmation(tmp_path, archive):
    target = Installation(tmp_path / "target-var", None, tmp_path / "target-media")
    result = _manage("restore", str(archive), env=target.env, stdin="no\n")
    assert result.returncode != 0
    assert "确定要恢复吗" in result.stdout and "已取消，未做任何更改" in result.stderr
    assert not (target.var_dir / "gongkai.sqlite3").exists() and not target.media.exists()


def _rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of the archive with ``change(name, data) -> data`` applied to every member."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, change(info.filename, src.read(info.filename)))
    return out


def _refused(archive: Path, target: Installation) -> str:
    result = _manage("restore", str(archive), "--yes", env=target.env)
    assert result.returncode != 0, result.stdout
    if connection.vendor == "sqlite":
        assert not (target.var_dir / "gongkai.sqlite3").exists()
    else:
        db = target.connect()
        tables = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone()[0] == 0
        db.close()
    assert not target.media.exists()
    assert [p.name for p in target.media.parent.iterdir() if p.name.startswith(".")] == []
    return result.stderr


@COMMITTED
def test_a_damaged_archive_is_refused_and_nothing_is_changed(tmp_path, archive, restored_database):
    target = Installation(tmp_path / "target-var", restored_database, tmp_path / "target-media")
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    damaged_file = "files/" + manifest["files"]["entries"][-1]["name"]

    def flip_a_byte(name, data):
        if name != damaged_file:
            return data
        return data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]

    message = _refused(_rewrite(archive, tmp_path / "damaged.zip", flip_a_byte), target)
    assert "备份文件已损坏" in message and "校验值与清单不符" in message
    assert damaged_file in message

    check = _manage("restore", "--check", str(tmp_path / "damaged.zip"), env=target.env)
    assert check.returncode != 0 and "校验值与清单不符" in check.stderr

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "备份文件已损坏" in _refused(truncated, target)


@COMMITTED
def test_a_backup_of_newer_code_is_refused(tmp_path, archive, restored_database):
    target = Installation(tmp_path / "target-var", restored_database, tmp_path / "target-media")

    def from_the_future(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["app"]["version"] = "9.0.0"
        manifest["database"]["migrations"]["requests_app"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    message = _refused(_rewrite(archive, tmp_path / "newer.zip", from_the_future), target)
    assert "备份来自较新版本的 Gongkai（9.0.0）" in message
    assert "requests_app.9999_from_the_future" in message and "请先把程序升级" in message


STORED = {
    "cases/2026/03/2026-1-receipt.pdf": b"%PDF-1.7 receipt",
    "cases/2026/03/upload.png": b"\x89PNG a scan",
    "documents/2026/01/notice.docx": b"PK docx",
}


def test_files_in_an_object_store_are_backed_up_and_restored_through_the_storage_api(tmp_path):
    """Any storage (here Django's in-memory one, standing for a bucket) is read and written
    through listdir/open/save, and after a restore holds exactly the archive's files."""
    in_memory = {"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    with override_settings(STORAGES=in_memory):
        storage = storages["default"]
        for name, data in STORED.items():
            storage.save(name, ContentFile(data))
        with zipfile.ZipFile(tmp_path / "files.zip", "w") as zf:
            entries = backup_module._archive_files(zf, progress=lambda _m: None)
        assert {e["name"]: e["sha256"] for e in entries} == {
            name: hashlib.sha256(data).hexdigest() for name, data in STORED.items()
        }

        storage.delete("cases/2026/03/upload.png")
        storage.delete("cases/2026/03/2026-1-receipt.pdf")
        storage.save("cases/2026/03/2026-1-receipt.pdf", ContentFile(b"changed"))
        storage.save("stray/after-the-backup.txt", ContentFile(b"new"))
        staged = tmp_path / "staged"
        with zipfile.ZipFile(tmp_path / "files.zip") as zf:
            zf.extractall(staged)
        backup_module._upload_files(storage, staged / "files", entries, progress=lambda _m: None)
        restored = {name: storage.open(name).read() for name in backup_module.storage_names()}
        assert restored == STORED


def test_a_manifest_naming_a_file_outside_the_files_folder_is_refused(tmp_path):
    path = tmp_path / "evil.zip"
    manifest = {
        "format": "gongkai-backup",
        "format_version": 1,
        "created_at": "2026-12-03T00:00:00+00:00",
        "app": {"version": "0.1.0"},
        "database": {
            "engine": "sqlite",
            "member": "database/db.sqlite3",
            "size": 0,
            "sha256": hashlib.sha256(b"").hexdigest(),
            "migrations": {},
            "tables": {},
        },
        "files": {
            "included": True,
            "count": 1,
            "entries": [{"name": "../../etc/cron.d/x", "size": 1, "sha256": "0" * 64}],
        },
    }
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("database/db.sqlite3", b"")
        zf.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(backup_module.BackupError, match="文件名不安全"):
        backup_module.verify_archive(path)


def test_a_sqlite_backup_taken_while_the_site_writes_is_the_database_at_one_moment(tmp_path):
    """The online backup API copies in one read transaction: a writer committing two rows at a
    time all along never leaves half a transaction in the copy."""
    database = tmp_path / "busy.sqlite3"
    setup = sqlite3.connect(database)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE pairs (id INTEGER PRIMARY KEY, txn INTEGER NOT NULL)")
    setup.close()
    stop = threading.Event()
    written = []

    def write_pairs():
        db = sqlite3.connect(database, timeout=20, isolation_level=None)
        txn = 0
        deadline = time.monotonic() + 120
        while not stop.is_set() and time.monotonic() < deadline:
            txn += 1
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO pairs (txn) VALUES (?)", [(txn,), (txn,)])
            db.execute("COMMIT")
            written.append(txn)
        db.close()

    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while len(written) < 100 and time.monotonic() < deadline and writer.is_alive():
            time.sleep(0.01)
        assert len(written) >= 100
        env = _base_env(tmp_path / "var")
        env["DATABASE_URL"] = f"sqlite:///{database}"
        env["GONGKAI_MEDIA_ROOT"] = str(tmp_path / "media")
        result = _manage("backup", "--output", str(tmp_path / "busy.zip"), env=env)
        during = len(written)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(zipfile.ZipFile(tmp_path / "busy.zip").read("manifest.json"))
    rows = manifest["database"]["tables"]["pairs"]
    assert rows % 2 == 0 and 200 <= rows <= 2 * during
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(zipfile.ZipFile(tmp_path / "busy.zip").read("database/db.sqlite3"))
    db = sqlite3.connect(copy)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    halves = db.execute("SELECT COUNT(*) FROM pairs GROUP BY txn HAVING COUNT(*) <> 2").fetchall()
    assert halves == []
    assert db.execute("SELECT MAX(txn) FROM pairs").fetchone()[0] == rows // 2
    db.close()


def test_the_demo_is_backed_up_wiped_and_restored_whole(tmp_path, settings):
    """The demo installation (``manage.py setup_demo``: both apps, every stage, letters, uploads,
    the annual report), backed up, wiped and restored, as an operator does: the same rows in
    every table, the same case and letter numbers, the same files byte for byte."""
    site = Installation(tmp_path / "var", None, tmp_path / "var" / "media")
    fonts = Path(settings.VAR_DIR) / "fonts"
    if fonts.is_dir():  # the letters' fonts, extracted once by `make` (prepare_letter_fonts)
        (site.var_dir / "fonts").symlink_to(fonts, target_is_directory=True)
    for command in (("migrate", "--no-input", "--verbosity", "0"), ("setup_demo",)):
        result = _manage(*command, env=site.env)
        assert result.returncode == 0, result.stderr
    database = site.var_dir / "gongkai.sqlite3"
    site.database = str(database)
    tables = [
        name
        for (name,) in sqlite3.connect(database).execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'requests_app_search%'"
        )
    ]
    original = _state(site, tables)
    assert len(original["case_numbers"]) > 40 and original["letter_numbers"]
    assert len(original["files"]) > 50
    archive = tmp_path / "demo-backup.zip"
    result = _manage("backup", "--output", str(archive), env=site.env)
    assert result.returncode == 0, result.stderr

    # The machine is lost: no database, no files.
    for leftover in site.var_dir.glob("gongkai.sqlite3*"):
        leftover.unlink()
    shutil.rmtree(site.media)
    result = _manage("restore", str(archive), "--yes", env=site.env)
    assert result.returncode == 0, result.stderr
    _assert_restored(_state(site, tables), original)
