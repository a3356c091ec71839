"""1-D diffusion (heat) equation with an exact Fourier-mode solution."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ..derivatives import FieldDerivatives
from .base import Problem
from .modes import two_sine_modes


class Diffusion1D(Problem):
    r"""Heat equation on :math:`[0, 1] \times [0, 1]`.

    .. math::
        u_t = \alpha u_{xx},\qquad u(x, 0) = \sin(\pi x) + \tfrac12 \sin(m\pi x),\qquad u(0, t) = u(1, t) = 0,

    exact solution :math:`u^* = e^{-\alpha\pi^2 t}\sin(\pi x) + \tfrac12 e^{-\alpha (m\pi)^2 t}\sin(m\pi x)`.

    Args:
        alpha: diffusivity.
        m: frequency of the second, faster-decaying mode.
        eval_resolution: evaluation grid points along (x, t).
        hard_constraints: impose initial and boundary values through :math:`u = u_0(x) + t\,x(1-x)N`.
    """

    input_names = ("x", "t")
    time_dim = 1

    def __init__(
        self, alpha: float = 0.1, m: int = 4, eval_resolution: Sequence[int] = (101, 101), hard_constraints: bool = False
    ) -> None:
        super().__init__(lower=(0.0, 0.0), upper=(1.0, 1.0), eval_resolution=eval_resolution)
        if not alpha > 0:
            raise ValueError(f"alpha must be > 0, got {alpha}")
        if not (isinstance(m, int) and m >= 1):
            raise ValueError(f"m must be an integer >= 1, got {m!r}")
        self.alpha, self.m = float(alpha), m
        self.hard_constraints = hard_constraints

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        return d.grad(1) - self.alpha * d.d2(0, 0)

    def initial_value(self, xs: Tensor) -> Tensor:
        return two_sine_modes(xs, self.m)

    def solution(self, x: Tensor) -> Tensor:
        xs, t = x[:, 0:1], x[:, 1:2]
        a, m = self.alpha, self.m
        return two_sine_modes(xs, m, torch.exp(-a * math.pi**2 * t), torch.exp(-a * (m * math.pi) ** 2 * t))

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        if not self.hard_constraints:
            return u
        xs, t = x[:, 0:1], x[:, 1:2]
        return self.initial_value(xs).to(u.dtype) + t * xs * (1 - xs) * u
