"""A user's problem, written outside the package: Dirichlet, Neumann and Robin conditions on named
parts of a plate with a hole, trained through `pinn fit` with hash + FD and with an MLP + autograd."""

import sys
import textwrap

import pytest
import torch
import yaml

from pinn_lightning.cli import cli_main
from pinn_lightning.derivatives import AutogradDerivatives

USER_PROBLEM = '''
import math

import torch

from pinn_lightning import Dirichlet, Neumann, Problem, Robin
from pinn_lightning.geometry import Box, Disk


class PlateWithHole(Problem):
    """Laplace's equation on the unit square less a disk; exact solution exp(x) cos(y)."""

    input_names = ("x", "y")

    def __init__(self, eval_resolution: tuple[int, int] = (41, 41)):
        hole = Disk((0.5, 0.5), 0.2, parts={"hole": lambda x: (x - 0.5).norm(dim=1) < 0.3})
        super().__init__(eval_resolution=eval_resolution, geometry=Box((0.0, 0.0), (1.0, 1.0)) - hole)

    def residual(self, x, d):
        return d.laplacian()

    def solution(self, x):
        return torch.exp(x[:, :1]) * torch.cos(x[:, 1:])

    def define_conditions(self):
        return [
            Dirichlet(self.solution, name="left", on="x_min"),
            Neumann(lambda x: math.e * torch.cos(x[:, 1:]), name="right", on="x_max"),
            Robin(a=1.0, b=1.0, g=lambda x: torch.exp(x[:, :1]) * (math.cos(1.0) - math.sin(1.0)), name="top", on="y_max"),
            Dirichlet(self.solution, name="bottom", on="y_min"),
            Dirichlet(self.solution, name="hole", on="hole"),
        ]
'''

HASH_FD = {
    "model": {
        "encoding": {"class_path": "pinn_lightning.HashGridEncoding",
                     "init_args": {"n_levels": 8, "log2_table_size": 14, "base_resolution": 4, "finest_resolution": 32}},
        "hidden_width": 32,
        "derivatives": {"class_path": "pinn_lightning.FiniteDifferenceDerivatives"},
        "optimizer": {"class_path": "torch.optim.Adam", "init_args": {"lr": 0.01}},
        "loss_weights": {name: 10.0 for name in ("left", "right", "top", "bottom", "hole")},
    },
    "data": {"n_collocation": 1024},
}
MLP_AUTOGRAD = {
    "model": {"hidden_width": 32, "optimizer": {"class_path": "torch.optim.Adam", "init_args": {"lr": 0.005}}},
    "data": {"n_collocation": 512},
}


@pytest.mark.parametrize("method, config, tolerance", [("hash_fd", HASH_FD, 3e-2), ("mlp_autograd", MLP_AUTOGRAD, 1e-2)])
def test_user_problem_with_mixed_conditions_on_a_domain_with_a_hole_trains(method, config, tolerance, tmp_path, monkeypatch):
    (tmp_path / "plate_with_hole.py").write_text(textwrap.dedent(USER_PROBLEM))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["pinn"])
    config["model"]["problem"] = {"class_path": "plate_with_hole.PlateWithHole"}
    config["data"].update({"n_boundary": 64, "batches_per_epoch": 250})
    path = tmp_path / f"{method}.yaml"
    path.write_text(yaml.safe_dump(config))
    cli = cli_main(["fit", "--config", str(path), "--trainer.max_steps=1000", "--trainer.enable_progress_bar=false",
                    f"--trainer.logger.init_args.save_dir={tmp_path}", f"--trainer.default_root_dir={tmp_path}"])  # fmt: skip
    model = cli.model
    problem = model.problem
    assert problem.condition_names == ("left", "right", "top", "bottom", "hole")
    x, _ = problem.reference()
    assert x.shape[0] < 41 * 41 and not (((x - 0.5).norm(dim=1) < 0.2 - 1e-6).any())  # the hole is left out
    assert model.reference_error() < tolerance
    # the trained field meets the Neumann and Robin conditions on their faces
    model.cpu()
    for name, scale in (("right", torch.e), ("top", 1.0)):
        c = problem.condition(name)
        points = c.sample(problem.geometry, 256, 123)
        r = c.residual(points, AutogradDerivatives()(model, points.x))
        assert r.abs().mean() < 0.1 * scale, (name, r.abs().mean())
    logged = cli.trainer.callback_metrics
    assert {f"train/loss_{n}" for n in problem.condition_names} <= set(logged)
