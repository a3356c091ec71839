"""Prints where a finished run stands: final error, steps, time, logs, checkpoint."""

from __future__ import annotations

import time

import lightning.pytorch as pl
from lightning.pytorch.utilities import rank_zero_only
from typing_extensions import override


class FitSummary(pl.Callback):
    """At the end of ``fit``, print the last ``val/rel_l2``, steps, wall time, log and checkpoint paths."""

    def __init__(self) -> None:
        self._start = 0.0

    @override
    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._start = time.perf_counter()

    @override
    @rank_zero_only
    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        err = trainer.callback_metrics.get("val/rel_l2")
        lines = [
            "",
            f"pinn: finished {trainer.global_step} steps in {time.perf_counter() - self._start:.1f} s",
            f"pinn: final val/rel_l2 = {float(err):.4e}" if err is not None else "pinn: no validation ran",
        ]
        if trainer.logger is not None and trainer.logger.log_dir:
            lines.append(f"pinn: TensorBoard logs in {trainer.logger.log_dir}  (tensorboard --logdir {trainer.logger.save_dir})")
        ckpt = trainer.checkpoint_callback
        if ckpt is not None and getattr(ckpt, "best_model_path", ""):
            lines.append(f"pinn: best checkpoint {ckpt.best_model_path}")
        print("\n".join(lines), flush=True)
