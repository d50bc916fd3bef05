"""Backups of a whole installation: the database and the files, in one archive with a manifest.

An archive is a ZIP file:

- ``database/db.sqlite3`` (SQLite, copied with SQLite's online backup API, consistent while the
  site runs) or ``database/db.pgdump`` (PostgreSQL, ``pg_dump -Fc`` in a snapshot);
- ``files/<name>`` for every file of the default storage (letters, uploads, case files), read
  through the storage API, so that a folder and an object store are backed up alike;
- ``manifest.json``, written last: format version, when, the application's version, the applied
  migrations, the database engine, the rows of every table, and each member's size and SHA-256.

Restoring checks everything before it changes anything: the manifest, every member's checksum,
that the backup's migrations are known to this code, and the database copy itself; then it puts
the files and the database in place, each in one step (a folder renamed, a database written in
one transaction), and counts the rows again against the manifest.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "gongkai-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}
FILES_PREFIX = "files/"
CHUNK = 1024 * 1024
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the operator (Chinese)."""


def _quiet(_message: str) -> None:
    pass


# -- facts about the database -------------------------------------------------------------


def engine_kind() -> str:
    """``sqlite`` or ``postgresql``: the engines whose backups this module makes."""
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"不支持备份此类数据库（{vendor}）：仅支持 SQLite 和 PostgreSQL。")
    return vendor


def app_version() -> str:
    try:
        return importlib.metadata.version("gongkai")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _facts(cursor, tables: list[str]) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The applied migrations (by app) and the rows of every table, read through ``cursor``
    (a DB-API cursor on the snapshot being backed up or on the restored database)."""
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    counts = {}
    for table in sorted(tables):
        cursor.execute('SELECT COUNT(*) FROM "{}"'.format(table.replace('"', '""')))
        counts[table] = cursor.fetchone()[0]
    return migrations, counts


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [name for (name,) in rows]


def database_facts() -> tuple[dict[str, list[str]], dict[str, int]]:
    """The applied migrations and row counts of the site's database, as it is now."""
    connection.close()
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        return _facts(cursor, tables)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    """The connection of the default database, for pg_dump / pg_restore (libpq's variables,
    so that no password is on a command line)."""
    s = connection.settings_dict
    env = dict(os.environ)
    values = {
        "PGHOST": s.get("HOST") or "",
        "PGPORT": str(s.get("PORT") or ""),
        "PGUSER": s.get("USER") or "",
        "PGPASSWORD": s.get("PASSWORD") or "",
        "PGDATABASE": s.get("NAME") or "",
    }
    env.update({k: v for k, v in values.items() if v})
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：PostgreSQL 数据库的备份和恢复需要 PostgreSQL 客户端工具"
            f"（Debian/Ubuntu：sudo apt-get install postgresql-client，版本不低于数据库服务器）。"
            f"也可以按 docs/backup.md 中的步骤手工备份。"
        )
    return path


def _run_pg_tool(args: list[str]) -> None:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(f"{Path(args[0]).name} 执行失败（退出码 {result.returncode}）：{detail}")


# -- files of the default storage ------------------------------------------------------------


def storage_names(storage=None) -> Iterator[str]:
    """Every file of the storage, by name, sorted within each folder."""
    storage = storage or _storage()
    if isinstance(storage, FileSystemStorage) and not Path(storage.location).exists():
        return
    yield from _walk(storage, "")


def _walk(storage, folder: str) -> Iterator[str]:
    dirs, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from _walk(storage, f"{folder}/{name}" if folder else name)


