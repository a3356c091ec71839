"""The `pinn` command with the shipped configs: fit, validate, test, print_config, overrides."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pinn_lightning.cli import cli_main
from pinn_lightning.tensorboard import read_scalars

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


def _short(tmp_path, steps):
    return [
        f"--trainer.max_steps={steps}",
        "--trainer.enable_progress_bar=false",
        f"--trainer.logger.init_args.save_dir={tmp_path}",
        f"--trainer.default_root_dir={tmp_path}",
    ]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.stem)
def test_every_shipped_config_parses_and_prints_complete(config, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["pinn"])
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["fit", "--config", str(config), "--print_config"])
    assert exit_info.value.code in (0, None)
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["trainer"]["inference_mode"] is False
    # the shared base config is merged in: its logger and its five callbacks
    assert printed["trainer"]["logger"]["class_path"].endswith("TensorBoardLogger")
    callbacks = [c["class_path"].rsplit(".", 1)[1] for c in printed["trainer"]["callbacks"]]
    assert callbacks == ["ModelCheckpoint", "LearningRateMonitor", "ThroughputMonitor", "DerivativeSmoothnessMonitor",
                         "SolutionSnapshot"]  # fmt: skip
    assert printed["model"]["problem"]["class_path"].startswith("pinn_lightning.")
    assert "n_collocation" in printed["data"] and printed["model"]["optimizer"]["init_args"]["lr"] > 0


def test_command_line_overrides_nested_options(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["pinn"])
    with pytest.raises(SystemExit):
        cli_main(
            [
                "fit",
                "--config",
                str(ROOT / "configs/burgers_hash_fd.yaml"),
                "--trainer.max_steps=500",
                "--model.encoding.init_args.n_levels=12",
                "--model.derivatives.init_args.step_factor=0.5",
                "--model.optimizer=torch.optim.AdamW",
                "--model.optimizer.lr=0.005",
                "--print_config",
            ]
        )
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["trainer"]["max_steps"] == 500
    assert printed["model"]["encoding"]["init_args"]["n_levels"] == 12
    assert printed["model"]["derivatives"]["init_args"]["step_factor"] == 0.5
    # another optimizer the LightningCLI way: the class, then its arguments
    assert printed["model"]["optimizer"]["class_path"] == "torch.optim.AdamW"
    assert printed["model"]["optimizer"]["init_args"]["lr"] == 0.005


def test_fit_reduces_error_then_validate_and_test_reproduce_it(tmp_path, monkeypatch, capsys):
    """300 steps of hash + FD on Helmholtz (a1=1, a2=4): rel-L2 from ~1 (untrained) to below 0.2."""
    monkeypatch.setattr(sys, "argv", ["pinn"])
    config = str(ROOT / "configs/helmholtz_hash_fd.yaml")
    cli = cli_main(["fit", "--config", config, *_short(tmp_path, 300)])
    errors = [v for _, v, _ in read_scalars(cli.trainer.logger.log_dir)["val/rel_l2"]]
    assert len(errors) == 3
    assert errors[-1] < 0.2 and errors[-1] < errors[0], errors
    # the summary's final error is the last model's error on the whole reference grid
    final = float(capsys.readouterr().out.split("pinn: final rel_l2 = ")[1].split()[0])
    assert final == pytest.approx(errors[-1], rel=1e-4)
    best = cli.trainer.checkpoint_callback
    assert Path(best.best_model_path).is_file() and Path(best.last_model_path).is_file()

    cli_val = cli_main(["validate", "--config", config, *_short(tmp_path, 300), "--ckpt_path", best.best_model_path])
    assert cli_val.trainer.callback_metrics["val/rel_l2"].item() == pytest.approx(best.best_model_score.item(), rel=1e-5)
    cli_test = cli_main(["test", "--config", config, *_short(tmp_path, 300), "--ckpt_path", best.best_model_path])
    assert cli_test.trainer.callback_metrics["test/rel_l2"].item() == pytest.approx(best.best_model_score.item(), rel=1e-5)


def test_console_script_runs_and_imports_problems_from_the_working_directory(tmp_path):
    (tmp_path / "my_pdes.py").write_text(
        "from pinn_lightning import Helmholtz2D\n\nclass Wavy(Helmholtz2D):\n    pass\n"
    )
    pinn = Path(sys.executable).with_name("pinn")
    out = subprocess.run(
        [str(pinn), "fit", "--config", str(ROOT / "configs/helmholtz_mlp_autograd.yaml"), "--model.problem=my_pdes.Wavy", *_short(tmp_path, 20)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "pinn: final rel_l2 =" in out.stdout and "pinn: TensorBoard logs in" in out.stdout


def test_predict_writes_the_solution(tmp_path, monkeypatch):
    import numpy as np

    monkeypatch.setattr(sys, "argv", ["pinn"])
    config = str(ROOT / "configs/helmholtz_hash_fd.yaml")
    cli = cli_main(["fit", "--config", config, *_short(tmp_path, 100)])
    ckpt = cli.trainer.checkpoint_callback.last_model_path
    out = tmp_path / "pred"
    cli_main(["predict", "--config", config, "--ckpt_path", ckpt, f"--trainer.logger.init_args.save_dir={tmp_path}",
              "--trainer.callbacks+=pinn_lightning.PredictionWriter", f"--trainer.callbacks.output_dir={out}"])  # fmt: skip
    data = np.load(out / "predictions.npz")
    assert data["x"].shape == (201 * 201, 2) and data["u"].shape == (201 * 201, 1)
    # the file holds the trained model's solution: its error is the model's error
    err = np.linalg.norm(data["u"] - data["u_reference"]) / np.linalg.norm(data["u_reference"])
    assert err == pytest.approx(cli.model.reference_error(), rel=1e-5)
    assert list(data["input_names"]) == ["x", "y"]
    assert (out / "predictions.png").stat().st_size > 10_000


def test_default_progress_bar_redraws_every_20_steps_and_a_listed_one_is_kept(tmp_path, monkeypatch):
    from lightning.pytorch.callbacks import TQDMProgressBar

    monkeypatch.setattr(sys, "argv", ["pinn"])
    base = ["--config", str(ROOT / "configs/burgers_hash_fd.yaml"), f"--trainer.default_root_dir={tmp_path}",
            f"--trainer.logger.init_args.save_dir={tmp_path}"]  # fmt: skip
    bars = lambda cli: [c for c in cli.trainer.callbacks if isinstance(c, TQDMProgressBar)]  # noqa: E731
    default = bars(cli_main(base, run=False))
    assert [bar.refresh_rate for bar in default] == [20]
    listed = ["--trainer.callbacks+=lightning.pytorch.callbacks.TQDMProgressBar", "--trainer.callbacks.refresh_rate=3"]
    assert [bar.refresh_rate for bar in bars(cli_main(base + listed, run=False))] == [3]
    assert bars(cli_main(base + ["--trainer.enable_progress_bar=false"], run=False)) == []
