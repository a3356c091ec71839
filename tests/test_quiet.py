"""A shipped config's fit and predict, as a user runs them, print no warning; runs are named after the config."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINN = [sys.executable, "-c", "from pinn_lightning.cli import main; main()"]
# What a warning looks like on stderr: Python's "file.py:123: Message", or any Lightning/Python warning word.
WARNING = re.compile(r"\.py:\d+: |Warning|warn|💡", re.IGNORECASE)


def _pinn(args, cwd):
    done = subprocess.run([*PINN, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def test_fit_and_predict_of_a_shipped_config_print_no_warning(tmp_path):
    # 600 steps: past the ThroughputMonitor's window (50 batches of 10 steps) and one validation.
    config = str(ROOT / "configs/burgers_hash_fd.yaml")
    fit = _pinn(["fit", "--config", config, "--trainer.max_steps=600", "--trainer.enable_progress_bar=false"], tmp_path)
    assert not [line for line in fit.splitlines() if WARNING.search(line)], fit
    run = tmp_path / "lightning_logs" / "burgers_hash_fd" / "version_0"
    assert (run / "checkpoints" / "last.ckpt").is_file()
    predict = _pinn(["predict", "--config", config, "--ckpt_path", "last", "--trainer.enable_progress_bar=false",
                     "--trainer.callbacks+=pinn_lightning.PredictionWriter"], tmp_path)  # fmt: skip
    assert not [line for line in predict.splitlines() if WARNING.search(line)], predict
    assert (tmp_path / "predictions" / "predictions.npz").is_file()
