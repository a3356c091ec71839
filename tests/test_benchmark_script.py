"""benchmarks/time_to_accuracy.py end to end: a --variant method runs through `pinn fit` and is scored."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(ROOT / "benchmarks" / "time_to_accuracy.py")


def test_variant_runs_with_its_overrides_and_is_scored(tmp_path):
    variant = "wide=hash_fd_order2 --data.n_collocation=256"
    cmd = [sys.executable, SCRIPT, "--problem", "helmholtz", "--budget-s", "2", "--seeds", "0",
           "--methods", "none", "--variant", variant, "--out", str(tmp_path)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300)
    result = json.loads((tmp_path / "helmholtz.json").read_text())
    assert list(result["methods"]) == ["wide"]
    (run,) = result["methods"]["wide"]["seeds"]
    assert run["steps"] > 10 and run["train_s"] >= 2.0
    # the override took effect: points per step = points_per_s / steps_per_s
    assert abs(run["points_per_s"] / run["steps_per_s"] - 256) < 1
    errors = [e for _, _, e in run["curve"]]
    assert errors[-1] < errors[0]  # it trained
    assert (tmp_path / "helmholtz.png").is_file()


def test_malformed_variant_is_rejected_with_the_known_bases():
    cmd = [sys.executable, SCRIPT, "--problem", "helmholtz", "--methods", "none", "--variant", "x=no_such_method"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "--variant must be 'NAME=BASE [OVERRIDE ...]'" in out.stderr and "hash_fd_order2" in out.stderr
