"""Steady lid-driven cavity flow by a stream-function–vorticity finite-difference solver.

The reference for :class:`~pinn_lightning.problems.navier_stokes.LidDrivenCavity2D`, checked
against Ghia, Ghia & Shin (1982) in the tests. Second-order central differences on an
``n x n`` vertex grid of the unit square, Thom's wall vorticity, pseudo-time marching of the
vorticity transport equation to steady state, and a fast sine-transform Poisson solve for the
stream function at every step (numpy only).
"""

from __future__ import annotations

import numpy as np


def _dst1(a: np.ndarray, axis: int) -> np.ndarray:
    r"""Type-I discrete sine transform along ``axis``: :math:`X_k = \sum_j x_j \sin(\pi jk/(m+1))` (its own inverse times 2/(m+1))."""
    a = np.moveaxis(a, axis, -1)
    m = a.shape[-1]
    ext = np.zeros(a.shape[:-1] + (2 * m + 2,))
    ext[..., 1 : m + 1] = a
    ext[..., m + 2 :] = -a[..., ::-1]
    out = -0.5 * np.fft.rfft(ext, axis=-1).imag[..., 1 : m + 1]
    return np.moveaxis(out, -1, axis)


def _poisson_solver(m: int, h: float):
    """Solve ``laplacian(psi) = f`` on the ``m x m`` interior with ``psi = 0`` on the boundary."""
    k = np.arange(1, m + 1)
    eig = (2 * np.cos(np.pi * k / (m + 1)) - 2) / h**2  # [m]
    denom = eig[:, None] + eig[None, :]
    scale = (2.0 / (m + 1)) ** 2

    def solve(f: np.ndarray) -> np.ndarray:
        return _dst1(_dst1(_dst1(_dst1(f, 0), 1) / denom, 0), 1) * scale

    return solve


def _resample(a: np.ndarray, n: int) -> np.ndarray:
    """Bilinear interpolation of a field on an ``m x m`` vertex grid of the unit square onto ``n x n``."""
    m = a.shape[0]
    coarse, fine = np.linspace(0.0, 1.0, m), np.linspace(0.0, 1.0, n)
    along_x = np.stack([np.interp(fine, coarse, a[:, j]) for j in range(m)], 1)  # [n, m]
    return np.stack([np.interp(fine, coarse, row) for row in along_x])  # [n, n]


