"""The vanilla PINN input encoding."""

from __future__ import annotations

from torch import Tensor

from .base import Encoding


class IdentityEncoding(Encoding):
    """The vanilla PINN input: coordinates mapped affinely from ``[0, 1]^d`` to ``[-1, 1]^d``."""

    @property
    def out_dim(self) -> int:
        assert self.in_dim is not None
        return self.in_dim

    def forward(self, z: Tensor) -> Tensor:  # [n, d] -> [n, d]
        self._check_bound(z)
        return 2.0 * z - 1.0
