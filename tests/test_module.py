"""PINNModule: the loss is the weighted sum of the terms it names, evaluated in one forward pass."""

from functools import partial

import pytest
import torch

from pinn_lightning.conditions import PointSet
from tests.helpers.conditions import condition_residual

from pinn_lightning import (
    AutogradDerivatives,
    Burgers1D,
    CausalWeighting,
    GradNormWeighting,
    LBFGSPhase,
    CollocationDataModule,
    ExponentialDecay,
    FiniteDifferenceDerivatives,
    HashGridEncoding,
    PINNModule,
)


@pytest.mark.parametrize("operator", [AutogradDerivatives(), FiniteDifferenceDerivatives()])
def test_loss_terms_match_separate_evaluation_in_one_forward_pass(operator):
    torch.manual_seed(0)
    p = Burgers1D()
    m = PINNModule(p, HashGridEncoding(init_scale=0.1), derivatives=operator).double()
    batch = CollocationDataModule(n_collocation=64, n_boundary=16, n_initial=8).sample_batch(p, 0)
    batch = {k: v.double() if k == "collocation" else PointSet(v.x.double()) for k, v in batch.items()}
    calls = []
    m.network.register_forward_hook(lambda mod, inp, out: calls.append(inp[0].shape[0]))
    terms = m.loss_terms(batch)
    stencil = 64 if isinstance(operator, AutogradDerivatives) else 64 * 5
    assert calls == [stencil + 16 + 8]
    # the same terms, evaluated separately
    x = batch["collocation"]
    d = operator(m, x)
    torch.testing.assert_close(terms["pde"], p.residual(x, d).square().mean())
    torch.testing.assert_close(terms["boundary"], m(batch["boundary"].x).square().mean())
    torch.testing.assert_close(terms["initial"], condition_residual(p, "initial", batch["initial"].x, m(batch["initial"].x)).square().mean())


def test_fd_step_follows_the_grid():
    m = PINNModule(Burgers1D(), HashGridEncoding(finest_resolution=256), derivatives=FiniteDifferenceDerivatives(step_factor=0.5))
    torch.testing.assert_close(m.natural_step(), torch.tensor([2 / 256, 1 / 256]))
    h = m.derivatives.steps(m, 2, torch.zeros(1))
    torch.testing.assert_close(h, torch.tensor([1 / 256, 0.5 / 256]))
    # an anisotropic grid (fine in x, coarse in t) gives each input its own step
    m = PINNModule(Burgers1D(), HashGridEncoding(base_resolution=4, finest_resolution=[1024, 64]),
                   derivatives=FiniteDifferenceDerivatives(step_factor=1.0))
    torch.testing.assert_close(m.derivatives.steps(m, 2, torch.zeros(1)), torch.tensor([2 / 1024, 1 / 64]))


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown term 'wall'"):
        PINNModule(Burgers1D(), loss_weights={"wall": 1.0})
    with pytest.raises(ValueError, match="encoding_lr_scale must be > 0"):
        PINNModule(Burgers1D(), encoding_lr_scale=0.0)
    with pytest.raises(ValueError, match="ExponentialDecay: rate must be in \\(0, 1\\]"):
        ExponentialDecay(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0), rate=1.5)


def _fit(module, steps, tmp_path, ckpt_path=None, **trainer_kw):
    import lightning.pytorch as pl

    from pinn_lightning.tensorboard import read_scalars

    dm = CollocationDataModule(n_collocation=256, n_boundary=64, batches_per_epoch=100, resample="epoch")
    trainer = pl.Trainer(
        max_steps=steps,
        logger=pl.loggers.TensorBoardLogger(tmp_path, name="run"),
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
        inference_mode=False,
        **trainer_kw,
    )
    trainer.fit(module, dm, ckpt_path=ckpt_path)
    return trainer, [v for _, v, _ in read_scalars(trainer.logger.log_dir)["train/loss"]]


