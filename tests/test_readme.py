"""The README's custom-problem example works as written: the class, its conditions and the CLI command."""

import re
import shlex
import sys
from pathlib import Path

import torch

from pinn_lightning import AutogradDerivatives, FiniteDifferenceDerivatives
from pinn_lightning.cli import cli_main

ROOT = Path(__file__).resolve().parents[1]
ERROR_AFTER_300 = 0.1  # 2.6e-2 measured after 300 steps; an untrained model is at ~1


def test_readme_custom_problem(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n# my_problems.py\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "my_problems.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["pinn"])
    import my_problems

    # its exact solution solves its residual with both operators, and meets each of its conditions
    p = my_problems.PlateWithHole()
    x = p.geometry.sample_interior(40, key=0).double()
    assert p.residual(x, AutogradDerivatives()(p.solution, x)).abs().max() < 1e-12
    assert p.residual(x, FiniteDifferenceDerivatives(step=1e-4)(p.solution, x)).abs().max() < 1e-5
    assert p.condition_names == ("left", "right", "top", "bottom", "hole")
    for c in p.conditions:
        points = c.sample(p.geometry, 50, 1)
        points = points._replace(x=points.x.double(), normal=points.normal.double())
        assert c.residual(points, AutogradDerivatives()(p.solution, points.x)).abs().max() < 1e-5, c

    command = re.search(r"pinn fit --config (\S+) (--model.problem my_problems.PlateWithHole[^\n]*)", readme)
    args = ["fit", "--config", str(ROOT / command.group(1)), *shlex.split(command.group(2))]
    cli = cli_main(
        args + ["--trainer.max_steps=300", "--trainer.enable_progress_bar=false", f"--trainer.logger.init_args.save_dir={tmp_path}"]
    )
    assert type(cli.model.problem).__name__ == "PlateWithHole"
    assert cli.model.reference_error() < ERROR_AFTER_300
