"""2-D Poisson equation: a manufactured solution on the square, and a hollow shaft in torsion."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ..conditions import Condition, Dirichlet
from ..derivatives import FieldDerivatives
from ..geometry import Difference, Disk
from .base import Problem


class Poisson2D(Problem):
    r"""Poisson equation on :math:`[0, 1]^2` with homogeneous Dirichlet boundary.

    .. math::
        -(u_{xx} + u_{yy}) = 2 (m\pi)^2 \sin(m\pi x) \sin(m\pi y),\qquad u = 0 \text{ on } \partial\Omega,

    exact solution :math:`u^* = \sin(m\pi x)\sin(m\pi y)`.

    Args:
        m: integer frequency of the solution (higher is harder for a vanilla PINN).
        eval_resolution: evaluation grid points per dimension.
        hard_constraints: impose the boundary value exactly through :math:`u = x(1-x)y(1-y)N`.
    """

    input_names = ("x", "y")

    def __init__(self, m: int = 1, eval_resolution: Sequence[int] = (101, 101), hard_constraints: bool = False) -> None:
        super().__init__(lower=(0.0, 0.0), upper=(1.0, 1.0), eval_resolution=eval_resolution)
        if not (isinstance(m, int) and m >= 1):
            raise ValueError(f"m must be an integer >= 1, got {m!r}")
        self.m = m
        self.hard_constraints = hard_constraints

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        source = 2 * (self.m * math.pi) ** 2 * self.solution(x)
        return -d.laplacian() - source.to(d.u.dtype)

    def solution(self, x: Tensor) -> Tensor:
        w = self.m * math.pi
        return torch.sin(w * x[:, 0:1]) * torch.sin(w * x[:, 1:2])

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        if not self.hard_constraints:
            return u
        return x[:, 0:1] * (1 - x[:, 0:1]) * x[:, 1:2] * (1 - x[:, 1:2]) * u


class PoissonAnnulus2D(Problem):
    r"""Torsion of a hollow shaft: :math:`-\Delta u = 1` in the annulus :math:`r_0 < r < 1`, with
    :math:`u = 0` on both circles (Prandtl's stress function, up to the factor :math:`2G\theta`).

    The exact solution is radial:

    .. math::
        u^*(r) = \frac{1 - r^2}{4} + \frac{1 - r_0^2}{4 \ln(1/r_0)} \ln r .

    The domain is a :class:`~pinn_lightning.geometry.Disk` less a smaller one; the conditions are
    ``outer`` and ``inner`` (Dirichlet), each on its named circle.

    Args:
        inner_radius: :math:`r_0`, in (0, 1).
        eval_resolution: points per dimension of the evaluation grid on :math:`[-1, 1]^2` (the
            points outside the annulus are left out).
        hard_constraints: impose both boundary values exactly through
            :math:`u = (1 - r^2)(r^2 - r_0^2)\,N(x, y)`.
    """

    input_names = ("x", "y")

    def __init__(
        self, inner_radius: float = 0.4, eval_resolution: Sequence[int] = (101, 101), hard_constraints: bool = False
    ) -> None:
        if not 0 < inner_radius < 1:
            raise ValueError(f"inner_radius must lie in (0, 1), got {inner_radius}")
        middle = (1 + inner_radius) / 2
        outer = Disk((0.0, 0.0), 1.0, parts={"outer": lambda x: x.norm(dim=1) > middle})
        inner = Disk((0.0, 0.0), inner_radius, parts={"inner": lambda x: x.norm(dim=1) < middle})
        super().__init__(eval_resolution=eval_resolution, geometry=Difference(outer, inner))
        self.inner_radius = float(inner_radius)
        self.hard_constraints = hard_constraints

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        if not self.hard_constraints:
            return u
        r2 = x.square().sum(1, keepdim=True)
        return (1 - r2) * (r2 - self.inner_radius**2) * u

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        return -d.laplacian() - 1.0

    def solution(self, x: Tensor) -> Tensor:
        r0 = self.inner_radius
        r2 = x.square().sum(1, keepdim=True)
        return (1 - r2) / 4 + (1 - r0**2) / (4 * math.log(1 / r0)) * 0.5 * torch.log(r2)

    def define_conditions(self) -> list[Condition]:
        return [Dirichlet(0.0, name="outer", on="outer"), Dirichlet(0.0, name="inner", on="inner")]
