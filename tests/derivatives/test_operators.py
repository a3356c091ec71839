"""Both operators on a table of closed-form functions (1-D, 2-D, two outputs, mixed partials)."""

import math

import pytest
import torch

from pinn_lightning import AutogradDerivatives, FiniteDifferenceDerivatives


def f1d(x):  # u = sin(2x) exp(-x), v = x^3
    return torch.cat([torch.sin(2 * x) * torch.exp(-x), x**3], dim=1)


def f1d_grad(x):
    return torch.cat([(2 * torch.cos(2 * x) - torch.sin(2 * x)) * torch.exp(-x), 3 * x**2], dim=1)


def f1d_d2(x):
    return torch.cat([(-3 * torch.sin(2 * x) - 4 * torch.cos(2 * x)) * torch.exp(-x), 6 * x], dim=1)


def f2d(x):  # u = sin(x) exp(0.5 y), v = x^2 y^3 + cos(x y)
    a, b = x[:, 0:1], x[:, 1:2]
    return torch.cat([torch.sin(a) * torch.exp(0.5 * b), a**2 * b**3 + torch.cos(a * b)], dim=1)


def f2d_exact(x):
    """grad (i) and d2 (i, j) of f2d as dicts of [n, 2] tensors."""
    a, b = x[:, 0:1], x[:, 1:2]
    e, s, c = torch.exp(0.5 * b), torch.sin(a * b), torch.cos(a * b)
    grad = {
        0: torch.cat([torch.cos(a) * e, 2 * a * b**3 - b * s], 1),
        1: torch.cat([0.5 * torch.sin(a) * e, 3 * a**2 * b**2 - a * s], 1),
    }
    d2 = {
        (0, 0): torch.cat([-torch.sin(a) * e, 2 * b**3 - b**2 * c], 1),
        (1, 1): torch.cat([0.25 * torch.sin(a) * e, 6 * a**2 * b - a**2 * c], 1),
        (0, 1): torch.cat([0.5 * torch.cos(a) * e, 6 * a * b**2 - s - a * b * c], 1),
    }
    d2[(1, 0)] = d2[(0, 1)]
    return grad, d2


@pytest.fixture
def x1d():
    return torch.linspace(-1.3, 1.7, 23, dtype=torch.float64)[:, None]


@pytest.fixture
def x2d():
    g = torch.Generator().manual_seed(1)
    return (torch.rand(31, 2, generator=g, dtype=torch.float64) * 2 - 1) * 1.5


def test_autograd_exact_1d(x1d):
    d = AutogradDerivatives()(f1d, x1d)
    torch.testing.assert_close(d.u, f1d(x1d), rtol=0, atol=1e-12)
    torch.testing.assert_close(d.grad(0), f1d_grad(x1d), rtol=0, atol=1e-10)
    torch.testing.assert_close(d.d2(0, 0), f1d_d2(x1d), rtol=0, atol=1e-10)


def test_autograd_exact_2d_mixed(x2d):
    d = AutogradDerivatives()(f2d, x2d)
    grad, d2 = f2d_exact(x2d)
    for i in (0, 1):
        torch.testing.assert_close(d.grad(i), grad[i], rtol=0, atol=1e-10)
    for key, value in d2.items():
        torch.testing.assert_close(d.d2(*key), value, rtol=0, atol=1e-10)
    torch.testing.assert_close(d.laplacian(), d2[(0, 0)] + d2[(1, 1)], rtol=0, atol=1e-10)


def _fd_errors(x, f, exact, h, mixed, order=2):
    d = FiniteDifferenceDerivatives(step=h, order=order)(f, x, mixed=mixed)
    return {key: (fd(d) - value).abs().max().item() for key, (fd, value) in exact.items()}


@pytest.mark.parametrize("order", [2, 4])
@pytest.mark.parametrize("dim", [1, 2])
def test_finite_difference_convergence_order(dim, order, x1d, x2d):
    """Halving h divides the error by 2^order (observed order +- 0.1 (2), +- 0.25 (4)) for every derivative kind."""
    if dim == 1:
        x, f = x1d, f1d
        exact = {
            "u": (lambda d: d.u, f1d(x)),
            "grad0": (lambda d: d.grad(0), f1d_grad(x)),
            "d2_00": (lambda d: d.d2(0, 0), f1d_d2(x)),
        }
    else:
        x, f = x2d, f2d
        grad, d2 = f2d_exact(x)
        exact = {
            "grad0": (lambda d: d.grad(0), grad[0]),
            "grad1": (lambda d: d.grad(1), grad[1]),
            "d2_00": (lambda d: d.d2(0, 0), d2[(0, 0)]),
            "d2_11": (lambda d: d.d2(1, 1), d2[(1, 1)]),
            "d2_01": (lambda d: d.d2(0, 1), d2[(0, 1)]),
            "d2_10": (lambda d: d.d2(1, 0), d2[(0, 1)]),
        }
    hs = [4e-2, 2e-2, 1e-2] if order == 2 else [1.6e-1, 8e-2, 4e-2]  # order 4 reaches rounding below
    errs = [_fd_errors(x, f, exact, h, mixed=dim > 1, order=order) for h in hs]
    assert errs[0].get("u", 0.0) == 0.0  # the centre point is the function itself
    for key in exact:
        if key == "u":
            continue
        orders = [math.log2(errs[k][key] / errs[k + 1][key]) for k in range(len(hs) - 1)]
        tol = 0.1 if order == 2 else 0.25
        assert all(order - tol < p < order + tol for p in orders), (key, orders, [e[key] for e in errs])


