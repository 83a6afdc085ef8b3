#!/usr/bin/env bash
# Write requirements.lock: every Python package the app, its tests and its tools need, transitive
# ones included, at exact versions, resolved from pyproject.toml's pins (all extras). Run it after
# changing a dependency in pyproject.toml and commit both; scripts/setup.sh installs the lock.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip_tools=$(grep -o '"pip-tools==[^"]*"' pyproject.toml | tr -d '"')
.venv/bin/pip show --quiet pip-tools >/dev/null 2>&1 || .venv/bin/pip install --quiet "$pip_tools"

CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh" .venv/bin/pip-compile --quiet --all-extras --strip-extras --allow-unsafe --no-emit-index-url \
  --no-emit-find-links --no-emit-trusted-host \
  --output-file requirements.lock pyproject.toml
.venv/bin/python scripts/lock_check.py
