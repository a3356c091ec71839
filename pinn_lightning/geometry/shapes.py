"""Shapes: box, disk, ball and polygon."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from .random import uniform
from .sampling import PointSampler
from .base import Geometry, Predicate, as_floats

_AXES = "xyzw"


class Box(Geometry):
    """The box :math:`[a, b] \\subset \\mathbb R^d` (1 <= d <= 4).

    Its faces are named boundary parts ``x_min``, ``x_max``, ``y_min``, ... (besides any given).

    Args:
        lower: the corner :math:`a`.
        upper: the corner :math:`b`.
        parts: more named boundary parts.
    """

    def __init__(self, lower: Sequence[float], upper: Sequence[float], parts: dict[str, Predicate] | None = None) -> None:
        lower, upper = as_floats(lower, "lower"), as_floats(upper, "upper", len(lower))
        if not 1 <= len(lower) <= 4 or any(not lo < hi for lo, hi in zip(lower, upper)):
            raise ValueError(f"Box needs 1-4 dimensions with lower < upper, got {lower}, {upper}")
        self.dim = len(lower)
        self.fills_bounds = True
        self.lower, self.upper = lower, upper
        faces: dict[str, Predicate] = {}
        for i in range(self.dim):
            tol = 1e-6 * (upper[i] - lower[i])
            faces[f"{_AXES[i]}_min"] = lambda x, i=i, v=lower[i], tol=tol: (x[:, i] - v).abs() <= tol
            faces[f"{_AXES[i]}_max"] = lambda x, i=i, v=upper[i], tol=tol: (x[:, i] - v).abs() <= tol
        super().__init__({**faces, **(parts or {})})

    def inside(self, x: Tensor) -> Tensor:
        lo, hi = x.new_tensor(self.lower), x.new_tensor(self.upper)
        return ((x > lo) & (x < hi)).all(1)

    def bounds(self) -> tuple[list[float], list[float]]:
        return list(self.lower), list(self.upper)

    def boundary_measure(self) -> float:
        extents = [hi - lo for lo, hi in zip(self.lower, self.upper)]
        return 2 * sum(math.prod(extents) / e for e in extents) if self.dim > 1 else 2.0

    def _boundary_candidates(self, n: int, key, device) -> tuple[Tensor, Tensor]:
        x = PointSampler().boundary(n, self.lower, self.upper, range(self.dim), key, device)
        normal = (x == x.new_tensor(self.upper)).to(x.dtype) - (x == x.new_tensor(self.lower)).to(x.dtype)
        return x, normal


class _Round(Geometry):
    """The open ball :math:`|x - c| < r` of dimension ``dim``."""

    def __init__(self, center: Sequence[float], radius: float, parts: dict[str, Predicate] | None = None) -> None:
        if not radius > 0:
            raise ValueError(f"radius must be > 0, got {radius}")
        self.center, self.radius = as_floats(center, "center", self.dim), float(radius)
        super().__init__(parts)

    def inside(self, x: Tensor) -> Tensor:
        return (x - x.new_tensor(self.center)).square().sum(1) < self.radius**2

    def bounds(self) -> tuple[list[float], list[float]]:
        return [c - self.radius for c in self.center], [c + self.radius for c in self.center]

    def _on_sphere(self, normal: Tensor) -> tuple[Tensor, Tensor]:
        """Boundary points from unit normals ``[n, dim]`` (float64), as float32 ``(x, normal)``."""
        normal = normal.float()
        return normal.new_tensor(self.center) + self.radius * normal, normal


class Disk(_Round):
    """The disk :math:`|x - c| < r` in the plane.

    Args:
        center: :math:`c`.
        radius: :math:`r > 0`.
        parts: named boundary parts.
    """

    dim = 2

    def boundary_measure(self) -> float:
        return 2 * math.pi * self.radius

    def _boundary_candidates(self, n: int, key, device) -> tuple[Tensor, Tensor]:
        theta = 2 * math.pi * uniform(key, (n,), device, torch.float64)
        return self._on_sphere(torch.stack([theta.cos(), theta.sin()], dim=1))


class Ball(_Round):
    """The ball :math:`|x - c| < r` in space (boundary points: Archimedes' uniform map of the sphere).

    Args:
        center: :math:`c`.
        radius: :math:`r > 0`.
        parts: named boundary parts.
    """

    dim = 3

    def boundary_measure(self) -> float:
        return 4 * math.pi * self.radius**2

    def _boundary_candidates(self, n: int, key, device) -> tuple[Tensor, Tensor]:
        u = uniform(key, (n, 2), device, torch.float64)
        z, phi = 2 * u[:, 0] - 1, 2 * math.pi * u[:, 1]
        rho = (1 - z * z).clamp_min(0).sqrt()
        return self._on_sphere(torch.stack([rho * phi.cos(), rho * phi.sin(), z], dim=1))


class Polygon(Geometry):
    """A simple polygon in the plane, given by its vertices in either orientation.

    Inside by the even-odd rule; boundary points by length along the edges, outward normals.

    Args:
        vertices: ``[[x, y], ...]``, at least 3, the last joined to the first.
        parts: named boundary parts.
    """

    dim = 2

    def __init__(self, vertices: Sequence[Sequence[float]], parts: dict[str, Predicate] | None = None) -> None:
        v = torch.tensor([as_floats(p, "vertex", 2) for p in vertices], dtype=torch.float64)
        if v.shape[0] < 3:
            raise ValueError(f"a polygon needs at least 3 vertices, got {v.shape[0]}")
        w = v.roll(-1, 0)
        signed_area = 0.5 * (v[:, 0] * w[:, 1] - w[:, 0] * v[:, 1]).sum().item()
        if signed_area == 0:
            raise ValueError("the polygon's vertices enclose no area")
        self.vertices = v if signed_area > 0 else v.flip(0)  # counter-clockwise
        self.area = abs(signed_area)
        super().__init__(parts)

    def _edges(self, like: Tensor) -> tuple[Tensor, Tensor]:
        a = self.vertices.to(like.device, like.dtype)
        return a, a.roll(-1, 0)

    def inside(self, x: Tensor) -> Tensor:
        a, b = self._edges(x)  # [E, 2]
        px, py = x[:, :1], x[:, 1:]  # [n, 1]
        crosses = (a[:, 1] > py) != (b[:, 1] > py)  # [n, E]
        dy = torch.where(crosses, b[:, 1] - a[:, 1], torch.ones_like(b[:, 1]))
        x_cross = a[:, 0] + (py - a[:, 1]) * (b[:, 0] - a[:, 0]) / dy
        return (crosses & (px < x_cross)).sum(1) % 2 == 1

    def bounds(self) -> tuple[list[float], list[float]]:
        return self.vertices.min(0).values.tolist(), self.vertices.max(0).values.tolist()

    def boundary_measure(self) -> float:
        a, b = self._edges(self.vertices)
        return (b - a).norm(dim=1).sum().item()

    def _boundary_candidates(self, n: int, key, device) -> tuple[Tensor, Tensor]:
        like = torch.empty(0, dtype=torch.float64, device=device)
        a, b = self._edges(like)
        length = (b - a).norm(dim=1)  # [E]
        cumulative = length.cumsum(0) / length.sum()
        u = uniform(key, (n, 2), device, torch.float64)
        edge = torch.searchsorted(cumulative, u[:, 0].contiguous(), right=True).clamp_(max=length.shape[0] - 1)
        start, span = a[edge], (b - a)[edge]
        x = start + u[:, 1:] * span
        normal = torch.stack([span[:, 1], -span[:, 0]], dim=1) / length[edge, None]
        return x.float(), normal.float()


__all__ = ["Ball", "Box", "Disk", "Polygon"]
