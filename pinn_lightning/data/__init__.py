"""Training and evaluation points."""

from .datamodule import CollocationDataModule, StepKeys, training_draws
from ..geometry.random import draw_key, uniform
from ..geometry.sampling import PointSampler

__all__ = ["CollocationDataModule", "PointSampler", "StepKeys", "draw_key", "training_draws", "uniform"]
