"""The condition contract: a named loss term that holds on part of the domain."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import ClassVar, NamedTuple, Union

import torch
from torch import Tensor

from ..derivatives import FieldDerivatives
from ..geometry import Geometry
from ..geometry.sampling import PointSampler

Value = Union[float, Sequence[float], Callable[[Tensor], Tensor]]
"""A prescribed value: a constant, one constant per component, or a function of the points
``[n, d] -> [n, k]``."""


class PointSet(NamedTuple):
    """The points a condition drew for one step.

    Attributes:
        x: the points, ``[n, d]``.
        normal: their outward unit normals, ``[n, d]`` (boundary conditions), else ``None``.
        values: observed values, ``[n, k]`` (:class:`~pinn_lightning.conditions.PointData`), else ``None``.
    """

    x: Tensor
    normal: Tensor | None = None
    values: Tensor | None = None


def prescribed(value: Value, x: Tensor, like: Tensor) -> Tensor | float:
    """``value`` at the points ``x`` ``[n, d]``, in ``like``'s dtype (a constant stays a float,
    so no tensor is built per step)."""
    if callable(value):
        return value(x).to(like.dtype)
    if isinstance(value, (int, float)):
        return float(value)
    return like.new_tensor(value)


def normal_derivative(d: FieldDerivatives, normal: Tensor) -> Tensor:
    r""":math:`\partial u / \partial n = \sum_i n_i\, \partial_i u`, ``[n, m]``."""
    return sum(normal[:, i : i + 1].to(d.u.dtype) * d.grad(i) for i in range(normal.shape[1]))


_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class Condition:
    """A condition of a :class:`~pinn_lightning.problems.Problem`: one loss term,
    ``train/loss_<name>``, weighted by ``loss_weights[name]``.

    A condition says where it holds (a named boundary part, the whole boundary, :math:`t = t_0`,
    or given points), how many points it draws each step and its residual, zero where it holds.
    It samples through the problem's geometry and is evaluated with the PDE's derivative
    operator, in the same network evaluation. A new kind of condition is one subclass: set
    :attr:`kind` and :attr:`needs_derivatives`, implement :meth:`residual` (and :meth:`sample`
    if it does not hold on the boundary).

    Args:
        name: the loss term's name (letters, digits, ``_``; not ``pde``).
        on: the named boundary part it holds on (``None``: the whole boundary).
        points: points per step; ``None`` takes the data module's ``n_boundary`` (or
            ``n_initial`` for initial conditions).
        components: the output components it constrains (``None``: all), e.g. ``[0, 1]`` for
            the velocity of a flow with outputs ``(u, v, p)``.
    """

    kind: ClassVar[str] = "boundary"
    """``"boundary"``, ``"initial"`` or ``"points"``: what the data module's default count is."""

    needs_derivatives: bool = False
    """Whether :meth:`residual` asks ``d`` for derivatives (the points then join the PDE's
    stencils or autograd graph; otherwise they ride along for values only)."""

    def __init__(
        self, name: str, on: str | None = None, points: int | None = None, components: Sequence[int] | None = None
    ) -> None:
        if not isinstance(name, str) or not _NAME.match(name) or name in ("pde", "collocation"):
            raise ValueError(f"condition name must be letters, digits and _ (not 'pde' or 'collocation'), got {name!r}")
        if points is not None and (not isinstance(points, int) or points < 1):
            raise ValueError(f"{name}: points must be a positive integer (or None for the data module's default), got {points!r}")
        self.name, self.on, self.points = name, on, points
        self.components = None if components is None else [int(c) for c in components]

    def check(self, geometry: Geometry, out_dim: int) -> None:
        """Fail early where this condition cannot hold on ``geometry`` for a field of ``out_dim`` outputs.

        Raises:
            ValueError: an unknown boundary part or output component.
        """
        if self.on is not None and self.on not in geometry.parts:
            raise ValueError(f"condition {self.name!r}: the geometry has no boundary part {self.on!r}; "
                             f"its parts: {sorted(geometry.parts)}")  # fmt: skip
        if self.components is not None and not all(0 <= c < out_dim for c in self.components):
            raise ValueError(f"condition {self.name!r}: components must lie in 0..{out_dim - 1}, got {self.components}")

    def select(self, u: Tensor) -> Tensor:
        """The constrained components of ``u`` ``[n, m]`` -> ``[n, k]``."""
        return u if self.components is None else u[:, self.components]

    def sample(
        self, geometry: Geometry, n: int, key: int | Tensor, device=None, sampler: PointSampler | None = None,
        rank: int = 0, world_size: int = 1,
    ) -> PointSet:  # fmt: skip
        """This step's ``n`` points, a pure function of ``key``: by default on the boundary part."""
        x, normal = geometry.sample_boundary(n, key, device, part=self.on)
        return PointSet(x, normal)

    def residual(self, p: PointSet, d: FieldDerivatives) -> Tensor:
        """The residual at the points ``p``, ``[n, r]``: zero where the condition holds."""
        raise NotImplementedError

    def __repr__(self) -> str:
        where = f" on {self.on!r}" if self.on else ""
        return f"{type(self).__name__}({self.name!r}{where})"
