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


@pytest.mark.parametrize("every", [1, 7])
def test_nan_check_every_n_steps_reads_the_device_record(every, tmp_path, monkeypatch):
    """The host reads the non-finite record every n steps: with n = 1 before the bad step's update
    (the weights in memory stay finite), with n = 7 at step 6, naming the first bad step either way."""
    from pinn_lightning.cli import cli_main
    from pinn_lightning.nonfinite import NonFiniteLossError

    (tmp_path / "nanprob.py").write_text(NAN_PROBLEM)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["pinn"])
    cli = cli_main(["--config", "configs/helmholtz_hash_fd.yaml", "--model.problem=nanprob.NaNAfter",
                    "--data.n_collocation=64", "--trainer.max_steps=50", "--trainer.enable_progress_bar=false",
                    "--trainer.logger=false", "--trainer.enable_checkpointing=false", "--trainer.callbacks=[]",
                    f"--trainer.default_root_dir={tmp_path}", f"--model.nan_check_every={every}"], run=False)  # fmt: skip
    # the first bad step is named; with n = 7 the terms are those of step 6, by then all poisoned
    message = "non-finite loss at step 3: pde=nan" + ("" if every == 1 else r", boundary=nan \(terms at step 6\)")
    with pytest.raises(NonFiniteLossError, match=message):
        cli.trainer.fit(cli.model, cli.datamodule)
    assert cli.trainer.global_step == (3 if every == 1 else 6)
    finite = all(torch.isfinite(p).all() for p in cli.model.parameters())
    assert finite == (every == 1)


def _pinn(args, env_extra=None, **kw):
    import os
    import subprocess
    from pathlib import Path

    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    pinn = Path(sys.executable).with_name("pinn")
    return subprocess.Popen([str(pinn), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def _losses(run_dir):
    from pinn_lightning.tensorboard import read_scalars

    return {step: value for step, value, _ in read_scalars(run_dir)["train/loss"]}


def test_killed_run_resumes_with_the_same_loss_curve(tmp_path):
    """SIGKILL a real `pinn fit` mid-epoch, resume with --ckpt_path last: the loss curve after
    the checkpoint equals the uninterrupted run's step for step (bitwise: CPU with 1 thread, or a
    GPU in deterministic mode, where the hash grid's backward otherwise adds atomically in any order)."""
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    common = [
        "fit", "--config", str(root / "configs/helmholtz_hash_fd.yaml"), "--seed_everything=7",
        "--data.n_collocation=512", "--data.n_boundary=128", "--data.batches_per_epoch=40",
        "--model.encoding.init_args.log2_table_size=12", "--trainer.max_steps=120", "--trainer.log_every_n_steps=1",
        "--trainer.enable_progress_bar=false", "--trainer.deterministic=true", "--trainer.callbacks=[]",
        "--trainer.callbacks+=lightning.pytorch.callbacks.ModelCheckpoint",
        "--trainer.callbacks.every_n_train_steps=10", "--trainer.callbacks.save_last=true",
    ]  # fmt: skip
    full = _pinn([*common, f"--trainer.logger.init_args.save_dir={tmp_path / 'full'}"])
    assert full.wait(timeout=300) == 0, full.stdout.read()[-2000:]

    killed = _pinn([*common, f"--trainer.logger.init_args.save_dir={tmp_path / 'killed'}"])
    last = tmp_path / "killed/helmholtz_hash_fd/version_0/checkpoints/last.ckpt"
    deadline = time.time() + 240
    while time.time() < deadline:  # kill once a mid-epoch checkpoint (step 50..70) exists
        if last.exists() and 50 <= torch.load(last, weights_only=True)["global_step"] <= 70:
            break
        time.sleep(0.05)
    killed.kill()
    killed.wait()
    resumed_from = torch.load(last, weights_only=True)["global_step"]
    assert 50 <= resumed_from <= 80 and resumed_from % 40 != 0  # mid-epoch

    resumed = _pinn([*common, f"--trainer.logger.init_args.save_dir={tmp_path / 'killed'}", "--ckpt_path", "last"])
    out = resumed.stdout.read()
    assert resumed.wait(timeout=300) == 0, out[-2000:]
    assert "pinn: resuming from" in out

    reference = _losses(tmp_path / "full/helmholtz_hash_fd/version_0")
    continued = _losses(tmp_path / "killed/helmholtz_hash_fd/version_1")
    assert min(continued) == resumed_from and max(continued) == 119
    for step, value in continued.items():
        assert value == reference[step], (step, value, reference[step])


def test_resume_last_without_checkpoint_is_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["pinn"])
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "--config", "configs/helmholtz_hash_fd.yaml", "--ckpt_path", "last", f"--trainer.logger.init_args.save_dir={tmp_path}"])
    assert exit_info.value.code == 2 and "nothing to resume" in capsys.readouterr().err
