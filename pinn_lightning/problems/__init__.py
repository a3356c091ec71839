"""PDE problems: domain, residual, conditions and reference solution."""

from .allen_cahn import AllenCahn1D
from .base import Problem
from .burgers import Burgers1D, cole_hopf_solution
from .diffusion import Diffusion1D
from .heat import HeatPlate2D
from .helmholtz import Helmholtz2D
from .navier_stokes import CylinderFlow2D, Kovasznay2D, LidDrivenCavity2D, SteadyNavierStokes2D
from .poisson import Poisson2D, PoissonAnnulus2D
from .wave import KleinGordon1D, Wave1D

__all__ = [
    "AllenCahn1D",
    "KleinGordon1D",
    "Wave1D",
    "Burgers1D",
    "CylinderFlow2D",
    "Diffusion1D",
    "HeatPlate2D",
    "Helmholtz2D",
    "Kovasznay2D",
    "LidDrivenCavity2D",
    "Poisson2D",
    "PoissonAnnulus2D",
    "Problem",
    "SteadyNavierStokes2D",
    "cole_hopf_solution",
]
