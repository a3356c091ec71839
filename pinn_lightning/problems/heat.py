"""Steady heat conduction in a plate with mixed conditions on named faces."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ..conditions import Condition, Dirichlet, Neumann, Robin
from ..derivatives import FieldDerivatives
from .base import Problem


class HeatPlate2D(Problem):
    r"""Steady conduction :math:`\Delta u = 0` in the plate :math:`[0, 1]^2`, with four kinds of face:

    - ``hot`` (face ``x_min``): a prescribed temperature, :math:`u = \cos(a y)` (Dirichlet);
    - ``flux`` (face ``x_max``): a prescribed heat flux, :math:`\partial u/\partial n = a e^{a}\cos(a y)` (Neumann);
    - ``symmetry`` (face ``y_min``): a symmetry plane, :math:`\partial u/\partial n = 0` (Neumann);
    - ``cooling`` (face ``y_max``): convective cooling, :math:`\partial u/\partial n + h\,u = g` (Robin,
      Biot number :math:`h`), with :math:`g = e^{a x}(h \cos a - a \sin a)`.

    The exact solution is :math:`u^* = e^{a x}\cos(a y)` (harmonic; every condition above is its
    trace).

    Args:
        a: wavenumber of the solution.
        biot: :math:`h > 0` of the cooled face.
        eval_resolution: evaluation grid points per dimension.
    """

    input_names = ("x", "y")

    def __init__(self, a: float = 2.0, biot: float = 1.0, eval_resolution: Sequence[int] = (101, 101)) -> None:
        super().__init__(lower=(0.0, 0.0), upper=(1.0, 1.0), eval_resolution=eval_resolution)
        if not a > 0 or not biot > 0:
            raise ValueError(f"a and biot must be > 0, got a={a}, biot={biot}")
        self.a, self.biot = float(a), float(biot)

    def residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        return d.laplacian()

    def solution(self, x: Tensor) -> Tensor:
        return torch.exp(self.a * x[:, 0:1]) * torch.cos(self.a * x[:, 1:2])

    def define_conditions(self) -> list[Condition]:
        a, h = self.a, self.biot
        return [
            Dirichlet(lambda x: torch.cos(a * x[:, 1:2]), name="hot", on="x_min"),
            Neumann(lambda x: a * math.e**a * torch.cos(a * x[:, 1:2]), name="flux", on="x_max"),
            Neumann(0.0, name="symmetry", on="y_min"),
            Robin(a=h, b=1.0, g=lambda x: torch.exp(a * x[:, 0:1]) * (h * math.cos(a) - a * math.sin(a)),
                  name="cooling", on="y_max"),  # fmt: skip
        ]
