"""Central finite differences of the whole network (Huang & Alkhalifah 2024)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
from torch import Tensor

from .base import DerivativeOperator, Field, FieldDerivatives, evaluate_with_extra


# Central-difference weights on the offsets (+1, -1, +2, -2) x h, by order.
_FIRST = {2: (0.5, -0.5), 4: (8 / 12, -8 / 12, -1 / 12, 1 / 12)}
_SECOND = {2: (1.0, 1.0), 4: (16 / 12, 16 / 12, -1 / 12, -1 / 12)}
_CENTRE = {2: -2.0, 4: -30 / 12}
_RING = {2: (1, -1), 4: (1, -1, 2, -2)}


class _StencilResult(FieldDerivatives):
    def __init__(
        self, values: Tensor, h: Tensor, order: int, pair_slot: dict[tuple[int, int], int], extra: Tensor | None
    ) -> None:
        self.values = values  # [S, n, m]: centre, then the ring offsets of dim 0, dim 1, ..., then mixed points
        self.extra = extra  # [k, m]
        self.h = h  # [d]
        self.order = order
        self.pair_slot = pair_slot
        self.u = values[0]
        self._grads: dict[int, Tensor] = {}  # a residual and its weights may both ask for u_x

    @property
    def in_dim(self) -> int:
        return self.h.shape[0]

    def _ring(self, i: int) -> Tensor:
        k = len(_RING[self.order])
        return self.values[1 + k * i : 1 + k * (i + 1)]  # [k, n, m]

    def grad(self, i: int) -> Tensor:
        if i not in self._grads:
            ring = self._ring(i)
            self._grads[i] = sum(w * v for w, v in zip(_FIRST[self.order], ring)) / self.h[i]
        return self._grads[i]

    def d2(self, i: int, j: int) -> Tensor:
        if i == j:
            ring = self._ring(i)
            total = _CENTRE[self.order] * self.u + sum(w * v for w, v in zip(_SECOND[self.order], ring))
            return total / (self.h[i] * self.h[i])
        key = (min(i, j), max(i, j))
        if key not in self.pair_slot:
            raise RuntimeError(
                "mixed second derivatives need the diagonal stencil points: call the operator "
                "with mixed=True (a Problem sets `mixed_derivatives = True`)"
            )
        s = self.pair_slot[key]
        w = _FIRST[self.order]
        k = len(w)
        corners = self.values[s : s + k * k]  # offsets (ring[a], ring[b]) at slot a * k + b
        total = sum(w[a] * w[b] * corners[a * k + b] for a in range(k) for b in range(k))
        return total / (self.h[i] * self.h[j])


class FiniteDifferenceDerivatives(DerivativeOperator):
    r"""Central differences of order 2 or 4, all stencil points in one batched forward pass.

    Order 2:

    .. math::
        \partial_i u \approx \frac{u(x + h_i e_i) - u(x - h_i e_i)}{2 h_i},\quad
        \partial_{ii} u \approx \frac{u(x + h_i e_i) - 2u(x) + u(x - h_i e_i)}{h_i^2},\quad
        \partial_{ij} u \approx \frac{u_{++} - u_{+-} - u_{-+} + u_{--}}{4 h_i h_j}

    with truncation error :math:`O(h^2)` (for a mode :math:`e^{i\omega x}`, a relative error of
    :math:`(\omega h)^2/12` in :math:`\partial_{ii}`). Order 4 adds the points :math:`\pm 2h_i e_i`:

    .. math::
        \partial_i u \approx \frac{-u_{+2} + 8u_{+1} - 8u_{-1} + u_{-2}}{12 h_i},\quad
        \partial_{ii} u \approx \frac{-u_{+2} + 16u_{+1} - 30u_0 + 16u_{-1} - u_{-2}}{12 h_i^2},

    mixed derivatives as the product of the two first-derivative stencils (16 points), with
    truncation error :math:`O(h^4)` (:math:`(\omega h)^4/90` relative in :math:`\partial_{ii}`):
    at a given step, far more accurate for smooth fields. A Laplacian in ``d`` dimensions costs
    ``2d + 1`` evaluations per point at order 2, ``4d + 1`` at order 4; mixed derivatives 4 (16)
    more per pair. Gradients of the loss flow
    through every stencil point, which is what trains a linearly interpolated hash grid:
    its autograd second derivatives vanish inside cells, finite differences spanning a cell do not.

    Args:
        step: absolute step ``h`` in the problem's coordinates, one value for all dimensions or
            one per dimension. ``None`` ties ``h`` to the field's grid (see ``step_factor``).
        step_factor: with ``step=None``, ``h_i = step_factor * (finest cell size along i)``,
            as reported by the field's ``natural_step()`` (a hash-grid network reports its
            finest level's cell). Values of 0.5–1 are robust; far below the cell size the
            difference only sees one cell's linear interpolant.
        order: 2 or 4, the order of accuracy of the stencils.
        order_switch: ``(step, order)``: from global training step ``step`` on, use stencils of
            ``order`` instead. Fourth-order stencils slow the first steps (the error falls
            ~10x slower early on Burgers) but lower the floor that the second-order
            truncation error sets where the field is steep (Burgers' shock with 64 cells in t:
            rel-L2 levels off near 1.4e-3 at order 2; switching to order 4 at step 3000 reached
            1e-3 on 10 of 12 seeds; docs/benchmarks.md). The training loop calls :meth:`set_step`; outside
            training the stencils keep the last order set.
    """

    def __init__(
        self,
        step: float | list[float] | None = None,
        step_factor: float = 1.0,
        order: int = 2,
        order_switch: tuple[int, int] | None = None,
    ) -> None:
        if step is not None:
            steps = [step] if isinstance(step, (int, float)) else list(step)
            if not steps or any(not (s > 0) for s in steps):
                raise ValueError(f"step must be > 0 (one value or one per dimension), got {step!r}")
        if not step_factor > 0:
            raise ValueError(f"step_factor must be > 0, got {step_factor}")
        if order not in (2, 4):
            raise ValueError(f"order must be 2 or 4, got {order!r}")
        if order_switch is not None:
            if len(order_switch) != 2 or not order_switch[0] >= 0 or order_switch[1] not in (2, 4):
                raise ValueError(f"order_switch must be (step >= 0, order 2 or 4), got {order_switch!r}")
            order_switch = (int(order_switch[0]), int(order_switch[1]))
        self.step = step
        self.step_factor = step_factor
        self.order = order
        self.order_switch = order_switch
        self._active_order = order
        self._stencils: dict[tuple, tuple[Tensor, dict[tuple[int, int], int]]] = {}

    def check_steps(self, field: Field, names: Sequence[str], lower: Sequence[float], upper: Sequence[float]) -> None:
        """Check this operator's steps for ``field`` on the box ``[lower, upper]``.

        Raises:
            ValueError: a step above a quarter of its extent, or below float32 resolution for a
                second difference (1e-5 of the extent).

        Warns where a step lies outside 0.5–2 finest hash cells (``docs/tuning.md``).
        """
        steps = self.steps(field, len(names), torch.zeros((), dtype=torch.float64))
        natural = getattr(field, "natural_step", None)
        cells = natural() if callable(natural) else None
        if cells is not None:
            for name, h, cell in zip(names, steps.tolist(), cells.tolist()):
                if not 0.5 <= h / cell <= 2.0:
                    warnings.warn(
                        f"finite-difference step for {name} is {h / cell:.3g} finest hash cells; outside "
                        f"0.5-2 cells a linear grid's differences see a single cell's interpolant (too small) "
                        f"or blur the solution (too large). See docs/tuning.md.",
                        stacklevel=3,
                    )
        for name, h, lo, hi in zip(names, steps.tolist(), lower, upper):
            extent = hi - lo
            allowed = f"allowed range ({1e-5 * extent:g}, {0.25 * extent:g}]"
            if h > 0.25 * extent:
                raise ValueError(f"finite-difference step for {name} is {h:g}, more than a quarter of the domain "
                                 f"[{lo:g}, {hi:g}]: {allowed}")  # fmt: skip
            if h < 1e-5 * extent:
                raise ValueError(f"finite-difference step for {name} is {h:g}, below float32 resolution for a second "
                                 f"difference on [{lo:g}, {hi:g}]: {allowed}")  # fmt: skip

    @property
    def active_order(self) -> int:
        """The order of the stencils used now (``order``, or the switched-to one)."""
        return self._active_order

    def set_step(self, step: int) -> None:
        switch = self.order_switch
        self._active_order = switch[1] if switch is not None and step >= switch[0] else self.order

    def steps(self, field: Field, in_dim: int, like: Tensor) -> Tensor:
        """The step ``h`` per input dimension, ``[d]``, for this field."""
        if self.step is not None:
            steps = [self.step] * in_dim if isinstance(self.step, (int, float)) else list(self.step)
            if len(steps) != in_dim:
                raise ValueError(f"step has {len(steps)} values but the field has {in_dim} inputs")
            return torch.tensor(steps, dtype=like.dtype, device=like.device)
        natural = getattr(field, "natural_step", None)
        h = natural() if callable(natural) else None
        if h is None:
            raise ValueError(
                "FiniteDifferenceDerivatives(step=None) needs a field with a grid (a hash "
                "encoding) to take its step from; set `step` explicitly for this network"
            )
        return self.step_factor * h.to(dtype=like.dtype, device=like.device)

    def stencil(self, in_dim: int, mixed: bool, order: int, like: Tensor) -> tuple[Tensor, dict[tuple[int, int], int]]:
        """Stencil offsets in units of ``h``, ``[S, d]`` in ``like``'s dtype and device, and the first
        slot of each mixed pair.

        Built once per ``(d, mixed, order, dtype, device)`` and kept: no per-step host-to-device copy.
        Callers must not modify the returned tensor or dict in place.
        """
        slot = (in_dim, mixed, order, like.dtype, str(like.device))
        if slot not in self._stencils:
            offsets, pair_slot = self._build_stencil(in_dim, mixed, order)
            self._stencils[slot] = offsets.to(dtype=like.dtype, device=like.device), pair_slot
        return self._stencils[slot]

    @staticmethod
    def _build_stencil(in_dim: int, mixed: bool, order: int) -> tuple[Tensor, dict[tuple[int, int], int]]:
        eye = torch.eye(in_dim)
        ring = _RING[order]
        rows = [torch.zeros(in_dim)]
        for i in range(in_dim):
            rows += [a * eye[i] for a in ring]
        pair_slot: dict[tuple[int, int], int] = {}
        if mixed:
            for i in range(in_dim):
                for j in range(i + 1, in_dim):
                    pair_slot[(i, j)] = len(rows)
                    rows += [a * eye[i] + b * eye[j] for a in ring for b in ring]
        return torch.stack(rows), pair_slot

    def __call__(
        self, field: Field, x: Tensor, mixed: bool = False, extra: Tensor | None = None
    ) -> FieldDerivatives:
        n, d = x.shape
        h = self.steps(field, d, x)  # [d]
        order = self._active_order
        offsets, pair_slot = self.stencil(d, mixed, order, x)  # [S, d]
        points = x[None, :, :] + offsets[:, None, :] * h  # [S, n, d]
        values, extra_values = evaluate_with_extra(field, points.reshape(-1, d), extra)  # [S * n, m], [k, m]
        return _StencilResult(values.view(offsets.shape[0], n, -1), h, order, pair_slot, extra_values)
