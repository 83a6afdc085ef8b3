#!/usr/bin/env bash
# Install, prepare the SQLite database in instance/, deploy processes/, seed the demo users,
# and serve complaintflow on http://127.0.0.1:5000 with the timer tick running.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
exec .venv/bin/complaintflow serve "$@"
