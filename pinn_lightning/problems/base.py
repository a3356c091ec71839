"""The problem contract: domain, PDE residual, conditions, reference solution."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn

from ..derivatives import FieldDerivatives


class Problem(nn.Module):
    r"""A PDE on a box :math:`[a, b] \subset \mathbb R^d`, with its conditions and reference.

    A problem is an ``nn.Module`` so that PDE coefficients can be trainable parameters
    (inverse problems). Subclasses set the class attributes and implement :meth:`residual`;
    they override :meth:`boundary_residual` / :meth:`initial_residual` for their conditions and
    :meth:`solution` (or :meth:`reference`) for the error metric.

    Conditions: ``"boundary"`` points lie on the faces of the spatial dimensions (times the
    whole time interval); ``"initial"`` points at :math:`t = a_t` (only when ``time_dim`` is set).

    Class attributes:
        input_names: names of the input coordinates, e.g. ``("x", "t")``.
        output_names: names of the output components, e.g. ``("u",)``.
        time_dim: index of the time coordinate, ``None`` for steady problems.
        mixed_derivatives: the residual asks for ``d.d2(i, j)`` with ``i != j``.
        compared_outputs: indices of the outputs the error metric compares (``None``: all), e.g.
            the velocity only where the pressure is defined up to a constant.
        learnable: PDE coefficients an inverse problem may learn (the subclass's ``learn``
            argument; see :meth:`learn_coefficients`).

    Args:
        lower: lower corner :math:`a` of the box.
        upper: upper corner :math:`b`.
        eval_resolution: points per dimension of the evaluation grid used by the error metric.
    """

    input_names: tuple[str, ...] = ()
    output_names: tuple[str, ...] = ("u",)
    time_dim: int | None = None
    mixed_derivatives: bool = False
    compared_outputs: tuple[int, ...] | None = None
    learnable: tuple[str, ...] = ()

    def __init__(
        self,
        lower: Sequence[float],
        upper: Sequence[float],
        eval_resolution: Sequence[int] | None = None,
    ) -> None:
        super().__init__()
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
        self.lower, self.upper = lower, upper
        self.eval_resolution = eval_resolution
        self._reference: tuple[Tensor, Tensor] | None = None

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

    @property
    def conditions(self) -> tuple[str, ...]:
        """Names of the condition point sets this problem trains on (none under hard constraints)."""
        if self.hard_constraints:
            return ()
        names = ("boundary",) if self.spatial_dims else ()
        return names + (("initial",) if self.time_dim is not None else ())

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

    def boundary_residual(self, x: Tensor, u: Tensor) -> Tensor:
        """Boundary-condition residual at boundary points; default Dirichlet ``u - solution``."""
        return u - self.solution(x).to(u.dtype)

    def initial_residual(self, x: Tensor, u: Tensor) -> Tensor:
        """Initial-condition residual at ``t = lower[time_dim]``; default ``u - solution``."""
        return u - self.solution(x).to(u.dtype)

    def condition_residual(self, name: str, x: Tensor, u: Tensor) -> Tensor:
        if name == "boundary":
            return self.boundary_residual(x, u)
        if name == "initial":
            return self.initial_residual(x, u)
        raise KeyError(f"unknown condition {name!r}; this problem has {self.conditions}")

    def solution(self, x: Tensor) -> Tensor:
        """Exact solution ``[n, d] -> [n, m]``, where one is known (used by the default reference)."""
        raise NotImplementedError(f"{type(self).__name__} has no exact solution")

    def output_transform(self, x: Tensor, u: Tensor) -> Tensor:
        """Map the network output to the field (hard constraints); identity by default."""
        return u

    def evaluation_points(self) -> Tensor:
        """The evaluation grid, ``[N, d]`` float64, first dimension slowest."""
        if self.eval_resolution is None:
            raise ValueError(f"{type(self).__name__} has no eval_resolution for its reference grid")
        axes = [
            torch.linspace(lo, hi, n, dtype=torch.float64)
            for lo, hi, n in zip(self.lower, self.upper, self.eval_resolution)
        ]
        return torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1).reshape(-1, self.in_dim)

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
