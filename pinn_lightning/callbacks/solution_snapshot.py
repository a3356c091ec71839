"""Prediction, reference and error images in TensorBoard."""

from __future__ import annotations

import lightning.pytorch as pl
import torch
from typing_extensions import override

from .plotting import draw_field


class SolutionSnapshot(pl.Callback):
    """Every ``every_n_validations`` validation runs, a figure of prediction, reference and
    absolute error on the problem's reference grid, for each output (problems with two inputs:
    1-D in time, or 2-D). Logged as ``solution/<output>`` to TensorBoard loggers.

    Args:
        every_n_validations: validation runs between snapshots.
    """

    def __init__(self, every_n_validations: int = 1) -> None:
        if every_n_validations < 1:
            raise ValueError(f"every_n_validations must be >= 1, got {every_n_validations}")
        self.every_n_validations = every_n_validations
        self._count = 0

    def figures(self, pl_module: pl.LightningModule) -> dict:
        """``{tag: figure}`` for the current model (empty unless the problem has 2 inputs on a grid)."""
        problem = pl_module.problem
        if problem.in_dim != 2 or problem.eval_resolution is None:
            return {}
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        x, u_ref = problem.reference()
        with torch.no_grad():
            pred = torch.cat([pl_module(c.float().to(pl_module.device)).cpu() for c in torch.split(x, 32768)])
        n0, n1 = problem.eval_resolution
        extent = (x[:, 0].min().item(), x[:, 0].max().item(), x[:, 1].min().item(), x[:, 1].max().item())
        names = problem.coordinate_names
        figures = {}
        for j, k in enumerate(problem.compared):  # reference column j holds output k
            u = problem.output_names[k]
            fields = {
                "prediction": pred[:, k],
                "reference": u_ref[:, j].float(),
                "|error|": (pred[:, k] - u_ref[:, j].float()).abs(),
            }
            fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
            for ax, (title, field) in zip(axes, fields.items()):
                cmap = "viridis" if title == "|error|" else "RdBu_r"
                draw_field(ax, fig, field.reshape(n0, n1), extent, names, f"{u}: {title}", cmap)
            fig.tight_layout()
            figures[f"solution/{u}"] = fig
        return figures

    @override
    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        self._count += 1
        experiment = getattr(trainer.logger, "experiment", None)
        if self._count % self.every_n_validations or not trainer.is_global_zero or not hasattr(experiment, "add_figure"):
            return
        for tag, fig in self.figures(pl_module).items():
            experiment.add_figure(tag, fig, global_step=trainer.global_step, close=True)
