"""2-D Poisson equation with a manufactured solution."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ..derivatives import FieldDerivatives
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
