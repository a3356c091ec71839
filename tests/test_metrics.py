import numpy as np
import torch

from pinn_lightning import RelativeL2Error, relative_l2_error


def test_relative_l2_matches_numpy_and_accumulates_exactly():
    g = torch.Generator().manual_seed(0)
    target = torch.randn(1000, 2, generator=g)
    pred = target + 0.1 * torch.randn(1000, 2, generator=g)
    expected = np.linalg.norm((pred - target).numpy()) / np.linalg.norm(target.numpy())
    assert abs(relative_l2_error(pred, target).item() - expected) < 1e-6
    metric = RelativeL2Error()
    for chunk in range(0, 1000, 300):  # uneven chunks: a mean of per-chunk ratios would differ
        metric.update(pred[chunk : chunk + 300], target[chunk : chunk + 300])
    assert abs(metric.compute().item() - expected) < 1e-6