def _safe_name(name: str) -> str:
    """A stored name from an archive, refused if it could leave the files' folder."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name or "\x00" in name:
        raise BackupError(f"备份清单中的文件名不安全，拒绝恢复：{name!r}")
    return str(path)


def _copy_hashing(source: IO[bytes], target: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


class _Ticker:
    """Progress every few seconds (and at the end) for long loops."""

    def __init__(self, progress: Progress, label: str, total: int, every: float = 2.0):
        self.progress, self.label, self.total, self.every = progress, label, total, every
        self.last = time.monotonic()

    def tick(self, done: int) -> None:
        now = time.monotonic()
        if done == self.total or now - self.last >= self.every:
            self.last = now
            self.progress(f"  {self.label}：{done}/{self.total}")


# -- backup ----------------------------------------------------------------------------------


def create_backup(*, output: Path, include_files: bool = True, progress: Progress = _quiet):
    """Write a backup archive of the database and the files to ``output``; return its manifest.

    The archive is written under a temporary name and renamed when complete, so that a backup
    cut off half-way never looks like a finished one.
    """
    engine = engine_kind()
    output = Path(output)
    if output.exists():
        raise BackupError(f"文件已存在，不覆盖：{output}")
    if not output.parent.is_dir():
        raise BackupError(f"目录不存在：{output.parent}")
    storage = _storage()
    if isinstance(storage, FileSystemStorage) and output.resolve().is_relative_to(
        Path(storage.location).resolve()
    ):
        raise BackupError(f"备份文件不能放在文件目录（{storage.location}）之中：{output}")
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix=".gongkai-backup-", dir=output.parent) as tmp:
        dump = Path(tmp) / Path(DATABASE_MEMBERS[engine]).name
        progress(f"正在备份数据库（{ENGINE_LABELS[engine]}）…")
        if engine == "sqlite":
            migrations, counts = _sqlite_snapshot(dump)
        else:
            migrations, counts = _pg_snapshot(dump)
        database = {
            "engine": engine,
            "member": DATABASE_MEMBERS[engine],
            "size": dump.stat().st_size,
            "sha256": sha256_of(dump),
            "migrations": migrations,
            # The latest migration of each app in the code that made the backup.
            "heads": sorted(
                f"{app}.{name}"
                for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
            ),
            "tables": counts,
        }
        progress(f"  数据库已备份：{len(counts)} 张表，{sum(counts.values())} 行。")
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.write(dump, database["member"])
                dump.unlink()
                files = _archive_files(archive, progress) if include_files else []
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": timezone.now().isoformat(),
                    "app": {"name": "gongkai", "version": app_version()},
                    "database": database,
                    "files": {
                        "included": include_files,
                        "storage": _storage_label(),
                        "count": len(files),
                        "size": sum(f["size"] for f in files),
                        "entries": files,
                    },
                }
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
            with partial.open("rb") as f:
                os.fsync(f.fileno())
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _storage():
    return storages["default"]


def storage_location() -> str:
    """Where the files are, for the operator: a folder, or the storage's class."""
    storage = _storage()
    if isinstance(storage, FileSystemStorage):
        return str(storage.location)
    bucket = getattr(storage, "bucket_name", None)
    return f"{_storage_label()}" + (f"，存储桶 {bucket}" if bucket else "")


def _storage_label() -> str:
    storage = _storage()
    return f"{type(storage).__module__}.{type(storage).__qualname__}"


