"""DerivativeSmoothnessMonitor: what it reports for smooth networks and for linear hash grids."""

import math

import pytest
import torch

from pinn_lightning import DerivativeSmoothnessMonitor, Helmholtz2D, HashGridEncoding, PINNModule


def test_smooth_network_discrepancy_is_small_and_second_order():
    torch.manual_seed(0)
    model = PINNModule(Helmholtz2D(), hidden_width=32, hidden_layers=3).double()
    coarse = DerivativeSmoothnessMonitor(n_probe=512, step=0.02).diagnostics(model)
    fine = DerivativeSmoothnessMonitor(n_probe=512, step=0.01).diagnostics(model)
    for name in ("u_x", "u_y", "u_xx", "u_yy"):
        key = f"derivatives/ad_vs_fd/{name}"
        assert coarse[key] < 1e-2, (key, coarse[key])
        assert math.log2(coarse[key] / fine[key]) == pytest.approx(2.0, abs=0.15), (key, coarse[key], fine[key])
        # FD at h vs h/2 differ by 3/4 of the O(h^2) error at h
        assert fine[f"derivatives/fd_h_vs_h2/{name}"] == pytest.approx(0.75 * fine[key], rel=0.1)
    for name in ("u_x", "u_y"):
        assert coarse[f"derivatives/ad_jump/{name}"] < 1e-3


def test_linear_hash_grid_is_flagged_smoothstep_is_not():
    """Linear read-out of the grid (no hidden layer): with linear interpolation AD sees u_xx = 0
    exactly, so ad_vs_fd is 1 and the AD gradient jumps at faces; smoothstep is C1 (no jump)."""
    torch.manual_seed(0)
    out = {}
    for interp in ("linear", "smoothstep"):
        enc = HashGridEncoding(n_levels=8, log2_table_size=14, base_resolution=8, finest_resolution=64, interpolation=interp, init_scale=0.5)
        model = PINNModule(Helmholtz2D(), encoding=enc, hidden_layers=0)
        out[interp] = DerivativeSmoothnessMonitor(n_probe=1024).diagnostics(model)
    lin, smooth = out["linear"], out["smoothstep"]
    assert lin["derivatives/ad_vs_fd/u_xx"] == pytest.approx(1.0, abs=1e-6)
    assert lin["derivatives/ad_vs_fd/u_yy"] == pytest.approx(1.0, abs=1e-6)
    assert lin["derivatives/ad_jump/u_x"] > 0.5 and lin["derivatives/ad_jump/u_y"] > 0.5
    assert smooth["derivatives/ad_jump/u_x"] < 0.05 and smooth["derivatives/ad_jump/u_y"] < 0.05


def test_images_for_two_dimensional_problems():
    model = PINNModule(Helmholtz2D(), hidden_width=8)
    figures = DerivativeSmoothnessMonitor(image_resolution=16).images(model)
    assert set(figures) == {"derivatives/u_x", "derivatives/u_xx", "derivatives/u_y", "derivatives/u_yy"}
    data = figures["derivatives/u_xx"].axes[0].images[0].get_array()
    assert data.shape == (16, 16) and torch.isfinite(torch.as_tensor(data.filled())).all()


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="every_n_steps"):
        DerivativeSmoothnessMonitor(every_n_steps=0)
    with pytest.raises(ValueError, match="step must be > 0"):
        DerivativeSmoothnessMonitor(step=-1.0)
