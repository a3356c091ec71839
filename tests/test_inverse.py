"""Inverse problems end to end: a PDE coefficient is learnt from noisy observations through `pinn fit`."""

import re
import sys
from pathlib import Path

from pinn_lightning.cli import main
from pinn_lightning.tensorboard import read_scalars

ROOT = Path(__file__).resolve().parents[1]


def test_helmholtz_wavenumber_is_recovered_from_noisy_samples(tmp_path, capsys, monkeypatch):
    """k = 2 from a start at 1, 2000 samples with 1 % noise, 500 steps of hash + FD: within 3 %
    (the FD residual on a 32-cell grid and the noise bias it by ~1 % in tuning runs)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["pinn"])
    main([
        "fit", "--config", str(ROOT / "configs" / "helmholtz_inverse_hash_fd.yaml"),
        "--trainer.max_steps=500", "--trainer.enable_progress_bar=false", "--trainer.callbacks=[]",
        "--trainer.enable_checkpointing=false", "--trainer.limit_val_batches=0",
    ])  # fmt: skip
    out = capsys.readouterr().out
    k = float(re.search(r"pinn: learnt k = (\S+) \(given value 2\)", out).group(1))
    assert abs(k - 2.0) < 0.06, k
    assert float(re.search(r"final rel_l2 = (\S+)", out).group(1)) < 0.02  # the field too
    # the trajectory is in TensorBoard (every 50 steps), converging on the learnt value
    log_dir = next((tmp_path / "lightning_logs" / "helmholtz_inverse_hash_fd").glob("version_*"))
    traj = [v for _, v, _ in read_scalars(log_dir)["coef/k"]]
    assert len(traj) >= 9 and abs(traj[-1] - k) < 0.01
    assert abs(traj[0] - 2.0) > 10 * abs(traj[-1] - 2.0)
