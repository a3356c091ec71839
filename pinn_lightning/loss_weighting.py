"""Loss weights: the static weight of each term, and learning-rate annealing of the condition terms."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import torch
from torch import Tensor


def static_weights(loss_weights: dict[str, float] | None, terms: tuple[str, ...]) -> dict[str, float]:
    """The weight of every term: as given, 1 where not given.

    Raises:
        ValueError: a weight for a term that does not exist, or a negative weight.
    """
    weights = dict(loss_weights or {})
    for name, value in weights.items():
        if name not in terms:
            raise ValueError(f"loss_weights has unknown term {name!r}; the terms are {terms}")
        if not value >= 0:
            raise ValueError(f"loss_weights[{name!r}] must be >= 0, got {value}")
    return {name: float(weights.get(name, 1.0)) for name in terms}


class GradNormWeighting:
    r"""Learning-rate annealing (Wang, Teng & Perdikaris 2021): every ``every`` steps each condition
    term's weight gets the factor

    .. math::
        \hat\lambda_i = \frac{\max|\nabla_\theta \mathcal L_{pde}|}{\overline{|\nabla_\theta \mathcal L_i|}},
        \qquad \lambda_i \leftarrow (1 - \alpha)\lambda_i + \alpha\hat\lambda_i .

    The factors live in the module's ``adaptive_weights`` buffer (saved in checkpoints) and are
    logged as ``train/weight_<term>``. Meant for MLPs: with a hash grid the factor runs to ~1e10.

    Args:
        every: steps between updates.
        alpha: update rate :math:`\alpha`, in (0, 1].
    """

    def __init__(self, every: int = 100, alpha: float = 0.9) -> None:
        if not isinstance(every, int) or every < 1 or not 0 < alpha <= 1:
            raise ValueError(f"GradNormWeighting: every must be an integer >= 1 and alpha in (0, 1], got {every}, {alpha}")
        self.every, self.alpha = every, alpha

    def check_encoding(self, encoding) -> None:
        """Warn for a grid encoding: the factors come from the largest residual gradient, which a
        grid's fine cells make huge (Helmholtz, soft boundary: ~1e10, and training fails)."""
        if encoding.finest_cell_size() is not None:
            warnings.warn("GradNormWeighting with a grid encoding: the factors come from the largest residual "
                          "gradient, which a grid's fine cells make huge (Helmholtz, soft boundary: ~1e10, and "
                          "training fails); prefer hard constraints or static loss_weights.", stacklevel=3)  # fmt: skip

    def due(self, step: int) -> bool:
        return step % self.every == 0

    def update(self, factors: Tensor, terms: dict[str, Tensor], conditions: Sequence[str], params: list[Tensor],
               reduce: Callable[[Tensor], Tensor] = lambda t: t) -> None:  # fmt: skip
        """Move ``factors`` ``[len(conditions)]`` in place towards this step's estimates; ``reduce``
        averages each estimate over DDP ranks so that every rank keeps the same factors."""

        def grads(loss: Tensor) -> Tensor:
            gs = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
            return torch.cat([g.reshape(-1) for g in gs if g is not None]).abs()

        max_pde = grads(terms["pde"]).max()
        for i, name in enumerate(conditions):
            estimate = reduce((max_pde / grads(terms[name]).mean().clamp_min(1e-30)).double())
            factors[i] = (1 - self.alpha) * factors[i] + self.alpha * estimate
