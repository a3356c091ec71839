"""Problems on non-box domains: the hollow shaft (Poisson on an annulus), the heat plate's
mixed conditions, and the DFG flow around a cylinder (its conditions and force integrals)."""

import math

import pytest
import torch

from pinn_lightning import AutogradDerivatives, CylinderFlow2D, FiniteDifferenceDerivatives, PoissonAnnulus2D
from tests.helpers.conditions import condition_residual


def test_annulus_solution_solves_poisson_and_vanishes_on_both_circles():
    p = PoissonAnnulus2D(inner_radius=0.4)
    x = p.geometry.sample_interior(500, key=1).double()
    assert p.residual(x, AutogradDerivatives()(p.solution, x)).abs().max() < 1e-10
    errors = [p.residual(x, FiniteDifferenceDerivatives(step=h)(p.solution, x)).abs().max().item() for h in (4e-3, 2e-3)]
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.05)
    for name in ("outer", "inner"):
        c = p.condition(name)
        xb = c.sample(p.geometry, 300, 2).x.double()
        radius = 1.0 if name == "outer" else 0.4
        assert (xb.norm(dim=1) - radius).abs().max() < 1e-6  # each condition draws on its own circle
        assert condition_residual(p, name, xb, p.solution(xb)).abs().max() < 1e-6
    # the grid keeps the annulus: area fraction pi (1 - 0.16) / 4 of the bounding box
    assert p.evaluation_points().shape[0] / 101**2 == pytest.approx(math.pi * 0.84 / 4, rel=0.02)
    hard = PoissonAnnulus2D(inner_radius=0.4, hard_constraints=True)
    theta = torch.linspace(0, 2 * math.pi, 50, dtype=torch.float64)
    circles = torch.cat([r * torch.stack([theta.cos(), theta.sin()], 1) for r in (1.0, 0.4)])
    assert hard.output_transform(circles, torch.randn(100, 1, dtype=torch.float64)).abs().max() < 1e-12
    assert hard.conditions == ()


def _poiseuille(p: CylinderFlow2D):
    """Channel flow without the cylinder: the inflow profile everywhere, p = G (2.2 - x) with
    G = 8 nu U_m / H^2, which solves the equations and the inlet, wall and outlet conditions."""
    g = 8 * p.nu * p.u_max / p.height**2

    def field(x):
        return torch.cat([p.inflow(x), g * (2.2 - x[:, :1])], 1)

    return field


def test_cylinder_conditions_on_their_parts_and_poiseuille_flow():
    p = CylinderFlow2D()
    assert p.condition_names == ("inlet", "walls", "cylinder", "outlet")
    # Re = mean inflow velocity x diameter / nu = 20
    y = torch.linspace(0, p.height, 100001, dtype=torch.float64)
    mean = torch.trapezoid(p.inflow(torch.stack([torch.zeros_like(y), y], 1))[:, 0], y) / p.height
    assert mean.item() * 2 * p.radius / p.nu == pytest.approx(20.0, rel=1e-6)
    field = _poiseuille(p)
    x = p.geometry.sample_interior(400, key=3).double()
    assert p.residual(x, AutogradDerivatives()(field, x)).abs().max() < 1e-12
    for name, holds in (("inlet", True), ("walls", True), ("outlet", True), ("cylinder", False)):
        c = p.condition(name)
        pts = c.sample(p.geometry, 200, 4)
        pts = pts._replace(x=pts.x.double(), normal=pts.normal.double())
        r = c.residual(pts, AutogradDerivatives()(field, pts.x))
        assert (r.abs().max() < 1e-6) == holds, name
    cyl = p.condition("cylinder").sample(p.geometry, 200, 5)
    centre = torch.tensor(p.center)
    assert ((cyl.x - centre).norm(dim=1) - p.radius).abs().max() < 1e-6
    torch.testing.assert_close(cyl.normal, -(cyl.x - centre) / p.radius, atol=1e-5, rtol=0)  # out of the fluid


@pytest.mark.parametrize("operator", [AutogradDerivatives(), FiniteDifferenceDerivatives(step=1e-3)], ids=["autograd", "fd"])
def test_force_integrals_on_known_fields(operator):
    """c_D, c_L from the traction integral: a pressure gradient gives the buoyancy-like force
    -grad(p) x area; a shear flow u = y^2 gives F_x = 2 nu x area; a rigid rotation gives none."""
    p = CylinderFlow2D()
    like, area = torch.zeros((), dtype=torch.float64), math.pi * p.radius**2
    scale = 2 / ((2 * p.u_max / 3) ** 2 * 2 * p.radius)
    zero = lambda x: torch.zeros_like(x[:, :1])
    cases = [
        (lambda x: torch.cat([zero(x), zero(x), x[:, :1]], 1), (-area, 0.0)),
        (lambda x: torch.cat([zero(x), zero(x), 3 * x[:, 1:]], 1), (0.0, -3 * area)),
        (lambda x: torch.cat([x[:, 1:] ** 2, zero(x), zero(x)], 1), (2 * p.nu * area, 0.0)),
        (lambda x: torch.cat([-(x[:, 1:] - 0.2), x[:, :1] - 0.2, zero(x)], 1), (0.0, 0.0)),
    ]
    for field, (fx, fy) in cases:
        q = p.quantities(field, operator, like)
        assert q["c_D"].item() == pytest.approx(scale * fx, abs=1e-9)
        assert q["c_L"].item() == pytest.approx(scale * fy, abs=1e-9)
    q = p.quantities(cases[0][0], operator, like)
    assert q["delta_p"].item() == pytest.approx(-0.1, abs=1e-12)
