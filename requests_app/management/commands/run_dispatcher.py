"""manage.py run_dispatcher: fire due workflow timers every minute, refresh deadlines daily.

For ``make run`` and small installations; production can use cron or systemd instead
(docs/timers.md).
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from requests_app.management.commands.refresh_deadlines import refresh_open_cases


class Command(BaseCommand):
    help = (
        "每分钟触发到期的流程定时器（补正、征求意见、缴费期限），把进程已不在的后台任务标为已中断；"
        "每天重新计算一次期限、删除没有案件文书引用的遗留文件，更新年度报告统计数字，"
        "并删除过期的接口幂等记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60, help="间隔秒数（默认60）")
        parser.add_argument("--once", action="store_true", help="只运行一轮（用于测试和脚本）")

    def handle(self, *args, interval: int, once: bool, **options):
        refreshed_on = None
        while True:
            today = timezone.localdate()
            if refreshed_on != today:
                count = refresh_open_cases()
                self.stdout.write(
                    f"{timezone.localtime():%Y-%m-%d %H:%M} 已按今天更新{count}件申请的期限"
                )
                refreshed_on = today
                # What a restart left: jobs of a gone process, files no case document refers to.
                call_command("sweep_leftovers", stdout=self.stdout)
                # The annual report's counts for the supervisors' overviews.
                call_command("keep_report_tallies", stdout=self.stdout)
                # The API's idempotency keys past their keeping time.
                call_command("forget_idempotency_keys", stdout=self.stdout)
            call_command("workflow_timers", verbosity=0)
            # Background jobs of a web process that is gone (a restart) are marked cut off, so
            # their officers can submit again (workflow.jobs.sweep).
            call_command("sweep_leftovers", "--jobs-only", stdout=self.stdout)
            if once:
                return
            time.sleep(interval)
