"""Steady incompressible 2-D Navier–Stokes: Kovasznay flow, the lid-driven cavity, and the flow around a cylinder (DFG 2D-1)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from importlib import resources

import numpy as np
import torch
from torch import Tensor

from ..conditions import Condition, Dirichlet, Operator
from ..derivatives import DerivativeOperator, Field, FieldDerivatives
from ..geometry import Box, Disk
from .base import Problem
from .cavity_solver import check_refinement, solve_cavity_refined


class SteadyNavierStokes2D(Problem):
    r"""Steady incompressible Navier–Stokes in 2-D, outputs :math:`(u, v, p)`, three residuals:

    .. math::
        u u_x + v u_y + p_x - \tfrac{1}{Re}(u_{xx} + u_{yy}) = 0,\quad
        u v_x + v v_y + p_y - \tfrac{1}{Re}(v_{xx} + v_{yy}) = 0,\quad
        u_x + v_y = 0.
    """

    input_names = ("x", "y")
    output_names = ("u", "v", "p")

    def __init__(self, re: float, lower: Sequence[float] | None = None, upper: Sequence[float] | None = None,
                 eval_resolution: Sequence[int] | None = None, geometry=None) -> None:  # fmt: skip
        super().__init__(lower=lower, upper=upper, eval_resolution=eval_resolution, geometry=geometry)
        if not re > 0:
            raise ValueError(f"re must be > 0, got {re}")
        self.re = float(re)

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        dx, dy, lap = d.grad(0), d.grad(1), d.laplacian()  # [n, 3] each
        u, v = d.u[:, 0:1], d.u[:, 1:2]
        momentum = u * dx[:, :2] + v * dy[:, :2] + torch.cat([dx[:, 2:3], dy[:, 2:3]], 1) - lap[:, :2] / self.re
        return torch.cat([momentum, dx[:, 0:1] + dy[:, 1:2]], 1)


class Kovasznay2D(SteadyNavierStokes2D):
    r"""Kovasznay flow (analytic) on :math:`[-0.5, 1] \times [-0.5, 1.5]`:

    .. math::
        u = 1 - e^{\lambda x}\cos 2\pi y,\quad v = \tfrac{\lambda}{2\pi} e^{\lambda x}\sin 2\pi y,\quad
        p = \tfrac12 (1 - e^{2\lambda x}),\qquad \lambda = \tfrac{Re}{2} - \sqrt{\tfrac{Re^2}{4} + 4\pi^2},

    with :math:`(u, v, p)` prescribed on the boundary.

    Args:
        re: Reynolds number.
        eval_resolution: evaluation grid points per dimension.
    """

    def __init__(self, re: float = 40.0, eval_resolution: Sequence[int] = (101, 133)) -> None:
        super().__init__(re, lower=(-0.5, -0.5), upper=(1.0, 1.5), eval_resolution=eval_resolution)
        self.lam = self.re / 2 - math.sqrt(self.re**2 / 4 + 4 * math.pi**2)

    def solution(self, x: Tensor) -> Tensor:
        e = torch.exp(self.lam * x[:, 0:1])
        arg = 2 * math.pi * x[:, 1:2]
        return torch.cat([1 - e * torch.cos(arg), self.lam / (2 * math.pi) * e * torch.sin(arg), 0.5 * (1 - e * e)], 1)


class LidDrivenCavity2D(SteadyNavierStokes2D):
    r"""Lid-driven cavity on :math:`[0, 1]^2`: :math:`u = 1, v = 0` on the lid :math:`y = 1`,
    :math:`u = v = 0` on the other walls. The pressure is defined up to a constant, so the error
    metric compares the velocity :math:`(u, v)` only.

    Reference: :func:`~pinn_lightning.problems.cavity_solver.solve_cavity_refined`, the
    stream-function–vorticity solver on a grid ``solver_refinement`` times finer than the
    evaluation grid, sampled at its points. Its centre-line extrema converge at second order to
    the spectral values of Botella & Peyret (1998) and lie close to Ghia, Ghia & Shin (1982)
    (tests). The default, 513 × 513 sampled at 129 × 129, is shipped for Re = 100 and is
    ~1.5e-3 (relative L2) from the grid-converged flow, against ~1.2e-2 for a 129 × 129
    solution, whose error sits at the points next to the lid's corners (docs/reference_solutions.md).
    Other Reynolds numbers or grids are computed on first use: about an hour for the default
    on one core, well under a minute with ``solver_refinement: 1``.

    Args:
        re: Reynolds number.
        reference_resolution: evaluation grid points per side (odd).
        solver_refinement: 1, 2, 4, ...: how much finer the solver's grid is than the evaluation grid.
        gradient_weight: :math:`\varepsilon \ge 0`: the squared residuals at a point are
            weighted by :math:`1 / (1 + \varepsilon \lVert \nabla (u, v) \rVert)`, so the
            singular lid corners (velocity jumps from 1 to 0) count less; 0 weighs every point alike.
    """

    compared_outputs = (0, 1)

    def __init__(
        self,
        re: float = 100.0,
        reference_resolution: int = 129,
        solver_refinement: int = 4,
        gradient_weight: float = 0.0,
    ) -> None:
        n = reference_resolution
        super().__init__(re, lower=(0.0, 0.0), upper=(1.0, 1.0), eval_resolution=(n, n))
        if not gradient_weight >= 0:
            raise ValueError(f"gradient_weight must be >= 0, got {gradient_weight}")
        check_refinement(solver_refinement, "solver_refinement")
        self.reference_resolution = reference_resolution
        self.solver_refinement = solver_refinement
        self.gradient_weight = float(gradient_weight)

    def residual_weights(self, x: Tensor, d: FieldDerivatives) -> Tensor | None:
        if not self.gradient_weight:
            return None
        grad = torch.cat([d.grad(0)[:, :2], d.grad(1)[:, :2]], 1)  # u_x, v_x, u_y, v_y
        return 1.0 / (1.0 + self.gradient_weight * grad.norm(dim=1, keepdim=True))

    def wall_velocity(self, x: Tensor) -> Tensor:
        """:math:`(u, v)` on the walls, ``[n, 2]``: ``(1, 0)`` on the lid, ``(0, 0)`` elsewhere."""
        lid = (x[:, 1:2] >= self.upper[1]).to(x.dtype)
        return torch.cat([lid, torch.zeros_like(lid)], 1)

    def define_conditions(self) -> list[Condition]:
        return [Dirichlet(self.wall_velocity, name="boundary", components=(0, 1))]

    def compute_reference(self) -> tuple[Tensor, Tensor]:
        n, k = self.reference_resolution, self.solver_refinement
        shipped = resources.files("pinn_lightning.problems") / "data" / f"cavity_re{self.re:g}_n{n}_r{k}.npz"
        if shipped.is_file():
            with shipped.open("rb") as f:
                data = dict(np.load(f))
        else:
            if k > 1:
                warnings.warn(
                    f"no shipped cavity reference for re={self.re:g}, reference_resolution={n}, "
                    f"solver_refinement={k}: solving on a {k * (n - 1) + 1}^2 grid now (at Re = 100, 513^2 "
                    "took about an hour on one core; solver_refinement=1 takes under a minute)",
                    stacklevel=2,
                )
            data = solve_cavity_refined(self.re, n, k)
        x = self.evaluation_points()
        u = torch.stack([torch.from_numpy(data["u"]).reshape(-1), torch.from_numpy(data["v"]).reshape(-1)], 1)
        return x, u


class CylinderFlow2D(SteadyNavierStokes2D):
    r"""Steady flow around a cylinder in a channel: the DFG benchmark 2D-1 (Schäfer & Turek 1996).

    Channel :math:`[0, 2.2] \times [0, 0.41]` less the cylinder of radius 0.05 centred at
    :math:`(0.2, 0.2)`; :math:`\rho = 1`, viscosity :math:`\nu`. Conditions, each on its named
    boundary part:

    - ``inlet`` (:math:`x = 0`): the parabolic profile :math:`u = 4 U_m y (H - y) / H^2,\ v = 0`;
    - ``walls`` (:math:`y = 0, H`) and ``cylinder``: no slip, :math:`u = v = 0`;
    - ``outlet`` (:math:`x = 2.2`): do-nothing, :math:`\nu\,\partial_n \mathbf u - p\,\mathbf n = 0`.

    With :math:`U_m = 0.3` and :math:`\nu = 10^{-3}`, :math:`Re = \bar U D / \nu = 20`
    (:math:`\bar U = 2 U_m / 3`, :math:`D = 0.1`). The benchmark's quantities, computed from the
    field by :meth:`quantities` and logged as ``val/`` and ``test/`` metrics (with their relative
    errors, ``<name>_error``): the drag and lift coefficients
    :math:`c_D = 2F_x / (\rho \bar U^2 D)`, :math:`c_L = 2F_y / (\rho \bar U^2 D)`, and
    :math:`\Delta p = p(0.15, 0.2) - p(0.25, 0.2)`. Reference values (high-precision finite
    elements; the 1996 paper's bounds are c_D 5.57–5.59, c_L 0.0104–0.0110, Δp 0.1172–0.1176):
    :attr:`reference_quantities`.

    There is no reference field: ``val/rel_l2`` is not logged; checkpoint on ``val/c_D_error``.

    Args:
        nu: kinematic viscosity.
        u_max: the inflow's peak velocity :math:`U_m`.
        quadrature_points: points of the trapezoid rule on the cylinder for the force integral.
        eval_resolution: grid points along x and y of the prediction grid (points in the
            cylinder are left out).
    """

    reference_quantities = {"c_D": 5.57953523384, "c_L": 0.010618948146, "delta_p": 0.11752016697}
    height, center, radius = 0.41, (0.2, 0.2), 0.05

    def __init__(self, nu: float = 1e-3, u_max: float = 0.3, quadrature_points: int = 512,
                 eval_resolution: Sequence[int] = (221, 42)) -> None:  # fmt: skip
        if not nu > 0 or not u_max > 0:
            raise ValueError(f"nu and u_max must be > 0, got nu={nu}, u_max={u_max}")
        if not isinstance(quadrature_points, int) or quadrature_points < 16:
            raise ValueError(f"quadrature_points must be an integer >= 16, got {quadrature_points!r}")
        h, tol = self.height, 1e-6
        channel = Box((0.0, 0.0), (2.2, h), parts={
            "inlet": lambda x: x[:, 0] <= tol,
            "outlet": lambda x: x[:, 0] >= 2.2 - tol,
            "walls": lambda x: (x[:, 1] <= tol) | (x[:, 1] >= h - tol),
        })  # fmt: skip
        c, r = self.center, self.radius
        cylinder = Disk(c, r, parts={"cylinder": lambda x: (x - x.new_tensor(c)).norm(dim=1) < 1.5 * r})
        super().__init__(1.0 / nu, eval_resolution=eval_resolution, geometry=channel - cylinder)
        self.nu, self.u_max, self.quadrature_points = float(nu), float(u_max), quadrature_points

    def inflow(self, x: Tensor) -> Tensor:
        """The inlet profile :math:`(u, v)`, ``[n, 2]``."""
        y = x[:, 1:2]
        u = 4 * self.u_max * y * (self.height - y) / self.height**2
        return torch.cat([u, torch.zeros_like(u)], 1)

    def outflow(self, x: Tensor, d: FieldDerivatives, normal: Tensor) -> Tensor:
        r"""Do-nothing residual :math:`\nu\,\partial_x (u, v) - p\,(1, 0)` on the outlet, ``[n, 2]``."""
        ux = d.grad(0)
        return torch.cat([self.nu * ux[:, 0:1] - d.u[:, 2:3], self.nu * ux[:, 1:2]], 1)

    def define_conditions(self) -> list[Condition]:
        return [
            Dirichlet(self.inflow, name="inlet", on="inlet", components=(0, 1)),
            Dirichlet(0.0, name="walls", on="walls", components=(0, 1)),
            Dirichlet(0.0, name="cylinder", on="cylinder", components=(0, 1)),
            Operator(self.outflow, name="outlet", on="outlet"),
        ]

    def quantities(self, field: Field, derivatives: DerivativeOperator, like: Tensor) -> dict[str, Tensor]:
        r"""Drag and lift coefficients and the pressure difference of ``field`` (outputs ``u, v, p``).

        The force on the cylinder is the surface integral of the traction,

        .. math::
            \mathbf F = \oint_S \big(-p\,\mathbf n + \rho\nu(\nabla\mathbf u + \nabla\mathbf u^T)\,\mathbf n\big)\,dS,

        with :math:`\mathbf n` the cylinder's outward normal (into the fluid), by the trapezoid
        rule on ``quadrature_points`` equally spaced points (spectrally accurate for a smooth,
        periodic integrand), the derivatives from ``derivatives`` (the model's operator).
        """
        m = self.quadrature_points
        theta = torch.arange(m, dtype=torch.float64) * (2 * math.pi / m)
        n = torch.stack([theta.cos(), theta.sin()], 1)
        x = (torch.tensor(self.center, dtype=torch.float64) + self.radius * n).to(like)
        n = n.to(like)
        d = derivatives(field, x)
        du, dv = d.grad(0), d.grad(1)  # [m, 3]: d/dx and d/dy of (u, v, p)
        p = d.u[:, 2]
        s_xx, s_yy, s_xy = 2 * du[:, 0], 2 * dv[:, 1], du[:, 1] + dv[:, 0]  # grad u + grad u^T
        fx = -p * n[:, 0] + self.nu * (s_xx * n[:, 0] + s_xy * n[:, 1])
        fy = -p * n[:, 1] + self.nu * (s_xy * n[:, 0] + s_yy * n[:, 1])
        arc = 2 * math.pi * self.radius / m
        scale = 2.0 / ((2 * self.u_max / 3) ** 2 * 2 * self.radius)
        probes = torch.tensor([[0.15, 0.2], [0.25, 0.2]], dtype=torch.float64).to(like)
        p_probes = field(probes)[:, 2]
        return {"c_D": scale * arc * fx.sum(), "c_L": scale * arc * fy.sum(), "delta_p": p_probes[0] - p_probes[1]}
