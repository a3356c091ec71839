"""Prints where a finished run stands: final error, steps, time, logs, checkpoint."""

from __future__ import annotations

import time

import lightning.pytorch as pl
from lightning.pytorch.utilities import rank_zero_only
from typing_extensions import override


class FitSummary(pl.Callback):
    """At the end of ``fit``, print the final model's relative L2 error on the problem's whole
    reference grid (whether or not the last step was validated), the step count, wall time,
    TensorBoard directory and best checkpoint; log the hyperparameters with that error as
    ``hp_metric`` (TensorBoard's HPARAMS tab).

    Args:
        eval_batch_size: reference points per forward pass.
    """

    def __init__(self, eval_batch_size: int = 32768) -> None:
        if eval_batch_size < 1:
            raise ValueError(f"eval_batch_size must be >= 1, got {eval_batch_size}")
        self.eval_batch_size = eval_batch_size
        self._start = 0.0

    @override
    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._start = time.perf_counter()

    @override
    @rank_zero_only
    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        lines = ["", f"pinn: finished {trainer.global_step} steps in {time.perf_counter() - self._start:.1f} s"]
        try:
            err = pl_module.reference_error(self.eval_batch_size)
        except NotImplementedError:  # a problem without reference solution
            err = None
        if err is not None and trainer.logger is not None:
            # The HPARAMS tab: the run's settings against its final error.
            trainer.logger.log_hyperparams(hparams_summary(pl_module), {"hp_metric": err})
        if err is not None:
            lines.append(f"pinn: final rel_l2 = {err:.4e} (relative L2 error of the last model on the reference grid)")
        for name, value in pl_module.problem.learned_coefficients().items():
            lines.append(f"pinn: learnt {name} = {value.item():.6g} (given value {getattr(pl_module.problem, name):.6g})")
        ckpt = trainer.checkpoint_callback
        if ckpt is not None and getattr(ckpt, "best_model_path", ""):
            score = ckpt.best_model_score
            best = f" (val/rel_l2 = {score.item():.4e})" if score is not None and ckpt.monitor == "val/rel_l2" else ""
            lines.append(f"pinn: best checkpoint {ckpt.best_model_path}{best}")
        if trainer.logger is not None and trainer.logger.log_dir:
            lines.append(
                f"pinn: TensorBoard logs in {trainer.logger.log_dir}  (tensorboard --logdir {trainer.logger.save_dir})"
            )
        print("\n".join(lines), flush=True)


def hparams_summary(module: pl.LightningModule) -> dict[str, float | int | str | bool]:
    """Flat, TensorBoard-friendly description of a run: the module's hyperparameters plus the class
    and scalar settings of its problem, encoding, derivative operator and strategies."""
    summary = {k: v for k, v in module.hparams.items() if isinstance(v, (int, float, str, bool))}
    parts = {"problem": module.problem, "encoding": module.network.encoding, "derivatives": module.derivatives,
             "loss_weighting": module.loss_weighting, "lbfgs": module.lbfgs, "causal": module.causal}  # fmt: skip
    for prefix, obj in parts.items():
        if obj is None:
            continue
        summary[prefix] = type(obj).__name__
        for key, value in vars(obj).items():
            if not key.startswith("_") and key != "training" and isinstance(value, (int, float, str, bool)):
                summary[f"{prefix}.{key}"] = value
    return summary
