#!/usr/bin/env bash
# `make cluster`: the processes of a production installation, on this machine, with the demo data.
#
#   web-1, web-2  gunicorn (config/gunicorn.conf.py) on two ports: two web servers behind what
#                 would be the load balancer; log in on one, go on on the other
#   worker        celery -A config worker: the background jobs (GONGKAI_JOBS=celery)
#   beat          celery -A config beat: fires the due timers and sweeps the jobs every minute,
#                 refreshes the deadlines every night (one beat per installation)
#   dispatcher    manage.py run_dispatcher: a second timer dispatcher beside beat (safe: each
#                 timer fires once, docs/timers.md), which also refreshes the deadlines at start
#
# Against the local PostgreSQL and Redis; everything can be changed from the environment:
#   DATABASE_URL   (postgres://postgres@127.0.0.1:5432/gongkai_cluster; created when missing)
#   REDIS_URL      (redis://127.0.0.1:6379/0)    CELERY_BROKER_URL (REDIS_URL)
#   HOST (127.0.0.1)   CLUSTER_PORTS ("8001 8002")   GUNICORN_WORKERS (2)   CELERY_CONCURRENCY (2)
#   CLUSTER_DIR (var/cluster: logs, the uploaded and generated files, the secret key)
#
# It runs with DEBUG off, as in production, but over plain HTTP on this machine only. Ctrl-C (or
# any of the processes stopping) stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
read -r -a PORTS <<<"${CLUSTER_PORTS:-8001 8002}"
CLUSTER_DIR=${CLUSTER_DIR:-var/cluster}
LOGS=$CLUSTER_DIR/logs
mkdir -p "$LOGS"

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gongkai_cluster}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-$REDIS_URL}
export GONGKAI_JOBS=celery
export GONGKAI_SESSIONS=${GONGKAI_SESSIONS:-cache}
export GONGKAI_MEDIA_ROOT=${GONGKAI_MEDIA_ROOT:-$CLUSTER_DIR/media}
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-2}
# Production settings, except that this machine serves plain HTTP to itself.
export DEBUG=0
export SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-$HOST,localhost,127.0.0.1}
if [ -z "${SECRET_KEY:-}" ]; then
  # One key kept for this cluster: sessions survive a restart of it.
  [ -s "$CLUSTER_DIR/secret_key" ] || "$BIN/python" -c \
    'import secrets; print(secrets.token_urlsafe(50))' >"$CLUSTER_DIR/secret_key"
  SECRET_KEY=$(cat "$CLUSTER_DIR/secret_key")
  export SECRET_KEY
fi

case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "make cluster 需要 PostgreSQL：DATABASE_URL=postgres://…（现为 ${DATABASE_URL%%\?*}）" >&2; exit 1 ;;
esac

"$BIN/python" - <<'PY'
# Create the database when it is not there yet (the server's maintenance database "postgres").
import os
import sys

import dj_database_url
import psycopg
from psycopg import sql

db = dj_database_url.parse(os.environ["DATABASE_URL"])
params = {k: v for k, v in {
    "host": db["HOST"], "port": db["PORT"] or None, "user": db["USER"], "password": db["PASSWORD"],
}.items() if v}
try:
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [db["NAME"]]).fetchone():
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(db["NAME"])))
            print(f"已创建数据库 {db['NAME']}")
except psycopg.Error as error:
    sys.exit(f"无法连接 PostgreSQL（{db['HOST']}:{db['PORT']}）：{error}")
PY
"$BIN/python" - <<'PY'
import os
import sys

import redis

url = os.environ["CELERY_BROKER_URL"]
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
    if url.startswith("redis"):
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
except (redis.RedisError, OSError) as error:
    sys.exit(f"无法连接 Redis（{os.environ['REDIS_URL']}）：{error}")
PY

echo "== 数据库迁移、静态文件、演示数据（${DATABASE_URL%%\?*}）"
"$BIN/python" manage.py migrate --no-input --verbosity 0
# Collected (and compressed, which takes minutes) again only when a static file changed since.
stamp=${GONGKAI_VAR_DIR:-var}/static/.collected-for-cluster
if [ ! -e "$stamp" ] || [ -n "$(find workflow requests_app attributes_app -path '*/static/*' \
  -newer "$stamp" -print -quit)" ] || [ pyproject.toml -nt "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  "$BIN/python" manage.py collectstatic --no-input --verbosity 0
  touch "$stamp"
fi
"$BIN/python" manage.py setup_demo --force

pids=()
names=()
start() {
  local name=$1
  shift
  echo "=== $(date '+%F %T') $*" >>"$LOGS/$name.log"
  "$@" >>"$LOGS/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

stopping=0
stop_all() {
  [ "$stopping" -eq 1 ] && return
  stopping=1
  echo
  echo "== 正在停止全部进程……"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Gunicorn and the Celery worker finish what they are doing first (their graceful timeouts).
  for _ in $(seq 1 300); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "== 已停止。日志在 $LOGS/"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for index in "${!PORTS[@]}"; do
  port=${PORTS[$index]}
  start "web-$((index + 1))" env GUNICORN_BIND="$HOST:$port" \
    "$BIN/gunicorn" -c config/gunicorn.conf.py config.wsgi
done
start worker "$BIN/celery" -A config worker --loglevel INFO \
  --concurrency "${CELERY_CONCURRENCY:-2}" --hostname "worker@%h"
start beat "$BIN/celery" -A config beat --loglevel INFO \
  --schedule "$CLUSTER_DIR/celerybeat-schedule"
start dispatcher "$BIN/python" manage.py run_dispatcher

# Wait until each web server answers its health check.
for port in "${PORTS[@]}"; do
  for attempt in $(seq 1 120); do
    if "$BIN/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "http://$HOST:$port/healthz" 2>/dev/null; then
      break
    fi
    for index in "${!pids[@]}"; do
      if ! kill -0 "${pids[$index]}" 2>/dev/null; then
        echo "${names[$index]} 未能启动，见 $LOGS/${names[$index]}.log：" >&2
        tail -n 30 "$LOGS/${names[$index]}.log" >&2
        exit 1
      fi
    done
    [ "$attempt" -eq 120 ] && { echo "http://$HOST:$port/ 60 秒内未就绪，见 $LOGS/" >&2; exit 1; }
    sleep 0.5
  done
done

echo
echo "Gongkai 集群已启动（演示账号见上，密码均为 demo）："
for index in "${!PORTS[@]}"; do
  echo "  网站 $((index + 1))：http://$HOST:${PORTS[$index]}/    健康检查：http://$HOST:${PORTS[$index]}/healthz"
done
echo "  后台任务：Celery worker、beat（定时器、任务清理、每日期限），定时器调度 run_dispatcher"
echo "  数据库 ${DATABASE_URL%%\?*}，Redis ${REDIS_URL}"
echo "  日志：$LOGS/{web-1,web-2,worker,beat,dispatcher}.log"
echo "按 Ctrl-C 停止全部进程。"

# Until Ctrl-C, or until one of the processes stops by itself (then all stop).
set +e
wait -n "${pids[@]}"
status=$?
for index in "${!pids[@]}"; do
  if ! kill -0 "${pids[$index]}" 2>/dev/null; then
    echo "${names[$index]} 已退出（$status），见 $LOGS/${names[$index]}.log" >&2
  fi
done
exit "$status"
