"""Project configuration: settings, URLs, the staff site's assembly, the WSGI entry point and the
Celery app (``config.celery``, loaded here so that ``celery -A config`` and the web process share
it).

It sits above the apps (``requests_app``, ``attributes_app``) and the shared engine (``workflow``):
it may import any of them, and none of them imports it.
"""

from config.celery import app as celery_app

__all__ = ("celery_app",)
