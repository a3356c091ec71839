"""Point samplers on the unit cube and on the parts of a box (interior, faces, initial slice).

Every draw is a pure function of an integer key (:mod:`pinn_lightning.geometry.random`), made on the
device that asks for it, with static shapes and no read of the device by the host.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from torch import Tensor

from .random import draw_key, random_bits, uniform

SamplerName = Literal["uniform", "lhs", "sobol"]
_SOBOL_BITS = 30  # SobolEngine's points are multiples of 2^-30


class PointSampler:
    r"""Draws points of a box, its faces and its initial slice, keyed by integers.

    ``method``:

    * ``"uniform"``: independent uniform points.
    * ``"lhs"``: Latin hypercube: along each axis one point in each of the ``n`` strata (the
      strata's order a random permutation: ``argsort`` of random keys).
    * ``"sobol"``: the first ``n`` points of a scrambled Sobol sequence (Owen scrambling, seeded
      by ``seed``; computed once per ``(n, dim)`` and kept on the device), each draw **digitally
      shifted**: the 30 binary digits of every coordinate XOR a random 30-bit word per axis and
      draw. A digital shift maps a :math:`(t, m, s)`-net to a :math:`(t, m, s)`-net, so every
      draw keeps the sequence's stratification and low discrepancy; the shift's randomness makes
      each draw (each step, rank) a different point set.

    Args:
        method: ``"uniform"``, ``"lhs"`` or ``"sobol"``.
        seed: seeds the Sobol scrambling (the draws themselves are keyed by their ``key``).
    """

    def __init__(self, method: SamplerName = "uniform", seed: int = 0) -> None:
        if method not in ("uniform", "lhs", "sobol"):
            raise ValueError(f"sampler must be 'uniform', 'lhs' or 'sobol', got {method!r}")
        self.method = method
        self.seed = seed
        self._pools: dict[tuple[int, int, str], Tensor] = {}

    def _sobol_pool(self, n: int, dim: int, device: torch.device) -> Tensor:
        """The scrambled Sobol points as integers, ``[n, dim]`` int64 (built once per shape and device)."""
        slot = (n, dim, str(device))
        if slot not in self._pools:
            engine = torch.quasirandom.SobolEngine(dim, scramble=True, seed=draw_key(self.seed, dim) & 0x7FFFFFFF)
            points = engine.draw(n, dtype=torch.float64)  # exact multiples of 2^-30
            self._pools[slot] = (points * 2.0**_SOBOL_BITS).long().to(device)
        return self._pools[slot]

    def unit_cube(self, n: int, dim: int, key: int | Tensor, device: torch.device | str | None = None) -> Tensor:
        """``n`` points in ``[0, 1)^dim``, float32, ``[n, dim]``, on ``device``."""
        device = torch.device(device) if device is not None else torch.device("cpu")
        if self.method == "uniform":
            return uniform(key, (n, dim), device)
        if self.method == "lhs":
            strata = torch.argsort(uniform(draw_key(key, 1), (dim, n), device), dim=1).t()  # [n, dim]
            return (strata + uniform(draw_key(key, 2), (n, dim), device)) / n
        shift = random_bits(key, dim, device) & ((1 << _SOBOL_BITS) - 1)  # [dim]
        shifted = self._sobol_pool(n, dim, device) ^ shift
        # + half of the last digit's cell: centred in the 2^-30 cell, strictly inside (0, 1)
        return ((shifted.to(torch.float64) + 0.5) * 2.0**-_SOBOL_BITS).float()

    def interior(self, n: int, lower: Sequence[float], upper: Sequence[float], key: int | Tensor, device=None) -> Tensor:
        """``n`` points in the box ``[lower, upper]``, ``[n, d]``."""
        u = self.unit_cube(n, len(lower), key, device)
        lo, hi = u.new_tensor(lower), u.new_tensor(upper)
        return lo + u * (hi - lo)

    def boundary(
        self, n: int, lower: Sequence[float], upper: Sequence[float], spatial_dims: Sequence[int], key: int | Tensor, device=None
    ) -> Tensor:
        """``n`` points on the faces of the spatial dimensions, uniform in area, ``[n, d]``.

        Each point picks a face with probability proportional to its measure (the product of the
        other dimensions' extents, time included), then that face's coordinate is pinned.
        """
        x = self.interior(n, lower, upper, key, device)
        lo, hi = x.new_tensor(lower), x.new_tensor(upper)
        extents = (hi - lo).double()
        dims = torch.tensor(list(spatial_dims), device=x.device)
        face_measure = extents.prod() / extents[dims]  # [n_spatial]
        cumulative = (face_measure.repeat_interleave(2) / (2 * face_measure.sum())).cumsum(0)  # lower, upper face
        pick = uniform(draw_key(key, 3), (n,), x.device, torch.float64)
        face = torch.searchsorted(cumulative, pick, right=True).clamp_(max=cumulative.shape[0] - 1)  # [n]
        dim = dims[face // 2]
        value = torch.where(face % 2 == 0, lo[dim], hi[dim])  # [n]
        pinned = torch.arange(x.shape[1], device=x.device) == dim[:, None]  # [n, d]
        return torch.where(pinned, value[:, None], x)

    def initial(self, n: int, lower: Sequence[float], upper: Sequence[float], time_dim: int, key: int | Tensor, device=None) -> Tensor:
        """``n`` points on the initial slice ``t = lower[time_dim]``, ``[n, d]``."""
        x = self.interior(n, lower, upper, key, device)
        x[:, time_dim] = lower[time_dim]
        return x
