#!/usr/bin/env bash
# Set up, then train the default job: hash encoding + finite differences on Burgers 1D.
# Extra arguments go to `pinn fit` (e.g. --trainer.max_steps 1500 for a shorter run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/pinn fit --config configs/burgers_hash_fd.yaml "$@"
