#!/usr/bin/env bash
# Install everything the test suite needs (Python deps, npm packages, Debian's chromium,
# a running PostgreSQL), lint (ruff) and type-check (mypy), then run the whole suite in parallel:
# unit, integration (SQLite, and PostgreSQL for the tests marked also_postgres), browser, and the
# tests marked slow. docs/testing.md says how to run a part of it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# The browser tests drive Debian's chromium (Playwright's own browser download cannot work
# here); the pages are Chinese, so it needs a CJK font to render them.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the browser tests"
  apt_install "${missing[@]}"
fi

# PostgreSQL: start it if installed but stopped; install it if missing.
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "installing PostgreSQL"
  apt_install postgresql
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if pg_isready -q -h 127.0.0.1 -p 5432; then
  export COMPLAINTFLOW_TEST_PG_URL=${COMPLAINTFLOW_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
else
  echo "PostgreSQL is not reachable on 127.0.0.1:5432: its tests will be skipped" >&2
fi

# Lint, import contracts and types first (seconds): a failure there is cheaper to read than a failing test.
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
# The layers of docs/architecture.md and no cycles between service packages (pyproject.toml).
.venv/bin/lint-imports --no-cache
.venv/bin/mypy

# Both cores (one xdist worker each, the slowest tests stolen by whichever worker is free) and the
# slowest 15 tests named at the end; arguments given to this script come last and win.
exec .venv/bin/python -m pytest -p no:cacheprovider --numprocesses auto --dist worksteal --durations=15 "$@"
