"""The derivative-operator contract: an operator takes the *function*, not its output."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

Field = Callable[[Tensor], Tensor]
"""A field maps points ``[n, d]`` to values ``[n, m]``."""


class FieldDerivatives:
    """Values and partial derivatives of a field at a set of points.

    Every accessor returns a tensor of shape ``[n, m]`` (all ``m`` output components).
    Derivatives are in the problem's coordinates; indices refer to input dimensions.
    """

    u: Tensor
    """Field values ``[n, m]``."""

    extra: Tensor | None = None
    """Field values ``[k, m]`` at the operator's ``extra`` points (no derivatives), or ``None``."""

    def grad(self, i: int) -> Tensor:
        """First partial derivative :math:`\\partial u / \\partial x_i`, ``[n, m]``."""
        raise NotImplementedError

    def d2(self, i: int, j: int) -> Tensor:
        """Second partial derivative :math:`\\partial^2 u / \\partial x_i \\partial x_j`, ``[n, m]``."""
        raise NotImplementedError

    def laplacian(self, dims: tuple[int, ...] | None = None) -> Tensor:
        r""":math:`\sum_{i \in \text{dims}} \partial^2 u / \partial x_i^2`, all input dims by default."""
        dims = tuple(range(self.in_dim)) if dims is None else dims
        return torch.stack([self.d2(i, i) for i in dims]).sum(0)

    @property
    def in_dim(self) -> int:
        raise NotImplementedError

    def rows(self, start: int, stop: int) -> FieldDerivatives:
        """The derivatives at points ``start:stop`` only (a view: nothing is evaluated again)."""
        return _Rows(self, slice(start, stop))


class _Rows(FieldDerivatives):
    """Rows ``s`` of another :class:`FieldDerivatives`: the PDE and the conditions that need
    derivatives share one operator call and take their own rows of it."""

    def __init__(self, parent: FieldDerivatives, s: slice) -> None:
        self.parent, self.s = parent, s
        self.u = parent.u[s]

    @property
    def in_dim(self) -> int:
        return self.parent.in_dim

    def grad(self, i: int) -> Tensor:
        return self.parent.grad(i)[self.s]

    def d2(self, i: int, j: int) -> Tensor:
        return self.parent.d2(i, j)[self.s]


class Values(FieldDerivatives):
    """Field values without derivatives, ``[n, m]``: what a condition that only needs ``u`` sees."""

    def __init__(self, u: Tensor, in_dim: int) -> None:
        self.u, self._in_dim = u, in_dim

    @property
    def in_dim(self) -> int:
        return self._in_dim

    def grad(self, i: int) -> Tensor:
        raise RuntimeError("a condition with needs_derivatives = False sees values only")

    def d2(self, i: int, j: int) -> Tensor:
        return self.grad(i)


class DerivativeOperator:
    """Computes :class:`FieldDerivatives` of a field at points.

    ``operator(field, x, mixed=False, extra=None)`` evaluates ``field`` itself (as often as the
    method needs) and returns the derivatives. ``mixed`` announces that mixed second derivatives
    ``d2(i, j)``, ``i != j``, will be asked for (finite differences then add the diagonal
    stencil points; autograd ignores it). ``extra`` points ``[k, d]`` (boundary, initial,
    observation points: values only) ride in the same forward pass as ``x``; their values come
    back as :attr:`FieldDerivatives.extra`, so a training step evaluates the network once.
    """

    def __call__(
        self, field: Field, x: Tensor, mixed: bool = False, extra: Tensor | None = None
    ) -> FieldDerivatives:
        raise NotImplementedError

    def set_step(self, step: int) -> None:
        """Called by the training loop before each step (for schedules; default: none)."""


def evaluate_with_extra(field: Field, points: Tensor, extra: Tensor | None) -> tuple[Tensor, Tensor | None]:
    """``field`` at ``points`` ``[p, d]`` and at ``extra`` ``[k, d]`` in one call: ``([p, m], [k, m])``."""
    if extra is None:
        return field(points), None
    values = field(torch.cat([points, extra.to(points.dtype)]))
    return values[: points.shape[0]], values[points.shape[0] :]
