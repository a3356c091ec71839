"""Exact derivatives by automatic differentiation."""

from __future__ import annotations

import torch
from torch import Tensor

from .base import DerivativeOperator, Field, FieldDerivatives, evaluate_with_extra


class _AutogradResult(FieldDerivatives):
    def __init__(self, x: Tensor, u: Tensor, create_graph: bool, extra: Tensor | None) -> None:
        self.x = x
        self.u = u
        self.extra = extra
        self.create_graph = create_graph
        self._jac: dict[int, Tensor] = {}  # output component -> du_k/dx, [n, d]
        self._hess: dict[tuple[int, int], Tensor] = {}  # (component, i) -> d(du_k/dx_i)/dx, [n, d]

    @property
    def in_dim(self) -> int:
        return self.x.shape[-1]

    def _first(self, k: int) -> Tensor:
        if k not in self._jac:
            if not self.u.requires_grad:  # a field that does not depend on x (or on anything)
                self._jac[k] = torch.zeros_like(self.x)
                return self._jac[k]
            (g,) = torch.autograd.grad(
                self.u[:, k].sum(), self.x, create_graph=True, allow_unused=True
            )
            self._jac[k] = torch.zeros_like(self.x) if g is None else g
        return self._jac[k]

    def _second(self, k: int, i: int) -> Tensor:
        if (k, i) not in self._hess:
            first = self._first(k)[:, i]
            if first.requires_grad:
                # retain: the other dimensions' second derivatives reuse this graph
                (g,) = torch.autograd.grad(
                    first.sum(), self.x, create_graph=self.create_graph, retain_graph=True, allow_unused=True
                )
            else:
                g = None
            self._hess[(k, i)] = torch.zeros_like(self.x) if g is None else g
        return self._hess[(k, i)]

    def grad(self, i: int) -> Tensor:
        return torch.stack([self._first(k)[:, i] for k in range(self.u.shape[1])], dim=1)

    def d2(self, i: int, j: int) -> Tensor:
        return torch.stack([self._second(k, i)[:, j] for k in range(self.u.shape[1])], dim=1)


class AutogradDerivatives(DerivativeOperator):
    r"""Derivatives by reverse-mode autograd: exact up to floating point.

    One forward pass; each first derivative costs one backward pass per output component and
    each second derivative another (with ``create_graph`` so the loss can be trained through
    them). With a *linearly* interpolated hash grid these derivatives are piecewise constant
    (first) and zero (second) inside cells: use finite differences or smoothstep there.

    Args:
        create_graph: keep the graph of the highest derivatives (needed for training; turn off
            for diagnostics).
    """

    def __init__(self, create_graph: bool = True) -> None:
        self.create_graph = create_graph

    def __call__(
        self, field: Field, x: Tensor, mixed: bool = False, extra: Tensor | None = None
    ) -> FieldDerivatives:
        x = x.detach().requires_grad_(True)
        with torch.enable_grad():
            u, extra_values = evaluate_with_extra(field, x, extra)
        return _AutogradResult(x, u, self.create_graph, extra_values)
