#!/usr/bin/env bash
# Install, prepare the SQLite database in instance/, deploy processes/ (only what changed since
# the last start), seed the demo users, and serve complaintflow on http://127.0.0.1:5000: gunicorn
# (config/gunicorn.conf.py) and the timer tick in a process of its own. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
exec .venv/bin/complaintflow serve "$@"
