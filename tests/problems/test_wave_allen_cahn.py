"""Wave1D, KleinGordon1D and AllenCahn1D: exact solutions solve the PDE, hard constraints hold,
and the ETDRK4 reference converges at its orders, matches closed forms in two limits and zeroes
the Allen-Cahn residual on its own grid."""

import math

import pytest
import torch

from pinn_lightning import AllenCahn1D, AutogradDerivatives, FiniteDifferenceDerivatives, KleinGordon1D, Wave1D
from pinn_lightning.conditions import PointSet
from pinn_lightning.problems.etdrk4 import dst1, solve_dirichlet_etdrk4


@pytest.mark.parametrize("problem", [Wave1D(), Wave1D(c=3.0, m=3), KleinGordon1D(), KleinGordon1D(alpha=2.0, beta=1.0)], ids=repr)
def test_exact_solution_solves_the_pde_with_both_operators(problem):
    x = torch.rand(64, 2, dtype=torch.float64) * 0.98 + 0.01
    zero = problem.residual(x, AutogradDerivatives()(lambda p: torch.zeros_like(p[:, :1]), x)).abs().max().item() + 1.0
    assert problem.residual(x, AutogradDerivatives()(problem.solution, x)).abs().max().item() < 1e-11 * zero
    errs = [problem.residual(x, FiniteDifferenceDerivatives(step=h)(problem.solution, x)).abs().max().item() for h in (4e-3, 2e-3)]
    assert 3.5 < errs[0] / errs[1] < 4.5  # second order


@pytest.mark.parametrize("problem", [Wave1D(), KleinGordon1D()], ids=repr)
def test_hard_constraints_impose_value_velocity_and_boundary_for_any_network(problem):
    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).double()
    field = lambda p: problem.output_transform(p, net(p))  # noqa: E731
    s = torch.linspace(0, 1, 33, dtype=torch.float64)
    zero, one = torch.zeros_like(s), torch.ones_like(s)
    t0 = torch.stack([s, zero], 1)
    d0 = AutogradDerivatives()(field, t0)
    exact0 = AutogradDerivatives()(problem.solution, t0)
    torch.testing.assert_close(d0.u, exact0.u, rtol=0, atol=1e-13)  # u(x, 0)
    torch.testing.assert_close(d0.grad(1), exact0.grad(1), rtol=0, atol=1e-12)  # u_t(x, 0)
    for face in (torch.stack([zero, s], 1), torch.stack([one, s], 1)):
        torch.testing.assert_close(field(face), problem.solution(face), rtol=0, atol=1e-12)
    assert problem.conditions == ()
    # soft: the initial condition holds value and velocity of the exact solution, not of a field that moves at t = 0
    soft = type(problem)(hard_constraints=False)
    initial = soft.condition("initial")
    assert initial.needs_derivatives and soft.condition_names == ("boundary", "initial")
    r = initial.residual(PointSet(t0), AutogradDerivatives()(soft.solution, t0))
    assert r.abs().max() < 1e-10
    moving = lambda p: soft.solution(p) + p[:, 1:2] * torch.sin(math.pi * p[:, :1])  # noqa: E731  u_t(x, 0) = sin(pi x)
    r = initial.residual(PointSet(t0), AutogradDerivatives()(moving, t0))
    assert r[:, 0].abs().max() < 1e-12 and r[:, 1].abs().max().item() == pytest.approx(1.0, abs=1e-3)


def test_dst1_is_its_own_inverse_and_diagonalises_the_second_difference():
    n = 16
    v = torch.randn(n - 1, dtype=torch.float64)
    torch.testing.assert_close(dst1(dst1(v)) * 2 / n, v)
    k = 3  # sin(k pi j / n) is an eigenvector of the Dirichlet second difference
    j = torch.arange(1, n, dtype=torch.float64)
    coef = dst1(torch.sin(k * math.pi * j / n))
    assert coef.abs().argmax().item() == k - 1 and coef[k - 1].item() == pytest.approx(n / 2)


def test_etdrk4_heat_modes_decay_exactly():
    """No reaction: each sine mode decays as exp(-D (k pi / L)^2 t) whatever the step (exact linear part)."""
    d = 0.05
    w0 = lambda x: torch.sin(math.pi * (x + 1) / 2) + 0.3 * torch.sin(5 * math.pi * (x + 1) / 2)  # noqa: E731
    x, w = solve_dirichlet_etdrk4(w0, d, lambda w: torch.zeros_like(w), [0.5, 1.0], n=64, dt=0.25)
    for i, t in enumerate((0.5, 1.0)):
        exact = math.exp(-d * (math.pi / 2) ** 2 * t) * torch.sin(math.pi * (x + 1) / 2) + 0.3 * math.exp(
            -d * (5 * math.pi / 2) ** 2 * t
        ) * torch.sin(5 * math.pi * (x + 1) / 2)
        torch.testing.assert_close(w[i], exact, rtol=0, atol=1e-13)


