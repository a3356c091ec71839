"""The problem contract: domain, PDE residual, conditions, reference solution."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn

from ..conditions import Condition, Dirichlet, Initial
from ..derivatives import DerivativeOperator, Field, FieldDerivatives
from ..geometry import Box, Geometry, SpaceTime


class Problem(nn.Module):
    r"""A PDE on a domain (a box or any :class:`~pinn_lightning.geometry.Geometry`), with its
    conditions and reference.

    A problem is an ``nn.Module`` so that PDE coefficients can be trainable parameters
    (inverse problems). Subclasses set the class attributes and implement :meth:`residual`,
    :meth:`define_conditions` for their conditions (:mod:`pinn_lightning.conditions`; by
    default the exact solution as a Dirichlet condition ``"boundary"`` on the whole boundary and
    an initial condition ``"initial"``), and :meth:`solution` (or :meth:`compute_reference`)
    for the error metric.

    Class attributes:
        input_names: names of the input coordinates, e.g. ``("x", "t")``.
        output_names: names of the output components, e.g. ``("u",)``.
        time_dim: index of the time coordinate (the last), ``None`` for steady problems.
        mixed_derivatives: the residual asks for ``d.d2(i, j)`` with ``i != j``.
        compared_outputs: indices of the outputs the error metric compares (``None``: all), e.g.
            the velocity only where the pressure is defined up to a constant.
        learnable: PDE coefficients an inverse problem may learn (the subclass's ``learn``
            argument; see :meth:`learn_coefficients`).

    Args:
        lower: lower corner :math:`a` of the box :math:`[a, b]` (time included), if the domain is a box.
        upper: upper corner :math:`b`.
        eval_resolution: points per dimension of the evaluation grid used by the error metric
            (on the bounding box; the points outside the domain are left out).
        geometry: the domain, instead of ``lower`` and ``upper`` (a
            :class:`~pinn_lightning.geometry.SpaceTime` for a time-dependent problem). The network
            normalises its bounding box.
    """

    input_names: tuple[str, ...] = ()
    output_names: tuple[str, ...] = ("u",)
    time_dim: int | None = None
    mixed_derivatives: bool = False
    compared_outputs: tuple[int, ...] | None = None
    learnable: tuple[str, ...] = ()

    def __init__(
        self,
        lower: Sequence[float] | None = None,
        upper: Sequence[float] | None = None,
        eval_resolution: Sequence[int] | None = None,
        geometry: Geometry | None = None,
    ) -> None:
        super().__init__()
        if (geometry is None) == (lower is None or upper is None):
            raise ValueError(f"{type(self).__name__}: give either lower and upper (a box) or a geometry")
        if geometry is not None:
            lower, upper = geometry.bounds()
        lower, upper = [float(v) for v in lower], [float(v) for v in upper]
        names = self.input_names or tuple(f"x{i}" for i in range(len(lower)))
        if len(lower) != len(names) or len(upper) != len(names):
            raise ValueError(
                f"{type(self).__name__}: lower and upper need {len(names)} values "
                f"({', '.join(names)}), got lower={lower}, upper={upper}"
            )
        for name, lo, hi in zip(names, lower, upper):
            if not lo < hi:
                raise ValueError(f"{type(self).__name__}: domain of {name} must have lower < upper, got [{lo}, {hi}]")
        if eval_resolution is not None:
            if len(eval_resolution) != len(names) or any(n < 2 for n in eval_resolution):
                raise ValueError(
                    f"eval_resolution needs {len(names)} integers >= 2, got {list(eval_resolution)}"
                )
            eval_resolution = [int(n) for n in eval_resolution]
        if self.time_dim is not None and self.time_dim != len(lower) - 1:
            raise ValueError(f"{type(self).__name__}: time must be the last coordinate, got time_dim={self.time_dim}")
        if geometry is None:
            space = Box(lower[: len(lower) - (self.time_dim is not None)], upper[: len(upper) - (self.time_dim is not None)])
            geometry = space if self.time_dim is None else SpaceTime(space, lower[-1], upper[-1])
        elif (self.time_dim is not None) != isinstance(geometry, SpaceTime):
            raise ValueError(f"{type(self).__name__}: a time-dependent problem needs a SpaceTime geometry and a "
                             f"steady one a spatial geometry, got {type(geometry).__name__}")  # fmt: skip
        self.geometry = geometry
        self.lower, self.upper = lower, upper
        self.eval_resolution = eval_resolution
        self._reference: tuple[Tensor, Tensor] | None = None
        self._conditions: tuple[Condition, ...] | None = None

    @property
    def in_dim(self) -> int:
        return len(self.lower)

    @property
    def out_dim(self) -> int:
        return len(self.output_names)

    @property
    def coordinate_names(self) -> tuple[str, ...]:
        """``input_names``, or ``x0, x1, ...`` where a problem leaves them unnamed."""
        return self.input_names or tuple(f"x{i}" for i in range(self.in_dim))

    @property
    def spatial_dims(self) -> tuple[int, ...]:
        return tuple(i for i in range(self.in_dim) if i != self.time_dim)

    hard_constraints: bool = False
    """Set by problems whose :meth:`output_transform` imposes all conditions exactly."""

    def define_conditions(self) -> list[Condition]:
        """The conditions of the problem, each one loss term (called once, after construction).

        Default: the exact solution as ``Dirichlet`` ``"boundary"`` on the whole boundary and,
        for a time-dependent problem, as ``Initial`` ``"initial"``.
        """
        if type(self).solution is Problem.solution:
            raise ValueError(f"{type(self).__name__} has no exact solution to take its conditions from: "
                             "define them in define_conditions()")  # fmt: skip
        conditions: list[Condition] = [Dirichlet(self.solution, name="boundary")]
        if self.time_dim is not None:
            conditions.append(Initial(self.solution, name="initial"))
        return conditions

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """The conditions this problem trains on (none under hard constraints), checked against its geometry.

        Raises:
            ValueError: two conditions with one name, or a condition that cannot hold here.
        """
        if self.hard_constraints:
            return ()
        if self._conditions is None:
            conditions = tuple(self.define_conditions())
            names = [c.name for c in conditions]
            if len(set(names)) != len(names):
                raise ValueError(f"{type(self).__name__}: condition names must differ, got {names}")
            for c in conditions:
                c.check(self.geometry, self.out_dim)
            self._conditions = conditions
        return self._conditions

    def condition(self, name: str) -> Condition:
        """The condition called ``name``.

        Raises:
            KeyError: no condition has that name.
        """
        for c in self.conditions:
            if c.name == name:
                return c
        raise KeyError(f"{type(self).__name__} has no condition {name!r}; its conditions: {self.condition_names}")

    @property
    def condition_names(self) -> tuple[str, ...]:
        """The names of :attr:`conditions`: their loss terms."""
        return tuple(c.name for c in self.conditions)

    def learn_coefficients(self, learn: Mapping[str, float] | None) -> None:
        r"""Make coefficients trainable (inverse problem), starting from the given guesses.

        Each learnt coefficient :math:`c > 0` is stored as the parameter ``log_<name>`` =
        :math:`\log c`, so Adam's steps are relative changes whatever its scale (a viscosity of
        0.003 and a wavenumber of 4 train alike) and it stays positive. The constructor's value
        of the coefficient stays the truth behind the reference (and synthetic observations).
        """
        for name, guess in dict(learn or {}).items():
            if name not in self.learnable:
                raise ValueError(f"learn: {type(self).__name__} cannot learn {name!r}; learnable: {self.learnable}")
            if not guess > 0:
                raise ValueError(f"learn[{name!r}] is the initial guess and must be > 0, got {guess}")
            self.register_parameter(f"log_{name}", nn.Parameter(torch.tensor(math.log(guess))))

    def coefficient(self, name: str) -> Tensor | float:
        """The coefficient ``name`` as the residual must use it: learnt (a 0-d tensor) or given."""
        log = self._parameters.get(f"log_{name}")
        return getattr(self, name) if log is None else log.exp()

    def learned_coefficients(self) -> dict[str, Tensor]:
        """Current values of the learnt coefficients (empty for a forward problem)."""
        return {name: self.coefficient(name).detach() for name in self.learnable if f"log_{name}" in self._parameters}

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        """PDE residual at collocation points ``x`` ``[n, d]`` -> ``[n, r]`` (zero when solved)."""
        raise NotImplementedError

    def residual_weights(self, x: Tensor, d: FieldDerivatives) -> Tensor | None:
        """Per-point weights of the squared PDE residual, ``[n, 1]``, or ``None`` (all ones).

        ``PINNModule`` detaches them: the loss treats them as constants.
        """
        return None

    reference_quantities: dict[str, float] = {}
    """Published values of the problem's :meth:`quantities`, e.g. a drag coefficient."""

    def quantities(self, field: Field, derivatives: DerivativeOperator, like: Tensor) -> dict[str, Tensor]:
        """Scalar quantities of interest of ``field`` (e.g. forces on a body), 0-d tensors in
        ``like``'s dtype and device; logged as ``val/<name>`` and ``test/<name>``. None by default."""
        return {}

    @property
    def has_reference(self) -> bool:
        """Whether the problem has a reference field (an exact solution or a computed one)."""
        cls = type(self)
        return cls.solution is not Problem.solution or cls.compute_reference is not Problem.compute_reference

    def solution(self, x: Tensor) -> Tensor:
        """Exact solution ``[n, d] -> [n, m]``, where one is known (used by the default reference)."""
        raise NotImplementedError(f"{type(self).__name__} has no exact solution")

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        """Map the network output to the field (hard constraints); identity by default."""
        return u

    def evaluation_points(self) -> Tensor:
        """The evaluation grid, ``[N, d]`` float64, first dimension slowest: the bounding box's grid,
        less the points outside the (closed) domain."""
        if self.eval_resolution is None:
            raise ValueError(f"{type(self).__name__} has no eval_resolution for its reference grid")
        axes = [
            torch.linspace(lo, hi, n, dtype=torch.float64)
            for lo, hi, n in zip(self.lower, self.upper, self.eval_resolution)
        ]
        x = torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1).reshape(-1, self.in_dim)
        return x if self.geometry.fills_bounds else x[self.geometry.contains(x, 1e-9)]

    @property
    def compared(self) -> list[int]:
        """Indices of the outputs the error metric compares."""
        return list(range(self.out_dim)) if self.compared_outputs is None else list(self.compared_outputs)

    def compute_reference(self) -> tuple[Tensor, Tensor]:
        """Reference points and compared values, float64; by default the exact solution on the grid."""
        x = self.evaluation_points()
        with torch.no_grad():
            return x, self.solution(x)[:, self.compared]

    def reference(self) -> tuple[Tensor, Tensor]:
        """Reference points ``[N, d]`` and values of the compared outputs ``[N, len(compared)]``
        (computed once per instance)."""
        if self._reference is None:
            self._reference = self.compute_reference()
        return self._reference
