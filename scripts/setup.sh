#!/usr/bin/env bash
# Install what complaintflow needs on a fresh machine: a virtualenv with the Python
# dependencies at the versions of requirements.lock and the browser libraries from npm. Idempotent; sourced by serve.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Reinstall only when pyproject.toml or requirements.lock changed since the last install.
# The lock (scripts/lock.sh) pins every transitive package; when someone changed pyproject.toml
# without regenerating it, install from pyproject.toml instead, say so, and keep going.
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock 2>/dev/null | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  if .venv/bin/python scripts/lock_check.py; then
    .venv/bin/pip install --quiet -r requirements.lock
    .venv/bin/pip install --quiet --no-deps -e .
  else
    echo "installing from pyproject.toml instead; run bash scripts/lock.sh and commit requirements.lock" >&2
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e ".[test]"
  fi
  rm -f .venv/.installed-* && touch "$stamp"
fi
lockstamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$lockstamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lockstamp"
fi
# The pages' messages: gettext catalogues compiled from the .po files (the .mo files are not committed).
bash scripts/messages.sh compile
