"""Input encodings: coordinates in ``[0, 1]^d`` -> features for the MLP."""

from .base import Encoding
from .fourier import FourierFeatureEncoding
from .hash_grid import HashGridEncoding
from .identity import IdentityEncoding

__all__ = ["Encoding", "FourierFeatureEncoding", "HashGridEncoding", "IdentityEncoding"]
