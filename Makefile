# Gongkai — two commands: `make run` (set up and serve the demo) and `make test` (set up and test);
# `make cluster` runs the processes of a production installation on this machine (PostgreSQL, Redis).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run cluster test setup system-deps venv static-deps migrate lint typecheck pytest messages fonts clean

run: setup
	$(BIN)/python manage.py setup_demo
	@echo "Gongkai: http://$(HOST):$(PORT)/  （演示账号见上，密码均为 demo）"
	@# The timer dispatcher runs beside the server and stops with it.
	@$(BIN)/python manage.py run_dispatcher & dispatcher=$$!; \
	trap 'kill $$dispatcher 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Two gunicorn web servers, a Celery worker and beat, and the timer dispatcher, against the local
# PostgreSQL and Redis, with the demo data; Ctrl-C stops them all (scripts/cluster.sh, which lists
# the environment variables: DATABASE_URL, REDIS_URL, CLUSTER_PORTS …).
cluster: setup
	@HOST=$(HOST) bash scripts/cluster.sh

test: setup lint typecheck
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n auto --dist load --durations=20

setup: system-deps venv static-deps messages migrate fonts

system-deps:
	@bash scripts/system-deps.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The browser libraries served from the project's own static files (no CDN): Apache ECharts,
# from the npm registry at the versions of package-lock.json; again only when the lock changes.
static-deps: node_modules/.installed-stamp

node_modules/.installed-stamp: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "缺少 npm：仪表盘的图表库（Apache ECharts）由 npm 安装。请以管理员身份安装：sudo apt-get install npm" >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

messages: venv
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0; fi

migrate: venv
	$(BIN)/python manage.py migrate --no-input --verbosity 0

fonts: venv
	$(BIN)/python manage.py prepare_letter_fonts

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# The pure rules and permission tables only (``[tool.mypy] files`` in pyproject.toml).
typecheck: venv
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .ruff_cache
