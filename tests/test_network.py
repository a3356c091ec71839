"""The field network's pieces that are not covered through the problems: the fast tanh."""

import torch

from pinn_lightning.network import Tanh


def test_tanh_matches_torch_tanh():
    x = torch.linspace(-20.0, 20.0, 400_001, dtype=torch.float64)
    # 2 sigma(2x) - 1 rounds like values near 1: absolute error a few float32 ulps of 1.
    assert (Tanh()(x.float()).double() - torch.tanh(x.float()).double()).abs().max() < 3e-7
    assert (Tanh()(x) - torch.tanh(x)).abs().max() < 1e-15


def test_tanh_derivatives_to_third_order():
    """First to third derivatives (autograd PINNs train through u_xx) equal the closed forms."""
    x = torch.linspace(-4.0, 4.0, 101, dtype=torch.float64, requires_grad=True)
    y = Tanh()(x)
    (d1,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x, create_graph=True)
    (d3,) = torch.autograd.grad(d2.sum(), x)
    t = torch.tanh(x.detach())
    s = 1 - t * t
    torch.testing.assert_close(d1, s, rtol=0, atol=1e-14)
    torch.testing.assert_close(d2, -2 * t * s, rtol=0, atol=1e-14)
    torch.testing.assert_close(d3, -2 * s * s + 4 * t * t * s, rtol=0, atol=1e-14)
    torch.autograd.gradcheck(Tanh(), (x.detach().clone().requires_grad_(),))
    torch.autograd.gradgradcheck(Tanh(), (x.detach().clone().requires_grad_(),))
