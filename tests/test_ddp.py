"""Two-process DDP on CPU (gloo) through the real `pinn` command, as a subprocess."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PINN = str(Path(sys.executable).with_name("pinn"))


def _run(cmd, tmp_path, timeout=240):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "helpers"), OMP_NUM_THREADS="1")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp_path)
    assert out.returncode == 0, (out.stdout[-3000:], out.stderr[-3000:])
    return out


HASH = ["--config", str(ROOT / "configs/helmholtz_hash_fd.yaml"), "--model.encoding.init_args.log2_table_size=12"]


def _args(tmp_path, name, extra=(), config=HASH):
    return [
        "fit", *config,
        "--trainer.max_steps=60", "--data.batches_per_epoch=20", "--data.n_collocation=256", "--data.n_boundary=64",
        "--trainer.enable_progress_bar=false",
        f"--trainer.logger.init_args.save_dir={tmp_path / name}",
        "--trainer.callbacks+=ddp_probe.SampleFingerprint", f"--trainer.callbacks.out_dir={tmp_path / name / 'probe'}",
        *extra,
    ]  # fmt: skip


def _records(tmp_path, name):
    return [json.loads((tmp_path / name / "probe" / f"rank{r}.json").read_text()) for r in (0, 1)]


DDP = ["--trainer.strategy=ddp", "--trainer.devices=2", "--trainer.accelerator=cpu"]


def _check_ddp_run(tmp_path, name):
    r0, r1 = _records(tmp_path, name)
    assert r0["world_size"] == r1["world_size"] == 2 and r0["global_step"] == r1["global_step"] == 60
    # different points on different ranks, at every step
    assert set(r0["samples"]) == set(r1["samples"]) and len(r0["samples"]) == 60
    for step in r0["samples"]:
        assert r0["samples"][step] != r1["samples"][step], step
    # the same (averaged-gradient) model on both ranks, and val/rel_l2 over all ranks' shards is the
    # error on the whole reference grid
    assert r0["reference_error"] == pytest.approx(r1["reference_error"], rel=1e-6)
    assert r0["val_rel_l2"] == pytest.approx(r0["reference_error"], rel=1e-5)
    assert r1["val_rel_l2"] == pytest.approx(r0["val_rel_l2"], rel=1e-6)
    # checkpoints written once (rank 0): best + last
    ckpts = sorted(p.name for p in (tmp_path / name).rglob("*.ckpt"))
    assert len(ckpts) == 2 and "last.ckpt" in ckpts, ckpts
    # throughput: Lightning's ThroughputMonitor logs the per-device and the global (world-size scaled) rate
    from pinn_lightning.tensorboard import read_scalars

    (run_dir,) = list((tmp_path / name).glob("*/version_*"))
    scalars = read_scalars(run_dir)
    device = scalars["train/device/samples_per_sec"][-1][1]
    assert scalars["train/samples_per_sec"][-1][1] == pytest.approx(2 * device, rel=1e-6)


def test_ddp_two_processes_sample_differently_and_sync(tmp_path):
    _run([PINN, *_args(tmp_path, "ddp", DDP)], tmp_path)
    _check_ddp_run(tmp_path, "ddp")
    # a single process with the same total number of points per step lands at a similar error
    _run([PINN, *_args(tmp_path, "single", ["--data.n_collocation=512", "--data.n_boundary=128"])], tmp_path)
    (single,) = [json.loads((tmp_path / "single/probe/rank0.json").read_text())]
    r0, _ = _records(tmp_path, "ddp")
    assert 0.5 < r0["reference_error"] / single["reference_error"] < 2.0, (r0["reference_error"], single["reference_error"])


def test_ddp_grad_norm_weights_agree_across_ranks(tmp_path):
    """Learning-rate annealing under DDP: each rank estimates the boundary factor from its own
    points, and the estimate is averaged over ranks, so the factor (and with it the loss and the
    model) stays the same on both ranks instead of drifting apart."""
    vanilla = ["--config", str(ROOT / "configs/helmholtz_mlp_autograd.yaml")]  # soft boundary
    grad_norm = ["--model.loss_weighting=pinn_lightning.GradNormWeighting", "--model.loss_weighting.every=20"]  # steps 0, 20, 40
    _run([PINN, *_args(tmp_path, "gn", [*DDP, *grad_norm], config=vanilla)], tmp_path)
    r0, r1 = _records(tmp_path, "gn")
    assert len(r0["adaptive_weights"]) == 1 and r0["adaptive_weights"][0] > 2.0  # it moved (~2e4 here)
    assert r0["adaptive_weights"] == pytest.approx(r1["adaptive_weights"], rel=1e-12)
    assert r0["reference_error"] == pytest.approx(r1["reference_error"], rel=1e-6)


@pytest.mark.skipif(shutil.which("torchrun", path=str(Path(sys.executable).parent)) is None, reason="no torchrun")
def test_torchrun_launch(tmp_path):
    torchrun = str(Path(sys.executable).with_name("torchrun"))
    _run([torchrun, "--nproc_per_node=2", PINN, *_args(tmp_path, "trun", DDP)], tmp_path)
    _check_ddp_run(tmp_path, "trun")


def test_lbfgs_under_ddp_does_not_hang(tmp_path):
    _run([PINN, *_args(tmp_path, "lbfgs", [*DDP, "--model.lbfgs=pinn_lightning.LBFGSPhase", "--model.lbfgs.start=50", "--model.lbfgs.max_iter=5"])], tmp_path, timeout=180)
    r0, r1 = _records(tmp_path, "lbfgs")
    assert r0["reference_error"] == pytest.approx(r1["reference_error"], rel=1e-6)
