#!/usr/bin/env bash
# Set up, then run the default (fast) test suite. Pass -m slow or other pytest args to change it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -eq 0 ]; then set -- -m "not slow"; fi
.venv/bin/python -m pytest -q "$@"
