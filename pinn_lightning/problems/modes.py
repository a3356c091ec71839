"""Closed-form sine modes shared by the problems whose exact solutions are built from them."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def two_sine_modes(xs: Tensor, m: int, first: Tensor | float = 1.0, second: Tensor | float = 1.0) -> Tensor:
    r""":math:`a_1 \sin(\pi x) + \tfrac12 a_2 \sin(m\pi x)`, the initial value of the diffusion and
    wave problems (:math:`a_1 = a_2 = 1`) and, with their time factors as amplitudes, their solutions.

    Args:
        xs: positions, ``[n, 1]``.
        m: frequency of the second mode.
        first, second: amplitudes :math:`a_1, a_2`, scalars or ``[n, 1]``.
    """
    return first * torch.sin(math.pi * xs) + 0.5 * second * torch.sin(m * math.pi * xs)
