"""The field network: domain normalisation -> encoding -> MLP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from torch import Tensor, nn

from .encodings import Encoding, IdentityEncoding

Activation = Literal["tanh", "sin", "gelu", "silu", "softplus", "relu"]


class Sine(nn.Module):
    """``sin(x)``, the SIREN-style activation some PINNs prefer to tanh."""

    def forward(self, x: Tensor) -> Tensor:
        return torch.sin(x)


_ACTIVATIONS = {
    "tanh": nn.Tanh,
    "sin": Sine,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "softplus": nn.Softplus,
    "relu": nn.ReLU,
}


class FieldNetwork(nn.Module):
    r"""A coordinate network :math:`u_\theta(x) = \mathrm{MLP}(\gamma((x - a) / (b - a)))`.

    Points in the problem's box :math:`[a, b]` are normalised to :math:`[0, 1]^d`, encoded by
    ``encoding`` :math:`\gamma` and mapped by an MLP with ``hidden_layers`` hidden layers of
    ``hidden_width`` units (Xavier-initialised) to ``out_dim`` outputs.

    Args:
        lower: lower corner :math:`a` of the problem's box, one value per input dimension.
        upper: upper corner :math:`b`.
        out_dim: number of output components.
        encoding: input encoding; identity (the vanilla PINN) when ``None``.
        hidden_width: units per hidden layer.
        hidden_layers: number of hidden layers (0 gives a linear read-out of the features).
        activation: hidden activation.
    """

    def __init__(
        self,
        lower: Sequence[float],
        upper: Sequence[float],
        out_dim: int,
        encoding: Encoding | None = None,
        hidden_width: int = 64,
        hidden_layers: int = 2,
        activation: Activation = "tanh",
    ) -> None:
        super().__init__()
        if len(lower) != len(upper):
            raise ValueError(f"lower and upper differ in length: {list(lower)} vs {list(upper)}")
        if hidden_width < 1:
            raise ValueError(f"hidden_width must be >= 1, got {hidden_width}")
        if hidden_layers < 0:
            raise ValueError(f"hidden_layers must be >= 0, got {hidden_layers}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        if out_dim < 1:
            raise ValueError(f"out_dim must be >= 1, got {out_dim}")
        self.encoding = encoding if encoding is not None else IdentityEncoding()
        self.encoding.bind(len(lower))
        self.register_buffer("lower", torch.tensor(list(lower), dtype=torch.float32), persistent=False)
        self.register_buffer(
            "extent", torch.tensor(list(upper), dtype=torch.float32) - self.lower, persistent=False
        )
        layers: list[nn.Module] = []
        width_in = self.encoding.out_dim
        for _ in range(hidden_layers):
            layers += [nn.Linear(width_in, hidden_width), _ACTIVATIONS[activation]()]
            width_in = hidden_width
        layers.append(nn.Linear(width_in, out_dim))
        for layer in layers:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_normal_(layer.weight)
                nn.init.zeros_(layer.bias)
        self.mlp = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:  # [n, d] -> [n, out_dim]
        z = (x - self.lower.to(x.dtype)) / self.extent.to(x.dtype)
        return self.mlp(self.encoding(z).to(self.mlp[0].weight.dtype))

    def natural_step(self) -> Tensor | None:
        """The encoding's finest cell in the problem's coordinates, ``[d]``, or ``None``."""
        cell = self.encoding.finest_cell_size()
        return None if cell is None else cell * self.extent