def test_lbfgs_phase_decreases_the_loss_monotonically_and_resumes(tmp_path):
    """A fixed batch (resample=epoch): L-BFGS with strong Wolfe line search never increases the loss."""
    from lightning.pytorch.callbacks import ModelCheckpoint

    from pinn_lightning import Helmholtz2D

    torch.manual_seed(0)
    make = lambda: PINNModule(Helmholtz2D(), hidden_width=16, hidden_layers=2, optimizer=partial(torch.optim.Adam, lr=1e-2),
                              lbfgs=LBFGSPhase(start=3, max_iter=5))  # noqa: E731
    ckpt = ModelCheckpoint(dirpath=tmp_path / "ckpt", save_last=True, every_n_train_steps=1, save_top_k=-1)
    trainer, losses = _fit(make(), 4, tmp_path, callbacks=[ckpt])  # all in epoch 0: the same points throughout
    assert trainer.global_step == 4 and len(losses) == 4
    lbfgs_losses = losses[3:]
    adam_state = trainer.optimizers[0].state_dict()["state"]
    assert len(adam_state) > 0  # Adam trained steps 0..2
    # resume from the checkpoint of step 4 (in the L-BFGS phase) and continue on the same points
    trainer2, losses2 = _fit(make(), 8, tmp_path, ckpt_path=str(tmp_path / "ckpt" / "last.ckpt"))
    assert trainer2.global_step == 8
    lbfgs_state = trainer2.optimizers[1].state_dict()["state"]
    assert lbfgs_state[0]["n_iter"] > 5  # restored and continued, not restarted
    tail = lbfgs_losses + losses2
    assert all(b <= a * (1 + 1e-6) for a, b in zip(tail, tail[1:])), tail
    assert tail[-1] < tail[0]


def test_grad_norm_weighting_follows_its_formula():
    """One update from factor 1: lambda = (1 - a) + a * max|grad L_pde| / mean|grad L_bc|."""
    from pinn_lightning import Helmholtz2D

    torch.manual_seed(0)
    m = PINNModule(Helmholtz2D(), hidden_width=16, loss_weighting=GradNormWeighting(alpha=0.9))
    batch = CollocationDataModule(n_collocation=128, n_boundary=32).sample_batch(m.problem, 0)
    terms = m.loss_terms(batch)
    params = list(m.parameters())
    g_pde = torch.cat([g.reshape(-1) for g in torch.autograd.grad(terms["pde"], params, retain_graph=True, allow_unused=True) if g is not None])
    g_bc = torch.cat([g.reshape(-1) for g in torch.autograd.grad(terms["boundary"], params, retain_graph=True, allow_unused=True) if g is not None])
    expected = 0.1 + 0.9 * (g_pde.abs().max() / g_bc.abs().mean()).item()
    m.loss_weighting.update(m.adaptive_weights, terms, m.problem.condition_names, params)
    assert m.weights()["boundary"] == pytest.approx(expected, rel=1e-6)
    assert expected > 10  # Helmholtz: the residual's gradients dwarf the boundary term's
    assert m.weights()["pde"] == 1.0
    torch.testing.assert_close(m.total_loss(terms), terms["pde"] + expected * terms["boundary"])


def test_grad_norm_with_a_grid_encoding_warns():
    with pytest.warns(UserWarning, match="GradNormWeighting with a grid encoding"):
        PINNModule(Burgers1D(), HashGridEncoding(), derivatives=FiniteDifferenceDerivatives(), loss_weighting=GradNormWeighting())


def test_fd_step_outside_the_robust_range_warns():
    with pytest.warns(UserWarning, match="0.25 finest hash cells"):
        PINNModule(Burgers1D(), HashGridEncoding(), derivatives=FiniteDifferenceDerivatives(step_factor=0.25))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PINNModule(Burgers1D(), HashGridEncoding(), derivatives=FiniteDifferenceDerivatives(step_factor=1.0))


