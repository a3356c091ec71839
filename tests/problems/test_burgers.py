"""Burgers1D: the Cole-Hopf reference against an independent rule and published values."""

import math

import numpy as np
import pytest
import torch

from pinn_lightning import AutogradDerivatives, Burgers1D, FiniteDifferenceDerivatives, cole_hopf_solution
from tests.helpers.conditions import condition_residual

NU = 0.01 / math.pi


def gauss_legendre_reference(x: float, t: float, nu: float = NU, panels: int = 600) -> float:
    """Cole-Hopf integrals in eta directly, composite 16-point Gauss-Legendre (independent rule)."""
    a = 1.0 / (2 * math.pi * nu)
    half_width = math.sqrt(4 * nu * t) * math.sqrt(2 * a + 40)
    nodes, weights = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(-half_width, half_width, panels + 1)
    mid, rad = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    eta = (mid[:, None] + rad[:, None] * nodes[None, :]).ravel()
    w = (rad[:, None] * weights[None, :]).ravel()
    phi = -(eta**2) / (4 * nu * t) - a * np.cos(np.pi * (x - eta))
    e = w * np.exp(phi - phi.max())
    return float(-(np.sin(np.pi * (x - eta)) * e).sum() / e.sum())


@pytest.mark.parametrize(
    "x,t",
    [(0.0, 0.5), (1e-3, 0.5), (-0.01, 0.9), (0.02, 0.99), (-0.5, 0.1), (0.3, 0.7), (0.9, 0.25), (-0.002, 0.35)],
)
def test_cole_hopf_matches_independent_quadrature(x, t):
    ours = cole_hopf_solution(torch.tensor([x], dtype=torch.float64), torch.tensor([t], dtype=torch.float64), NU)
    assert abs(ours.item() - gauss_legendre_reference(x, t)) < 1e-10


def test_cole_hopf_reproduces_basdevant_maximum_slope():
    """Basdevant et al. (1986), Comput. Fluids 14: max |u_x(0, t)| = 152.00516 at t = 1.6037/pi."""
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    t = torch.full((1,), 1.6037 / math.pi, dtype=torch.float64)
    (slope,) = torch.autograd.grad(cole_hopf_solution(x, t, NU).sum(), x)
    assert abs(slope.item() + 152.00516) < 5e-5
    # and it is a maximum in time: slightly earlier and later slopes are smaller in magnitude
    for dt in (-0.01, 0.01):
        xx = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        (s,) = torch.autograd.grad(cole_hopf_solution(xx, t + dt, NU).sum(), xx)
        assert abs(s.item()) < 152.00516


def test_reference_grid_and_conditions():
    p = Burgers1D()
    x, u = p.reference()
    assert x.shape == (256 * 100, 2) and u.shape == (256 * 100, 1)
    assert x[:, 1].max().item() == pytest.approx(0.99)
    at_t0 = x[:, 1] == 0
    torch.testing.assert_close(u[at_t0, 0], -torch.sin(math.pi * x[at_t0, 0]), rtol=0, atol=1e-14)
    on_boundary = x[:, 0].abs() == 1
    assert u[on_boundary].abs().max().item() < 1e-12
    # the condition residuals vanish on the exact solution
    assert condition_residual(p, "initial", x[at_t0], u[at_t0]).abs().max().item() < 1e-14
    assert condition_residual(p, "boundary", x[on_boundary], u[on_boundary]).abs().max().item() < 1e-12


def _points():
    g = torch.Generator().manual_seed(3)
    x = torch.rand(40, 2, generator=g, dtype=torch.float64)
    x[:, 0] = x[:, 0] * 1.8 - 0.9
    x[:, 1] = x[:, 1] * 0.85 + 0.1
    x[:4, 0] = torch.tensor([0.0, 2e-3, -5e-3, 0.02], dtype=torch.float64)  # at and next to the shock
    return x


def test_exact_solution_makes_residual_vanish_autograd():
    p = Burgers1D()
    x = _points()
    d = AutogradDerivatives()(p.solution, x)
    r = p.residual(x, d)
    # at x = 0 every term vanishes by symmetry: floor the scale at 1 (u is O(1))
    scale = d.grad(1).abs() + (d.u * d.grad(0)).abs() + p.nu * d.d2(0, 0).abs() + 1.0
    assert (r.abs() / scale).max().item() < 1e-10


def test_exact_solution_makes_residual_vanish_finite_difference():
    """FD residual of the exact solution is O(h^2): below 1e-6 of the terms at h = 1e-5, away from the shock."""
    p = Burgers1D()
    x = _points()[4:]  # smooth region (the shock needs h << its width 1e-3)
    for h, tol in ((1e-3, 1e-2), (1e-5, 1e-6)):
        d = FiniteDifferenceDerivatives(step=h)(p.solution, x)
        r = p.residual(x, d)
        scale = d.grad(1).abs() + (d.u * d.grad(0)).abs() + p.nu * d.d2(0, 0).abs()
        assert (r.abs() / scale).max().item() < tol, h


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="nu must be > 0"):
        Burgers1D(nu=0.0)
    with pytest.raises(ValueError, match="eval_t_max"):
        Burgers1D(eval_t_max=2.0)


def test_hard_constraints_satisfy_conditions_for_any_network_output():
    p = Burgers1D(hard_constraints=True)
    assert p.conditions == ()
    g = torch.Generator().manual_seed(0)
    s = torch.rand(50, generator=g, dtype=torch.float64) * 2 - 1
    t = torch.rand(50, generator=g, dtype=torch.float64)
    raw = torch.randn(50, 1, generator=g, dtype=torch.float64) * 10  # arbitrary network output
    initial = torch.stack([s, torch.zeros_like(s)], 1)
    u0 = p.output_transform(initial, raw)
    assert condition_residual(Burgers1D(), "initial", initial, u0).abs().max().item() < 1e-14
    for side in (-1.0, 1.0):
        edge = torch.stack([torch.full_like(t, side), t], 1)
        assert condition_residual(Burgers1D(), "boundary", edge, p.output_transform(edge, raw)).abs().max().item() < 1e-14
    # inside, the network output still matters
    inner = torch.stack([s * 0.5, t + 0.1], 1)
    assert (p.output_transform(inner, raw) - p.output_transform(inner, 2 * raw)).abs().min().item() > 0


def test_compression_weights_follow_the_shock_slope_and_spare_expansions():
    """lambda = 1 / (1 + eps (|u_x| - u_x)): 1 / (1 + 2 eps 152.00516) at Basdevant's steepest point."""
    eps = 0.3
    p = Burgers1D(compression_weight=eps)
    assert Burgers1D().residual_weights(_points(), None) is None  # eps = 0: every point alike
    x = torch.tensor([[0.0, 1.6037 / math.pi], [0.9, 0.25], [-0.9, 0.6], [0.3, 0.1]], dtype=torch.float64)
    lam = p.residual_weights(x, AutogradDerivatives()(p.solution, x)).squeeze(1)
    assert abs(lam[0].item() * (1 + 2 * eps * 152.00516) - 1) < 1e-6
    assert lam[1].item() == 1.0 and lam[2].item() == 1.0  # u_x > 0 next to the walls: expansion
    assert 0.2 < lam[3].item() < 1.0  # compressive, far from the shock: mildly reduced
    with pytest.raises(ValueError, match="compression_weight must be >= 0"):
        Burgers1D(compression_weight=-1.0)
