"""manage.py run_jobs: run queued background jobs (for ``GONGKAI_JOBS=queue`` deployments)."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from workflow.jobs import run_queued


class Command(BaseCommand):
    help = "运行排队中的后台任务（如启动年度复核）；把长时间无进展的任务标为已中断。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=5, help="间隔秒数（默认5）")
        parser.add_argument("--once", action="store_true", help="只运行一轮（用于测试和脚本）")

    def handle(self, *args, interval: int, once: bool, **options):
        while True:
            ran = run_queued()
            if ran:
                self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} 已运行{ran}个后台任务")
            if once:
                return
            time.sleep(interval)
