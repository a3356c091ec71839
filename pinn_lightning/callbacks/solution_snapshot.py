"""Prediction, reference and error images in TensorBoard."""

from __future__ import annotations

import lightning.pytorch as pl
import torch
from typing_extensions import override

from .plotting import draw_field


class SolutionSnapshot(pl.Callback):
    """Every ``every_n_validations`` validation runs, a figure of prediction, reference and
    absolute error on the problem's reference grid (the prediction alone where the problem has
    no reference field), for each output (problems with two inputs: 1-D in time, or 2-D). Logged as ``solution/<output>`` to TensorBoard loggers.

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

        x, u_ref = problem.reference() if problem.has_reference else (problem.evaluation_points(), None)
        with torch.no_grad():
            pred = torch.cat([pl_module(c.float().to(pl_module.device)).cpu() for c in torch.split(x, 32768)])
        n0, n1 = problem.eval_resolution
        extent = (x[:, 0].min().item(), x[:, 0].max().item(), x[:, 1].min().item(), x[:, 1].max().item())
        inside = None  # a domain that is not its bounding box: its grid points among the box's, blank elsewhere
        if x.shape[0] != n0 * n1:
            axes = [torch.linspace(lo, hi, n, dtype=torch.float64) for lo, hi, n in zip(problem.lower, problem.upper, (n0, n1))]
            inside = problem.geometry.contains(torch.stack(torch.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 2), 1e-9)

        def on_grid(values: torch.Tensor) -> torch.Tensor:
            if inside is None:
                return values.reshape(n0, n1)
            return torch.full((n0 * n1,), float("nan")).masked_scatter(inside, values).reshape(n0, n1)

        names = problem.coordinate_names
        figures = {}
        shown = problem.compared if u_ref is not None else range(problem.out_dim)
        for j, k in enumerate(shown):  # reference column j holds output k
            u = problem.output_names[k]
            fields = {"prediction": pred[:, k]}
            if u_ref is not None:
                fields.update({"reference": u_ref[:, j].float(), "|error|": (pred[:, k] - u_ref[:, j].float()).abs()})
            fig, axes = plt.subplots(1, len(fields), figsize=(4 * len(fields), 3.4), squeeze=False)
            axes = axes[0]
            for ax, (title, field) in zip(axes, fields.items()):
                cmap = "viridis" if title == "|error|" else "RdBu_r"
                draw_field(ax, fig, on_grid(field), extent, names, f"{u}: {title}", cmap)
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
