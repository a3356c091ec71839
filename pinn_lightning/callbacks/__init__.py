"""Lightning callbacks of the framework."""

from torch import Tensor


from .derivative_smoothness import DerivativeSmoothnessMonitor
from .fit_summary import FitSummary
from .prediction_writer import PredictionWriter
from .solution_snapshot import SolutionSnapshot


def collocation_points(batch: dict | tuple[Tensor, ...] | Tensor) -> int:
    """Samples per batch for ``lightning.pytorch.callbacks.ThroughputMonitor``: the collocation
    points of a training batch, the reference points of a validation/test/predict batch."""
    if isinstance(batch, dict):
        return batch["collocation"].shape[0]
    return (batch[0] if isinstance(batch, (tuple, list)) else batch).shape[0]


__all__ = ["DerivativeSmoothnessMonitor", "FitSummary", "PredictionWriter", "SolutionSnapshot", "collocation_points"]
