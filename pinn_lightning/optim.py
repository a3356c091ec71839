"""The optimizer's parameter groups and the exponential learning-rate decay the configs use."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


class ExponentialDecay(LambdaLR):
    r"""The learning rate times :math:`\text{rate}^{\,s / \text{every}}` at optimizer step :math:`s`:
    multiplied by ``rate`` every ``every`` steps, smoothly (``rate: 0.5, every: 700``: halved every
    700 steps). Step it once per optimizer step.

    Args:
        optimizer: the optimizer.
        rate: factor per ``every`` steps, in (0, 1].
        every: steps per factor ``rate``.
    """

    def __init__(self, optimizer: Optimizer, rate: float = 1.0, every: int = 1000) -> None:
        if not 0 < rate <= 1:
            raise ValueError(f"ExponentialDecay: rate must be in (0, 1], got {rate}")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"ExponentialDecay: every must be an integer >= 1, got {every!r}")
        self.rate, self.every = rate, every
        super().__init__(optimizer, self.factor)

    def factor(self, step: int) -> float:
        return self.rate ** (step / self.every)


def parameter_groups(
    model: nn.Module, encoding: nn.Module, coefficients: nn.Module, encoding_lr_scale: float, coefficient_lr_scale: float
) -> list[dict]:
    r"""The optimizer's parameter groups, and the rule for their learning rates.

    * ``network``: every trainable parameter of ``model`` not below (the MLP), at the optimizer's
      learning rate :math:`\eta`;
    * ``encoding``: the encoding's parameters (the hash tables), at :math:`\eta \cdot` ``encoding_lr_scale``;
    * ``coefficients``: learnt PDE coefficients (inverse problems), at :math:`\eta \cdot` ``coefficient_lr_scale``.

    A group whose scale is 1 joins ``network`` (so a plain config has one group, logged as
    ``lr-<Optimizer>``); otherwise the groups are named (``lr-<Optimizer>/<name>``). Each group
    carries its ``lr_scale``; :func:`apply_lr_scales` turns it into a learning rate once the
    optimizer is built. A schedule then scales every group alike.
    """
    special = [(name, [p for p in module.parameters() if p.requires_grad], scale)
               for name, module, scale in (("encoding", encoding, encoding_lr_scale), ("coefficients", coefficients, coefficient_lr_scale))
               if scale != 1.0]  # fmt: skip
    special = [(name, params, scale) for name, params, scale in special if params]
    taken = {id(p) for _, params, _ in special for p in params}
    main = [p for p in model.parameters() if p.requires_grad and id(p) not in taken]
    groups = [{"params": main, "lr_scale": 1.0}]
    if special:
        groups[0]["name"] = "network"
        groups += [{"params": params, "lr_scale": scale, "name": name} for name, params, scale in special]
    return groups


def apply_lr_scales(optimizer: Optimizer) -> Optimizer:
    """Set each group's learning rate to its ``lr_scale`` times the optimizer's own (before any
    scheduler records the initial rates)."""
    for group in optimizer.param_groups:
        group["lr"] = optimizer.defaults["lr"] * group.get("lr_scale", 1.0)
    return optimizer


def default_optimizer(params: Iterable) -> Optimizer:
    """Adam at 1e-3, one fused kernel per step."""
    return torch.optim.Adam(params, lr=1e-3, fused=True)
