"""Nothing is lost: a NaN stops the run at once and the last good checkpoint stays loadable."""

import sys

import pytest
import torch

from pinn_lightning.cli import main

NAN_PROBLEM = """
from pinn_lightning import Helmholtz2D


class NaNAfter(Helmholtz2D):
    '''Helmholtz whose residual turns NaN at the `bad_call`-th training evaluation.'''

    def __init__(self, bad_call: int = 4):
        super().__init__()
        self.bad_call = bad_call
        self.calls = 0

    def residual(self, x, d):
        r = super().residual(x, d)
        if self.training and x.shape[0] == 64:  # training batches only
            self.calls += 1
            if self.calls >= self.bad_call:
                r = r * float("nan")
        return r
"""


def test_nan_stops_at_once_naming_term_and_step_and_keeps_the_checkpoint(tmp_path, capsys, monkeypatch):
    (tmp_path / "nanprob.py").write_text(NAN_PROBLEM)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["pinn"])
    ckpt_dir = tmp_path / "ckpt"
    argv = [
        "fit", "--config", "configs/helmholtz_hash_fd.yaml", "--model.problem=nanprob.NaNAfter",
        "--data.n_collocation=64", "--trainer.max_steps=50", "--trainer.enable_progress_bar=false",
        f"--trainer.logger.init_args.save_dir={tmp_path}", "--trainer.callbacks=[]",
        "--trainer.callbacks+=lightning.pytorch.callbacks.ModelCheckpoint",
        f"--trainer.callbacks.dirpath={ckpt_dir}", "--trainer.callbacks.every_n_train_steps=1",
        "--trainer.callbacks.save_last=true",
    ]  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out = capsys.readouterr()
    assert exit_info.value.code == 1
    assert "non-finite loss at step 3: pde=nan" in out.err and "Traceback" not in out.err + out.out
    ckpt = torch.load(ckpt_dir / "last.ckpt", weights_only=True)
    assert ckpt["global_step"] == 3  # steps 0, 1, 2 trained; step 3 stopped before its update
    assert all(torch.isfinite(v).all() for v in ckpt["state_dict"].values() if v.is_floating_point())
