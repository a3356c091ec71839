"""ETDRK4 (Cox & Matthews 2002; Kassam & Trefethen 2005) for 1-D semilinear parabolic PDEs
with homogeneous Dirichlet boundaries, in a sine (DST-I) basis."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import Tensor


def dst1(v: Tensor) -> Tensor:
    r"""Type-I discrete sine transform along the last axis, :math:`X_k = \sum_{j=1}^{n-1} v_j \sin(\pi jk/n)`.

    Through the FFT of the odd extension :math:`(0, v, 0, -v^R)` of length :math:`2n`, whose
    transform is :math:`-2iX`. Its own inverse up to a factor: ``dst1(dst1(v)) = n/2 * v``.

    Args:
        v: ``[..., n-1]`` values at the interior grid points.

    Returns:
        ``[..., n-1]`` sine coefficients (unnormalised).
    """
    zero = torch.zeros_like(v[..., :1])
    ext = torch.cat([zero, v, zero, -v.flip(-1)], dim=-1)
    return -torch.fft.fft(ext, dim=-1)[..., 1 : v.shape[-1] + 1].imag / 2


def etdrk4_coefficients(lh: Tensor, h: float, n_contour: int = 32) -> tuple[Tensor, ...]:
    r"""ETDRK4 weights for a diagonal linear part :math:`L` (``lh`` = :math:`hL`, real, ``[m]``).

    :math:`Q = h\,\frac{e^{z/2} - 1}{z}`,
    :math:`f_1 = h\frac{-4 - z + e^z(4 - 3z + z^2)}{z^3}`,
    :math:`f_2 = h\frac{2 + z + e^z(z - 2)}{z^3}`,
    :math:`f_3 = h\frac{-4 - 3z - z^2 + e^z(4 - z)}{z^3}` at :math:`z = hL`, each averaged over
    ``n_contour`` points of the unit circle around :math:`z` (Kassam & Trefethen), which avoids
    the cancellation of the formulas at small :math:`|z|`.

    Returns:
        ``(E, E2, Q, f1, f2, f3)``: :math:`e^{z}`, :math:`e^{z/2}` and the four weights, ``[m]``.
    """
    r = torch.exp(1j * math.pi * (torch.arange(1, n_contour + 1, dtype=torch.float64) - 0.5) / n_contour)
    z = lh.to(torch.complex128)[:, None] + r[None, :]
    ez = torch.exp(z)
    q = h * ((torch.exp(z / 2) - 1) / z).mean(1).real
    f1 = h * ((-4 - z + ez * (4 - 3 * z + z**2)) / z**3).mean(1).real
    f2 = h * ((2 + z + ez * (z - 2)) / z**3).mean(1).real
    f3 = h * ((-4 - 3 * z - z**2 + ez * (4 - z)) / z**3).mean(1).real
    return torch.exp(lh), torch.exp(lh / 2), q, f1, f2, f3


def solve_dirichlet_etdrk4(
    w0: Callable[[Tensor], Tensor],
    diffusivity: float,
    reaction: Callable[[Tensor], Tensor],
    t_out: Sequence[float],
    n: int = 512,
    dt: float = 1e-3,
    lower: float = -1.0,
    upper: float = 1.0,
) -> tuple[Tensor, Tensor]:
    r"""Solve :math:`w_t = D\,w_{xx} + g(w)` on :math:`[a, b]`, :math:`w(a) = w(b) = 0`.

    Sine-spectral in space (:math:`w = \sum_k \hat w_k \sin(k\pi (x - a)/(b - a))`, diagonal
    :math:`L_k = -D (k\pi/(b - a))^2`), ETDRK4 in time (exact for the stiff linear part, fourth
    order for the reaction, evaluated on the grid). ``g`` must vanish at 0 for the odd extension
    to stay smooth.

    Args:
        w0: initial value, called on the interior grid ``[n-1]`` float64.
        diffusivity: :math:`D`.
        reaction: :math:`g`, elementwise.
        t_out: output times, increasing, each a multiple of ``dt`` (to rounding).
        n: grid intervals (``n + 1`` points including both ends).
        dt: time step.
        lower: :math:`a`.
        upper: :math:`b`.

    Returns:
        ``x`` ``[n+1]`` and ``w`` ``[len(t_out), n+1]`` (zeros at both ends), float64.
    """
    length = upper - lower
    x = torch.linspace(lower, upper, n + 1, dtype=torch.float64)
    k = torch.arange(1, n, dtype=torch.float64)
    e, e2, q, f1, f2, f3 = etdrk4_coefficients(-diffusivity * (k * math.pi / length) ** 2 * dt, dt)
    inverse = lambda c: dst1(c) * (2.0 / n)  # noqa: E731
    v = dst1(w0(x[1:-1]))
    nl = lambda c: dst1(reaction(inverse(c)))  # noqa: E731  the reaction, in sine space
    out = torch.zeros(len(t_out), n + 1, dtype=torch.float64)
    step = 0
    for i, target in enumerate(t_out):
        steps_to = round(target / dt)
        if abs(steps_to * dt - target) > 1e-9 * max(1.0, abs(target)) or steps_to < step:
            raise ValueError(f"t_out must be increasing multiples of dt={dt}, got {target}")
        while step < steps_to:
            nv = nl(v)
            a = e2 * v + q * nv
            na = nl(a)
            b = e2 * v + q * na
            nb = nl(b)
            c = e2 * a + q * (2 * nb - nv)
            nc = nl(c)
            v = e * v + f1 * nv + 2 * f2 * (na + nb) + f3 * nc
            step += 1
        out[i, 1:-1] = inverse(v)
    return x, out
