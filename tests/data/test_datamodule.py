"""CollocationDataModule and samplers: domains, faces, strata, seeds per rank and epoch."""

import pytest
import torch

from pinn_lightning import Burgers1D, CollocationDataModule, Helmholtz2D
from pinn_lightning.data import PointSampler, draw_key, uniform


def test_batch_lies_in_the_right_sets():
    p = Burgers1D()
    batch = CollocationDataModule(n_collocation=500, n_boundary=300, n_initial=200).sample_batch(p, 0)
    assert set(batch) == {"collocation", "boundary", "initial"}
    x = batch["collocation"]
    assert x.shape == (500, 2) and (x[:, 0].abs() <= 1).all() and (x[:, 1] >= 0).all() and (x[:, 1] <= 1).all()
    b = batch["boundary"].x
    assert b.shape == (300, 2) and (b[:, 0].abs() == 1).all()  # spatial faces only, any time
    assert b[:, 1].min() < 0.1 and b[:, 1].max() > 0.9
    i = batch["initial"].x
    assert i.shape == (200, 2) and (i[:, 1] == 0).all() and i[:, 0].min() < -0.9 and i[:, 0].max() > 0.9


def test_boundary_faces_drawn_in_proportion_to_their_measure():
    # box [0, 3] x [0, 1]: faces x=0, x=3 have length 1, faces y=0, y=1 length 3
    for method in ("uniform", "lhs", "sobol"):
        b = PointSampler(method).boundary(40000, [0.0, 0.0], [3.0, 1.0], [0, 1], key=7)
        faces = torch.stack([b[:, 0] == 0, b[:, 0] == 3, b[:, 1] == 0, b[:, 1] == 1])
        assert (faces.sum(0) >= 1).all()  # every point on a face
        shares = faces.float().mean(1)
        torch.testing.assert_close(shares, torch.tensor([1, 1, 3, 3]) / 8.0, rtol=0, atol=0.01)


def test_seeds_differ_across_rank_step_stream_and_repeat_exactly():
    p = Helmholtz2D()
    dm = CollocationDataModule(n_collocation=64, n_boundary=16)
    base = dm.sample_batch(p, key=35, rank=0)["collocation"]
    torch.testing.assert_close(base, dm.sample_batch(p, key=35, rank=0)["collocation"], rtol=0, atol=0)
    for kw in ({"key": 35, "rank": 1}, {"key": 36, "rank": 0}, {"key": 35, "rank": 0, "stream": 3}):
        other = dm.sample_batch(p, **kw)["collocation"]
        assert not torch.allclose(base, other), kw


def test_latin_hypercube_has_one_point_per_stratum():
    for key in (0, 1, 2):
        u = PointSampler("lhs").unit_cube(128, 3, key)
        for j in range(3):
            assert sorted((u[:, j] * 128).floor().long().tolist()) == list(range(128))


def test_counter_based_uniforms_are_uniform_independent_and_keyed():
    """The SplitMix64 stream: mean, variance and lag-1 correlation of 2^20 numbers within 5 sigma
    of U(0, 1); every key its own stream; float64 numbers use 53 bits."""
    n = 2**20
    u = uniform(draw_key(0, 0, 0), (n,), dtype=torch.float64)
    assert (u >= 0).all() and (u < 1).all()
    sigma = 5 / n**0.5
    assert abs(u.mean().item() - 0.5) < sigma * (1 / 12) ** 0.5
    assert abs(u.var().item() - 1 / 12) < sigma * (1 / 180) ** 0.5
    a, b = u[:-1] - 0.5, u[1:] - 0.5
    assert abs((a * b).mean().item() * 12) < sigma
    counts = torch.bincount((u * 16).long(), minlength=16).double()  # chi-square, 15 degrees of freedom
    assert ((counts - n / 16) ** 2 / (n / 16)).sum().item() < 45  # p < 1e-4 above
    other = uniform(draw_key(0, 0, 1), (n,), dtype=torch.float64)
    assert abs(((u - 0.5) * (other - 0.5)).mean().item() * 12) < sigma
    assert (u * 2**53 % 1 == 0).all() and (u * 2**52 % 1 != 0).any()
    assert draw_key(1, 2, 3) != draw_key(1, 3, 2) != draw_key(2, 1, 3)
    # a key on the device (a tensor part) has the same bits, and so do its numbers
    assert int(draw_key(1, torch.tensor(2), 3)) == draw_key(1, 2, 3) and int(draw_key(torch.tensor(-5), 7)) == draw_key(-5, 7)
    assert torch.equal(uniform(draw_key(torch.tensor(9), 1), (100,)), uniform(draw_key(9, 1), (100,)))


