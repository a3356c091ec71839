"""2-D Helmholtz equation with a manufactured solution (Wang, Teng & Perdikaris 2021)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ..derivatives import FieldDerivatives
from .base import Problem


class Helmholtz2D(Problem):
    r"""Helmholtz equation on :math:`[-1, 1]^2` with homogeneous Dirichlet boundary.

    .. math::
        u_{xx} + u_{yy} + k^2 u = q(x, y),\qquad u = 0 \text{ on } \partial\Omega,

    with :math:`q` manufactured from the exact solution
    :math:`u^*(x, y) = \sin(a_1 \pi x)\,\sin(a_2 \pi y)`:
    :math:`q = (k^2 - (a_1\pi)^2 - (a_2\pi)^2)\,u^*`.

    Args:
        a1: wavenumber factor along x (integer for a zero boundary value).
        a2: wavenumber factor along y.
        k: Helmholtz wavenumber.
        eval_resolution: evaluation grid points per dimension.
        hard_constraints: impose the zero boundary value exactly through
            :math:`u = (1 - x^2)(1 - y^2)\,N(x, y)`; the loss then has the PDE term only.
        learn: inverse problem: ``{"k": guess}`` learns the wavenumber from observations,
            starting at ``guess``; the source :math:`q` keeps the true ``k``.
    """

    input_names = ("x", "y")
    learnable = ("k",)

    def __init__(
        self,
        a1: float = 1.0,
        a2: float = 4.0,
        k: float = 1.0,
        eval_resolution: Sequence[int] = (201, 201),
        hard_constraints: bool = False,
        learn: dict[str, float] | None = None,
    ) -> None:
        super().__init__(lower=(-1.0, -1.0), upper=(1.0, 1.0), eval_resolution=eval_resolution)
        if not (a1 > 0 and a2 > 0):
            raise ValueError(f"a1 and a2 must be > 0, got a1={a1}, a2={a2}")
        if not k >= 0:
            raise ValueError(f"k must be >= 0, got {k}")
        self.a1, self.a2, self.k = float(a1), float(a2), float(k)
        if hard_constraints and not (self.a1.is_integer() and self.a2.is_integer()):
            raise ValueError(f"hard_constraints need integer a1, a2 (zero boundary value), got a1={a1}, a2={a2}")
        self.hard_constraints = hard_constraints
        self.learn_coefficients(learn)

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        if not self.hard_constraints:
            return u
        return (1.0 - x[:, 0:1] ** 2) * (1.0 - x[:, 1:2] ** 2) * u

    def source(self, x: Tensor) -> Tensor:
        """The right-hand side :math:`q(x, y)`, ``[n, 2] -> [n, 1]``."""
        coef = self.k**2 - (self.a1 * math.pi) ** 2 - (self.a2 * math.pi) ** 2
        return coef * self.solution(x)

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        return d.laplacian() + self.coefficient("k") ** 2 * d.u - self.source(x).to(d.u.dtype)

    def solution(self, x: Tensor) -> Tensor:
        return (torch.sin(self.a1 * math.pi * x[:, 0:1]) * torch.sin(self.a2 * math.pi * x[:, 1:2]))
