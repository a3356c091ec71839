"""The same computations on a CUDA device as on the CPU (skipped where there is no GPU).

CI has no GPU; these run on a lent GPU machine (`scripts/gpu_check.sh`). The rest of the suite
runs on the GPU there too, since the shipped configs say ``accelerator: auto``.
"""

import sys
from pathlib import Path

import pytest
import torch

from pinn_lightning import FieldNetwork, FiniteDifferenceDerivatives, HashGridEncoding
from pinn_lightning.cli import cli_main

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
ROOT = Path(__file__).resolve().parents[1]


def _hash_net(interpolation="linear"):
    # Levels 0-2 dense, 3-5 hashed into 2^10 rows: both indexing paths.
    enc = HashGridEncoding(
        n_levels=6, n_features=2, log2_table_size=10, base_resolution=4, finest_resolution=[256, 64],
        interpolation=interpolation, init_scale=0.1, in_dim=2,
    )  # fmt: skip
    return FieldNetwork([-1.0, 0.0], [1.0, 1.0], 1, encoding=enc, hidden_width=16, hidden_layers=2).double()


@pytest.mark.parametrize("interpolation", ["linear", "smoothstep"])
def test_hash_network_values_and_table_gradients_match_the_cpu(interpolation):
    """Gather, interpolation and the index_add backward: float64 on both devices, equal to 1e-12."""
    torch.manual_seed(0)
    net = _hash_net(interpolation)
    x = torch.rand(4096, 2, dtype=torch.float64) * torch.tensor([2.0, 1.0]) - torch.tensor([1.0, 0.0])
    results = []
    for device in ("cpu", "cuda"):
        model = net.to(device)
        model.zero_grad()
        u = model(x.to(device))
        u.square().sum().backward()
        # Copies: moving the module to the GPU next also moves the CPU run's .grad tensors.
        results.append((u.detach().cpu().clone(), [p.grad.detach().cpu().clone() for p in model.parameters()]))
    (u_cpu, g_cpu), (u_gpu, g_gpu) = results
    assert (u_cpu.abs() > 1e-3).any()  # the tables are not near zero: a wrong row would show
    torch.testing.assert_close(u_gpu, u_cpu, rtol=1e-12, atol=1e-12)
    for a, b in zip(g_gpu, g_cpu):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_table_gradient_on_cuda_is_bitwise_reproducible():
    """The default table gradient on CUDA (sorted rows, segment sums) gives the same bits every time,
    in float32, with thousands of points per row; it equals the scatter's up to rounding."""
    torch.manual_seed(0)
    net = _hash_net().float().cuda()
    x = (torch.rand(65536, 2) * torch.tensor([2.0, 1.0]) - torch.tensor([1.0, 0.0])).cuda()
    assert net.encoding.table_gradient == "auto"

    def table_grad():
        net.zero_grad()
        net(x).sin().sum().backward()
        return net.encoding.embeddings.grad.clone()

    first = table_grad()
    for _ in range(5):
        assert torch.equal(table_grad(), first)
    net.encoding.table_gradient = "index_add"
    torch.testing.assert_close(table_grad(), first, rtol=1e-4, atol=1e-5)


def test_finite_differences_on_cuda_match_the_cpu_and_a_closed_form():
    """FD of the network agree across devices; FD of sin(x) cos(t) on CUDA is O(h^2) accurate."""
    torch.manual_seed(1)
    net = _hash_net()
    x = torch.rand(512, 2, dtype=torch.float64) * torch.tensor([1.8, 0.8]) + torch.tensor([-0.9, 0.1])
    op = FiniteDifferenceDerivatives(step_factor=1.0)
    d_cpu = op(net.to("cpu"), x)
    d_gpu = op(net.to("cuda"), x.cuda())
    for i in range(2):
        torch.testing.assert_close(d_gpu.grad(i).cpu(), d_cpu.grad(i), rtol=1e-9, atol=1e-9)
        torch.testing.assert_close(d_gpu.d2(i, i).cpu(), d_cpu.d2(i, i), rtol=1e-9, atol=1e-7)

    def field(p):
        return torch.sin(p[:, :1]) * torch.cos(p[:, 1:])

    h = 1e-3
    d = FiniteDifferenceDerivatives(step=h)(field, x.cuda())
    xs, ts = x[:, :1].cuda(), x[:, 1:].cuda()
    # Central differences: error h^2/6 f''' (first) and h^2/12 f'''' (second), |f^(k)| <= 1.
    torch.testing.assert_close(d.grad(0), torch.cos(xs) * torch.cos(ts), rtol=0, atol=h**2 / 6 * 1.01)
    torch.testing.assert_close(d.d2(0, 0), -torch.sin(xs) * torch.cos(ts), rtol=0, atol=h**2 / 12 * 1.01 + 1e-9)


def test_pinn_fit_on_cuda_trains_checkpoints_and_tests(tmp_path, monkeypatch):
    """300 steps of the shipped Burgers hash + FD config on the GPU (fused Adam there): the
    error falls from ~1 to below 0.3, and ``pinn test`` on the CPU with the last checkpoint gives
    the same error (the trained weights and buffers move across devices)."""
    monkeypatch.setattr(sys, "argv", ["pinn"])
    common = [
        "--config", str(ROOT / "configs/burgers_hash_fd.yaml"), "--trainer.enable_progress_bar=false",
        f"--trainer.logger.init_args.save_dir={tmp_path}", f"--trainer.default_root_dir={tmp_path}",
    ]  # fmt: skip
    cli = cli_main(["fit", *common, "--trainer.max_steps=300", "--trainer.accelerator=gpu"])
    assert cli.trainer.strategy.root_device.type == "cuda"
    model = cli.model.cuda()  # Lightning hands the model back on the CPU after fit
    gpu_error = model.reference_error()
    assert gpu_error < 0.3
    last = cli.trainer.checkpoint_callback.last_model_path
    cli_test = cli_main(["test", *common, "--ckpt_path", last, "--trainer.accelerator=cpu"])
    assert cli_test.model.device.type == "cpu"
    assert cli_test.trainer.callback_metrics["test/rel_l2"].item() == pytest.approx(gpu_error, rel=1e-4)
