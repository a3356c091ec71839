"""Fresh collocation, boundary and initial points, seeded per (seed, rank, epoch, batch)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import lightning.pytorch as pl
import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, IterableDataset

from ..problems import Problem
from .sampling import SamplerName, sample_boundary, sample_initial, sample_interior


class _TrainPoints(IterableDataset):
    """One epoch of freshly sampled batches for this process."""

    def __init__(self, dm: "CollocationDataModule") -> None:
        self.dm = dm

    def __len__(self) -> int:
        return self.dm.batches_per_epoch

    def __iter__(self) -> Iterator[dict[str, Tensor]]:
        trainer = self.dm.trainer
        epoch, rank = trainer.current_epoch, trainer.global_rank
        problem = self.dm.problem
        fixed = self.dm.sample_batch(problem, epoch, 0, rank) if self.dm.resample == "epoch" else None
        for b in range(self.dm.batches_per_epoch):
            yield fixed if fixed is not None else self.dm.sample_batch(problem, epoch, b, rank)


class _ReferencePoints(IterableDataset):
    """This process's share (every ``world_size``-th point) of the reference grid, in chunks."""

    def __init__(self, dm: "CollocationDataModule", with_target: bool) -> None:
        self.dm = dm
        self.with_target = with_target

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor] | Tensor]:
        trainer = self.dm.trainer
        rank, world = (trainer.global_rank, trainer.world_size) if trainer is not None else (0, 1)
        x, u = self.dm.problem.reference()
        x, u = x[rank::world].float(), u[rank::world].float()
        size = self.dm.eval_batch_size
        for start in range(0, x.shape[0], size):
            xs = x[start : start + size]
            yield (xs, u[start : start + size]) if self.with_target else xs


class CollocationDataModule(pl.LightningDataModule):
    r"""Samples the training points of a :class:`~pinn_lightning.problems.Problem`.

    Each training batch is a dict with ``"collocation"`` ``[n_collocation, d]`` points in the
    interior, and one entry per condition of the problem (``"boundary"`` ``[n_boundary, d]``,
    ``"initial"`` ``[n_initial, d]``). An epoch is ``batches_per_epoch`` batches; with
    ``resample="batch"`` every batch is a fresh draw, with ``"epoch"`` one draw per epoch.

    Each draw uses its own generator seeded from ``(seed, global_rank, epoch, batch)``, so
    DDP ranks see different points, a run is reproducible, and a resumed run draws what the
    uninterrupted one would have. Validation, test and predict iterate over the problem's
    reference grid, split between ranks without padding (so sum-state metrics stay exact).

    The problem is the model's (``trainer.lightning_module.problem``): configure it once.

    Args:
        n_collocation: interior points per batch.
        n_boundary: boundary points per batch.
        n_initial: initial-condition points per batch (time-dependent problems).
        sampler: ``"uniform"``, ``"lhs"`` (Latin hypercube) or ``"sobol"`` (scrambled).
        batches_per_epoch: training steps per epoch (validation runs per epoch by default).
        resample: ``"batch"``: fresh points every step; ``"epoch"``: fresh points every epoch.
        seed: base seed of the point streams.
        eval_batch_size: reference points per validation/test/predict batch.
    """

    def __init__(
        self,
        n_collocation: int = 4096,
        n_boundary: int = 512,
        n_initial: int = 512,
        sampler: SamplerName = "uniform",
        batches_per_epoch: int = 100,
        resample: Literal["batch", "epoch"] = "batch",
        seed: int = 0,
        eval_batch_size: int = 32768,
    ) -> None:
        super().__init__()
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
        self.n_collocation = n_collocation
        self.n_boundary = n_boundary
        self.n_initial = n_initial
        self.sampler = sampler
        self.batches_per_epoch = batches_per_epoch
        self.resample = resample
        self.seed = seed
        self.eval_batch_size = eval_batch_size

    @property
    def problem(self) -> Problem:
        if self.trainer is None or self.trainer.lightning_module is None:
            raise RuntimeError("CollocationDataModule takes its problem from the trainer's model")
        return self.trainer.lightning_module.problem

    def generator(self, epoch: int, batch: int, rank: int) -> torch.Generator:
        """An independent generator for one draw, from ``(seed, rank, epoch, batch)``."""
        state = np.random.SeedSequence([self.seed, rank, epoch, batch]).generate_state(2, np.uint32)
        return torch.Generator().manual_seed(int(state[0]) << 32 | int(state[1]))

    def sample_batch(self, problem: Problem, epoch: int, batch: int, rank: int = 0) -> dict[str, Tensor]:
        """One training batch for ``problem`` (deterministic in its arguments)."""
        g = self.generator(epoch, batch, rank)
        lo, hi = problem.lower, problem.upper
        out = {"collocation": sample_interior(self.n_collocation, lo, hi, self.sampler, g)}
        for name in problem.conditions:
            if name == "boundary":
                out[name] = sample_boundary(self.n_boundary, lo, hi, problem.spatial_dims, self.sampler, g)
            elif name == "initial":
                out[name] = sample_initial(self.n_initial, lo, hi, problem.time_dim, self.sampler, g)
        return out

    def train_dataloader(self) -> DataLoader:
        return DataLoader(_TrainPoints(self), batch_size=None, num_workers=0)

    def val_dataloader(self) -> DataLoader:
        return DataLoader(_ReferencePoints(self, with_target=True), batch_size=None, num_workers=0)

    def test_dataloader(self) -> DataLoader:
        return self.val_dataloader()

    def predict_dataloader(self) -> DataLoader:
        return DataLoader(_ReferencePoints(self, with_target=False), batch_size=None, num_workers=0)
