"""Training and evaluation points."""

from .datamodule import CollocationDataModule, StepKey
from ..geometry.random import draw_key, uniform
from ..geometry.sampling import PointSampler

__all__ = ["CollocationDataModule", "PointSampler", "StepKey", "draw_key", "uniform"]
