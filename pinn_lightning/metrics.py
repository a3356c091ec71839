"""Relative L2 error, as a function and as a DDP-correct torchmetrics ``Metric``."""

from __future__ import annotations

import torch
from torch import Tensor
from torchmetrics import Metric


def relative_l2_error(pred: Tensor, target: Tensor) -> Tensor:
    r""":math:`\|u - u^*\|_2 / \|u^*\|_2` over all points and components (DeepXDE's "L2 relative error")."""
    if pred.shape != target.shape:
        raise ValueError(f"pred and target shapes differ: {tuple(pred.shape)} vs {tuple(target.shape)}")
    return torch.linalg.vector_norm(pred - target) / torch.linalg.vector_norm(target)


class RelativeL2Error(Metric):
    r"""Relative L2 error accumulated over batches and processes.

    Keeps :math:`\sum (u - u^*)^2` and :math:`\sum u^{*2}` as sum states, so that under DDP
    the ratio is taken after the all-reduce (averaging per-rank ratios would be wrong).
    """

    is_differentiable = False
    higher_is_better = False
    full_state_update = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.add_state("sq_error", default=torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("sq_target", default=torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")

    def update(self, pred: Tensor, target: Tensor) -> None:
        if pred.shape != target.shape:
            raise ValueError(f"pred and target shapes differ: {tuple(pred.shape)} vs {tuple(target.shape)}")
        self.sq_error += (pred.double() - target.double()).square().sum()
        self.sq_target += target.double().square().sum()

    def compute(self) -> Tensor:
        return torch.sqrt(self.sq_error / self.sq_target)
