"""Boundary conditions: Dirichlet, Neumann, Robin, periodic, and any operator."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from ..derivatives import FieldDerivatives
from ..geometry import Geometry
from ..geometry.sampling import PointSampler
from .base import Condition, PointSet, Value, normal_derivative, prescribed


class Dirichlet(Condition):
    r""":math:`u = g` on the boundary part.

    Args:
        value: :math:`g`: a constant, one per component, or a function ``[n, d] -> [n, k]``.
        name, on, points, components: see :class:`~pinn_lightning.conditions.Condition`.
    """

    def __init__(self, value: Value = 0.0, name: str = "boundary", on: str | None = None,
                 points: int | None = None, components: Sequence[int] | None = None) -> None:  # fmt: skip
        super().__init__(name, on, points, components)
        self.value = value

    def residual(self, p: PointSet, d: FieldDerivatives) -> Tensor:
        return self.select(d.u) - prescribed(self.value, p.x, d.u)


class Neumann(Condition):
    r""":math:`\partial u / \partial n = q` on the boundary part (outward normal: a flux
    :math:`q > 0` leaves through it).

    Args:
        flux: :math:`q`: a constant, one per component, or a function ``[n, d] -> [n, k]``.
        name, on, points, components: see :class:`~pinn_lightning.conditions.Condition`.
    """

    needs_derivatives = True

    def __init__(self, flux: Value = 0.0, name: str = "neumann", on: str | None = None,
                 points: int | None = None, components: Sequence[int] | None = None) -> None:  # fmt: skip
        super().__init__(name, on, points, components)
        self.flux = flux

    def residual(self, p: PointSet, d: FieldDerivatives) -> Tensor:
        return self.select(normal_derivative(d, p.normal)) - prescribed(self.flux, p.x, d.u)


class Robin(Condition):
    r""":math:`a\,u + b\,\partial u / \partial n = g` on the boundary part (e.g. convective cooling,
    :math:`k\,\partial T/\partial n + h\,(T - T_\infty) = 0`).

    Args:
        a: coefficient of :math:`u`.
        b: coefficient of :math:`\partial u / \partial n`.
        g: right-hand side: a constant, one per component, or a function ``[n, d] -> [n, k]``.
        name, on, points, components: see :class:`~pinn_lightning.conditions.Condition`.
    """

    needs_derivatives = True

    def __init__(self, a: float = 1.0, b: float = 1.0, g: Value = 0.0, name: str = "robin", on: str | None = None,
                 points: int | None = None, components: Sequence[int] | None = None) -> None:  # fmt: skip
        super().__init__(name, on, points, components)
        if a == 0 and b == 0:
            raise ValueError(f"{name}: a Robin condition needs a != 0 or b != 0")
        self.a, self.b, self.g = float(a), float(b), g

    def residual(self, p: PointSet, d: FieldDerivatives) -> Tensor:
        u, du_dn = self.select(d.u), self.select(normal_derivative(d, p.normal))
        return self.a * u + self.b * du_dn - prescribed(self.g, p.x, d.u)


class Periodic(Condition):
    r"""Periodicity: :math:`u(x) = u(x + \delta)` and, with ``derivatives``, the first derivatives
    along :math:`\delta` match too, for :math:`x` on the boundary part ``on``.

    Each step draws ``n`` points on ``on`` and pairs each with its image :math:`x + \delta` on the
    opposite part: the point set is ``[2n, d]``, the points first and their images after.

    Args:
        offset: :math:`\delta`, e.g. ``[2.0, 0.0]`` for period 2 in x.
        on: the part the pairs start from (e.g. ``x_min``).
        derivatives: match the first derivatives along the nonzero entries of ``offset`` too.
        name, points, components: see :class:`~pinn_lightning.conditions.Condition`.
    """

    def __init__(self, offset: Sequence[float], on: str, derivatives: bool = True, name: str = "periodic",
                 points: int | None = None, components: Sequence[int] | None = None) -> None:  # fmt: skip
        super().__init__(name, on, points, components)
        self.offset = [float(v) for v in offset]
        if not any(self.offset):
            raise ValueError(f"{name}: the periodic offset must be nonzero, got {self.offset}")
        self.dims = [i for i, v in enumerate(self.offset) if v]
        self.needs_derivatives = bool(derivatives)

    def sample(self, geometry: Geometry, n: int, key, device=None, sampler: PointSampler | None = None,
               rank: int = 0, world_size: int = 1) -> PointSet:  # fmt: skip
        x, _ = geometry.sample_boundary(n, key, device, part=self.on)
        shift = torch.tensor(self.offset + [0.0] * (x.shape[1] - len(self.offset)), dtype=x.dtype, device=x.device)
        return PointSet(torch.cat([x, x + shift]))

    def residual(self, p: PointSet, d: FieldDerivatives) -> Tensor:
        n = p.x.shape[0] // 2
        u = self.select(d.u)
        parts = [u[:n] - u[n:]]
        if self.needs_derivatives:
            for i in self.dims:
                g = self.select(d.grad(i))
                parts.append(g[:n] - g[n:])
        return torch.cat(parts, dim=1)


class Operator(Condition):
    r"""Any residual of the field and its derivatives on a boundary part,
    ``fn(x, d, normal) -> [n, r]`` (e.g. a do-nothing outflow
    :math:`\nu\,\partial u/\partial n - p\,n = 0`).

    Args:
        fn: the residual: points ``[n, d]``, their :class:`~pinn_lightning.derivatives.FieldDerivatives`,
            outward normals ``[n, d]``.
        name, on, points: see :class:`~pinn_lightning.conditions.Condition`.
        needs_derivatives: ``fn`` asks ``d`` for derivatives.
    """

    def __init__(self, fn: Callable[[Tensor, FieldDerivatives, Tensor], Tensor], name: str = "operator",
                 on: str | None = None, points: int | None = None, needs_derivatives: bool = True) -> None:  # fmt: skip
        super().__init__(name, on, points)
        self.fn, self.needs_derivatives = fn, bool(needs_derivatives)

    def residual(self, p: PointSet, d: FieldDerivatives) -> Tensor:
        return self.fn(p.x, d, p.normal)
