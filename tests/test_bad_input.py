"""Bad configurations through the real `pinn` entry point: a clear one-line error, no traceback."""

import sys
from pathlib import Path

import pytest

from pinn_lightning.cli import main

ROOT = Path(__file__).resolve().parents[1]
HELM = str(ROOT / "configs/helmholtz_hash_fd.yaml")
BURG = str(ROOT / "configs/burgers_hash_fd.yaml")
VANILLA = str(ROOT / "configs/helmholtz_mlp_autograd.yaml")

CASES = {
    "unknown problem class": (HELM, ["--model.problem=pinn_lightning.NotAProblem"], "NotAProblem"),
    "unknown encoding class": (HELM, ["--model.encoding=pinn_lightning.NoSuchEncoding"], "NoSuchEncoding"),
    "zero collocation points": (HELM, ["--data.n_collocation=0"], "n_collocation must be a positive integer, got 0"),
    "negative boundary points": (HELM, ["--data.n_boundary=-3"], "n_boundary must be a positive integer, got -3"),
    "zero batches per epoch": (HELM, ["--data.batches_per_epoch=0"], "batches_per_epoch"),
    "unknown sampler": (HELM, ["--data.sampler=grid"], "sampler"),
    "adaptive fraction above 1": (HELM, ["--data.adaptive_fraction=2"], "adaptive_fraction must be in [0, 1], got 2"),
    "N_max below N_min": (HELM, ["--model.encoding.init_args.finest_resolution=2"], "finest_resolution (2) must be >= base_resolution (4)"),
    "table too small": (HELM, ["--model.encoding.init_args.log2_table_size=2"], "log2_table_size must be in [4, 26]"),
    "table absurdly large": (HELM, ["--model.encoding.init_args.log2_table_size=40"], "log2_table_size must be in [4, 26]"),
    "zero levels": (HELM, ["--model.encoding.init_args.n_levels=0"], "n_levels must be in [1, 64], got 0"),
    "unknown interpolation": (HELM, ["--model.encoding.init_args.interpolation=cubic"], "interpolation"),
    "encoding dimension mismatch": (HELM, ["--model.encoding.init_args.in_dim=3"], "built for in_dim=3, but the problem has 2"),
    "FD step larger than the domain": (HELM, ["--model.derivatives.init_args.step=5.0"], "finite-difference step for x is 5"),
    "FD step below float32 resolution": (HELM, ["--model.derivatives.init_args.step=1e-9"], "below float32 resolution"),
    "FD step factor zero": (HELM, ["--model.derivatives.init_args.step_factor=0"], "step_factor must be > 0"),
    "FD order switch to order 3": (BURG, ["--model.derivatives.init_args.order_switch=[3000,3]"], "order_switch must be (step >= 0, order 2 or 4)"),
    "FD needs a step for an MLP": (VANILLA, ["--model.derivatives=pinn_lightning.FiniteDifferenceDerivatives"], "set `step` explicitly"),
    "wavenumber factor zero": (HELM, ["--model.problem.init_args.a1=0"], "a1 and a2 must be > 0"),
    "evaluation grid too small": (HELM, ["--model.problem.init_args.eval_resolution=[1,5]"], "eval_resolution needs 2 integers >= 2"),
    "viscosity negative": (BURG, ["--model.problem.init_args.nu=-1"], "nu must be > 0, got -1"),
    "time domain reversed": (BURG, ["--model.problem.init_args.t_final=-1", "--model.problem.init_args.eval_t_max=0.5"], "domain of t must have lower < upper"),
    "table learning-rate scale zero": (BURG, ["--model.encoding_lr_scale=0"], "encoding_lr_scale must be > 0, got 0"),
    "decay rate above one": (HELM, ["--model.lr_scheduler.init_args.rate=1.5"], "rate must be in (0, 1], got 1.5"),
    "unknown loss term": (HELM, ["--model.loss_weights={wall: 1.0}"], "unknown term 'wall'"),
    "negative loss weight": (HELM, ["--model.loss_weights={pde: -1.0}"], "loss_weights['pde'] must be >= 0"),
    "zero hidden width": (HELM, ["--model.hidden_width=0"], "hidden_width must be >= 1, got 0"),
    "unknown activation": (HELM, ["--model.activation=swish"], "activation"),
    "NaN check interval zero": (HELM, ["--model.nan_check_every=0"], "nan_check_every must be an integer >= 1, got 0"),
    "unknown table gradient": (HELM, ["--model.encoding.init_args.table_gradient=atomic"], "table_gradient"),
    "negative L-BFGS start": (HELM, ["--model.lbfgs=pinn_lightning.LBFGSPhase", "--model.lbfgs.start=-1"], "start must be an integer >= 0"),
    "Lightning rejects negative max_steps": (HELM, ["--trainer.max_steps=-5"], "`max_steps` must be a non-negative integer or -1"),
}


