"""The L-BFGS phase: from a given step on, L-BFGS replaces the first-phase optimizer."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import Tensor


class LBFGSPhase:
    """From global step ``start`` on, each training step is one L-BFGS step (strong Wolfe line
    search, up to ``max_iter`` iterations) on that step's draw. Use ``data.resample: epoch`` to
    keep the points fixed for longer: L-BFGS needs one objective for its line search and curvature
    pairs. Both optimizers live in checkpoints, so either phase resumes.

    Args:
        start: the first global step of the phase (>= 0).
        lr: L-BFGS step length.
        max_iter: iterations per training step.
        history: L-BFGS memory.
    """

    def __init__(self, start: int, lr: float = 1.0, max_iter: int = 20, history: int = 50) -> None:
        if not isinstance(start, int) or start < 0:
            raise ValueError(f"LBFGSPhase: start must be an integer >= 0, got {start!r}")
        if not lr > 0 or max_iter < 1 or history < 1:
            raise ValueError(f"LBFGSPhase: lr must be > 0 and max_iter, history >= 1, got {lr}, {max_iter}, {history}")
        self.start, self.lr, self.max_iter, self.history = start, lr, max_iter, history

    def active(self, step: int) -> bool:
        return step >= self.start

    def optimizer(self, params: Iterable[Tensor]) -> torch.optim.LBFGS:
        return torch.optim.LBFGS(params, lr=self.lr, max_iter=self.max_iter, history_size=self.history,
                                 line_search_fn="strong_wolfe")  # fmt: skip

    @staticmethod
    def step(optimizer, objective: Callable[[], tuple[Tensor, dict[str, Tensor]]], backward: Callable[[Tensor], None],
             reduce: Callable[[Tensor], Tensor]) -> tuple[Tensor, dict[str, Tensor]]:  # fmt: skip
        """One L-BFGS step; returns the last evaluated loss and its terms.

        ``objective()`` evaluates the loss and its terms, ``backward`` back-propagates, and
        ``reduce`` averages the returned loss over DDP ranks: every rank must see the same
        objective, or ranks take different numbers of closure calls and hang.
        """
        seen: dict[str, tuple[Tensor, dict[str, Tensor]]] = {}

        def closure() -> Tensor:
            optimizer.zero_grad()
            loss, terms = objective()
            backward(loss)
            seen["last"] = (loss, terms)
            return reduce(loss.detach())

        optimizer.step(closure=closure)
        return seen["last"]
