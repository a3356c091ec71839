"""PINNModule: the loss is the weighted sum of the terms it names, evaluated in one forward pass."""

import pytest
import torch

from pinn_lightning import (
    AutogradDerivatives,
    Burgers1D,
    CollocationDataModule,
    FiniteDifferenceDerivatives,
    HashGridEncoding,
    PINNModule,
)


@pytest.mark.parametrize("operator", [AutogradDerivatives(), FiniteDifferenceDerivatives()])
def test_loss_terms_match_separate_evaluation_in_one_forward_pass(operator):
    torch.manual_seed(0)
    p = Burgers1D()
    m = PINNModule(p, HashGridEncoding(init_scale=0.1), derivatives=operator).double()
    batch = {k: v.double() for k, v in CollocationDataModule(n_collocation=64, n_boundary=16, n_initial=8).sample_batch(p, 0, 0).items()}
    calls = []
    m.network.register_forward_hook(lambda mod, inp, out: calls.append(inp[0].shape[0]))
    terms = m.loss_terms(batch)
    stencil = 64 if isinstance(operator, AutogradDerivatives) else 64 * 5
    assert calls == [stencil + 16 + 8]
    # the same terms, evaluated separately
    x = batch["collocation"]
    d = operator(m, x)
    torch.testing.assert_close(terms["pde"], p.residual(x, d).square().mean())
    torch.testing.assert_close(terms["boundary"], m(batch["boundary"]).square().mean())
    torch.testing.assert_close(terms["initial"], p.initial_residual(batch["initial"], m(batch["initial"])).square().mean())


def test_fd_step_follows_the_grid():
    m = PINNModule(Burgers1D(), HashGridEncoding(finest_resolution=256), derivatives=FiniteDifferenceDerivatives(step_factor=0.5))
    torch.testing.assert_close(m.natural_step(), torch.tensor([2 / 256, 1 / 256]))
    h = m.derivatives.steps(m, 2, torch.zeros(1))
    torch.testing.assert_close(h, torch.tensor([1 / 256, 0.5 / 256]))


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown term 'wall'"):
        PINNModule(Burgers1D(), loss_weights={"wall": 1.0})
    with pytest.raises(ValueError, match="compile=True needs FiniteDifferenceDerivatives"):
        PINNModule(Burgers1D(), compile=True)
    with pytest.raises(ValueError, match="lr must be > 0"):
        PINNModule(Burgers1D(), lr=0.0)
