#!/usr/bin/env bash
# The checks that need a CUDA GPU (CI has none), in under 8 minutes on one GPU:
#   1. the default test suite with the GPU visible (the base config says `accelerator: auto`, so
#      every `pinn fit` in it trains on the GPU; tests/test_cuda.py compares the GPU with the CPU
#      and checks that the table gradient is bitwise reproducible);
#   2. benchmarks/step_speed.py: steps/s and points/s of the shipped configs;
#   3. time to rel-L2 1e-2, hash + FD against the strongest vanilla PINN: Burgers 5 seeds and
#      Helmholtz 3 seeds, one process per seed at a time (each run stops at 1e-2);
#   4. two runs of one seed (Burgers, 300 steps): bitwise equal parameters?
#
#   bash scripts/gpu_check.sh OUT_DIR
#
# Uses the machine's python3 (torch with CUDA, lightning, torchmetrics, tensorboard, matplotlib,
# pytest, pytest-xdist); wheels in .whl/ (e.g. jsonargparse) are installed into it first. The
# notebook tests are left out (they need a Jupyter kernel). Results: OUT_DIR/*.log, *.json.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: gpu_check.sh OUT_DIR}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
if compgen -G ".whl/*.whl" >/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile .whl/*.whl >"$out/install.log" 2>&1 || { cat "$out/install.log"; exit 1; }
fi
python3 -m pip install -q --no-deps --no-build-isolation --no-index -e . >>"$out/install.log" 2>&1 || { cat "$out/install.log"; exit 1; }
nvidia-smi -L | tee "$out/device.log"
python3 -c "import torch, lightning; print('torch', torch.__version__, 'lightning', lightning.__version__, torch.cuda.get_device_name())" | tee -a "$out/device.log"

# 1. the suite (about 2 minutes with 6 workers)
timeout 200 python3 -m pytest -q -n 6 -p no:cacheprovider -rfE --ignore=tests/test_notebooks.py -m "not slow" >"$out/pytest.log" 2>&1
echo "pytest exit $? ($(tail -1 "$out/pytest.log"))"
grep -E "^(FAILED|ERROR)" "$out/pytest.log" | cut -c1-300

# 2. step speed
timeout 120 python3 benchmarks/step_speed.py --warmup 100 --steps 500 --out "$out/step_speed.json" 2>&1 | grep '"mode"'

# 3. time to 1e-2, one process per seed
run_seeds() {  # problem budget methods seeds...
    local problem=$1 budget=$2 methods=$3; shift 3
    for seed in "$@"; do
        timeout $((2 * budget + 90)) python3 benchmarks/time_to_accuracy.py --problem "$problem" --budget-s "$budget" \
            --stop-below 0.01 --seeds "$seed" --methods $methods --out "$out/$problem/seed$seed" >"$out/$problem/seed$seed.log" 2>&1 &
    done
    wait
    python3 benchmarks/time_to_accuracy.py --merge "$out/$problem"/seed*/"$problem".json --out "$out/$problem"
    grep -h "seed=" "$out/$problem"/seed*.log | cut -c1-200
}
mkdir -p "$out/burgers" "$out/helmholtz"
run_seeds burgers 45 "vanilla_lbfgs_we_clip hash_fd" 0 1 2 3 4
run_seeds helmholtz 60 "vanilla_hard_bc_lbfgs hash_fd" 0 1 2

# 4. the same seed twice
timeout 120 python3 - "$out/repro.json" <<'EOF'
import json, os, sys
import torch
from pinn_lightning.cli import cli_main

path = sys.argv[1]


def run():
    sys.argv = ["pinn"]
    cli = cli_main(["--config", "configs/burgers_hash_fd.yaml", "--trainer.max_steps=300", "--trainer.logger=false",
                    "--trainer.callbacks=[]", "--trainer.enable_checkpointing=false", "--trainer.enable_progress_bar=false",
                    "--trainer.limit_val_batches=0", f"--trainer.default_root_dir={os.path.dirname(path)}"], run=False)
    cli.trainer.fit(cli.model, cli.datamodule)
    return {k: v.detach().cpu() for k, v in cli.model.state_dict().items()}

a, b = run(), run()
equal = all(torch.equal(a[k], b[k]) for k in a)
diff = max((a[k].double() - b[k].double()).abs().max().item() for k in a if a[k].is_floating_point() and a[k].numel())
result = {"config": "burgers_hash_fd.yaml", "steps": 300, "device": torch.cuda.get_device_name(), "bitwise_equal": equal,
          "max_abs_difference": diff}
json.dump(result, open(path, "w"), indent=1)
print(result)
EOF
