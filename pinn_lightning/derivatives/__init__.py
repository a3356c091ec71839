"""Derivative operators: ``d = operator(field, x)`` then ``d.u``, ``d.grad(i)``, ``d.d2(i, j)``."""

from .autograd import AutogradDerivatives
from .base import DerivativeOperator, Field, FieldDerivatives, Values
from .finite_difference import FiniteDifferenceDerivatives

__all__ = [
    "AutogradDerivatives",
    "DerivativeOperator",
    "Field",
    "FieldDerivatives",
    "FiniteDifferenceDerivatives",
    "Values",
]
