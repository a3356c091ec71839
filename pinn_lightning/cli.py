"""The ``pinn`` command: LightningCLI over :class:`PINNModule` and :class:`CollocationDataModule`."""

from __future__ import annotations

import os
import sys

from lightning.pytorch.cli import LightningCLI

from .callbacks import FitSummary
from .data import CollocationDataModule
from .module import PINNModule


def cli_main(args: list[str] | None = None, run: bool = True) -> LightningCLI:
    """Build (and with ``run`` execute) the CLI; ``args`` replaces ``sys.argv[1:]``."""
    return LightningCLI(
        PINNModule,
        CollocationDataModule,
        args=args,
        run=run,
        auto_configure_optimizers=False,
        # A SLURM requeue reuses the log dir: overwrite config.yaml instead of crashing.
        save_config_kwargs={"overwrite": True},
        # PDE residuals need gradients in validate/test/predict too.
        trainer_defaults={"inference_mode": False, "callbacks": [FitSummary()]},
    )


def main() -> None:
    """Console-script entry point (must return ``None``).

    Like ``python -m``, the working directory is importable, so a config can name
    ``class_path: my_problems.MyPDE`` for a ``my_problems.py`` next to it.
    """
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    cli_main()


if __name__ == "__main__":
    main()
