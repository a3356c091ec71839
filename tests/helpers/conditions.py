"""Evaluate one condition of a problem outside training."""

from __future__ import annotations

from torch import Tensor

from pinn_lightning.conditions import PointSet
from pinn_lightning.derivatives import AutogradDerivatives, Values


def condition_residual(problem, name: str, x: Tensor, u: Tensor | None = None, field=None, normal: Tensor | None = None) -> Tensor:
    """The residual of ``problem``'s condition ``name`` at ``x``: from the values ``u`` (conditions
    that need no derivatives) or from ``field`` by autograd."""
    c = problem.condition(name)
    if c.needs_derivatives:
        return c.residual(PointSet(x, normal), AutogradDerivatives()(field, x))
    return c.residual(PointSet(x, normal), Values(u if u is not None else field(x), x.shape[1]))
