#!/usr/bin/env bash
# The gettext catalogues of the pages (app/web/translations/<locale>/LC_MESSAGES/messages.po):
#   extract          write messages.pot: every t('key') and N_('key') in app/web (templates and Python)
#   update           extract, then add new keys to each .po (empty: translate them) and drop unused ones
#   compile          .po -> .mo (scripts/setup.sh runs it; the app also compiles a stale .mo at start)
#   import-json P..  move keys from JSON files (the old app/web/messages/<locale>/*.json) into the .po files
# Keys are symbolic (inbox.claim) and the .po files hold Chinese (zh_Hans_CN) first and English (en); docs/architecture.md, "Language".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dir=app/web/translations
pybabel=.venv/bin/pybabel
case "${1:-}" in
  extract)
    "$pybabel" -q extract -F babel.cfg -k t -k N_ --no-location --sort-output --no-wrap \
      --project complaintflow -o "$dir/messages.pot" app/web
    ;;
  update)
    bash "$0" extract
    "$pybabel" -q update -i "$dir/messages.pot" -d "$dir" --no-fuzzy-matching --ignore-obsolete --no-wrap --omit-header
    .venv/bin/python - "$dir" <<'PY'
import sys
from pathlib import Path
from babel.messages.pofile import read_po
for po in sorted(Path(sys.argv[1]).glob("*/LC_MESSAGES/messages.po")):
    with po.open("rb") as f:
        empty = [m.id for m in read_po(f) if m.id and not m.string]
    print(f"{po}: {len(empty)} to translate", *empty, sep="\n  " if empty else "")
PY
    ;;
  compile)
    # The .po files have no header (it would change on every update and conflict in every merge), which
    # pybabel reads as a fuzzy catalogue: --use-fuzzy compiles it; no entry is fuzzy (a test checks).
    "$pybabel" -q compile --use-fuzzy -d "$dir"
    ;;
  import-json)
    shift
    .venv/bin/python scripts/messages_import_json.py "$@"
    ;;
  *)
    echo "usage: bash scripts/messages.sh extract|update|compile|import-json <json file or folder>..." >&2
    exit 2
    ;;
esac