def test_digitally_shifted_sobol_keeps_its_low_discrepancy_on_every_draw():
    """Each draw of the shifted pool is still a net: every one of the 2^10 elementary boxes of
    32 x 32 holds exactly 4 of 4096 points, and integration errors stay ~100x below random's;
    the draws differ from step to step."""
    sampler = PointSampler("sobol", seed=3)
    f = lambda u: torch.cos(2 * u[:, 0].double()) * torch.exp(u[:, 1].double())  # noqa: E731
    exact = (torch.sin(torch.tensor(2.0, dtype=torch.float64)) / 2 * (torch.e - 1)).item()
    sobol_errors, random_errors = [], []
    for step in range(8):
        u = sampler.unit_cube(4096, 2, draw_key(0, 0, step))
        cells = (u[:, 0] * 32).long() * 32 + (u[:, 1] * 32).long()
        assert torch.bincount(cells, minlength=1024).tolist() == [4] * 1024
        sobol_errors.append(abs(f(u).mean().item() - exact))
        random_errors.append(abs(f(PointSampler("uniform").unit_cube(4096, 2, draw_key(1, 0, step))).mean().item() - exact))
    assert max(sobol_errors) < 2e-4 and sum(sobol_errors) * 20 < sum(random_errors)
    assert not torch.equal(sampler.unit_cube(4096, 2, 5), sampler.unit_cube(4096, 2, 6))


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_collocation must be a positive integer"):
        CollocationDataModule(n_collocation=0)
    with pytest.raises(ValueError, match="sampler must be"):
        CollocationDataModule(sampler="grid")


def test_residual_based_adaptive_sampling_follows_the_residual_density():
    """Zero network on Helmholtz: |r| = |q| ~ |sin(pi x) sin(4 pi y)| =: f. With k=1, c=0 the
    draws have density f / E[f], so E_draw[f] = E[f^2] / E[f] = (1/4) / (2/pi)^2 = 0.6169."""
    import math

    from pinn_lightning import FiniteDifferenceDerivatives, PINNModule

    model = PINNModule(Helmholtz2D(), derivatives=FiniteDifferenceDerivatives(step=1e-3))
    with torch.no_grad():
        model.network.mlp[-1].weight.zero_()
        model.network.mlp[-1].bias.zero_()
    dm = CollocationDataModule(n_collocation=20000, adaptive_fraction=1.0, adaptive_pool=50000, adaptive_c=0.0)
    pool = dm.residual_pool(model, step=0, rank=0)
    x = dm.mix_adaptive(torch.zeros(20000, 2), pool, step=0, rank=0)
    f = lambda p: (torch.sin(math.pi * p[:, 0]) * torch.sin(4 * math.pi * p[:, 1])).abs()  # noqa: E731
    assert f(x).mean().item() == pytest.approx(0.25 / (2 / math.pi) ** 2, abs=0.01)
    assert f(pool[0]).mean().item() == pytest.approx((2 / math.pi) ** 2, abs=0.01)
    # half adaptive: the other half of the batch is left as sampled
    dm.adaptive_fraction = 0.5
    base = torch.rand(100, 2)
    mixed = dm.mix_adaptive(base, pool, 0, 0)
    assert torch.equal(mixed[50:], base[50:]) and not torch.equal(mixed[:50], base[:50])


def test_adaptive_sampling_draws_from_the_residual_the_loss_sees():
    """With per-point loss weights lambda = x^2 the loss sees sqrt(lambda) |r| = |x| f: the draws'
    x-marginal is |x| |sin(pi x)| / (2/pi^2), so E_draw|x| = (pi^2 - 4) / pi^2 = 0.5947 (0.5
    without the weights)."""
    import math

    from pinn_lightning import FiniteDifferenceDerivatives, PINNModule

    class Weighted(Helmholtz2D):
        def residual_weights(self, x, d):
            return x[:, 0:1] ** 2

    model = PINNModule(Weighted(), derivatives=FiniteDifferenceDerivatives(step=1e-3))
    with torch.no_grad():
        model.network.mlp[-1].weight.zero_()
        model.network.mlp[-1].bias.zero_()
    dm = CollocationDataModule(n_collocation=20000, adaptive_fraction=1.0, adaptive_pool=50000, adaptive_c=0.0)
    x = dm.mix_adaptive(torch.zeros(20000, 2), dm.residual_pool(model, step=0, rank=0), step=0, rank=0)
    assert x[:, 0].abs().mean().item() == pytest.approx((math.pi**2 - 4) / math.pi**2, abs=0.01)


