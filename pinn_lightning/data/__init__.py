"""Training and evaluation points."""

from .datamodule import CollocationDataModule, training_draws
from .sampling import sample_boundary, sample_initial, sample_interior, unit_cube

__all__ = ["CollocationDataModule", "sample_boundary", "sample_initial", "sample_interior", "training_draws", "unit_cube"]
