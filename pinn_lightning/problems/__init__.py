"""PDE problems: domain, residual, conditions and reference solution."""

from .base import Problem
from .burgers import Burgers1D, cole_hopf_solution
from .helmholtz import Helmholtz2D

__all__ = ["Burgers1D", "Helmholtz2D", "Problem", "cole_hopf_solution"]
