"""manage.py sweep_leftovers: what a restart left behind — background jobs whose process is gone
(marked cut off, so their officers can submit again; queued again in the ``celery`` mode), queued
jobs nobody took (handed on again: ``workflow.jobs.resend_lost``) and files of case documents
written by a process that died before its commit; and the events that come with time alone
(``workflow.webhooks.sweep_events``). ``run_dispatcher`` runs it (the jobs every
minute); with cron, run it hourly, and ``--jobs-only`` every minute."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from requests_app.case_file import sweep_orphan_files
from workflow import jobs, webhooks


class Command(BaseCommand):
    help = "把进程已不在的后台任务标为已中断；删除没有案件文书引用的遗留文件（写入超过24小时的）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--jobs-only", action="store_true", help="只处理后台任务（每分钟一轮用）"
        )

    def handle(self, *args, jobs_only: bool, **options):
        marked = jobs.sweep()
        handed = jobs.resend_lost()
        removed = 0 if jobs_only else sweep_orphan_files()
        # Events that come with time alone (a publication deadline passing): told once each.
        told = 0 if jobs_only else webhooks.sweep_events()
        if told:
            self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M} 产生{told}条事件通知")
        if marked or handed or removed:
            self.stdout.write(
                f"{timezone.localtime():%Y-%m-%d %H:%M} "
                f"已把{marked}个后台任务标为已中断（或重新排队），"
                f"重新交付{handed}个排队中的任务，删除{removed}个遗留文件"
            )