def test_etdrk4_is_fourth_order_in_the_pointwise_ode_limit():
    """D = 0: u_t = 5 (u - u^3) at every point, u(t) = u0 e^{5t} / sqrt(1 + u0^2 (e^{10t} - 1))."""
    u0 = lambda x: x * x * torch.cos(math.pi * x)  # noqa: E731
    reaction = lambda w: 5 * ((w - 1) - (w - 1) ** 3)  # noqa: E731
    errs = []
    for dt in (0.1, 0.05, 0.025):
        x, w = solve_dirichlet_etdrk4(lambda xs: u0(xs) + 1, 0.0, reaction, [1.0], n=64, dt=dt)
        exact = u0(x) * math.exp(5) / torch.sqrt(1 + u0(x) ** 2 * (math.exp(10) - 1))
        errs.append((w[0] - 1 - exact).abs().max().item())
    orders = [math.log2(a / b) for a, b in zip(errs, errs[1:])]
    assert all(3.6 < p < 4.4 for p in orders), (errs, orders)


def test_allen_cahn_reference_is_converged_and_has_the_known_structure():
    """The shipped settings (1024 modes, dt 1e-3) agree with 2048 modes / dt 5e-4 to 1e-6."""
    coarse = AllenCahn1D(eval_resolution=(65, 11))
    fine = AllenCahn1D(eval_resolution=(65, 11), reference_modes=2048, reference_dt=5e-4)
    (x, u), (_, u_fine) = coarse.reference(), fine.reference()
    assert (u - u_fine).abs().max().item() < 1e-6
    # structure: -1 at both ends; by t = 1 plateaus at +1 near x = +-0.25 (u0 > 0 there) and -1 near +-0.75,
    # interfaces pinned at the unstable zeros x = +-0.5 of u0
    u = u.reshape(65, 11)
    assert u[0].sub(-1).abs().max() < 1e-12 and u[-1].sub(-1).abs().max() < 1e-12
    torch.testing.assert_close(u[:, 0], AllenCahn1D.initial_value(torch.linspace(-1, 1, 65, dtype=torch.float64)))
    xs = torch.linspace(-1, 1, 65)
    at = lambda v: (xs - v).abs().argmin().item()  # noqa: E731
    assert min(u[at(0.25), -1], u[at(-0.25), -1]) > 0.98 and max(u[at(0.75), -1], u[at(-0.75), -1]) < -0.99
    assert abs(u[at(0.5), -1]) < 0.1 and abs(u[at(-0.5), -1]) < 0.1
    assert 0.0 < u[at(0.0), -1] < 0.1  # x = 0 stays near the unstable state u = 0


def test_allen_cahn_reference_satisfies_its_pde():
    """Differenced on its own grid (every solver step, every mode node), the ETDRK4 field zeroes
    u_t - eps u_xx - gamma (u - u^3) up to the differences' own second-order error: the residual,
    relative to |u_t|, is small and shrinks 4x when the grid spacing halves. The same field with
    eps doubled leaves a residual 100x larger, so the check sees the equation, not just convergence.
    """
    p = AllenCahn1D(eval_resolution=(1025, 1001))  # the solver's grid: 1024 intervals, dt = 1e-3
    u = p.reference()[1].reshape(1025, 1001)  # [x, t]

    def relative_residual(stride: int, eps: float = p.epsilon) -> float:
        v, dx, dt = u[::stride, ::stride], 2.0 * stride / 1024, stride / 1000
        u_t = (v[1:-1, 2:] - v[1:-1, :-2]) / (2 * dt)
        u_xx = (v[2:, 1:-1] - 2 * v[1:-1, 1:-1] + v[:-2, 1:-1]) / dx**2
        c = v[1:-1, 1:-1]
        r = u_t - eps * u_xx - p.gamma * (c - c**3)
        return (r.norm() / u_t.norm()).item()

    fine, coarse = relative_residual(1), relative_residual(2)
    assert fine < 1e-3
    assert 3.5 < coarse / fine < 4.5  # observed order 2 +- 0.2
    assert relative_residual(1, eps=2 * p.epsilon) > 100 * fine


def test_allen_cahn_rejects_inconsistent_grids():
    with pytest.raises(ValueError, match="must divide reference_modes"):
        AllenCahn1D(eval_resolution=(100, 201))
    with pytest.raises(ValueError, match="reference_dt must divide"):
        AllenCahn1D(reference_dt=3e-3)
