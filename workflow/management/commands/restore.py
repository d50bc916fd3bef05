"""manage.py restore: the database and the files from an archive of manage.py backup, checked
before anything is replaced."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from workflow.audit import audit
from workflow.backup import (
    ENGINE_LABELS,
    BackupError,
    check_restorable,
    read_manifest,
    restore_backup,
    storage_location,
    verify_archive,
)


class Command(BaseCommand):
    help = (
        "从 manage.py backup 生成的备份文件恢复数据库和文件。先核对全部校验值、数据库完整性和"
        "程序版本（不恢复较新版本程序的备份），校验不通过则不做任何更改；通过后替换当前数据库和"
        "文件中的全部数据。恢复前请停止网站和后台任务。详见 docs/backup.md。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.zip）")
        parser.add_argument(
            "--yes",
            "--no-input",
            "--noinput",
            action="store_true",
            dest="yes",
            help="不询问确认，直接恢复（用于脚本）",
        )
        parser.add_argument(
            "--no-files",
            action="store_true",
            help="只恢复数据库，不动当前的文件",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="只校验备份文件（清单、校验值、数据库完整性、版本），不做任何更改",
        )

    def handle(self, *args, archive: str, yes: bool, no_files: bool, check: bool, **options):
        try:
            manifest = read_manifest(archive)
            self._describe(manifest)
            if check:
                check_restorable(manifest)
                verify_archive(archive, progress=self.stdout.write)
                self.stdout.write(self.style.SUCCESS("校验通过：备份完整，可以恢复到本程序。"))
                return
            check_restorable(manifest)
            if not yes:
                self._confirm(manifest, no_files)
            result = restore_backup(
                archive=archive, include_files=not no_files, progress=self.stdout.write
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        audit(
            actor=None,
            action="restored_from_backup",
            object_type="backup",
            object_id=manifest["created_at"],
            object_repr=f"备份（{manifest['created_at']}）",
            to_state="已从备份恢复",
            reason="manage.py restore",
            data={
                "created_at": manifest["created_at"],
                "app_version": manifest["app"].get("version"),
                "database_sha256": manifest["database"]["sha256"],
                "files": manifest["files"]["count"] if not no_files else None,
            },
        )
        self.stdout.write(self.style.SUCCESS("恢复完成：数据库各表行数与备份清单一致。"))
        if no_files or not manifest["files"]["included"]:
            self.stdout.write("  文件未恢复（备份中没有文件，或使用了 --no-files）。")
        if result.pending:
            self.stdout.write(
                self.style.WARNING(
                    f"备份来自较旧版本的程序：还有 {len(result.pending)} 个数据库迁移未执行，"
                    "请运行 python manage.py migrate 后再启动网站。"
                )
            )

    def _describe(self, manifest) -> None:
        database, files = manifest["database"], manifest["files"]
        rows = sum(database["tables"].values())
        self.stdout.write(f"备份时间：{manifest['created_at']}")
        self.stdout.write(f"程序版本：{manifest['app'].get('version', '?')}")
        engine = ENGINE_LABELS.get(database["engine"], database["engine"])
        self.stdout.write(f"数据库：{engine}，{len(database['tables'])} 张表，{rows} 行")
        if files["included"]:
            size_mb = files["size"] / 1024 / 1024
            self.stdout.write(f"文件：{files['count']} 个，共 {size_mb:.1f} MB")
        else:
            self.stdout.write("文件：未包含")

    def _confirm(self, manifest, no_files: bool) -> None:
        target = connection.settings_dict["NAME"]
        self.stdout.write(self.style.WARNING(f"恢复将用备份替换当前数据库（{target}）中的全部数据"))
        if manifest["files"]["included"] and not no_files:
            self.stdout.write(
                self.style.WARNING(f"以及文件存储（{storage_location()}）中的全部文件。")
            )
        self.stdout.write("恢复前请先停止网站和后台任务。")
        try:
            answer = input("确定要恢复吗？输入 yes 继续：")
        except EOFError:
            raise CommandError("需要确认：在非交互环境中请加 --yes。未做任何更改。") from None
        if answer.strip().lower() != "yes":
            raise CommandError("已取消，未做任何更改。")