def solve_cavity(
    re: float = 100.0,
    n: int = 129,
    tol: float = 1e-5,
    max_iter: int = 400_000,
    initial: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    r"""Steady cavity flow :math:`[0,1]^2`, lid :math:`u = 1` at :math:`y = 1`, other walls at rest.

    .. math::
        \omega_\tau + u\,\omega_x + v\,\omega_y = \tfrac{1}{Re}\Delta\omega,\qquad
        \Delta\psi = -\omega,\qquad u = \psi_y,\ v = -\psi_x

    marched in pseudo-time :math:`\tau` until the largest vorticity change per unit time falls
    below ``tol``.

    Args:
        re: Reynolds number (lid speed and side length 1).
        n: grid points per side (odd, so that the centre lines are grid lines).
        tol: steady-state tolerance on :math:`\max|\omega_\tau|` (the slowest mode decays at a
            rate of about :math:`2\pi^2/Re`, so the remaining error is about ``tol * Re / 20``).
        max_iter: iteration cap (an error if reached).
        initial: a solution returned for the same ``re`` on another grid; its stream function
            and vorticity, interpolated bilinearly, start the march. From a solution on a grid
            half as fine, only the corrections near the lid corners and the fine scales remain to
            converge, so refining step by step costs a fraction of a cold start.

    Returns:
        ``x``, ``y`` (``[n]``) and ``u``, ``v``, ``psi``, ``omega`` (``[n, n]``, first index along x).
    """
    if n < 9 or n % 2 == 0:
        raise ValueError(f"n must be odd and >= 9, got {n}")
    if not re > 0:
        raise ValueError(f"re must be > 0, got {re}")
    h = 1.0 / (n - 1)
    if initial is None:
        psi, omega = np.zeros((n, n)), np.zeros((n, n))
    else:
        psi, omega = _resample(initial["psi"], n), _resample(initial["omega"], n)
    solve = _poisson_solver(n - 2, h)
    dt = 0.8 * min(h * h * re / 4.0, 2.0 / re)  # explicit diffusion / central-advection limits (|u| <= 1)
    for it in range(max_iter):
        # Thom's formula for the wall vorticity (lid at y = 1 moves with u = 1)
        omega[0, :] = -2.0 * psi[1, :] / h**2
        omega[-1, :] = -2.0 * psi[-2, :] / h**2
        omega[:, 0] = -2.0 * psi[:, 1] / h**2
        omega[:, -1] = -2.0 * psi[:, -2] / h**2 - 2.0 / h
        u = (psi[1:-1, 2:] - psi[1:-1, :-2]) / (2 * h)
        v = -(psi[2:, 1:-1] - psi[:-2, 1:-1]) / (2 * h)
        w = omega
        wx = (w[2:, 1:-1] - w[:-2, 1:-1]) / (2 * h)
        wy = (w[1:-1, 2:] - w[1:-1, :-2]) / (2 * h)
        lap = (w[2:, 1:-1] + w[:-2, 1:-1] + w[1:-1, 2:] + w[1:-1, :-2] - 4 * w[1:-1, 1:-1]) / h**2
        rate = lap / re - u * wx - v * wy
        omega[1:-1, 1:-1] += dt * rate
        psi[1:-1, 1:-1] = solve(-omega[1:-1, 1:-1])
        if it % 100 == 0 and np.abs(rate).max() < tol:
            break
    else:
        raise RuntimeError(f"cavity solver did not reach tol={tol} in {max_iter} iterations")
    x = np.linspace(0.0, 1.0, n)
    u_full = np.zeros((n, n))
    v_full = np.zeros((n, n))
    u_full[1:-1, 1:-1] = (psi[1:-1, 2:] - psi[1:-1, :-2]) / (2 * h)
    v_full[1:-1, 1:-1] = -(psi[2:, 1:-1] - psi[:-2, 1:-1]) / (2 * h)
    u_full[:, -1] = 1.0  # the lid (corners included, as in Ghia's tables)
    return {"x": x, "y": x.copy(), "u": u_full, "v": v_full, "psi": psi, "omega": omega, "iterations": np.array(it)}


def check_refinement(value: int, name: str = "refinement") -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is a power of two >= 1."""
    if value < 1 or value & (value - 1):
        raise ValueError(f"{name} must be a power of two >= 1, got {value}")


def solve_cavity_refined(
    re: float = 100.0, n: int = 129, refinement: int = 1, tol: float = 1e-5
) -> dict[str, np.ndarray]:
    """:func:`solve_cavity` on a grid ``refinement`` times finer than ``n x n``, sampled at its points.

    The velocity jumps from 1 to 0 at the lid's corners, so the grid points next to them carry
    an error that shrinks about as slowly as the cell size: at Re = 100, the 129 x 129 solution
    is ~1.2e-2 (relative L2 of (u, v) over its own points) from the grid-converged flow, most of
    it within 0.05 of the two corners, although its centre-line extrema converge at second order
    (docs/reference_solutions.md). Sampled at the same points, a solution on a grid 2 / 4 times finer is
    ~4e-3 / ~1.5e-3 away. The fine grid is reached by doubling from ``n``, each solve started
    from the last.

    Args:
        re: Reynolds number.
        n: evaluation points per side (odd).
        refinement: 1, 2, 4, ...: the solver grid has ``refinement * (n - 1) + 1`` points per side.
        tol: steady-state tolerance of each solve.

    Returns:
        What :func:`solve_cavity` returns, at the ``n x n`` points, and ``solver_n``.
    """
    check_refinement(refinement)
    sol = solve_cavity(re, n, tol)
    m = n
    while m < refinement * (n - 1) + 1:
        m = 2 * (m - 1) + 1
        sol = solve_cavity(re, m, tol, initial=sol)
    k = refinement
    out = {key: sol[key][::k] for key in ("x", "y")}
    out.update({key: sol[key][::k, ::k] for key in ("u", "v", "psi", "omega")})
    out.update(iterations=sol["iterations"], solver_n=np.array(m))
    return out