def _sqlite_snapshot(dump: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    name = Path(connection.settings_dict["NAME"])
    if not name.is_file():
        raise BackupError(f"数据库文件不存在：{name}")
    source = sqlite3.connect(name, timeout=60)
    target = sqlite3.connect(dump)
    try:
        # In one step: one read transaction, so the copy is the database at one moment even while
        # the site writes (WAL readers do not block writers, nor writers them).
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
        return _facts(target.cursor(), _sqlite_tables(target))
    finally:
        target.close()
        source.close()


def _pg_snapshot(dump: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    pg_dump = _pg_tool("pg_dump")
    connection.close()
    with transaction.atomic(), connection.cursor() as cursor:
        # The counts and the dump read the same snapshot: one exported from this transaction.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = _facts(cursor, connection.introspection.table_names(cursor))
        _run_pg_tool([pg_dump, "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(dump)])
    return facts


def _archive_files(archive: zipfile.ZipFile, progress: Progress) -> list[dict[str, Any]]:
    progress("正在备份文件…")
    names = list(storage_names())
    ticker = _Ticker(progress, "文件", len(names))
    entries = []
    for i, name in enumerate(names, 1):
        info = zipfile.ZipInfo(FILES_PREFIX + name, date_time=time.localtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with (
            _storage().open(name, "rb") as source,
            archive.open(info, "w", force_zip64=True) as target,
        ):
            size, digest = _copy_hashing(source, target)
        entries.append({"name": name, "size": size, "sha256": digest})
        ticker.tick(i)
    total = sum(e["size"] for e in entries)
    progress(f"  文件已备份：{len(entries)} 个，共 {total / 1024 / 1024:.1f} MB。")
    return entries


# -- reading and checking an archive ---------------------------------------------------------


def _corrupted(archive: Path, detail: str) -> BackupError:
    return BackupError(
        f"备份文件已损坏或不是 Gongkai 的备份，拒绝恢复（未做任何更改）：{archive}。{detail}"
    )


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of an archive, checked for its format (not yet the members' checksums)."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"备份文件不存在：{archive}")
    try:
        with zipfile.ZipFile(archive) as zf:
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise _corrupted(archive, "其中没有备份清单（manifest.json）。") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise _corrupted(archive, f"无法读取：{exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _corrupted(archive, "备份清单（manifest.json）无法解析。") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _corrupted(archive, "备份清单的格式不对。")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"备份的格式版本（{version}）比本程序支持的（{FORMAT_VERSION}）新："
            f"请用生成该备份的 Gongkai 版本或更新的版本恢复。"
        )
    database, files = manifest.get("database"), manifest.get("files")
    complete = (
        isinstance(database, dict)
        and {"engine", "member", "size", "sha256", "migrations", "tables"} <= database.keys()
        and isinstance(files, dict)
        and {"included", "count", "entries"} <= files.keys()
        and all(
            isinstance(e, dict) and {"name", "size", "sha256"} <= e.keys() for e in files["entries"]
        )
    )
    if not complete:
        raise _corrupted(archive, "备份清单不完整。")
    return manifest


@dataclass
class MigrationCheck:
    unknown: list[str] = field(default_factory=list)  # in the backup, not in this code
    pending: list[str] = field(default_factory=list)  # in this code, not in the backup


def check_migrations(manifest: dict[str, Any]) -> MigrationCheck:
    """Compare the backup's applied migrations with this code's: a backup of newer code (a
    migration this code does not have) cannot be restored; an older one needs ``migrate``."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    applied = {
        (app, name) for app, names in manifest["database"]["migrations"].items() for name in names
    }
    # Squashed migrations count as applied when everything they replace is.
    for key, migration in loader.disk_migrations.items():
        if migration.replaces and all(tuple(r) in applied for r in migration.replaces):
            applied.add(key)
    result = MigrationCheck()
    result.unknown = sorted(f"{app}.{name}" for app, name in applied - known)
    result.pending = sorted(
        f"{app}.{name}" for app, name in loader.graph.leaf_nodes() if (app, name) not in applied
    )
    return result


def check_restorable(manifest: dict[str, Any]) -> MigrationCheck:
    """Refuse a backup of another engine or of newer code; return the migration check."""
    engine = engine_kind()
    theirs = manifest["database"]["engine"]
    if theirs != engine:
        raise BackupError(
            f"这是 {ENGINE_LABELS.get(theirs, theirs)} 数据库的备份，当前数据库是 "
            f"{ENGINE_LABELS[engine]}：不能直接恢复（未做任何更改）。"
        )
    check = check_migrations(manifest)
    if check.unknown:
        shown = "、".join(check.unknown[:5]) + (" 等" if len(check.unknown) > 5 else "")
        raise BackupError(
            f"备份来自较新版本的 Gongkai（{manifest['app'].get('version', '?')}）："
            f"其数据库含有本程序没有的 {len(check.unknown)} 个迁移（{shown}）。"
            f"请先把程序升级到不低于该版本，再恢复（未做任何更改）。"
        )
    return check


def _extract_checked(zf: zipfile.ZipFile, archive: Path, member: str, entry: dict, target: Path):
    """Extract one member to ``target``, checking its size and SHA-256 against the manifest."""
    try:
        with zf.open(member) as source, target.open("wb") as out:
            size, digest = _copy_hashing(source, out)
    except KeyError:
        raise _corrupted(archive, f"清单中的 {member} 不在备份中。") from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise _corrupted(archive, f"读取 {member} 出错：{exc}") from None
    if size != entry["size"] or digest != entry["sha256"]:
        raise _corrupted(
            archive,
            f"{member} 的校验值与清单不符（清单 SHA-256 {entry['sha256'][:16]}…、"
            f"{entry['size']} 字节；实际 {digest[:16]}…、{size} 字节）。",
        )


def verify_archive(archive: Path, progress: Progress = _quiet) -> dict[str, Any]:
    """Read every member of the archive and check it against the manifest, changing nothing."""
    manifest = read_manifest(archive)
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(archive) as zf:
        _stage(zf, Path(archive), manifest, Path(tmp) / "db", Path(tmp) / "files", progress)
    return manifest


def _stage(zf, archive: Path, manifest, db_target: Path, files_target: Path | None, progress):
    database = manifest["database"]
    progress("正在校验数据库副本…")
    _extract_checked(zf, archive, database["member"], database, db_target)
    if database["engine"] == "sqlite":
        try:
            with sqlite3.connect(db_target) as db:
                result = db.execute("PRAGMA integrity_check").fetchone()[0]
            db.close()
        except sqlite3.DatabaseError as exc:
            result = str(exc)
        if result != "ok":
            raise _corrupted(archive, f"数据库副本未通过完整性检查：{result}")
    entries = manifest["files"]["entries"]
    if files_target is None or not manifest["files"]["included"]:
        return
    progress("正在校验文件…")
    files_target.mkdir(parents=True, exist_ok=True)
    ticker = _Ticker(progress, "文件", len(entries))
    for i, entry in enumerate(entries, 1):
        name = _safe_name(entry["name"])
        path = files_target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _extract_checked(zf, archive, FILES_PREFIX + entry["name"], entry, path)
        ticker.tick(i)


# -- restore ---------------------------------------------------------------------------------


def restore_backup(
    *, archive: Path, include_files: bool = True, progress: Progress = _quiet
) -> MigrationCheck:
    """Replace the database (and the files) with those of the archive.

    Everything is extracted and checked first, beside its destination; then the files' folder is
    swapped by renaming and the database is written in one transaction (SQLite's backup API, or
    ``pg_restore --single-transaction``). A failure before the database is written puts the old
    files back. Returns the migration check (``pending`` migrations need ``manage.py migrate``).
    """
    archive = Path(archive)
    manifest = read_manifest(archive)
    check = check_restorable(manifest)
    engine = manifest["database"]["engine"]
    files_too = include_files and manifest["files"]["included"]
    storage = _storage()
    on_disk = isinstance(storage, FileSystemStorage)
    cleanup: list[Path] = []
    try:
        if engine == "sqlite":
            db_path = Path(connection.settings_dict["NAME"])
            db_path.parent.mkdir(parents=True, exist_ok=True)
            db_stage = Path(tempfile.mkdtemp(prefix=".gongkai-restore-", dir=db_path.parent))
        else:
            db_stage = Path(tempfile.mkdtemp(prefix="gongkai-restore-"))
        cleanup.append(db_stage)
        files_stage = None
        if files_too:
            if on_disk:
                media = Path(storage.location)
                media.parent.mkdir(parents=True, exist_ok=True)
                files_stage = Path(
                    tempfile.mkdtemp(prefix=f".{media.name}.restore-", dir=media.parent)
                )
            else:
                files_stage = Path(tempfile.mkdtemp(prefix="gongkai-restore-files-"))
            cleanup.append(files_stage)
        db_file = db_stage / Path(manifest["database"]["member"]).name
        with zipfile.ZipFile(archive) as zf:
            _stage(zf, archive, manifest, db_file, files_stage, progress)
        progress("校验通过，正在替换数据…")
        connection.close()
        if files_too and on_disk:
            old = _swap_folder(files_stage, Path(storage.location))
            if old is not None:
                cleanup.append(old)
            try:
                _restore_database(engine, db_file)
            except BaseException:
                _swap_back(Path(storage.location), files_stage, old)
                raise
        else:
            _restore_database(engine, db_file)
            if files_too:
                _upload_files(storage, files_stage, manifest["files"]["entries"], progress)
    finally:
        for path in cleanup:
            shutil.rmtree(path, ignore_errors=True)
    progress("正在核对恢复后的数据…")
    _, counts = database_facts()
    expected = manifest["database"]["tables"]
    differ = [t for t, n in expected.items() if counts.get(t) != n]
    if differ:
        raise BackupError(
            "恢复后的行数与备份清单不符："
            + "、".join(f"{t}（清单 {expected[t]}，实际 {counts.get(t)}）" for t in differ[:5])
        )
    return check


def _swap_folder(staged: Path, live: Path) -> Path | None:
    """Put ``staged`` in the place of ``live`` by renaming; return where the old one went."""
    old = None
    # mkdtemp made the staged folder private (0700): it takes the mode of the folder it replaces.
    umask = os.umask(0)
    os.umask(umask)
    staged.chmod(live.stat().st_mode & 0o7777 if live.exists() else 0o777 & ~umask)
    try:
        if live.exists():
            old = live.with_name(f".{live.name}.old-{os.getpid()}-{int(time.time())}")
            live.rename(old)
        staged.rename(live)
    except OSError as exc:
        if old is not None and not live.exists():
            old.rename(live)
        raise BackupError(f"无法替换文件目录 {live}（未做任何更改）：{exc}") from None
    return old


def _swap_back(live: Path, staged: Path, old: Path | None) -> None:
    live.rename(staged)
    if old is not None:
        old.rename(live)


def _restore_database(engine: str, dump: Path) -> None:
    if engine == "sqlite":
        target_path = Path(connection.settings_dict["NAME"])
        if target_path.is_file() and target_path.stat().st_size > 0:
            # Written in one transaction of the live file, so that a running process sees the old
            # database or the new one, never a mix.
            source = sqlite3.connect(dump)
            target = sqlite3.connect(target_path, timeout=60)
            try:
                source.backup(target)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise BackupError(f"无法写入数据库 {target_path}：{exc}") from None
                raise BackupError(
                    f"数据库 {target_path} 正被使用：请先停止网站、定时任务和后台任务，再恢复。"
                ) from None
            except sqlite3.DatabaseError as exc:
                raise BackupError(
                    f"无法写入数据库 {target_path}：{exc}。如数据库文件已损坏，请停止网站，"
                    f"把它移走后再恢复。"
                ) from None
            finally:
                target.close()
                source.close()
        else:
            os.replace(dump, target_path)
    else:
        pg_restore = _pg_tool("pg_restore")
        _run_pg_tool(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                connection.settings_dict["NAME"],
                str(dump),
            ]
        )
    connection.close()


def _upload_files(storage, staged: Path, entries: list[dict], progress: Progress) -> None:
    """Files into a storage other than a folder (an object store): the archive's files written
    one by one, and the storage's files that the archive does not have removed."""
    progress("正在写入文件存储…")
    wanted = {entry["name"] for entry in entries}
    ticker = _Ticker(progress, "文件", len(entries))
    for i, entry in enumerate(entries, 1):
        name = entry["name"]
        if storage.exists(name):
            storage.delete(name)
        with (staged / name).open("rb") as f:
            saved = storage.save(name, File(f, name=name))
        if saved != name:
            raise BackupError(f"文件存储把 {name} 存成了 {saved}，恢复中止。")
        ticker.tick(i)
    for name in list(storage_names(storage)):
        if name not in wanted:
            storage.delete(name)
