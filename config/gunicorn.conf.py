"""Gunicorn settings for Gongkai: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

Every value can be changed from the environment (see docs/web-servers.md):

- ``GUNICORN_BIND``: address(es) to listen on, comma-separated (``127.0.0.1:8000``; a unix socket
  is ``unix:/run/gongkai/gunicorn.sock``).
- ``GUNICORN_WORKERS``: processes (2 × cores + 1, at most 8); ``GUNICORN_THREADS``: threads per
  process (4).
- ``GUNICORN_TIMEOUT``: seconds a request may take (60 + 1 per MB of
  ``GONGKAI_UPLOAD_MAX_TOTAL_MB``, so 160 for the default 100 MB); ``GUNICORN_GRACEFUL_TIMEOUT``:
  seconds a stopping worker has to finish its requests (the same); ``GUNICORN_KEEPALIVE`` (5).
- ``GUNICORN_MAX_REQUESTS`` / ``GUNICORN_MAX_REQUESTS_JITTER``: a worker is replaced after about
  this many requests (1000, ± 100), so a slow leak never grows for long; ``0`` turns it off.
- ``GUNICORN_FORWARDED_ALLOW_IPS``: addresses of the reverse proxies whose ``X-Forwarded-*``
  headers gunicorn believes (default: this host only).
- ``GUNICORN_ACCESS_LOG`` (``-``, standard output; empty for none) / ``GUNICORN_ERROR_LOG`` (``-``,
  standard error) / ``GUNICORN_LOG_LEVEL`` (``info``); ``GONGKAI_LOG_FORMAT=json`` writes them as
  JSON, like the application's lines.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}.") from None


bind = [item.strip() for item in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]

# Threads, not only processes: a request waiting on the database or writing a 100 MB upload to
# disk leaves the process's other threads free. Each process holds its own copy of the letters
# engine and fonts (about 150 MB), hence the cap on processes.
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"

# An upload of the largest allowed size must finish within the timeout, also from a slow
# client when no buffering proxy is in front: about one second per MB, plus a minute for the
# work done after it (storing, checking, rendering a letter).
_upload_mb = _int("GONGKAI_UPLOAD_MAX_TOTAL_MB", 100)
timeout = _int("GUNICORN_TIMEOUT", 60 + _upload_mb)
# A worker told to stop (a deploy, max_requests) finishes the requests it has before it goes.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", timeout)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
# Not all workers at once: each is replaced after max_requests plus a random part of this.
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)

# Gunicorn believes X-Forwarded-Proto (and the like) only from these addresses; Django has its own
# setting for it (GONGKAI_PROXY_SSL_HEADER). Set it to the proxy's address, never to "*" when
# clients can reach gunicorn directly.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The request id (workflow.request_context) is the same in the access log, the application's log
# lines and the X-Request-ID header of the response, so one request can be followed through all.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s user_agent="%(a)s"'
)


# With GONGKAI_LOG_FORMAT=json gunicorn's own lines are JSON too, the access log's with the request
# id, method, path, status, size and time as fields (workflow.request_context.JsonFormatter).
def _json_handler(target: str, stream: str) -> dict:
    if target == "-":
        return {"class": "logging.StreamHandler", "formatter": "json", "stream": stream}
    return {"class": "logging.FileHandler", "formatter": "json", "filename": target}


if os.environ.get("GONGKAI_LOG_FORMAT") == "json":
    _handlers = {"error": _json_handler(errorlog, "ext://sys.stderr")}
    if accesslog:
        _handlers["access"] = _json_handler(accesslog, "ext://sys.stdout")
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        # Django's settings (LOGGING) configure the root logger when the application loads.
        "root": {"handlers": []},
        "formatters": {"json": {"()": "workflow.request_context.JsonFormatter"}},
        "handlers": _handlers,
        "loggers": {
            "gunicorn.error": {
                "handlers": ["error"],
                "level": loglevel.upper(),
                "propagate": False,
            },
            "gunicorn.access": {
                "handlers": ["access"] if accesslog else [],
                "level": "INFO",
                "propagate": False,
            },
        },
    }

# Load the application once in the master, before the workers are forked: a broken setting stops
# the start at once instead of every worker failing in a loop, and the workers share memory.
preload_app = True
