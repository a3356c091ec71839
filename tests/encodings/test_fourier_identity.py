"""Identity and random Fourier feature encodings."""

import math

import pytest
import torch

from pinn_lightning import FourierFeatureEncoding, IdentityEncoding


def test_identity_maps_unit_cube_to_symmetric_cube():
    enc = IdentityEncoding(in_dim=3)
    z = torch.tensor([[0.0, 0.5, 1.0]])
    torch.testing.assert_close(enc(z), torch.tensor([[-1.0, 0.0, 1.0]]))
    assert enc.out_dim == 3 and enc.finest_cell_size() is None


def test_fourier_features_are_cos_sin_of_the_seeded_frequencies():
    enc = FourierFeatureEncoding(n_frequencies=8, sigma=3.0, seed=5, in_dim=2)
    again = FourierFeatureEncoding(n_frequencies=8, sigma=3.0, seed=5, in_dim=2)
    torch.testing.assert_close(enc.B, again.B)  # a checkpoint and a fresh build agree
    assert enc.out_dim == 2 + 16
    z = torch.rand(10, 2)
    out = enc(z)
    angles = 2 * math.pi * z @ enc.B.T
    torch.testing.assert_close(out[:, :2], 2 * z - 1)
    torch.testing.assert_close(out[:, 2:10], torch.cos(angles))
    torch.testing.assert_close(out[:, 10:], torch.sin(angles))
    # the frequencies have the requested spread (4096 x 2 samples of N(0, 3^2))
    wide = FourierFeatureEncoding(n_frequencies=4096, sigma=3.0, in_dim=2)
    assert wide.B.std().item() == pytest.approx(3.0, rel=0.05)


def test_fourier_rejects_bad_arguments():
    with pytest.raises(ValueError, match="sigma must be > 0"):
        FourierFeatureEncoding(sigma=0.0)
    with pytest.raises(ValueError, match="n_frequencies"):
        FourierFeatureEncoding(n_frequencies=0)
