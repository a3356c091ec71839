"""Observations of the field at given points (inverse problems, sensor data)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

from ..derivatives import FieldDerivatives
from ..geometry import Geometry
from ..geometry.sampling import PointSampler
from .base import Condition, PointSet


class PointData(Condition):
    r""":math:`u(x_i) = u_i` at fixed points: the data misfit :math:`\overline{\|u_\theta(x_i) - u_i\|^2}`.

    The points are fixed for the whole run; under DDP each rank takes every ``world_size``-th one.

    Args:
        x: the points, ``[n, d]`` (``None``: the data module supplies them, with their values,
            as its ``observations``).
        values: the observed values of the constrained components, ``[n, k]``.
        name, components: see :class:`~pinn_lightning.conditions.Condition`.
    """

    kind = "points"

    def __init__(self, x: Tensor | None = None, values: Tensor | None = None, name: str = "data",
                 components: Sequence[int] | None = None) -> None:  # fmt: skip
        super().__init__(name, None, None, components)
        self._on: dict[tuple, PointSet] = {}
        if x is None and values is None:
            self.x = self.values = None
            return
        if x is None or values is None:
            raise ValueError(f"{name}: give both x and values, or neither")
        if values.ndim == 1:
            values = values[:, None]
        if x.ndim != 2 or values.shape[0] != x.shape[0]:
            raise ValueError(f"{name}: x must be [n, d] and values [n, k], got {tuple(x.shape)} and {tuple(values.shape)}")
        self.x, self.values = x.float(), values.float()

    def sample(self, geometry: Geometry, n: int, key, device=None, sampler: PointSampler | None = None,
               rank: int = 0, world_size: int = 1) -> PointSet:  # fmt: skip
        if self.x is None:
            raise RuntimeError(f"{self.name}: no points given; the data module's observations supply them")
        slot = (rank, world_size, str(device))
        if slot not in self._on:  # moved to the device once
            self._on[slot] = PointSet(self.x[rank::world_size].to(device), values=self.values[rank::world_size].to(device))
        return self._on[slot]

    def residual(self, p: PointSet, d: FieldDerivatives) -> Tensor:
        return self.select(d.u) - p.values.to(d.u.dtype)