def test_synthetic_observations_are_reference_samples_with_the_stated_noise():
    """n_observations points of the reference grid, once; noise = fraction of each output's std."""
    p = Helmholtz2D(eval_resolution=(101, 101))
    xs, us = p.reference()
    clean = CollocationDataModule(n_observations=5000).observed(p)
    x, u = clean
    assert x.shape == (5000, 2) and len({tuple(r) for r in x.tolist()}) == 5000  # distinct grid points
    torch.testing.assert_close(u, p.solution(x.double()).float())
    x2, noisy = CollocationDataModule(n_observations=5000, observation_noise=0.1).observed(p)
    assert torch.equal(x2, x)  # same seed, same points
    ratio = (noisy - u).std().item() / (0.1 * us.std().item())
    assert ratio == pytest.approx(1.0, abs=0.05)  # 5000 samples: std of the estimate ~1 %
    assert not torch.equal(CollocationDataModule(n_observations=5000, seed=1).observed(p)[0], x)
    # DDP: ranks take disjoint shares that together are all the observations
    dm = CollocationDataModule(n_observations=5000)
    parts = [dm.observations_for(p, r, 3) for r in range(3)]
    assert sum(part.x.shape[0] for part in parts) == 5000
    assert torch.equal(torch.cat([part.values for part in parts]).sort(0).values, u.sort(0).values)


def test_observations_from_a_file_are_checked(tmp_path):
    import numpy as np

    p = Helmholtz2D()
    good = tmp_path / "obs.npz"
    np.savez(good, x=np.array([[0.5, 0.25], [0.0, 0.0]]), u=np.array([1.0, 2.0]))
    x, u = CollocationDataModule(observations=str(good)).observed(p)
    torch.testing.assert_close(u, torch.tensor([[1.0], [2.0]]))
    bad = tmp_path / "outside.npz"
    np.savez(bad, x=np.array([[1.5, 0.0]]), u=np.array([[1.0]]))
    with pytest.raises(ValueError, match="must lie in the domain"):
        CollocationDataModule(observations=str(bad)).observed(p)
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, x=np.zeros((3, 2)), u=np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"u \[n, 1\] \(the compared outputs \['u'\]\), got \(3, 2\), \(3, 2\)"):
        CollocationDataModule(observations=str(wrong)).observed(p)
    with pytest.raises(ValueError, match="does not exist"):
        CollocationDataModule(observations=str(tmp_path / "missing.npz"))
    with pytest.raises(ValueError, match="either observations .* or n_observations"):
        CollocationDataModule(observations=str(good), n_observations=10)
    with pytest.raises(ValueError, match="observation_noise must be >= 0"):
        CollocationDataModule(n_observations=10, observation_noise=-0.1)


def test_collocation_growth_switches_the_batch_size_at_its_step_through_the_training_loader(tmp_path):
    """(step, n): batches before ``step`` hold n_collocation interior points, from it on n, also
    as Lightning's loop draws them; the other conditions keep their sizes; bad settings fail."""
    import lightning.pytorch as pl

    from pinn_lightning import Burgers1D, FiniteDifferenceDerivatives, HashGridEncoding, PINNModule

    class Sizes(pl.Callback):
        def __init__(self):
            self.sizes = []

        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            self.sizes.append((trainer.global_step, batch["collocation"].shape[0], batch["initial"].x.shape[0]))

    dm = CollocationDataModule(n_collocation=64, collocation_growth=(3, 96), n_boundary=16, n_initial=8, batches_per_epoch=2)
    model = PINNModule(Burgers1D(), HashGridEncoding(n_levels=2, finest_resolution=16), hidden_width=8,
                       derivatives=FiniteDifferenceDerivatives())  # fmt: skip
    sizes = Sizes()
    trainer = pl.Trainer(max_steps=5, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, limit_val_batches=0, callbacks=[sizes], default_root_dir=tmp_path)  # fmt: skip
    trainer.fit(model, dm)
    assert sizes.sizes == [(0, 64, 8), (1, 64, 8), (2, 64, 8), (3, 96, 8), (4, 96, 8)]
    with pytest.raises(ValueError, match="collocation_growth must be"):
        CollocationDataModule(collocation_growth=(10, 0))
    with pytest.raises(ValueError, match="needs resample='batch'"):
        CollocationDataModule(collocation_growth=(10, 100), resample="epoch")
