#!/usr/bin/env bash
# Create .venv (Python >= 3.10) and install pinn_lightning with its test extras.
# torch: TORCH_SPEC (default torch==2.13.0) is installed first unless torch is already there,
# so a CUDA or other build installed beforehand is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "pinn_lightning needs Python >= 3.10" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
if ! .venv/bin/python -c 'import torch' 2>/dev/null; then
  .venv/bin/python -m pip install -q "${TORCH_SPEC:-torch==2.13.0}" 2>&1 | grep -v "^WARNING: Location" || true
fi
.venv/bin/python -m pip install -q -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c 'import pinn_lightning, torch; print(f"pinn_lightning {pinn_lightning.__version__}, torch {torch.__version__}")'
