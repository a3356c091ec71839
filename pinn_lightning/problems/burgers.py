"""1-D viscous Burgers equation with the Cole–Hopf exact solution."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ..conditions import Condition, Dirichlet, Initial
from ..derivatives import FieldDerivatives
from .base import Problem


def cole_hopf_solution(x: Tensor, t: Tensor, nu: float, n_nodes: int = 2001, chunk: int = 4096) -> Tensor:
    r"""Exact solution of Burgers' equation with :math:`u(x, 0) = -\sin(\pi x)`, periodic data.

    By the Cole–Hopf transform, with :math:`\eta = \sqrt{4\nu t}\, z`,

    .. math::
        u(x, t) = -\frac{\int \sin(\pi(x - \eta))\, e^{\phi(z)}\, dz}{\int e^{\phi(z)}\, dz},\qquad
        \phi(z) = -z^2 - \frac{\cos(\pi(x - \eta))}{2\pi\nu}.

    The factor :math:`e^{-\cos/(2\pi\nu)}` spans :math:`e^{\pm 1/(2\pi\nu)}` (:math:`e^{\pm 50}` at
    :math:`\nu = 0.01/\pi`) and peaks where a plain Gauss–Hermite rule has no nodes, so both
    integrals use the trapezoid rule in :math:`z` (spectrally accurate for this smooth,
    rapidly decaying integrand) on :math:`|z| \le Z` with :math:`Z^2 = 2/(2\pi\nu) + 40`
    (the neglected tail is below :math:`e^{-40}` of the peak), after subtracting the maximum of
    :math:`\phi` per point. The result is differentiable in ``x`` and ``t`` by autograd.
    ``tests/problems/test_burgers.py`` checks it against composite Gauss–Legendre quadrature in
    :math:`\eta` and against Basdevant et al. (1986)'s maximum shock slope.

    Args:
        x: positions, any shape, float64 recommended.
        t: times, same shape as ``x``, ``t >= 0``.
        nu: viscosity.
        n_nodes: trapezoid nodes on ``[-Z, Z]``.
        chunk: points evaluated at once (memory ``chunk * n_nodes`` doubles per temporary).

    Returns:
        ``u(x, t)``, same shape as ``x``.
    """
    shape = x.shape
    x, t = x.reshape(-1), t.reshape(-1)
    a = 1.0 / (2.0 * math.pi * nu)
    zmax = math.sqrt(2.0 * a + 40.0)
    z = torch.linspace(-zmax, zmax, n_nodes, dtype=x.dtype, device=x.device)  # [M]
    out = []
    for start in range(0, x.shape[0], chunk):
        xc, tc = x[start : start + chunk, None], t[start : start + chunk, None]  # [c, 1]
        y = xc - torch.sqrt(4.0 * nu * tc) * z  # [c, M]: x - eta
        phi = -z * z - a * torch.cos(math.pi * y)
        w = torch.exp(phi - phi.detach().amax(dim=1, keepdim=True))  # max subtracted: no overflow
        out.append(-(torch.sin(math.pi * y) * w).sum(1) / w.sum(1))
    return torch.cat(out).reshape(shape)


class Burgers1D(Problem):
    r"""Viscous Burgers equation (Raissi et al. 2019 benchmark).

    .. math::
        u_t + u\,u_x = \nu\,u_{xx},\quad x \in [-1, 1],\ t \in [0, 1],\qquad
        u(x, 0) = -\sin(\pi x),\quad u(\pm 1, t) = 0.

    With :math:`\nu = 0.01/\pi` a shock forms at :math:`x = 0` (slope about -152 at
    :math:`t \approx 0.51`). The reference is the Cole–Hopf solution
    (:func:`cole_hopf_solution`) on the usual 256 (x) × 100 (t) grid, :math:`t \in [0, 0.99]`.

    Args:
        nu: viscosity.
        t_final: end of the time interval.
        eval_resolution: reference grid points along (x, t).
        eval_t_max: last time of the reference grid (0.99 in the standard data set).
        quadrature_nodes: trapezoid nodes of the Cole–Hopf integrals.
        hard_constraints: impose the initial and boundary conditions exactly through
            :math:`u = -\sin(\pi x) + t\,(1 - x^2)\,N(x, t)` (:math:`N`: the network); the
            loss then has the PDE term only.
        learn: inverse problem: ``{"nu": guess}`` learns the viscosity from observations
            (``data.n_observations`` or ``data.observations``), starting at ``guess``; ``nu``
            stays the true value behind the reference.
        compression_weight: :math:`\varepsilon \ge 0` of the weighted-equation PINN (Liu et al.
            2024): the squared residual at a point is weighted by
            :math:`\lambda = 1 / (1 + \varepsilon\,(|u_x| - u_x))`, so compressive points
            (:math:`u_x < 0`, the shock) count less and their large residuals do not drown the
            smooth flow that positions the shock; 0 weighs every point alike.
    """

    input_names = ("x", "t")
    time_dim = 1
    learnable = ("nu",)

    def __init__(
        self,
        nu: float = 0.01 / math.pi,
        t_final: float = 1.0,
        eval_resolution: Sequence[int] = (256, 100),
        eval_t_max: float = 0.99,
        quadrature_nodes: int = 2001,
        hard_constraints: bool = False,
        learn: dict[str, float] | None = None,
        compression_weight: float = 0.0,
    ) -> None:
        super().__init__(lower=(-1.0, 0.0), upper=(1.0, t_final), eval_resolution=eval_resolution)
        if not nu > 0:
            raise ValueError(f"nu must be > 0, got {nu}")
        if not 0 < eval_t_max <= t_final:
            raise ValueError(f"eval_t_max must be in (0, t_final={t_final}], got {eval_t_max}")
        if quadrature_nodes < 101:
            raise ValueError(f"quadrature_nodes must be >= 101, got {quadrature_nodes}")
        self.nu = float(nu)
        self.eval_t_max = float(eval_t_max)
        self.quadrature_nodes = quadrature_nodes
        self.hard_constraints = hard_constraints
        if not compression_weight >= 0:
            raise ValueError(f"compression_weight must be >= 0, got {compression_weight}")
        self.compression_weight = float(compression_weight)
        self.learn_coefficients(learn)

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        u = d.u
        return d.grad(1) + u * d.grad(0) - self.coefficient("nu") * d.d2(0, 0)

    def residual_weights(self, x: Tensor, d: FieldDerivatives) -> Tensor | None:
        if not self.compression_weight:
            return None
        u_x = d.grad(0)
        return 1.0 / (1.0 + self.compression_weight * (u_x.abs() - u_x))

    def define_conditions(self) -> list[Condition]:
        return [Dirichlet(0.0, name="boundary"), Initial(lambda x: -torch.sin(math.pi * x[:, 0:1]), name="initial")]

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        if not self.hard_constraints:
            return u
        xs, t = x[:, 0:1], x[:, 1:2] - self.lower[1]
        return -torch.sin(math.pi * xs) + t * (1.0 - xs * xs) * u

    def solution(self, x: Tensor) -> Tensor:
        return cole_hopf_solution(x[:, 0:1], x[:, 1:2].clamp_min(0.0), self.nu, self.quadrature_nodes)

    def evaluation_points(self) -> Tensor:
        nx, nt = self.eval_resolution
        xs = torch.linspace(self.lower[0], self.upper[0], nx, dtype=torch.float64)
        ts = torch.linspace(self.lower[1], self.eval_t_max, nt, dtype=torch.float64)
        return torch.stack(torch.meshgrid(xs, ts, indexing="ij"), dim=-1).reshape(-1, 2)
