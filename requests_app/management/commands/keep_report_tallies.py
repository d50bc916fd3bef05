"""manage.py keep_report_tallies: count and keep every agency's annual-report tallies that no
longer hold (``annual_report.tally_store``), so that a supervising government's overview reads
kept rows. Run nightly (the dispatcher does it after the deadline refresh; Celery beat too)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from requests_app.annual_report.tally_store import keep_all


class Command(BaseCommand):
    help = "重新统计并保存各机关年度报告统计数字中已经过时的部分（供上级政府的年度报告总览使用）。"

    def handle(self, *args, **options):
        count = keep_all(timezone.localdate(), write=self.stdout.write)
        self.stdout.write(f"已核对 {count} 个机关年度的年度报告统计数字")
