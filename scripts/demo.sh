#!/usr/bin/env bash
# Set everything up, build a sample documentary project (synthetic footage with speech, photos,
# documents), ingest and analyse it, and write a contact sheet to look at.
# Usage: scripts/demo.sh [DIR]      (default: ./sample)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir="${1:-sample}"
rushes=.venv/bin/rushes
"$rushes" sample "$dir"
"$rushes" --project "$dir" add "$dir"
"$rushes" --project "$dir" status
"$rushes" --project "$dir" ls
report=$("$rushes" --project "$dir" report)
echo
echo "Open the contact sheet: $report"
echo "Browse, search, log and assemble it in the web app:"
echo "  $rushes --project $dir serve      # then open http://127.0.0.1:8000/"
