"""Point samplers on the unit cube and on the parts of a box (interior, faces, initial slice)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from torch import Tensor

SamplerName = Literal["uniform", "lhs", "sobol"]


def unit_cube(n: int, dim: int, method: SamplerName, generator: torch.Generator) -> Tensor:
    """``n`` points in ``[0, 1)^dim``, float32, ``[n, dim]``.

    ``uniform``: i.i.d.; ``lhs``: Latin hypercube (one point per stratum of each axis);
    ``sobol``: scrambled Sobol sequence (seeded from ``generator``).
    """
    if method == "uniform":
        return torch.rand(n, dim, generator=generator)
    if method == "lhs":
        strata = torch.stack([torch.randperm(n, generator=generator) for _ in range(dim)], dim=1)
        return (strata + torch.rand(n, dim, generator=generator)) / n
    if method == "sobol":
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
        return torch.quasirandom.SobolEngine(dim, scramble=True, seed=seed).draw(n)
    raise ValueError(f"sampler must be 'uniform', 'lhs' or 'sobol', got {method!r}")


def sample_interior(
    n: int, lower: Sequence[float], upper: Sequence[float], method: SamplerName, generator: torch.Generator
) -> Tensor:
    """``n`` points in the box ``[lower, upper]``, ``[n, d]``."""
    lo, hi = torch.tensor(lower), torch.tensor(upper)
    return lo + unit_cube(n, len(lower), method, generator) * (hi - lo)


def sample_boundary(
    n: int,
    lower: Sequence[float],
    upper: Sequence[float],
    spatial_dims: Sequence[int],
    method: SamplerName,
    generator: torch.Generator,
) -> Tensor:
    """``n`` points on the faces of the spatial dimensions, uniform in area, ``[n, d]``.

    Each point picks a face with probability proportional to its measure (the product of the
    other dimensions' extents, time included), then one of its coordinates is pinned there.
    """
    x = sample_interior(n, lower, upper, method, generator)
    extents = torch.tensor(upper) - torch.tensor(lower)
    dims = torch.tensor(list(spatial_dims))
    face_measure = torch.stack([extents.prod() / extents[j] for j in dims])  # [n_spatial]
    probs = face_measure.repeat_interleave(2) / (2 * face_measure.sum())  # lower and upper face
    face = torch.multinomial(probs, n, replacement=True, generator=generator)  # [n]
    dim = dims[face // 2]
    value = torch.where(face % 2 == 0, torch.tensor(lower)[dim], torch.tensor(upper)[dim])
    x[torch.arange(n), dim] = value
    return x


def sample_initial(
    n: int,
    lower: Sequence[float],
    upper: Sequence[float],
    time_dim: int,
    method: SamplerName,
    generator: torch.Generator,
) -> Tensor:
    """``n`` points on the initial slice ``t = lower[time_dim]``, ``[n, d]``."""
    x = sample_interior(n, lower, upper, method, generator)
    x[:, time_dim] = lower[time_dim]
    return x
