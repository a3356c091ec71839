"""Boolean combinations of two geometries: difference, union, intersection."""

from __future__ import annotations

import torch
from torch import Tensor

from .base import Geometry, Predicate, subkey


class _Combination(Geometry):
    """Two geometries combined. Boundary candidates come from both operands in proportion to their
    candidates' measure (the same density on both), and each keeps the points that bound the
    combination, with the normal pointing out of it."""

    def __init__(self, a: Geometry, b: Geometry, parts: dict[str, Predicate] | None = None) -> None:
        if a.dim != b.dim:
            raise ValueError(f"cannot combine a {a.dim}-D and a {b.dim}-D geometry")
        self.a, self.b, self.dim = a, b, a.dim
        super().__init__({**a.parts, **b.parts, **(parts or {})})

    def _candidate_measure(self) -> float:
        return _candidate_measure(self.a) + _candidate_measure(self.b)

    def boundary_measure(self) -> float:
        return self._candidate_measure() * self.acceptance_rate("boundary")

    def _keep(self, x_from_a: Tensor, x_from_b: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Which of ``a``'s and ``b``'s boundary points bound the combination, and the sign of ``b``'s normals."""
        raise NotImplementedError

    def _boundary_pool(self, m: int, key, device) -> tuple[Tensor, Tensor, Tensor]:
        total = self._candidate_measure()
        m_a = round(m * _candidate_measure(self.a) / total)
        xa, na, keep_a = self.a._boundary_pool(m_a, subkey(key, 1), device)
        xb, nb, keep_b = self.b._boundary_pool(m - m_a, subkey(key, 2), device)
        rule_a, rule_b, sign_b = self._keep(xa, xb)
        return torch.cat([xa, xb]), torch.cat([na, sign_b * nb]), torch.cat([keep_a & rule_a, keep_b & rule_b])


def _candidate_measure(g: Geometry) -> float:
    return g._candidate_measure() if isinstance(g, _Combination) else g.boundary_measure()


class Difference(_Combination):
    """``a`` without ``b`` (``a - b``): e.g. a channel without a cylinder, a disk with a hole."""

    def inside(self, x: Tensor) -> Tensor:
        return self.a.inside(x) & ~self.b.inside(x)

    def bounds(self) -> tuple[list[float], list[float]]:
        return self.a.bounds()

    def _keep(self, xa: Tensor, xb: Tensor) -> tuple[Tensor, Tensor, float]:
        return ~self.b.inside(xa), self.a.inside(xb), -1.0  # b's boundary bounds a - b from the other side


class Union(_Combination):
    """``a`` or ``b`` (``a | b``)."""

    def inside(self, x: Tensor) -> Tensor:
        return self.a.inside(x) | self.b.inside(x)

    def bounds(self) -> tuple[list[float], list[float]]:
        (la, ua), (lb, ub) = self.a.bounds(), self.b.bounds()
        return [min(p, q) for p, q in zip(la, lb)], [max(p, q) for p, q in zip(ua, ub)]

    def _keep(self, xa: Tensor, xb: Tensor) -> tuple[Tensor, Tensor, float]:
        return ~self.b.inside(xa), ~self.a.inside(xb), 1.0


class Intersection(_Combination):
    """``a`` and ``b`` (``a & b``)."""

    def inside(self, x: Tensor) -> Tensor:
        return self.a.inside(x) & self.b.inside(x)

    def bounds(self) -> tuple[list[float], list[float]]:
        (la, ua), (lb, ub) = self.a.bounds(), self.b.bounds()
        lower, upper = [max(p, q) for p, q in zip(la, lb)], [min(p, q) for p, q in zip(ua, ub)]
        if any(lo >= hi for lo, hi in zip(lower, upper)):
            raise ValueError("the intersection's bounding boxes do not overlap")
        return lower, upper

    def _keep(self, xa: Tensor, xb: Tensor) -> tuple[Tensor, Tensor, float]:
        return self.b.inside(xa), self.a.inside(xb), 1.0
