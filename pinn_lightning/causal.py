"""Causal training: later times count once earlier ones are resolved."""

from __future__ import annotations

import torch
from torch import Tensor


class CausalWeighting:
    r"""Causal training (Wang, Sankaran & Perdikaris 2022) for time-dependent problems: the time
    interval is cut into ``chunks`` equal slabs with mean squared residuals :math:`L_1..L_M` (this
    step's collocation points), and the PDE loss becomes :math:`\frac1M\sum_i w_i L_i`,
    :math:`w_i = \exp(-\epsilon \sum_{k<i} L_k)` (not differentiated). Logged:
    ``train/causal_weight_last`` (:math:`w_M`: 1 when the whole interval is resolved).

    Args:
        chunks: time slabs, >= 2.
        epsilon: :math:`\epsilon` > 0.
    """

    def __init__(self, chunks: int, epsilon: float = 1.0) -> None:
        if not isinstance(chunks, int) or chunks < 2:
            raise ValueError(f"CausalWeighting: chunks must be an integer >= 2, got {chunks!r}")
        if not epsilon > 0:
            raise ValueError(f"CausalWeighting: epsilon must be > 0, got {epsilon}")
        self.chunks, self.epsilon = chunks, epsilon

    def loss(self, t: Tensor, r2: Tensor, t0: float, t1: float) -> tuple[Tensor, Tensor]:
        """The weighted PDE loss from times ``t`` ``[n]`` and squared residuals ``r2`` ``[n]``, and :math:`w_M`."""
        m = self.chunks
        chunk = ((t - t0) * (m / (t1 - t0))).long().clamp_(0, m - 1)
        sums = torch.zeros(m, dtype=r2.dtype, device=r2.device).index_add_(0, chunk, r2)
        losses = sums / torch.bincount(chunk, minlength=m).clamp_min(1).to(r2.dtype)
        done = losses.detach()
        weights = torch.exp(-self.epsilon * (done.cumsum(0) - done))  # sum over earlier slabs
        return (weights * losses).mean(), weights[-1]
