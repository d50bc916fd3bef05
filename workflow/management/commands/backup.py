"""manage.py backup: the database and the files in one archive with a checked manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workflow.backup import BackupError, create_backup, sha256_of


class Command(BaseCommand):
    help = (
        "备份数据库和全部文件（文书、上传材料、案卷）到一个 ZIP 备份文件，附带清单"
        "（格式版本、时间、程序版本、数据库迁移、各表行数、每个文件的大小和 SHA-256 校验值）。"
        "SQLite 用在线备份接口复制，网站运行时也能得到一致的副本；PostgreSQL 用 pg_dump"
        "（需安装 PostgreSQL 客户端工具）。恢复用 manage.py restore。详见 docs/backup.md。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            default=".",
            help=(
                "备份文件的路径，或存放备份的已有目录（默认当前目录）；"
                "给目录时文件名为 gongkai-backup-年月日-时分秒.zip。不覆盖已有文件。"
            ),
        )
        parser.add_argument(
            "--no-files",
            action="store_true",
            help="只备份数据库，不备份文件（例如文件在对象存储中，由存储桶的版本控制或同步另行备份）",
        )

    def handle(self, *args, output: str, no_files: bool, **options):
        path = Path(output)
        if path.is_dir():
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = path / f"gongkai-backup-{stamp}.zip"
        try:
            manifest = create_backup(
                output=path, include_files=not no_files, progress=self.stdout.write
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        files = manifest["files"]
        self.stdout.write(self.style.SUCCESS(f"备份完成：{path.resolve()}"))
        size_mb = path.stat().st_size / 1024 / 1024
        self.stdout.write(f"  大小 {size_mb:.1f} MB，SHA-256 {sha256_of(path)}")
        if files["included"]:
            self.stdout.write(f"  含文件 {files['count']} 个")
        else:
            self.stdout.write("  未含文件（--no-files）：文件须另行备份。")
        self.stdout.write("  请把备份文件复制到本机以外的安全位置，并定期用 restore --check 校验。")
