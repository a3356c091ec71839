"""SLURM requeue on CPU: SIGUSR1 makes Lightning save hpc_ckpt and call `scontrol requeue`; the
requeued job (same job id, same directory) resumes from it and does not trip over config.yaml."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def test_sigusr1_requeue_and_resume(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scontrol = bin_dir / "scontrol"  # stands in for SLURM's: records the requeue request
    scontrol.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "scontrol.log"}\n')
    scontrol.chmod(0o755)
    env = dict(
        os.environ,
        PATH=f"{bin_dir}:{os.environ['PATH']}",
        SLURM_JOB_ID="4242", SLURM_JOB_NAME="pinn-test", SLURM_NTASKS="1", SLURM_NTASKS_PER_NODE="1",
        SLURM_NNODES="1", SLURM_NODELIST="localhost", SLURM_PROCID="0", SLURM_LOCALID="0", SLURM_NODEID="0",
        OMP_NUM_THREADS="1",
    )  # fmt: skip
    cmd = [
        str(Path(sys.executable).with_name("pinn")), "fit", "--config", str(ROOT / "configs/helmholtz_hash_fd.yaml"),
        "--trainer.max_steps=400", "--data.batches_per_epoch=50", "--data.n_collocation=256",
        "--model.encoding.init_args.log2_table_size=12", "--trainer.enable_progress_bar=false",
        f"--trainer.default_root_dir={tmp_path}", f"--trainer.logger.init_args.save_dir={tmp_path}",
        "--trainer.logger.init_args.version=4242",
    ]  # fmt: skip
    first = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    run_dir = tmp_path / "helmholtz_hash_fd" / "version_4242"
    deadline = time.time() + 120
    while not list(run_dir.glob("checkpoints/*.ckpt")) and time.time() < deadline:  # training is under way
        time.sleep(0.2)
    first.send_signal(signal.SIGUSR1)
    hpc = tmp_path / "hpc_ckpt_1.ckpt"
    while not hpc.exists() and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    first.kill()  # SLURM ends the job at its time limit
    first.wait()
    assert hpc.exists(), first.stdout.read()[-3000:]
    assert "requeue 4242" in (tmp_path / "scontrol.log").read_text()
    saved_step = torch.load(hpc, weights_only=True)["global_step"]
    assert 0 < saved_step < 400

    second = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, (second.stdout[-3000:], second.stderr[-3000:])
    out = second.stdout + second.stderr
    assert "hpc_ckpt_1.ckpt" in out  # Lightning restored from the requeue checkpoint
    assert "pinn: finished 400 steps" in out
    assert (run_dir / "config.yaml").exists()
