"""Conditions: named loss terms on boundary parts, the initial slice or given points."""

from .base import Condition, PointSet, normal_derivative
from .boundary import Dirichlet, Neumann, Operator, Periodic, Robin
from .data import PointData
from .initial import Initial

__all__ = ["Condition", "Dirichlet", "Initial", "Neumann", "Operator", "Periodic", "PointData", "PointSet", "Robin",
           "normal_derivative"]  # fmt: skip