def _run(argv, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["pinn"])
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out + captured.err


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: c.replace(" ", "_"))
def test_bad_config_gives_a_clear_error(case, tmp_path, capsys, monkeypatch):
    config, overrides, message = CASES[case]
    argv = ["fit", "--config", config, *overrides, "--trainer.max_steps=1", f"--trainer.default_root_dir={tmp_path}",
            f"--trainer.logger.init_args.save_dir={tmp_path}", "--trainer.enable_progress_bar=false"]  # fmt: skip
    if "--trainer.max_steps=-5" in overrides:
        argv.remove("--trainer.max_steps=1")
    code, output = _run(argv, capsys, monkeypatch)
    assert code not in (0, None)
    assert message in output, output[-1500:]
    assert "Traceback" not in output


def test_yaml_syntax_error_names_the_file_and_line(tmp_path, capsys, monkeypatch):
    config = tmp_path / "broken.yaml"
    config.write_text("model:\n  lr: [0.1\n  hidden_width: 3\n")
    code, output = _run(["fit", "--config", str(config)], capsys, monkeypatch)
    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, output
    assert lines[0].startswith("pinn: error:") and f"{config}: line 3, column 15" in lines[0], lines[0]


def test_problem_without_reference_fails_clearly_at_validation(tmp_path, capsys, monkeypatch):
    (tmp_path / "noref.py").write_text(
        "from pinn_lightning import Dirichlet, Problem\n\n"
        "class NoRef(Problem):\n"
        "    input_names = ('x', 'y')\n"
        "    def __init__(self):\n"
        "        super().__init__(lower=(0.0, 0.0), upper=(1.0, 1.0))\n"
        "    def residual(self, x, d):\n"
        "        return d.laplacian() + 1.0\n"
        "    def define_conditions(self):\n"
        "        return [Dirichlet(0.0)]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    argv = ["fit", "--config", HELM, "--model.problem=noref.NoRef", "--trainer.max_steps=2", "--data.batches_per_epoch=1",
            f"--trainer.logger.init_args.save_dir={tmp_path}", "--trainer.enable_progress_bar=false"]  # fmt: skip
    code, output = _run(argv, capsys, monkeypatch)
    assert code == 2 and "NoRef has no reference solution" in output and "Traceback" not in output


@pytest.fixture(scope="module")
def helmholtz_checkpoint(tmp_path_factory):
    from pinn_lightning.cli import cli_main

    out = tmp_path_factory.mktemp("ckpt")
    argv, sys.argv = sys.argv, ["pinn"]
    try:
        cli = cli_main(["fit", "--config", HELM, "--trainer.max_steps=1", "--data.batches_per_epoch=1",
                        f"--trainer.logger.init_args.save_dir={out}", "--trainer.enable_progress_bar=false"])  # fmt: skip
    finally:
        sys.argv = argv
    return cli.trainer.checkpoint_callback.last_model_path


def test_missing_checkpoint(tmp_path, capsys, monkeypatch):
    argv = ["validate", "--config", HELM, "--ckpt_path", str(tmp_path / "nope.ckpt"), f"--trainer.logger.init_args.save_dir={tmp_path}"]
    code, output = _run(argv, capsys, monkeypatch)
    assert code == 2 and "nope.ckpt" in output and "Traceback" not in output


def test_checkpoint_of_another_model(helmholtz_checkpoint, tmp_path, capsys, monkeypatch):
    # (module hyperparameters come back from the checkpoint; the encoding's do not)
    argv = ["validate", "--config", HELM, "--model.encoding.init_args.n_levels=8", "--ckpt_path", helmholtz_checkpoint,
            f"--trainer.logger.init_args.save_dir={tmp_path}"]  # fmt: skip
    code, output = _run(argv, capsys, monkeypatch)
    assert code == 2 and "does not match" in output and "Traceback" not in output


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_unreadable_checkpoint(damage, helmholtz_checkpoint, tmp_path, capsys, monkeypatch):
    bad = tmp_path / f"{damage}.ckpt"
    bad.write_bytes(b"not a checkpoint" if damage == "garbage" else Path(helmholtz_checkpoint).read_bytes()[:4000])
    argv = ["validate", "--config", HELM, f"--ckpt_path={bad}", f"--trainer.logger.init_args.save_dir={tmp_path}"]
    code, output = _run(argv, capsys, monkeypatch)
    lines = [line for line in output.splitlines() if line.strip() and not line.startswith("Seed set")]
    assert code == 2 and len(lines) == 1, output
    assert lines[0] == f"pinn: error: ValueError: cannot read checkpoint {bad}: corrupt, truncated or not a checkpoint"
