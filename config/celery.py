"""The Celery app of Gongkai, for ``GONGKAI_JOBS=celery`` (docs/jobs.md).

Worker: ``celery -A config worker``; the periodic work (one instance only): ``celery -A config
beat``. The settings are Django's ``CELERY_*`` (``config/settings.py``); the tasks are the apps'
``tasks`` modules (``workflow.tasks``, ``requests_app.tasks``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("gongkai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
