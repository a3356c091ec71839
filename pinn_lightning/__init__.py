"""pinn_lightning: fast physics-informed neural networks on PyTorch Lightning.

Multi-resolution hash encoding + finite-difference derivatives (Huang & Alkhalifah 2024),
with the vanilla PINN (MLP + autograd) as an interchangeable configuration.
"""

from .causal import CausalWeighting
from .callbacks import DerivativeSmoothnessMonitor, FitSummary, PredictionWriter, SolutionSnapshot, collocation_points
from .conditions import Condition, Dirichlet, Initial, Neumann, Operator, Periodic, PointData, PointSet, Robin
from .data import CollocationDataModule
from .derivatives import AutogradDerivatives, DerivativeOperator, FieldDerivatives, FiniteDifferenceDerivatives
from .encodings import Encoding, FourierFeatureEncoding, HashGridEncoding, IdentityEncoding
from .metrics import RelativeL2Error, relative_l2_error
from .lbfgs import LBFGSPhase
from .loss_weighting import GradNormWeighting
from .module import PINNModule
from .network import FieldNetwork
from .optim import ExponentialDecay
from .problems import (
    AllenCahn1D,
    KleinGordon1D,
    Wave1D,
    Burgers1D,
    CylinderFlow2D,
    Diffusion1D,
    HeatPlate2D,
    Helmholtz2D,
    Kovasznay2D,
    LidDrivenCavity2D,
    Poisson2D,
    PoissonAnnulus2D,
    Problem,
    SteadyNavierStokes2D,
    cole_hopf_solution,
)

__version__ = "0.1.0"

__all__ = [
    "AllenCahn1D",
    "KleinGordon1D",
    "LBFGSPhase",
    "Wave1D",
    "AutogradDerivatives",
    "Burgers1D",
    "CausalWeighting",
    "CollocationDataModule",
    "CylinderFlow2D",
    "Condition",
    "Dirichlet",
    "Initial",
    "Neumann",
    "Operator",
    "Periodic",
    "PointData",
    "PointSet",
    "Robin",
    "DerivativeOperator",
    "Diffusion1D",
    "DerivativeSmoothnessMonitor",
    "Encoding",
    "ExponentialDecay",
    "FieldDerivatives",
    "FieldNetwork",
    "FiniteDifferenceDerivatives",
    "FitSummary",
    "FourierFeatureEncoding",
    "GradNormWeighting",
    "HashGridEncoding",
    "HeatPlate2D",
    "Helmholtz2D",
    "IdentityEncoding",
    "Kovasznay2D",
    "LidDrivenCavity2D",
    "PINNModule",
    "Poisson2D",
    "PoissonAnnulus2D",
    "PredictionWriter",
    "Problem",
    "RelativeL2Error",
    "SolutionSnapshot",
    "SteadyNavierStokes2D",
    "cole_hopf_solution",
    "collocation_points",
    "relative_l2_error",
]
