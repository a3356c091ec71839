#!/usr/bin/env bash
# The checks that need a CUDA GPU (CI has none): the default test suite with the GPU visible
# (the base config says `accelerator: auto`, so every `pinn fit` in it trains on the GPU, and
# tests/test_cuda.py compares the hash grid and finite differences with the CPU), then a
# short Burgers time-to-accuracy run on the GPU.
#
#   bash scripts/gpu_check.sh OUT_DIR [BUDGET_S] [METHOD ...] [-- PYTEST_ARGS ...]
#
# BUDGET_S (default 40) is each method's training time; 0 runs the tests only.
# Methods default to `vanilla_lbfgs_we hash_fd` (the strongest vanilla PINN against the paper's
# method); pytest arguments default to the whole default suite. Uses the machine's python3 (torch
# with CUDA, lightning, torchmetrics, tensorboard, matplotlib, pytest, pytest-xdist); wheels in
# .whl/ (e.g. jsonargparse) are installed into it first. The notebook tests are left out (they
# need a Jupyter kernel).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: gpu_check.sh OUT_DIR [BUDGET_S] [METHOD ...] [-- PYTEST_ARGS ...]}
budget=${2:-40}
shift $(($# < 2 ? $# : 2))
methods=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do methods+=("$1"); shift; done
[ $# -gt 0 ] && shift
[ ${#methods[@]} -eq 0 ] && methods=(vanilla_lbfgs_we hash_fd)
[ $# -eq 0 ] && set -- -m "not slow"
mkdir -p "$out"
export PYTHONUNBUFFERED=1
if compgen -G ".whl/*.whl" >/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile .whl/*.whl >"$out/install.log" 2>&1 || { cat "$out/install.log"; exit 1; }
fi
python3 -m pip install -q --no-deps --no-build-isolation --no-index -e . >>"$out/install.log" 2>&1 || { cat "$out/install.log"; exit 1; }
nvidia-smi -L
python3 -c "import torch, lightning; print('torch', torch.__version__, 'lightning', lightning.__version__, torch.cuda.get_device_name())"
timeout 300 python3 -m pytest -q -n 6 -p no:cacheprovider -rfE --ignore=tests/test_notebooks.py "$@" >"$out/pytest.log" 2>&1
echo "pytest exit $? ($(tail -1 "$out/pytest.log"))"
grep -E "^(FAILED|ERROR)" "$out/pytest.log" | cut -c1-300
[ "$budget" = 0 ] && exit 0  # tests only
timeout $((4 * budget + 180)) python3 benchmarks/time_to_accuracy.py --problem burgers --budget-s "$budget" --seeds 0 \
    --methods "${methods[@]}" --out "$out/burgers" 2>&1 | grep -E "^(burgers|hash|vanilla|mlp)"
