"""1-D wave equation (standing waves) and the nonlinear Klein–Gordon equation.

Both are second order in time: besides the initial value they prescribe the initial velocity
:math:`u_t(x, 0) = 0`. By default both impose all their conditions through the output transform;
with ``hard_constraints: false`` they train on a Dirichlet condition ``boundary`` and an initial
condition ``initial`` with value and velocity.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ..conditions import Condition, Dirichlet, Initial
from ..derivatives import FieldDerivatives
from .base import Problem
from .modes import two_sine_modes


class _SecondOrderInTime(Problem):
    """A problem second order in time: soft conditions are the exact boundary values and the
    initial value with zero initial velocity."""

    def define_conditions(self) -> list[Condition]:
        return [Dirichlet(self.solution, name="boundary"), Initial(self.solution, velocity=0.0, name="initial")]


class Wave1D(_SecondOrderInTime):
    r"""Wave equation with two standing modes (PINNacle's Wave1D-C form).

    .. math::
        u_{tt} = c^2 u_{xx},\quad x \in [0, 1],\ t \in [0, 1],\qquad
        u(x, 0) = \sin(\pi x) + \tfrac12\sin(m\pi x),\ u_t(x, 0) = 0,\ u(0, t) = u(1, t) = 0,

    exact solution :math:`u^* = \sin(\pi x)\cos(c\pi t) + \tfrac12\sin(m\pi x)\cos(m c\pi t)`.
    Conditions, exactly: :math:`u = u_0(x) + t^2\,x(1 - x)\,N(x, t)`.

    Args:
        c: wave speed.
        m: frequency of the second mode.
        eval_resolution: evaluation grid points along (x, t).
        hard_constraints: impose the conditions through the output transform (above); false: train
            on them (value and velocity at t = 0, the boundary values).
    """

    input_names = ("x", "t")
    time_dim = 1

    def __init__(self, c: float = 2.0, m: int = 4, eval_resolution: Sequence[int] = (101, 101), hard_constraints: bool = True) -> None:
        super().__init__(lower=(0.0, 0.0), upper=(1.0, 1.0), eval_resolution=eval_resolution)
        if not c > 0:
            raise ValueError(f"c must be > 0, got {c}")
        if not (isinstance(m, int) and m >= 1):
            raise ValueError(f"m must be an integer >= 1, got {m!r}")
        self.c, self.m = float(c), m
        self.hard_constraints = hard_constraints

    def initial_value(self, xs: Tensor) -> Tensor:
        return two_sine_modes(xs, self.m)

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        return d.d2(1, 1) - self.c**2 * d.d2(0, 0)

    def solution(self, x: Tensor) -> Tensor:
        xs, t = x[:, 0:1], x[:, 1:2]
        w = self.c * math.pi
        return two_sine_modes(xs, self.m, torch.cos(w * t), torch.cos(self.m * w * t))

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        if not self.hard_constraints:
            return u
        xs, t = x[:, 0:1], x[:, 1:2]
        return self.initial_value(xs).to(u.dtype) + t * t * xs * (1.0 - xs) * u


class KleinGordon1D(_SecondOrderInTime):
    r"""Nonlinear Klein–Gordon equation (Wang, Teng & Perdikaris 2021).

    .. math::
        u_{tt} - \alpha\,u_{xx} + \beta\,u + \gamma\,u^3 = f(x, t),\quad x, t \in [0, 1],

    with :math:`f` manufactured from :math:`u^* = x\cos(5\pi t) + (x t)^3`, so
    :math:`u(x, 0) = x`, :math:`u_t(x, 0) = 0`, :math:`u(0, t) = 0`,
    :math:`u(1, t) = g(t) = \cos(5\pi t) + t^3`. Conditions, exactly:
    :math:`u = x\,g(t) + t^2\,x(1 - x)\,N(x, t)` (the linear blend of the boundary data already
    matches the initial value and velocity; the network learns the rest).

    Args:
        alpha: :math:`\alpha` (the standard form: 1).
        beta: :math:`\beta` (0).
        gamma: :math:`\gamma` (1).
        eval_resolution: evaluation grid points along (x, t).
        hard_constraints: impose the conditions through the output transform (above); false: train
            on them (value and velocity at t = 0, the boundary values).
    """

    input_names = ("x", "t")
    time_dim = 1

    def __init__(
        self,
        alpha: float = 1.0,
        beta: float = 0.0,
        gamma: float = 1.0,
        eval_resolution: Sequence[int] = (101, 101),
        hard_constraints: bool = True,
    ) -> None:
        super().__init__(lower=(0.0, 0.0), upper=(1.0, 1.0), eval_resolution=eval_resolution)
        self.alpha, self.beta, self.gamma = float(alpha), float(beta), float(gamma)
        self.hard_constraints = hard_constraints

    def solution(self, x: Tensor) -> Tensor:
        xs, t = x[:, 0:1], x[:, 1:2]
        return xs * torch.cos(5 * math.pi * t) + (xs * t) ** 3

    def source(self, x: Tensor) -> Tensor:
        """:math:`f` from the exact solution: :math:`u_{tt} = -25\\pi^2 x\\cos(5\\pi t) + 6x^3 t`, :math:`u_{xx} = 6 x t^3`."""
        xs, t = x[:, 0:1], x[:, 1:2]
        u = self.solution(x)
        u_tt = -25 * math.pi**2 * xs * torch.cos(5 * math.pi * t) + 6 * xs**3 * t
        u_xx = 6 * xs * t**3
        return u_tt - self.alpha * u_xx + self.beta * u + self.gamma * u**3

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        u = d.u
        return d.d2(1, 1) - self.alpha * d.d2(0, 0) + self.beta * u + self.gamma * u**3 - self.source(x).to(u.dtype)

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        if not self.hard_constraints:
            return u
        xs, t = x[:, 0:1], x[:, 1:2]
        g = torch.cos(5 * math.pi * t) + t**3
        return xs * g + t * t * xs * (1.0 - xs) * u
