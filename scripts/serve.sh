#!/usr/bin/env bash
# Install, prepare the SQLite database in instance/, deploy processes/ (only what changed since
# the last start), seed the demo users, and serve complaintflow on http://127.0.0.1:5000: gunicorn
# (config/gunicorn.conf.py) and the timer tick in a process of its own. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
# The app refuses to start without a secret key; this single-host demo keeps one in instance/
# (made on first start, readable by its owner only) unless COMPLAINTFLOW_SECRET_KEY is given.
if [ -z "${COMPLAINTFLOW_SECRET_KEY:-}" ]; then
  export COMPLAINTFLOW_SECRET_KEY_FILE="${COMPLAINTFLOW_SECRET_KEY_FILE:-$PWD/instance/secret_key}"
fi
exec .venv/bin/complaintflow serve "$@"
