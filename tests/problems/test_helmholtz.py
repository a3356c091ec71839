"""Helmholtz2D: the manufactured solution solves the PDE and the boundary condition."""

import math

import pytest
import torch

from pinn_lightning import AutogradDerivatives, FiniteDifferenceDerivatives, Helmholtz2D
from tests.helpers.conditions import condition_residual


@pytest.mark.parametrize("a1,a2,k", [(1, 4, 1), (10, 10, 1), (2, 3, 5)])
def test_exact_solution_residual_autograd(a1, a2, k):
    p = Helmholtz2D(a1, a2, k)
    x = torch.rand(64, 2, dtype=torch.float64) * 2 - 1
    r = p.residual(x, AutogradDerivatives()(p.solution, x))
    scale = (a1**2 + a2**2) * math.pi**2  # size of the Laplacian term
    assert r.abs().max().item() < 1e-12 * scale


def test_exact_solution_residual_finite_difference_is_second_order():
    p = Helmholtz2D(1, 4, 1)
    x = torch.rand(64, 2, dtype=torch.float64) * 2 - 1
    errs = [p.residual(x, FiniteDifferenceDerivatives(step=h)(p.solution, x)).abs().max().item() for h in (1e-2, 5e-3)]
    # leading error (h^2/12)(u_xxxx + u_yyyy) <= h^2/12 * (pi^4 (1 + 4^4)): ratio 4 when h halves
    assert errs[0] < 1e-4 / 12 * math.pi**4 * 257
    assert 3.8 < errs[0] / errs[1] < 4.2


def test_boundary_residual_vanishes_on_the_boundary():
    p = Helmholtz2D(1, 4, 1)
    s = torch.linspace(-1, 1, 50, dtype=torch.float64)
    one = torch.ones_like(s)
    faces = torch.cat([torch.stack(v, 1) for v in ((s, one), (s, -one), (one, s), (-one, s))])
    assert condition_residual(p, "boundary", faces, torch.zeros(len(faces), 1, dtype=torch.float64)).abs().max() < 1e-12
    x, u = p.reference()
    assert x.shape == (201 * 201, 2)
    torch.testing.assert_close(u, p.solution(x))


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="a1 and a2"):
        Helmholtz2D(a1=0)
    with pytest.raises(ValueError, match="eval_resolution"):
        Helmholtz2D(eval_resolution=(1, 5))


def test_hard_constraints_zero_on_the_boundary_for_any_network_output():
    p = Helmholtz2D(1, 4, 1, hard_constraints=True)
    assert p.conditions == ()
    s = torch.linspace(-1, 1, 30, dtype=torch.float64)
    one = torch.ones_like(s)
    faces = torch.cat([torch.stack(v, 1) for v in ((s, one), (s, -one), (one, s), (-one, s))])
    raw = torch.randn(len(faces), 1, dtype=torch.float64) * 10
    assert p.output_transform(faces, raw).abs().max().item() < 1e-14
    with pytest.raises(ValueError, match="integer a1, a2"):
        Helmholtz2D(a1=1.5, hard_constraints=True)
