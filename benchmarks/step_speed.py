"""Training steps per second of `pinn fit`, on the device at hand, for the shipped configs.

Each case trains a config through the same LightningCLI path as `pinn fit`, with its callbacks,
logger and checkpointing off, for ``--warmup`` steps and then ``--steps`` timed steps (the clock
reads the device only at the two ends of the timed span; a case with more points per step than
the configs' ~1 000 runs proportionally fewer steps, at least 50). Cases: the Burgers and Helmholtz
hash + FD configs as shipped, and Helmholtz with 16 384 and 131 072 points per step, in every
step mode this build offers on the device (``eager``).

    python benchmarks/step_speed.py --threads 1 --out benchmarks/results/step_speed/cpu.json
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

import lightning.pytorch as pl
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pinn_lightning.cli import cli_main  # noqa: E402

CASES = (  # (config, points per step: None = as configured)
    ("burgers_hash_fd.yaml", None),
    ("helmholtz_hash_fd.yaml", None),
    ("helmholtz_hash_fd.yaml", 16384),
    ("helmholtz_hash_fd.yaml", 131072),
)
MODES = ("eager",)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class SpanTimer(pl.Callback):
    """Wall time from the end of step ``warmup`` to the end of the run, read at those two points only."""

    def __init__(self, warmup: int) -> None:
        self.warmup = warmup
        self.start: float | None = None
        self.start_step = 0
        self.elapsed = 0.0

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.start is None and trainer.global_step >= self.warmup:
            _sync(pl_module.device)
            self.start, self.start_step = time.perf_counter(), trainer.global_step

    def on_train_end(self, trainer, pl_module) -> None:
        _sync(pl_module.device)
        self.elapsed = time.perf_counter() - self.start


def measure(config: str, n_points: int | None, warmup: int, steps: int, accelerator: str, workdir: str) -> dict:
    args = [
        "--config", str(ROOT / "configs" / config), f"--trainer.max_steps={warmup + steps}",
        "--trainer.callbacks=[]", "--trainer.logger=false", "--trainer.enable_checkpointing=false",
        "--trainer.enable_progress_bar=false", "--trainer.enable_model_summary=false",
        "--trainer.limit_val_batches=0", f"--trainer.accelerator={accelerator}", f"--trainer.default_root_dir={workdir}",
    ]  # fmt: skip
    if n_points is not None:
        args += [f"--data.n_collocation={n_points}", "--data.collocation_growth=null"]
    argv, sys.argv = sys.argv, ["pinn"]
    try:
        cli = cli_main(args, run=False)
    finally:
        sys.argv = argv
    timer = SpanTimer(warmup)
    cli.trainer.callbacks.append(timer)
    cli.trainer.fit(cli.model, cli.datamodule)
    timed = cli.trainer.global_step - timer.start_step
    points = sum(map(cli.datamodule.collocation_points_at, range(timer.start_step, cli.trainer.global_step)))
    return {
        "config": config,
        "points_per_step": points // timed,
        "steps": timed,
        "seconds": round(timer.elapsed, 4),
        "steps_per_s": round(timed / timer.elapsed, 2),
        "points_per_s": round(points / timer.elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (CPU)")
    parser.add_argument("--accelerator", default="auto")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--cases", type=int, nargs="+", default=None, help="indices into CASES (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "step_speed" / "cpu.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = "cuda" if args.accelerator in ("auto", "gpu", "cuda") and torch.cuda.is_available() else "cpu"
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for i, (config, n_points) in enumerate(CASES):
            if args.cases is not None and i not in args.cases:
                continue
            scale = 1024 / n_points if n_points else 1.0
            warmup, steps = max(10, round(args.warmup * scale)), max(50, round(args.steps * scale))
            for mode in MODES:
                row = {"mode": mode, **measure(config, n_points, warmup, steps, args.accelerator, workdir)}
                rows.append(row)
                print(json.dumps(row), flush=True)
    result = {
        "command": "python " + shlex.join(sys.argv),
        "device": torch.cuda.get_device_name() if device == "cuda" else f"CPU ({platform.processor() or platform.machine()})",
        "threads": args.threads,
        "torch": torch.__version__,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
