"""`pinn predict` output: the solution on the reference grid as .npz (and a PNG figure)."""

from __future__ import annotations

from pathlib import Path

import lightning.pytorch as pl
import numpy as np
import torch
from lightning.pytorch.callbacks import BasePredictionWriter
from typing_extensions import override

from .solution_snapshot import SolutionSnapshot


class PredictionWriter(BasePredictionWriter):
    """Writes ``<output_dir>/predictions.npz`` with ``x`` ``[N, d]`` (the problem's reference
    grid), ``u`` ``[N, m]`` (the prediction, all outputs), ``u_reference`` (the reference of the
    outputs listed in ``reference_outputs``), and the input/output names; with ``plot``, ``predictions.png`` (prediction, reference, error) for
    problems with two inputs. Under DDP each rank writes ``predictions_rank<r>.npz`` for its share.

    Use: ``pinn predict --config C --ckpt_path K --trainer.callbacks+=pinn_lightning.PredictionWriter``.

    Args:
        output_dir: directory of the files (created).
        plot: also write the PNG figure.
    """

    def __init__(self, output_dir: str = "predictions", plot: bool = True) -> None:
        super().__init__(write_interval="epoch")
        self.output_dir = Path(output_dir)
        self.plot = plot

    @override
    def write_on_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, predictions, batch_indices) -> None:
        problem = pl_module.problem
        rank, world = trainer.global_rank, trainer.world_size
        x, u_ref = problem.reference()
        u = torch.cat([p.detach().cpu() for p in predictions])
        arrays = {
            "x": x[rank::world].numpy(),
            "u": u.double().numpy(),
            "u_reference": u_ref[rank::world].numpy(),
            "input_names": np.array(problem.input_names),
            "output_names": np.array(problem.output_names),
            "reference_outputs": np.array(problem.compared),
        }
        self.output_dir.mkdir(parents=True, exist_ok=True)
        name = "predictions.npz" if world == 1 else f"predictions_rank{rank}.npz"
        np.savez(self.output_dir / name, **arrays)
        if self.plot and trainer.is_global_zero:
            for tag, fig in SolutionSnapshot().figures(pl_module).items():
                suffix = "" if len(problem.compared) == 1 else "_" + tag.split("/", 1)[1]
                fig.savefig(self.output_dir / f"predictions{suffix}.png", dpi=110)
                import matplotlib.pyplot as plt

                plt.close(fig)