def test_order_switch_changes_the_convergence_order_at_its_step(x1d):
    """Before the switch step the stencils converge at order 2, from it on at order 4."""
    op = FiniteDifferenceDerivatives(step=4e-2, order=2, order_switch=(100, 4))
    exact = f1d_d2(x1d)

    def observed_order(step):
        op.set_step(step)
        errs = []
        for h in (1.6e-1, 8e-2):
            op.step = h
            errs.append((op(f1d, x1d).d2(0, 0) - exact).abs().max().item())
        return math.log2(errs[0] / errs[1])

    assert 1.9 < observed_order(99) < 2.1
    assert op.active_order == 2
    assert 3.75 < observed_order(100) < 4.25
    assert op.active_order == 4 and op.order == 2  # the configured order is kept
    assert 1.9 < observed_order(0) < 2.1  # the order follows the step given, not the history


def test_order_switch_validation():
    for bad in ((-1, 4), (10, 3), (10,)):
        with pytest.raises(ValueError, match="order_switch must be"):
            FiniteDifferenceDerivatives(order_switch=bad)


def test_finite_difference_exact_on_quadratics():
    """Central differences have no truncation error on quadratics: exact up to rounding."""
    x = torch.rand(17, 2, dtype=torch.float64)
    f = lambda p: (3 * p[:, 0:1] ** 2 - 2 * p[:, 0:1] * p[:, 1:2] + 0.5 * p[:, 1:2] ** 2 + p[:, 0:1])  # noqa: E731
    d = FiniteDifferenceDerivatives(step=0.1)(f, x, mixed=True)
    torch.testing.assert_close(d.grad(0), 6 * x[:, 0:1] - 2 * x[:, 1:2] + 1, rtol=0, atol=1e-12)
    torch.testing.assert_close(d.d2(0, 0), torch.full_like(x[:, :1], 6.0), rtol=0, atol=1e-10)
    torch.testing.assert_close(d.d2(0, 1), torch.full_like(x[:, :1], -2.0), rtol=0, atol=1e-10)
    torch.testing.assert_close(d.laplacian(), torch.full_like(x[:, :1], 7.0), rtol=0, atol=1e-10)


def test_finite_difference_one_batched_forward_and_gradients_reach_every_stencil_point():
    calls = []
    w = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)

    def field(p):
        calls.append(p.shape[0])
        return torch.sin(w * p[:, 0:1]) * p[:, 1:2] ** 2

    x = torch.rand(10, 2, dtype=torch.float64)
    d = FiniteDifferenceDerivatives(step=1e-3)(field, x, mixed=True)
    assert calls == [10 * (1 + 2 * 2 + 4)]  # centre, 4 axis points, 4 diagonal points, one call
    calls.clear()
    FiniteDifferenceDerivatives(step=1e-3, order=4)(field, x, mixed=True)
    assert calls == [10 * (1 + 4 * 2 + 16)]  # order 4: +-h, +-2h per axis, 16 diagonal points
    # d/dw of the FD Laplacian equals the FD of d/dw: gradients flow through the stencil.
    (gw,) = torch.autograd.grad(d.laplacian().sum(), w)
    a, b = x[:, 0:1], x[:, 1:2]
    # Laplacian = -w^2 sin(w a) b^2 + 2 sin(w a); its w-derivative:
    expected = (-2 * w * torch.sin(w * a) * b**2 - w**2 * a * torch.cos(w * a) * b**2 + 2 * a * torch.cos(w * a)).sum()
    torch.testing.assert_close(gw, expected.detach().reshape(1), rtol=1e-5, atol=0)


def test_mixed_without_diagonal_points_is_an_error():
    d = FiniteDifferenceDerivatives(step=1e-2)(f2d, torch.rand(4, 2, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="mixed=True"):
        d.d2(0, 1)


def test_step_validation_and_missing_grid():
    with pytest.raises(ValueError, match="step must be > 0"):
        FiniteDifferenceDerivatives(step=-1.0)
    with pytest.raises(ValueError, match="step_factor"):
        FiniteDifferenceDerivatives(step_factor=0.0)
    with pytest.raises(ValueError, match="set `step` explicitly"):
        FiniteDifferenceDerivatives()(f2d, torch.rand(3, 2))


def test_autograd_without_create_graph_gives_every_second_derivative(x2d):
    d = AutogradDerivatives(create_graph=False)(f2d, x2d)
    _, d2 = f2d_exact(x2d)
    for key in ((0, 0), (1, 1), (0, 1)):
        torch.testing.assert_close(d.d2(*key).detach(), d2[key], rtol=0, atol=1e-10)


@pytest.mark.parametrize("op", [AutogradDerivatives(), FiniteDifferenceDerivatives(step=1e-3)])
def test_extra_points_ride_in_the_same_forward_and_leave_derivatives_unchanged(op, x2d):
    """``extra`` points come back as field values from the one call; x's derivatives are untouched."""
    calls = []

    def field(p):
        calls.append(p.shape[0])
        return f2d(p)

    extra = torch.tensor([[0.3, -0.2], [1.0, 1.0], [-1.0, 0.5]], dtype=torch.float64)
    with_extra = op(field, x2d, extra=extra)
    assert len(calls) == 1 and calls[0] == (5 if isinstance(op, FiniteDifferenceDerivatives) else 1) * 31 + 3
    torch.testing.assert_close(with_extra.extra, f2d(extra), rtol=0, atol=1e-15)
    plain = op(f2d, x2d)
    assert plain.extra is None
    for i in (0, 1):
        torch.testing.assert_close(with_extra.grad(i), plain.grad(i), rtol=0, atol=1e-12)
        torch.testing.assert_close(with_extra.d2(i, i), plain.d2(i, i), rtol=0, atol=1e-12)
