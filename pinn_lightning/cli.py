"""The ``pinn`` command: LightningCLI over :class:`PINNModule` and :class:`CollocationDataModule`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch
import yaml
from lightning.fabric.utilities.exceptions import MisconfigurationException
from lightning.pytorch import Trainer
from lightning.pytorch.callbacks import ProgressBar, TQDMProgressBar
from lightning.pytorch.cli import LightningCLI

from .callbacks import FitSummary
from .data import CollocationDataModule
from .module import PINNModule
from .nonfinite import NonFiniteLossError
from .quiet import silence_known_warnings

#: Shared run settings (trainer, logger, checkpointing, callbacks), applied before every ``--config``.
BASE_CONFIG = Path(__file__).with_name("configs") / "base.yaml"
SUBCOMMANDS = ("fit", "validate", "test", "predict")


def run_name(configs: list[Path]) -> str | None:
    """The stem of the first config file that sets ``model`` (else of the last one; ``None``
    without config files): ``configs/burgers_hash_fd.yaml`` -> ``burgers_hash_fd``."""
    for path in configs:
        content = yaml.safe_load(path.read_text()) if path.is_file() else None
        if isinstance(content, dict) and "model" in content:
            return path.stem
    return configs[-1].stem if configs else None


class PINNCLI(LightningCLI):
    """LightningCLI whose ``--ckpt_path last`` finds the newest ``last.ckpt`` of this config's runs,
    whose TensorBoard run is named after the config file, and whose default progress bar redraws
    every ``PROGRESS_REFRESH`` steps.

    A TensorBoard logger whose ``name`` is null (as in the shared base config) logs to
    ``<save_dir>/<config>/version_N``, ``<config>`` being the name of the config file that sets
    the model (:func:`run_name`).

    Lightning looks for ``last`` only in the *new* run's checkpoint directory, which with the
    default versioned log directories silently starts training from scratch. Here ``last``
    resolves to the most recent ``<save_dir>/<name>/version_*/checkpoints/last*.ckpt`` (unless
    the checkpoint callback has a fixed ``dirpath`` holding one), and finding none is an error.

    Lightning's default bar redraws every step, which costs a 512-point Burgers hash + FD step
    about 8 % (5.40 vs 4.96 ms, one thread); a progress bar listed in the config's callbacks
    (``lightning.pytorch.callbacks.TQDMProgressBar`` with its own ``refresh_rate``) is used as is.
    """

    PROGRESS_REFRESH = 20

    def before_instantiate_classes(self) -> None:
        config = self.config[self.subcommand] if self.subcommand else self.config
        logger = config.get("trainer.logger")
        if logger is None or isinstance(logger, bool) or "init_args" not in logger:
            return
        if "name" in logger.init_args and logger.init_args.name is None:
            logger.init_args.name = run_name([Path(str(c)) for c in config.get("config") or []])

    def instantiate_trainer(self, **kwargs) -> Trainer:
        config = self.config_init[self.subcommand] if self.subcommand else self.config_init  # run=False: no subcommand
        trainer_config = config.get("trainer") or {}
        listed = trainer_config.get("callbacks") or []
        listed = listed if isinstance(listed, list) else [listed]
        if trainer_config.get("enable_progress_bar") is not False and not any(
            isinstance(c, ProgressBar) for c in listed
        ):
            kwargs.setdefault("callbacks", [*listed, TQDMProgressBar(refresh_rate=self.PROGRESS_REFRESH)])
        return super().instantiate_trainer(**kwargs)

    def _resolve_last(self, subcommand: str) -> None:
        config = self.config_init[subcommand]
        if config.get("ckpt_path") != "last":
            return
        callback = self.trainer.checkpoint_callback
        if callback is not None and callback.dirpath and Path(callback.dirpath, "last.ckpt").exists():
            return  # Lightning resolves it itself
        logger = self.trainer.logger
        root = Path(logger.root_dir if logger is not None and getattr(logger, "root_dir", None) else self.trainer.default_root_dir)
        found = sorted(root.glob("version_*/checkpoints/last*.ckpt"), key=lambda p: p.stat().st_mtime)
        if not found:
            raise FileNotFoundError(
                f"--ckpt_path last: no last.ckpt under {root}/version_*/checkpoints; nothing to resume "
                f"(drop --ckpt_path to start a new run)"
            )
        config["ckpt_path"] = str(found[-1])
        print(f"pinn: resuming from {found[-1]}", flush=True)

    def before_fit(self) -> None:
        self._resolve_last("fit")

    def before_validate(self) -> None:
        self._resolve_last("validate")

    def before_test(self) -> None:
        self._resolve_last("test")

    def before_predict(self) -> None:
        self._resolve_last("predict")


def cli_main(args: list[str] | None = None, run: bool = True) -> LightningCLI:
    """Build (and with ``run`` execute) the CLI; ``args`` replaces ``sys.argv[1:]``.

    The shared base config (:data:`BASE_CONFIG`) is read before any ``--config``.
    """
    silence_known_warnings()
    base = {"default_config_files": [str(BASE_CONFIG)]}
    # With subcommands (run=True) each subcommand's parser reads the base; without, the main one.
    parser_kwargs = {name: base for name in SUBCOMMANDS} if run else base
    return PINNCLI(
        PINNModule,
        CollocationDataModule,
        args=args,
        run=run,
        parser_kwargs=parser_kwargs,
        auto_configure_optimizers=False,
        # A SLURM requeue reuses the log dir: overwrite config.yaml instead of crashing.
        save_config_kwargs={"overwrite": True},
        # PDE residuals need gradients in validate/test/predict too.
        trainer_defaults={"inference_mode": False, "callbacks": [FitSummary()]},
    )


# Errors that mean "this configuration or input is wrong": reported in one line, no traceback.
USER_ERRORS = (ValueError, FileNotFoundError, IsADirectoryError, NonFiniteLossError, MisconfigurationException)


def check_inputs(args: list[str]) -> None:
    """Read every ``--config`` file and the ``--ckpt_path`` file once before the CLI does, so that
    a bad one is reported in one line that names it: a YAML syntax error with its line (the
    parser's own message names ``<unicode string>``), an unreadable checkpoint without torch's
    dozen lines about ``weights_only``.

    Raises:
        ValueError: a config file is not valid YAML, or the checkpoint cannot be loaded.
    """
    for flag, path in option_values(args, ("--config", "--ckpt_path")):
        if not Path(path).is_file():
            continue  # missing files are reported by the CLI, naming them
        if flag == "--config":
            try:
                yaml.safe_load(Path(path).read_text())
            except yaml.YAMLError as err:
                mark = getattr(err, "problem_mark", None)
                where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark is not None else ""
                problem = getattr(err, "problem", None) or str(err).splitlines()[0]
                raise ValueError(f"{path}:{where} invalid YAML: {problem}") from None
        else:
            try:
                torch.load(path, map_location="cpu", weights_only=True)
            except Exception:
                raise ValueError(f"cannot read checkpoint {path}: corrupt, truncated or not a checkpoint") from None


def option_values(args: list[str], flags: tuple[str, ...]) -> list[tuple[str, str]]:
    """``[(flag, value)]`` for each ``--flag value`` or ``--flag=value`` in ``args``."""
    found = []
    for i, arg in enumerate(args):
        flag, eq, value = arg.partition("=")
        if flag in flags and eq:
            found.append((flag, value))
        elif arg in flags and i + 1 < len(args):
            found.append((arg, args[i + 1]))
    return found


def main(args: list[str] | None = None) -> None:
    """Console-script entry point (must return ``None``).

    Like ``python -m``, the working directory is importable, so a config can name
    ``class_path: my_problems.MyPDE`` for a ``my_problems.py`` next to it. A bad value, a
    config that is not YAML, Lightning's own rejection of a trainer setting, a missing,
    unreadable or mismatched checkpoint or a non-finite loss ends the command with one line on
    stderr (``pinn: error: ...``) and exit status 2 (1 for a non-finite loss);
    ``PINN_TRACEBACK=1`` shows the traceback instead.
    """
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        check_inputs(sys.argv[1:] if args is None else args)
        cli_main(args)
    except USER_ERRORS as err:
        if os.environ.get("PINN_TRACEBACK"):
            raise
        name = "ConfigError" if isinstance(err, MisconfigurationException) else type(err).__name__
        print(f"pinn: error: {name}: {err}", file=sys.stderr, flush=True)
        sys.exit(1 if isinstance(err, NonFiniteLossError) else 2)
    except RuntimeError as err:
        # torch's state-dict mismatch (a checkpoint of another model) is a RuntimeError
        if "state_dict" not in str(err) or os.environ.get("PINN_TRACEBACK"):
            raise
        first = str(err).strip().splitlines()[0]
        print(f"pinn: error: the checkpoint does not match this model/config: {first}", file=sys.stderr, flush=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