def test_pde_term_uses_the_problems_residual_weights_as_constants():
    """With compression weights the PDE term is mean(lambda r^2), and no gradient flows through lambda."""
    torch.manual_seed(0)
    p = Burgers1D(compression_weight=0.5, hard_constraints=True)
    m = PINNModule(p, HashGridEncoding(init_scale=0.1), derivatives=FiniteDifferenceDerivatives()).double()
    x = CollocationDataModule(n_collocation=64).sample_batch(p, 0)["collocation"].double()
    loss = m.loss_terms({"collocation": x})["pde"]
    d = m.derivatives(m, x)
    lam = p.residual_weights(x, d)
    assert lam.min().item() < 0.9  # some points are compressive under this random network
    expected = (lam.detach() * p.residual(x, d).square()).mean()
    torch.testing.assert_close(loss, expected)
    params = list(m.parameters())
    torch.testing.assert_close(torch.autograd.grad(loss, params), torch.autograd.grad(expected, params))


def test_causal_loss_follows_its_formula_and_reduces_to_the_mean_at_small_epsilon():
    """w_i = exp(-eps * sum_{k<i} L_i) over time slabs; eps -> 0 gives the plain mean of equal slabs."""
    causal = CausalWeighting(chunks=4, epsilon=2.0)
    t = torch.tensor([0.1, 0.2, 0.3, 0.6, 0.9, 0.95, 1.0])  # slabs 0,0,1,2,3,3,3 (t = 1 joins the last)
    r2 = torch.tensor([1.0, 3.0, 4.0, 0.5, 1.0, 2.0, 3.0])
    losses = torch.tensor([2.0, 4.0, 0.5, 2.0])
    w = torch.exp(-2.0 * torch.tensor([0.0, 2.0, 6.0, 6.5]))
    loss, last = causal.loss(t, r2, 0.0, 1.0)
    torch.testing.assert_close(loss, (w * losses).mean())
    torch.testing.assert_close(last, w[-1])
    # gradients flow through the slab losses, not through the weights
    r2.requires_grad_(True)
    causal.loss(t, r2, 0.0, 1.0)[0].backward()
    slab, counts = torch.tensor([0, 0, 1, 2, 3, 3, 3]), torch.tensor([2.0, 1.0, 1.0, 3.0])
    torch.testing.assert_close(r2.grad, w[slab] / counts[slab] / 4)
    tiny = CausalWeighting(chunks=4, epsilon=1e-12)
    torch.testing.assert_close(tiny.loss(t, r2.detach(), 0.0, 1.0)[0], losses.mean())
    # the module's PDE term is this loss of its residuals at the points' times
    m = PINNModule(Burgers1D(), causal=causal)
    batch = CollocationDataModule(n_collocation=64).sample_batch(m.problem, 0)
    d = m.derivatives(m, batch["collocation"])
    r2 = m.weighted_squared_residual(batch["collocation"], d).mean(1)
    torch.testing.assert_close(m.loss_terms(batch)["pde"], causal.loss(batch["collocation"][:, 1], r2, 0.0, 1.0)[0])


def test_causal_training_needs_time_and_valid_settings():
    from pinn_lightning import Helmholtz2D

    with pytest.raises(ValueError, match="causal weighting needs a time-dependent problem; Helmholtz2D"):
        PINNModule(Helmholtz2D(), causal=CausalWeighting(chunks=8))
    with pytest.raises(ValueError, match="chunks must be an integer >= 2, got 1"):
        CausalWeighting(chunks=1)


