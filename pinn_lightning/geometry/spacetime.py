"""A geometry extended by a time interval."""

from __future__ import annotations

import torch
from torch import Tensor

from .random import uniform
from .sampling import PointSampler
from .base import Geometry, subkey


class SpaceTime(Geometry):
    """``space`` × :math:`[t_0, t_1]`; time is the last coordinate.

    Its boundary is the lateral one, :math:`\\partial\\Omega \\times [t_0, t_1]` (normals with no time
    component); :meth:`sample_initial` draws :math:`\\Omega \\times \\{t_0\\}`. The space's named
    parts carry over, applied to the spatial coordinates.

    Args:
        space: the spatial geometry.
        t0: start time.
        t1: end time (> ``t0``).
    """

    def __init__(self, space: Geometry, t0: float, t1: float) -> None:
        if not t0 < t1:
            raise ValueError(f"the time interval needs t0 < t1, got [{t0}, {t1}]")
        self.space, self.t0, self.t1, self.dim = space, float(t0), float(t1), space.dim + 1
        self.fills_bounds = space.fills_bounds  # interior points: drawn in space and time at once
        super().__init__({name: (lambda x, p=p: p(x[:, :-1])) for name, p in space.parts.items()})

    def inside(self, x: Tensor) -> Tensor:
        t = x[:, -1]
        return self.space.inside(x[:, :-1]) & (t > self.t0) & (t < self.t1)

    def bounds(self) -> tuple[list[float], list[float]]:
        lower, upper = self.space.bounds()
        return [*lower, self.t0], [*upper, self.t1]

    def boundary_measure(self) -> float:
        return self.space.boundary_measure() * (self.t1 - self.t0)

    def _times(self, n: int, key, device, like: Tensor) -> Tensor:
        return self.t0 + (self.t1 - self.t0) * uniform(key, (n, 1), device).to(like.dtype)

    def _boundary_pool(self, m: int, key, device) -> tuple[Tensor, Tensor, Tensor]:
        x, normal, keep = self.space._boundary_pool(m, subkey(key, 1), device)
        t = self._times(m, subkey(key, 2), device, x)
        return torch.cat([x, t], dim=1), torch.cat([normal, torch.zeros_like(t)], dim=1), keep

    def sample_initial(self, n: int, key, device=None, sampler: PointSampler | None = None) -> Tensor:
        """``n`` points of :math:`\\Omega \\times \\{t_0\\}`, ``[n, d + 1]``."""
        x = self.space.sample_interior(n, key, device, sampler)
        return torch.cat([x, torch.full_like(x[:, :1], self.t0)], dim=1)
