"""The initial condition of a time-dependent problem."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from ..derivatives import FieldDerivatives
from ..geometry import Geometry, SpaceTime
from ..geometry.sampling import PointSampler
from .base import Condition, PointSet, Value, prescribed


class Initial(Condition):
    r""":math:`u = u_0` at :math:`t = t_0` and, for problems second order in time, :math:`u_t = v_0`.

    Points are drawn in the spatial domain at the start of the time interval (the geometry is a
    :class:`~pinn_lightning.geometry.SpaceTime`, time its last coordinate).

    Args:
        value: :math:`u_0`: a constant, one per component, or a function ``[n, d] -> [n, k]``.
        velocity: :math:`v_0` (``None``: no velocity condition).
        name, points, components: see :class:`~pinn_lightning.conditions.Condition`.
    """

    kind = "initial"

    def __init__(self, value: Value = 0.0, velocity: Value | None = None, name: str = "initial",
                 points: int | None = None, components: Sequence[int] | None = None) -> None:  # fmt: skip
        super().__init__(name, None, points, components)
        self.value, self.velocity = value, velocity
        self.needs_derivatives = velocity is not None

    def check(self, geometry: Geometry, out_dim: int) -> None:
        super().check(geometry, out_dim)
        if not isinstance(geometry, SpaceTime):
            raise ValueError(f"condition {self.name!r}: an initial condition needs a time-dependent problem "
                             f"(a SpaceTime geometry), got {type(geometry).__name__}")  # fmt: skip

    def sample(self, geometry: Geometry, n: int, key, device=None, sampler: PointSampler | None = None,
               rank: int = 0, world_size: int = 1) -> PointSet:  # fmt: skip
        return PointSet(geometry.sample_initial(n, key, device, sampler))

    def residual(self, p: PointSet, d: FieldDerivatives) -> Tensor:
        r = self.select(d.u) - prescribed(self.value, p.x, d.u)
        if self.velocity is None:
            return r
        u_t = self.select(d.grad(p.x.shape[1] - 1))
        return torch.cat([r, u_t - prescribed(self.velocity, p.x, d.u)], dim=1)