def test_injected_optimizer_and_schedule_with_the_tables_learning_rate_rule():
    """The optimizer and the schedule are injected callables; the tables train at encoding_lr_scale
    times the optimizer's rate, learnt coefficients at coefficient_lr_scale times it; the schedule
    scales every group alike; without scales there is one group."""
    m = PINNModule(Burgers1D(), HashGridEncoding(), optimizer=partial(torch.optim.AdamW, lr=1e-3, betas=(0.9, 0.99), eps=1e-15),
                   lr_scheduler=partial(ExponentialDecay, rate=0.5, every=2), encoding_lr_scale=10.0)  # fmt: skip
    opt = m.configure_optimizers()
    adam, sched = opt["optimizer"], opt["lr_scheduler"]["scheduler"]
    assert isinstance(adam, torch.optim.AdamW)
    mlp, table = adam.param_groups
    assert (mlp["name"], table["name"]) == ("network", "encoding")
    assert {id(p) for p in table["params"]} == {id(p) for p in m.network.encoding.parameters()}
    assert len(mlp["params"]) + len(table["params"]) == len(list(m.parameters()))
    assert (mlp["lr"], table["lr"], table["betas"], table["eps"]) == (1e-3, pytest.approx(1e-2), (0.9, 0.99), 1e-15)
    for _ in range(2):
        adam.step()
        sched.step()
    assert (mlp["lr"], table["lr"]) == pytest.approx((5e-4, 5e-3))  # halved after two steps
    sched.step()
    assert mlp["lr"] == pytest.approx(1e-3 * 0.5**1.5)  # smoothly in between
    # learnt coefficients (inverse problems); without scales there is one group and no schedule
    m = PINNModule(Burgers1D(learn={"nu": 0.01}), optimizer=partial(torch.optim.Adam, lr=1e-3), coefficient_lr_scale=10.0)
    groups = {g["name"]: g for g in m.configure_optimizers().param_groups}
    assert groups["coefficients"]["params"] == [m.problem.log_nu] and groups["coefficients"]["lr"] == pytest.approx(1e-2)
    assert len(PINNModule(Burgers1D(), HashGridEncoding()).configure_optimizers().param_groups) == 1


def test_data_term_compares_the_observed_outputs_in_the_same_forward_pass():
    from pinn_lightning import Helmholtz2D

    torch.manual_seed(0)
    p = Helmholtz2D(learn={"k": 2.0})
    m = PINNModule(p, hidden_width=16, loss_weights={"data": 5.0})
    dm = CollocationDataModule(n_collocation=32, n_boundary=8, n_observations=20)
    batch = {**dm.sample_batch(p, 0), "data": dm.observations_for(p, 0, 1)}
    calls = []
    m.network.register_forward_hook(lambda mod, inp, out: calls.append(inp[0].shape[0]))
    terms = m.loss_terms(batch)
    assert calls == [32 + 8 + 20]
    torch.testing.assert_close(terms["data"], (m(batch["data"].x) - batch["data"].values).square().mean())
    assert m.total_loss(terms).item() == pytest.approx((terms["pde"] + terms["boundary"] + 5 * terms["data"]).item(), rel=1e-6)
    # the residual uses the learnt wavenumber, which gets a gradient
    assert p.coefficient("k").item() == pytest.approx(2.0) and p.k == 1.0
    terms["pde"].backward()
    assert p.log_k.grad is not None and p.log_k.grad.abs() > 0
    with pytest.raises(ValueError, match="Helmholtz2D cannot learn 'a1'; learnable: \\('k',\\)"):
        Helmholtz2D(learn={"a1": 1.0})
    with pytest.raises(ValueError, match="learn\\['nu'\\] is the initial guess and must be > 0"):
        Burgers1D(learn={"nu": -1.0})


def test_grad_clip_norm_bounds_the_gradient_adam_sees(tmp_path):
    """With grad_clip_norm the global gradient norm at each Adam step is min(norm, clip); without
    it the same steps see norms far above that bound (so the bound is the clipping's doing)."""
    import lightning.pytorch as pl

    class Norms(pl.Callback):
        def __init__(self):
            self.norms = []

        def on_before_optimizer_step(self, trainer, pl_module, optimizer):
            grads = [p.grad for p in pl_module.parameters() if p.grad is not None]
            self.norms.append(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])).item())

    norms = {}
    for clip in (None, 1e-3):
        torch.manual_seed(0)
        m = PINNModule(Burgers1D(), HashGridEncoding(n_levels=4, finest_resolution=64), hidden_width=16,
                       derivatives=FiniteDifferenceDerivatives(), grad_clip_norm=clip)  # fmt: skip
        cb = Norms()
        _fit(m, 5, tmp_path, callbacks=[cb])
        norms[clip] = cb.norms
    assert len(norms[None]) == len(norms[1e-3]) == 5
    assert min(norms[None]) > 1e-2
    assert all(n == pytest.approx(1e-3, rel=1e-4) for n in norms[1e-3]), norms[1e-3]
    with pytest.raises(ValueError, match="grad_clip_norm must be > 0"):
        PINNModule(Burgers1D(), grad_clip_norm=0.0)
