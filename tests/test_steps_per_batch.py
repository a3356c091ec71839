"""``data.steps_per_batch``: k optimizer steps per Lightning batch train, log and resume exactly as
one step per batch does."""

from functools import partial

import lightning.pytorch as pl
import pytest
import torch
from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint, ThroughputMonitor

from pinn_lightning import (
    Burgers1D,
    CollocationDataModule,
    DerivativeSmoothnessMonitor,
    ExponentialDecay,
    FiniteDifferenceDerivatives,
    HashGridEncoding,
    PINNModule,
    collocation_points,
)
from pinn_lightning.tensorboard import read_scalars
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

N_COLLOCATION = 64


def _fit(tmp_path, name, steps_per_batch, max_steps, ckpt_path=None, checkpoint=None):
    torch.manual_seed(0)
    model = PINNModule(
        Burgers1D(), HashGridEncoding(n_levels=4, finest_resolution=64), hidden_width=8,
        derivatives=FiniteDifferenceDerivatives(), optimizer=partial(torch.optim.Adam, lr=1e-2, fused=True),
        lr_scheduler=partial(ExponentialDecay, rate=0.5, every=10),
    )  # fmt: skip
    dm = CollocationDataModule(
        n_collocation=N_COLLOCATION, n_boundary=16, n_initial=16, batches_per_epoch=20, steps_per_batch=steps_per_batch
    )
    callbacks = [
        LearningRateMonitor(logging_interval="step"),
        ThroughputMonitor(batch_size_fn=collocation_points, window_size=3),
        DerivativeSmoothnessMonitor(every_n_steps=10, n_probe=64, image_resolution=8),
    ]
    trainer = pl.Trainer(
        max_steps=max_steps, log_every_n_steps=8, limit_val_batches=0, inference_mode=False,
        logger=pl.loggers.TensorBoardLogger(tmp_path, name=name, version=0),
        callbacks=callbacks + ([checkpoint] if checkpoint else []), enable_checkpointing=checkpoint is not None,
        enable_progress_bar=False, enable_model_summary=False,
    )  # fmt: skip
    trainer.fit(model, dm, ckpt_path=ckpt_path)
    return trainer, model, read_scalars(trainer.logger.log_dir)


def test_k_steps_per_batch_equal_one_step_per_batch_in_parameters_logs_and_resume(tmp_path):
    # 42 steps: two epochs of 20 and two steps of a third; with k = 4 the last batch is cut at max_steps
    trainer1, one, logs1 = _fit(tmp_path, "k1", 1, 42)
    trainer4, four, logs4 = _fit(tmp_path, "k4", 4, 42)
    assert trainer1.global_step == trainer4.global_step == 42
    # the same draws (keyed by step) and the same optimizer steps, so bitwise the same model
    for (name, p1), p4 in zip(one.named_parameters(), four.parameters()):
        assert torch.equal(p1, p4), name

    def steps(logs, tag):
        return [s for s, _, _ in logs[tag]]

    # Lightning's loggers, LearningRateMonitor and ThroughputMonitor count optimizer steps, not batches
    assert steps(logs1, "train/loss") == steps(logs4, "train/loss") == [7, 15, 23, 31, 39]
    assert [v for _, v, _ in logs1["train/loss"]] == pytest.approx([v for _, v, _ in logs4["train/loss"]], rel=1e-6)
    assert steps(logs1, "lr-Adam") == steps(logs4, "lr-Adam") == [7, 15, 23, 31, 39]
    # k = 4 reads the rate at the start of the batch, up to 3 steps before the one it is logged at
    for (_, v1, _), (_, v4, _) in zip(logs1["lr-Adam"], logs4["lr-Adam"]):
        assert v1 <= v4 <= v1 * 0.5 ** (-3 / 10) * (1 + 1e-6)
    assert steps(logs4, "train/device/samples_per_sec")[-1] == 39
    # four draws per batch: 4 x the points of one draw (the window holds running totals)
    samples = trainer4.callbacks[1]._throughputs[pl.trainer.states.RunningStage.TRAINING]._samples
    assert samples[-2] - samples[-3] == 4 * N_COLLOCATION
    assert samples[-1] - samples[-2] == 2 * N_COLLOCATION  # the last batch: the two steps up to max_steps
    # every_n_steps = 10: a batch of 4 steps that crosses a multiple of 10 draws its images at its end
    assert _image_steps(trainer1) == [10, 20, 30, 40]
    assert _image_steps(trainer4) == [12, 20, 32, 40]

    # stopped mid-epoch at step 12 and resumed: the draws follow the step, so the model is the same
    ckpt = ModelCheckpoint(dirpath=tmp_path / "ckpt", save_last=True)
    _fit(tmp_path, "part", 4, 12, checkpoint=ckpt)
    trainer_r, resumed, logs_r = _fit(tmp_path, "resumed", 4, 42, ckpt_path=str(tmp_path / "ckpt" / "last.ckpt"))
    assert trainer_r.global_step == 42
    for (name, p1), p4 in zip(one.named_parameters(), resumed.parameters()):
        assert torch.equal(p1, p4), name
    assert steps(logs_r, "train/loss") == [15, 23, 31, 39]


def _image_steps(trainer) -> list[int]:
    acc = EventAccumulator(trainer.logger.log_dir, size_guidance={"images": 0})
    acc.Reload()
    return [e.step for e in acc.Images("derivatives/u_xx")]


def test_steps_per_batch_must_divide_the_epoch():
    with pytest.raises(ValueError, match=r"steps_per_batch must be a positive integer, got 0"):
        CollocationDataModule(steps_per_batch=0)
    with pytest.raises(ValueError, match=r"batches_per_epoch must be a multiple of steps_per_batch \(8\), got 100"):
        CollocationDataModule(batches_per_epoch=100, steps_per_batch=8)
