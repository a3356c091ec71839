"""1-D Allen–Cahn equation (Raissi et al. 2019 form) with an ETDRK4 sine-spectral reference."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ..conditions import Condition, Dirichlet, Initial
from ..derivatives import FieldDerivatives
from .base import Problem
from .etdrk4 import solve_dirichlet_etdrk4


class AllenCahn1D(Problem):
    r"""Allen–Cahn equation with the standard benchmark's data.

    .. math::
        u_t = \epsilon\,u_{xx} + \gamma\,(u - u^3),\quad x \in [-1, 1],\ t \in [0, 1],\qquad
        u(x, 0) = x^2 \cos(\pi x),\quad u(\pm 1, t) = -1,

    :math:`\epsilon = 10^{-4}`, :math:`\gamma = 5`. The initial value is -1 at both ends, a stable
    state of the reaction, so the Dirichlet data -1 holds for all time; the commonly used
    periodic formulation has the same solution up to a boundary layer of width
    :math:`\sqrt{\epsilon}` (its data set is not shipped here). Metastable plateaus at
    :math:`\pm 1` form within :math:`t \approx 0.3`, separated by sharp interfaces.

    Reference: :func:`~pinn_lightning.problems.etdrk4.solve_dirichlet_etdrk4` for
    :math:`w = u + 1` (zero at both ends; the reaction :math:`\gamma(u - u^3)` vanishes at
    :math:`w = 0`) with ``reference_modes`` sine modes and step ``reference_dt``, sampled on
    the evaluation grid (``tests/problems/test_allen_cahn.py``: fourth order in time, exact
    pointwise ODE limit, exact heat-equation modes, converged in the modes).

    Args:
        epsilon: diffusion coefficient :math:`\epsilon`.
        gamma: reaction rate :math:`\gamma`.
        eval_resolution: reference grid points along (x, t); x points must divide the
            solver grid (``reference_modes`` intervals) evenly.
        reference_modes: sine modes (grid intervals) of the reference solver.
        reference_dt: time step of the reference solver.
        hard_constraints: impose initial and boundary values through
            :math:`u = u_0(x) + t\,(1 - x^2)\,N(x, t)`.
    """

    input_names = ("x", "t")
    time_dim = 1

    def __init__(
        self,
        epsilon: float = 1e-4,
        gamma: float = 5.0,
        eval_resolution: Sequence[int] = (513, 201),
        reference_modes: int = 1024,
        reference_dt: float = 1e-3,
        hard_constraints: bool = False,
    ) -> None:
        super().__init__(lower=(-1.0, 0.0), upper=(1.0, 1.0), eval_resolution=eval_resolution)
        if not epsilon > 0 or not gamma >= 0:
            raise ValueError(f"epsilon must be > 0 and gamma >= 0, got epsilon={epsilon}, gamma={gamma}")
        nx, nt = self.eval_resolution
        if reference_modes % (nx - 1):
            raise ValueError(
                f"eval_resolution x points - 1 ({nx - 1}) must divide reference_modes ({reference_modes})"
            )
        per_frame = 1.0 / ((nt - 1) * reference_dt) if reference_dt > 0 else 0.0
        if per_frame < 1 or abs(per_frame - round(per_frame)) > 1e-6:
            raise ValueError(
                f"reference_dt must divide the evaluation time step 1/{nt - 1}, got {reference_dt}"
            )
        self.epsilon, self.gamma = float(epsilon), float(gamma)
        self.reference_modes, self.reference_dt = reference_modes, float(reference_dt)
        self.hard_constraints = hard_constraints

    @staticmethod
    def initial_value(xs: Tensor) -> Tensor:
        return xs * xs * torch.cos(math.pi * xs)

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        u = d.u
        return d.grad(1) - self.epsilon * d.d2(0, 0) - self.gamma * (u - u**3)

    def define_conditions(self) -> list[Condition]:
        return [Dirichlet(-1.0, name="boundary"), Initial(lambda x: self.initial_value(x[:, 0:1]), name="initial")]

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        if not self.hard_constraints:
            return u
        xs, t = x[:, 0:1], x[:, 1:2]
        return self.initial_value(xs).to(u.dtype) + t * (1.0 - xs * xs) * u

    def compute_reference(self) -> tuple[Tensor, Tensor]:
        nx, nt = self.eval_resolution
        ts = torch.linspace(0.0, 1.0, nt, dtype=torch.float64)
        g = self.gamma
        _, w = solve_dirichlet_etdrk4(
            lambda xs: self.initial_value(xs) + 1.0,
            self.epsilon,
            lambda w: g * ((w - 1.0) - (w - 1.0) ** 3),
            ts.tolist(),
            n=self.reference_modes,
            dt=self.reference_dt,
        )
        u = w[:, :: self.reference_modes // (nx - 1)] - 1.0  # [nt, nx]
        x = self.evaluation_points()  # x slowest
        return x, u.T.reshape(-1, 1)
