"""Poisson2D and Diffusion1D: exact solutions solve the PDE and the conditions, with both operators."""

import pytest
import torch

from pinn_lightning import AutogradDerivatives, Diffusion1D, FiniteDifferenceDerivatives, Poisson2D
from tests.helpers.conditions import condition_residual
from pinn_lightning.conditions import PointSet
from pinn_lightning.derivatives import Values


@pytest.mark.parametrize("problem", [Poisson2D(m=1), Poisson2D(m=3), Diffusion1D(), Diffusion1D(alpha=0.02, m=6)], ids=repr)
def test_exact_solution_solves_pde_autograd_and_fd(problem):
    x = torch.rand(64, 2, dtype=torch.float64) * 0.98 + 0.01
    scale = problem.residual(x, AutogradDerivatives()(lambda p: torch.zeros_like(p[:, :1]), x)).abs().max().item() + 1.0
    r_ad = problem.residual(x, AutogradDerivatives()(problem.solution, x)).abs().max().item()
    assert r_ad < 1e-12 * scale
    errs = [problem.residual(x, FiniteDifferenceDerivatives(step=h)(problem.solution, x)).abs().max().item() for h in (4e-3, 2e-3)]
    assert 3.5 < errs[0] / errs[1] < 4.5  # second order


@pytest.mark.parametrize("problem", [Poisson2D(m=2), Diffusion1D()], ids=repr)
def test_conditions_vanish_on_exact_solution_and_hard_constraints(problem):
    s = torch.linspace(0, 1, 33, dtype=torch.float64)
    zero, one = torch.zeros_like(s), torch.ones_like(s)
    if problem.time_dim is None:
        faces = torch.cat([torch.stack(v, 1) for v in ((s, zero), (s, one), (zero, s), (one, s))])
    else:
        faces = torch.cat([torch.stack(v, 1) for v in ((zero, s), (one, s))])
        t0 = torch.stack([s, zero], 1)
        assert condition_residual(problem, "initial", t0, problem.solution(t0)).abs().max() < 1e-14
    assert condition_residual(problem, "boundary", faces, problem.solution(faces)).abs().max() < 1e-12
    soft = problem.condition("boundary")
    problem.hard_constraints = True
    raw = torch.randn(len(faces), 1, dtype=torch.float64)
    assert soft.residual(PointSet(faces), Values(problem.output_transform(faces, raw), 2)).abs().max() < 1e-12
    assert problem.conditions == ()
