"""manage.py forget_idempotency_keys: delete the API's idempotency keys older than
``GONGKAI_API_IDEMPOTENCY_DAYS`` days (daily, from ``run_dispatcher`` or Celery beat)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from workflow.api.idempotency import forget_old_keys


class Command(BaseCommand):
    help = (
        "删除超过保留天数（GONGKAI_API_IDEMPOTENCY_DAYS）的接口幂等记录；"
        "此后用同一 Idempotency-Key 的调用将作为新的调用办理。"
    )

    def handle(self, *args, **options):
        deleted = forget_old_keys()
        self.stdout.write(
            f"已删除{deleted}条超过{settings.GONGKAI_API_IDEMPOTENCY_DAYS}天的接口幂等记录"
        )
