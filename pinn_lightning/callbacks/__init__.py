"""Lightning callbacks of the framework."""

from torch import Tensor

from ..data.datamodule import training_draws

from .derivative_smoothness import DerivativeSmoothnessMonitor
from .fit_summary import FitSummary
from .prediction_writer import PredictionWriter
from .solution_snapshot import SolutionSnapshot


def collocation_points(batch: dict[str, Tensor] | list[dict[str, Tensor]] | tuple[Tensor, ...] | Tensor) -> int:
    """Samples per batch for ``lightning.pytorch.callbacks.ThroughputMonitor``: the collocation
    points of a training batch (summed over its draws when it holds several:
    ``data.steps_per_batch``), the reference points of a validation/test/predict batch."""
    if isinstance(batch, dict) or (isinstance(batch, list) and batch and isinstance(batch[0], dict)):
        return sum(draw["collocation"].shape[0] for draw in training_draws(batch))
    return (batch[0] if isinstance(batch, (tuple, list)) else batch).shape[0]


__all__ = ["DerivativeSmoothnessMonitor", "FitSummary", "PredictionWriter", "SolutionSnapshot", "collocation_points"]
