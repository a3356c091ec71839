"""Per-step cost of the Lightning path against a plain PyTorch loop doing the same work.

For each shipped config, the model, sampler, derivative operator and loss are built from the
config; the raw loop runs them with Adam and the LR schedule and nothing else, and `pinn fit`
runs them with everything a user gets (logging, progress bar, checkpointing, the configs'
callbacks). Blocks alternate raw / Lightning / raw; times are medians of per-step wall time
with warm-up and validation/diagnostic steps excluded (the median ignores the rare slow steps).

    python benchmarks/step_overhead.py --steps 300 --threads 1 --out benchmarks/results/step_overhead/step_overhead.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import lightning.pytorch as pl
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pinn_lightning.cli import cli_main  # noqa: E402

CONFIGS = ("burgers_mlp_autograd.yaml", "burgers_hash_fd.yaml", "helmholtz_hash_fd.yaml", "helmholtz_mlp_autograd.yaml")


class StepTimer(pl.Callback):
    """Wall time per optimizer step, keyed by the global step it ends at."""

    def __init__(self) -> None:
        self.times: list[tuple[int, float]] = []  # (global step, seconds per step)
        self._last: tuple[int, float] | None = None

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        now = time.perf_counter()
        if self._last is not None:
            step, then = self._last
            self.times.append((trainer.global_step, (now - then) / (trainer.global_step - step)))
        self._last = trainer.global_step, now

    def on_validation_start(self, trainer, pl_module) -> None:
        self._last = None  # the step after validation would include it


def build(config: str, workdir: str, extra: list[str]):
    argv, sys.argv = sys.argv, ["pinn"]
    try:
        return cli_main(["--config", str(ROOT / "configs" / config), f"--trainer.default_root_dir={workdir}",
                         f"--trainer.logger.init_args.save_dir={workdir}", *extra], run=False)  # fmt: skip
    finally:
        sys.argv = argv


def raw_loop(config: str, steps: int, workdir: str) -> list[tuple[int, float]]:
    cli = build(config, workdir, [])
    model, dm = cli.model, cli.datamodule
    optimizers = model.configure_optimizers()
    if isinstance(optimizers, dict):  # with a schedule
        adam, scheduler = optimizers["optimizer"], optimizers["lr_scheduler"]["scheduler"]
    else:
        adam, scheduler = optimizers, None
    times = []
    last = time.perf_counter()
    for step in range(steps):
        batch = dm.sample_batch(model.problem, step)
        model.set_step(step)
        loss = model.total_loss(model.loss_terms(batch))
        adam.zero_grad()
        loss.backward()
        if model.hparams.grad_clip_norm is not None:  # what the module's training step does too
            torch.nn.utils.clip_grad_norm_(model.parameters(), model.hparams.grad_clip_norm)
        adam.step()
        if scheduler is not None:
            scheduler.step()
        now = time.perf_counter()
        times.append((step + 1, now - last))
        last = now
    return times


def lightning_run(config: str, steps: int, workdir: str, extra: list[str]) -> list[tuple[int, float]]:
    cli = build(config, workdir, [f"--trainer.max_steps={steps}", *extra])
    timer = StepTimer()
    cli.trainer.callbacks.append(timer)
    cli.trainer.fit(cli.model, cli.datamodule)
    return timer.times


def median_ms(times: list[tuple[int, float]], warmup: int) -> float:
    """Median milliseconds per step over the entries that end after step ``warmup``."""
    return 1000 * statistics.median(t for step, t in times if step > warmup)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "step_overhead" / "step_overhead.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for config in args.configs:
            raw_a = raw_loop(config, args.steps, workdir)
            lit = lightning_run(config, args.steps, workdir, [])
            raw_b = raw_loop(config, args.steps, workdir)
            raw = median_ms(raw_a, args.warmup), median_ms(raw_b, args.warmup)
            row = {
                "config": config,
                "raw_ms": round(statistics.mean(raw), 2),
                "raw_ms_blocks": [round(r, 2) for r in raw],
                "lightning_ms": round(median_ms(lit, args.warmup), 2),
            }
            row["ratio"] = round(row["lightning_ms"] / row["raw_ms"], 3)
            rows.append(row)
            print(json.dumps(row), flush=True)
    result = {"command": "python " + " ".join(sys.argv), "threads": args.threads, "steps": args.steps,
              "torch": torch.__version__, "rows": rows}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"{'config':32s} {'raw ms':>8s} {'pinn fit ms':>12s} {'ratio':>6s}")
    for r in rows:
        print(f"{r['config']:32s} {r['raw_ms']:8.2f} {r['lightning_ms']:12.2f} {r['ratio']:6.3f}")


if __name__ == "__main__":
    main()
