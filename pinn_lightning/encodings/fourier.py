"""Random Fourier feature encoding."""

from __future__ import annotations

import torch
from torch import Tensor

from .base import Encoding


class FourierFeatureEncoding(Encoding):
    r"""Random Fourier features (Tancik et al. 2020).

    .. math::
        \gamma(z) = [\,z',\ \cos(2\pi B z),\ \sin(2\pi B z)\,],\qquad B_{ij} \sim \mathcal N(0, \sigma^2)

    where :math:`z' = 2z - 1` is kept when ``include_input`` is set.

    Args:
        n_frequencies: number of random frequency vectors (rows of ``B``).
        sigma: standard deviation of the frequencies, in cycles per unit of normalised length.
        include_input: append the raw (centred) coordinates to the features.
        seed: seed for ``B`` so that a checkpoint and a fresh build agree.
        in_dim: input dimension; left ``None`` it is taken from the problem.
    """

    def __init__(
        self,
        n_frequencies: int = 64,
        sigma: float = 2.0,
        include_input: bool = True,
        seed: int = 0,
        in_dim: int | None = None,
    ) -> None:
        if n_frequencies < 1:
            raise ValueError(f"n_frequencies must be >= 1, got {n_frequencies}")
        if not sigma > 0:
            raise ValueError(f"sigma must be > 0, got {sigma}")
        self.n_frequencies = n_frequencies
        self.sigma = sigma
        self.include_input = include_input
        self.seed = seed
        super().__init__(in_dim)

    def _build(self, in_dim: int) -> None:
        gen = torch.Generator().manual_seed(self.seed)
        self.register_buffer("B", torch.randn(self.n_frequencies, in_dim, generator=gen) * self.sigma)

    @property
    def out_dim(self) -> int:
        assert self.in_dim is not None
        return 2 * self.n_frequencies + (self.in_dim if self.include_input else 0)

    def forward(self, z: Tensor) -> Tensor:  # [n, d] -> [n, 2F (+ d)]
        self._check_bound(z)
        angles = 2.0 * torch.pi * z @ self.B.T  # [n, F]
        feats = [torch.cos(angles), torch.sin(angles)]
        if self.include_input:
            feats.insert(0, 2.0 * z - 1.0)
        return torch.cat(feats, dim=-1)
