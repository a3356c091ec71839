"""Fresh collocation, boundary and initial points, keyed by (seed, rank, step), drawn on the model's device."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal, NamedTuple

import lightning.pytorch as pl
import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, IterableDataset

from ..conditions import Condition, PointData, PointSet
from ..problems import Problem
from ..geometry.random import draw_key, uniform
from ..geometry.sampling import PointSampler, SamplerName


class StepKey(NamedTuple):
    """A training batch on its way to the device: the global step whose points it will hold.

    The loader yields only this integer; :meth:`CollocationDataModule.on_after_batch_transfer`
    draws the points on the model's device, so no point set crosses from the host.
    """

    step: int


class _TrainPoints(IterableDataset):
    """One epoch of training batches for this process, as step keys."""

    def __init__(self, dm: "CollocationDataModule") -> None:
        self.dm = dm

    def __len__(self) -> int:
        return self.dm.batches_per_epoch

    def __iter__(self) -> Iterator[StepKey]:
        # Draws are keyed by global step, not by position in the epoch: a run resumed mid-epoch
        # (the iterator restarts) draws exactly what the uninterrupted run would have.
        dm = self.dm
        trainer = dm.trainer
        start = trainer.global_step
        dm._pool = None  # each epoch's (and a resumed run's) first adaptive pool comes from the current weights
        end = start + dm.batches_per_epoch  # the loop stops the epoch by count
        if trainer.max_steps >= 0:  # and the last batch's draws at max_steps
            end = min(end, trainer.max_steps)
        for step in range(start, end):
            yield StepKey(step)


class _ReferencePoints(IterableDataset):
    """This process's share (every ``world_size``-th point) of the reference grid, in chunks: ``(x, u)``
    (``u`` ``[n, 0]`` for a problem without reference field), or ``x`` alone (predict)."""

    def __init__(self, dm: "CollocationDataModule", with_target: bool) -> None:
        self.dm = dm
        self.with_target = with_target

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor] | Tensor]:
        trainer = self.dm.trainer
        rank, world = (trainer.global_rank, trainer.world_size) if trainer is not None else (0, 1)
        problem = self.dm.problem
        if self.with_target and problem.has_reference:
            x, u = problem.reference()
        else:  # predict; or a problem with quantities of interest only: no target columns
            x = problem.evaluation_points()
            u = x.new_zeros(x.shape[0], 0)
        x, u = x[rank::world].float(), u[rank::world].float()
        size = self.dm.eval_batch_size
        for start in range(0, x.shape[0], size):
            xs = x[start : start + size]
            yield (xs, u[start : start + size]) if self.with_target else xs


class CollocationDataModule(pl.LightningDataModule):
    r"""Samples the training points of a :class:`~pinn_lightning.problems.Problem`.

    Each training batch is a dict with ``"collocation"`` ``[n, d]`` points in the interior
    (``n = collocation_points_at(step)``: ``n_collocation``, or the grown size), drawn in the
    problem's geometry, and one :class:`~pinn_lightning.conditions.PointSet` per condition of
    the problem, under its name (``condition.points`` points, or ``n_boundary`` / ``n_initial``
    by its kind), and ``"data"`` with the observations. An epoch is ``batches_per_epoch`` batches; with
    ``resample="batch"`` every batch is a fresh draw, with ``"epoch"`` one draw per epoch.

    Each draw uses its own generator seeded from ``(seed, global_rank, global_step)`` (or the
    epoch, with ``resample="epoch"``), so DDP ranks see different points, a run is
    reproducible, and a resumed run draws what the uninterrupted one would have (with adaptive
    sampling, the first pool after a resume comes from the resumed weights). Validation, test and predict iterate over the problem's
    reference grid, split between ranks without padding (so sum-state metrics stay exact).

    The problem is the model's (``trainer.lightning_module.problem``): configure it once.

    Args:
        n_collocation: interior points per batch.
        collocation_growth: ``(step, n)``: from global step ``step`` on, batches draw ``n``
            interior points instead of ``n_collocation`` — cheap steps while the error is large,
            less gradient noise once it is small. Needs ``resample="batch"``.
        n_boundary: points per batch of each boundary condition that does not set its own.
        n_initial: points per batch of each initial condition that does not set its own.
        sampler: ``"uniform"``, ``"lhs"`` (Latin hypercube) or ``"sobol"`` (scrambled).
        batches_per_epoch: training steps per epoch (validation runs per epoch by default).
        resample: ``"batch"``: fresh points every step; ``"epoch"``: fresh points every epoch.
        seed: base seed of the point streams.
        eval_batch_size: reference points per validation/test/predict batch.
        adaptive_fraction: share of each batch's collocation points drawn by residual-based
            adaptive distribution (RAD, Wu et al. 2023) instead of the sampler; 0 turns it off.
            Every ``adaptive_every`` steps the current model's PDE residual is evaluated on a pool
            of ``adaptive_pool`` sampler points, and points are drawn from the pool with
            probability :math:`\propto |r|^k / \overline{|r|^k} + c`, where :math:`r` is the
            residual as the loss weighs it (:math:`\sqrt{\lambda}\,|r|` when the problem
            weights its residuals by :math:`\lambda`, e.g. Burgers' ``compression_weight``).
        adaptive_every: steps between pool refreshes.
        adaptive_pool: candidate points per pool.
        adaptive_k: exponent ``k`` (larger concentrates on the largest residuals).
        adaptive_c: floor ``c`` (larger keeps the draw closer to uniform).
        observations: inverse problems: a ``.npz`` file with ``x`` ``[n, d]`` (points in the
            domain) and ``u`` ``[n, k]`` (measured values of the problem's compared outputs,
            e.g. ``u, v`` of a flow); every step adds the data loss
            :math:`\overline{\|u_\theta(x_i) - u_i\|^2}` (term ``"data"``).
        n_observations: without ``observations``: draw this many points of the problem's
            reference grid once (seeded by ``seed``) as synthetic observations.
        observation_noise: Gaussian noise added to synthetic observations, as a fraction of
            the standard deviation of each output (0.01: 1 % noise).

    Observations are fixed for the whole run; under DDP each rank takes every
    ``world_size``-th one.
    """

    def __init__(
        self,
        n_collocation: int = 4096,
        collocation_growth: tuple[int, int] | None = None,
        n_boundary: int = 512,
        n_initial: int = 512,
        sampler: SamplerName = "uniform",
        batches_per_epoch: int = 100,
        resample: Literal["batch", "epoch"] = "batch",
        seed: int = 0,
        eval_batch_size: int = 32768,
        adaptive_fraction: float = 0.0,
        adaptive_every: int = 100,
        adaptive_pool: int = 16384,
        adaptive_k: float = 1.0,
        adaptive_c: float = 1.0,
        observations: str | None = None,
        n_observations: int = 0,
        observation_noise: float = 0.0,
    ) -> None:
        super().__init__()
        if observations is not None and n_observations:
            raise ValueError("give either observations (a file) or n_observations (synthetic), not both")
        if not isinstance(n_observations, int) or n_observations < 0:
            raise ValueError(f"n_observations must be an integer >= 0, got {n_observations!r}")
        if not observation_noise >= 0:
            raise ValueError(f"observation_noise must be >= 0 (a fraction of the output's std), got {observation_noise}")
        if observations is not None and not Path(observations).is_file():
            raise ValueError(f"observations file {observations!r} does not exist")
        if not 0.0 <= adaptive_fraction <= 1.0:
            raise ValueError(f"adaptive_fraction must be in [0, 1], got {adaptive_fraction}")
        for name, value in (("adaptive_every", adaptive_every), ("adaptive_pool", adaptive_pool)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not adaptive_k > 0 or not adaptive_c >= 0:
            raise ValueError(f"adaptive_k must be > 0 and adaptive_c >= 0, got {adaptive_k}, {adaptive_c}")
        for name, value in (
            ("n_collocation", n_collocation),
            ("n_boundary", n_boundary),
            ("n_initial", n_initial),
            ("batches_per_epoch", batches_per_epoch),
            ("eval_batch_size", eval_batch_size),
        ):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if sampler not in ("uniform", "lhs", "sobol"):
            raise ValueError(f"sampler must be 'uniform', 'lhs' or 'sobol', got {sampler!r}")
        if resample not in ("batch", "epoch"):
            raise ValueError(f"resample must be 'batch' or 'epoch', got {resample!r}")
        if collocation_growth is not None:
            if len(collocation_growth) != 2 or collocation_growth[0] < 0 or collocation_growth[1] < 1:
                raise ValueError(f"collocation_growth must be (step >= 0, points >= 1), got {collocation_growth!r}")
            if resample != "batch":
                raise ValueError("collocation_growth needs resample='batch' (the draw's key is then the step)")
            collocation_growth = (int(collocation_growth[0]), int(collocation_growth[1]))
        self.n_collocation = n_collocation
        self.collocation_growth = collocation_growth
        self.n_boundary = n_boundary
        self.n_initial = n_initial
        self.sampler = sampler
        self.batches_per_epoch = batches_per_epoch
        self.resample = resample
        self.seed = seed
        self.eval_batch_size = eval_batch_size
        self.adaptive_fraction = adaptive_fraction
        self.adaptive_every = adaptive_every
        self.adaptive_pool = adaptive_pool
        self.adaptive_k = adaptive_k
        self.adaptive_c = adaptive_c
        self.observations = observations
        self.n_observations = n_observations
        self.observation_noise = observation_noise
        self.points = PointSampler(sampler, seed)
        self._observed: tuple[Tensor, Tensor] | None = None
        self._observed_on: PointData | None = None
        self._pool: tuple[Tensor, Tensor] | None = None

    @property
    def has_observations(self) -> bool:
        return self.observations is not None or self.n_observations > 0

    def observed(self, problem: Problem) -> tuple[Tensor, Tensor]:
        """All observation points ``[n, d]`` and values ``[n, k]`` of ``problem`` (float32; loaded or drawn once)."""
        if self._observed is None:
            if self.observations is not None:
                with np.load(self.observations) as f:
                    if "x" not in f or "u" not in f:
                        raise ValueError(f"observations file {self.observations!r} needs arrays 'x' and 'u', has {list(f)}")
                    x, u = torch.as_tensor(f["x"], dtype=torch.float64), torch.as_tensor(f["u"], dtype=torch.float64)
                if u.ndim == 1:
                    u = u[:, None]
            else:
                xs, us = problem.reference()
                g = self.generator(0, 0, stream=4)
                idx = torch.randperm(xs.shape[0], generator=g)[: self.n_observations]
                x, u = xs[idx], us[idx].clone()
                if self.observation_noise > 0:
                    std = us.std(0, keepdim=True)
                    u += self.observation_noise * std * torch.randn(u.shape, generator=g, dtype=u.dtype)
            k = len(problem.compared)
            if x.ndim != 2 or x.shape[1] != problem.in_dim or u.shape != (x.shape[0], k):
                raise ValueError(f"observations must be x [n, {problem.in_dim}] and u [n, {k}] (the compared outputs "
                                 f"{[problem.output_names[i] for i in problem.compared]}), got {tuple(x.shape)}, {tuple(u.shape)}")  # fmt: skip
            lo, hi = torch.tensor(problem.lower, dtype=x.dtype), torch.tensor(problem.upper, dtype=x.dtype)
            if not bool(((x >= lo) & (x <= hi)).all()):
                raise ValueError(f"observation points must lie in the domain {problem.lower} .. {problem.upper}")
            self._observed = x.float(), u.float()
        return self._observed

    def observations_for(self, problem: Problem, rank: int, world_size: int, device=None) -> PointSet:
        """This rank's share of the observations, the batch entry ``"data"`` (moved to ``device`` once)."""
        if self._observed_on is None:
            x, u = self.observed(problem)
            self._observed_on = PointData(x, u, name="data", components=problem.compared)
        return self._observed_on.sample(problem.geometry, 0, 0, device, rank=rank, world_size=world_size)

    @property
    def problem(self) -> Problem:
        if self.trainer is None or self.trainer.lightning_module is None:
            raise RuntimeError("CollocationDataModule takes its problem from the trainer's model")
        return self.trainer.lightning_module.problem

    def generator(self, key: int, rank: int, stream: int = 0) -> torch.Generator:
        """A host generator for one-off draws (synthetic observations), from ``(seed, rank, key, stream)``."""
        state = np.random.SeedSequence([self.seed, rank, key, stream]).generate_state(2, np.uint32)
        return torch.Generator().manual_seed(int(state[0]) << 32 | int(state[1]))

    def collocation_points_at(self, step: int) -> int:
        """Interior points per batch at global step ``step`` (``collocation_growth`` applied)."""
        growth = self.collocation_growth
        return growth[1] if growth is not None and step >= growth[0] else self.n_collocation

    def sample_batch(self, problem: Problem, key: int, rank: int = 0, stream: int = 0, device=None) -> dict:
        """One draw for ``problem`` on ``device``, a pure function of ``(seed, rank, key, stream)`` (key: the step)."""
        n = self.collocation_points_at(key) if stream == 0 else self.n_collocation
        return self.sample_points(problem, n, draw_key(self.seed, rank, key, stream), device)

    def condition_points(self, condition: Condition) -> int:
        """Points per step of ``condition``: its own count, else ``n_initial`` or ``n_boundary`` by its kind."""
        if condition.points is not None:
            return condition.points
        return self.n_initial if condition.kind == "initial" else self.n_boundary

    def sample_points(self, problem: Problem, n: int, key: int | Tensor, device=None) -> dict:
        """``n`` interior points (``"collocation"``, ``[n, d]``) and each condition's
        :class:`~pinn_lightning.conditions.PointSet` under its name, from one ``key`` (an int, or
        a 0-d int64 tensor inside a compiled step)."""
        geometry = problem.geometry
        out: dict = {"collocation": geometry.sample_interior(n, draw_key(key, 0), device, self.points)}
        for i, condition in enumerate(problem.conditions, start=1):
            out[condition.name] = condition.sample(geometry, self.condition_points(condition), draw_key(key, i),
                                                   device, self.points)  # fmt: skip
        return out

    def residual_pool(self, model: pl.LightningModule, step: int, rank: int) -> tuple[Tensor, Tensor]:
        """Candidate points ``[P, d]`` and their RAD sampling weights ``[P]`` under ``model``, on its device."""
        problem = model.problem
        pool = problem.geometry.sample_interior(self.adaptive_pool, draw_key(self.seed, rank, step, 1, 0),
                                                model.device, self.points)  # fmt: skip
        with torch.enable_grad():  # autograd operators need a graph even here
            d = model.derivatives(model, pool, mixed=problem.mixed_derivatives)
            # the residual the loss sees: sqrt(lambda r^2) = sqrt(lambda) |r|, summed over components
            r = model.weighted_squared_residual(pool, d).detach().sqrt().sum(-1).double()
        r = r.pow(self.adaptive_k)
        weights = r / r.mean().clamp_min(1e-30) + self.adaptive_c
        weights = torch.where(torch.isfinite(weights), weights, torch.zeros_like(weights))
        # a non-finite model: fall back to uniform (decided on the device)
        weights = torch.where(weights.sum() > 0, weights, torch.ones_like(weights))
        return pool, weights

    def mix_adaptive(self, x: Tensor, pool: tuple[Tensor, Tensor], step: int, rank: int) -> Tensor:
        """Replace the first ``adaptive_fraction`` of ``x`` by draws from the weighted pool
        (inverse transform: ``searchsorted`` in the cumulative weights)."""
        n_adaptive = round(self.adaptive_fraction * x.shape[0])
        if n_adaptive == 0:
            return x
        points, weights = pool
        cumulative = weights.cumsum(0)
        u = uniform(draw_key(self.seed, rank, step, 2, 0), (n_adaptive,), cumulative.device, torch.float64)
        idx = torch.searchsorted(cumulative, u * cumulative[-1], right=True).clamp_(max=points.shape[0] - 1)
        return torch.cat([points[idx].to(x.device), x[n_adaptive:]])

    def draw(self, step: int) -> dict[str, Tensor]:
        """The training draw of global step ``step`` on the model's device: fresh points (or the
        epoch's, with ``resample="epoch"``), the observations, and the adaptive share."""
        trainer = self.trainer
        model, rank = trainer.lightning_module, trainer.global_rank
        problem, device = model.problem, model.device
        if self.resample == "epoch":
            batch = self.sample_batch(problem, trainer.current_epoch, rank, stream=3, device=device)
        else:
            batch = self.sample_batch(problem, step, rank, device=device)
        if self.has_observations:
            batch["data"] = self.observations_for(problem, rank, trainer.world_size, device)
        if self.adaptive_fraction > 0:
            if self._pool is None or step % self.adaptive_every == 0:
                self._pool = self.residual_pool(model, step, rank)
            batch["collocation"] = self.mix_adaptive(batch["collocation"], self._pool, step, rank)
        return batch

    def on_after_batch_transfer(self, batch, dataloader_idx: int):
        return self.draw(batch.step) if isinstance(batch, StepKey) else batch

    def train_dataloader(self) -> DataLoader:
        return DataLoader(_TrainPoints(self), batch_size=None, num_workers=0)

    def val_dataloader(self) -> DataLoader:
        return DataLoader(_ReferencePoints(self, with_target=True), batch_size=None, num_workers=0)

    def test_dataloader(self) -> DataLoader:
        return self.val_dataloader()

    def predict_dataloader(self) -> DataLoader:
        return DataLoader(_ReferencePoints(self, with_target=False), batch_size=None, num_workers=0)
