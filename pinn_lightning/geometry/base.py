"""The geometry contract: a region of R^d that samples its interior and its boundary."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from .random import draw_key
from .sampling import PointSampler

Predicate = Callable[[Tensor], Tensor]
"""Points ``[n, d]`` -> bool ``[n]``: which boundary points belong to a named part."""


def first_accepted(candidates: Tensor, accepted: Tensor, n: int) -> Tensor:
    """The first ``n`` accepted rows of ``candidates`` ``[m, ...]`` (``accepted`` bool ``[m]``),
    in their order: a stable sort of the rejection flags, so the shape is static and nothing is
    read by the host. The caller draws enough candidates that ``n`` are accepted."""
    order = torch.argsort((~accepted).to(torch.int8), stable=True)[:n]
    return candidates[order]


class Geometry:
    """A closed region of :math:`\\mathbb R^d` with a piecewise smooth boundary.

    Subclasses implement :meth:`inside`, :meth:`bounds`, :meth:`boundary_measure` and
    :meth:`_boundary_candidates`. Interior points come by rejection from the bounding box,
    boundary points by length or area with their outward unit normals. Every draw is a pure
    function of an integer key (:mod:`pinn_lightning.geometry.random`): the same key gives the same
    points on any device, with static shapes.

    Named boundary parts select boundary points by a predicate on their coordinates, e.g.
    ``{"inlet": lambda x: x[:, 0] <= 1e-9}``; :meth:`sample_boundary` ``(part=...)`` draws on one.

    Args:
        parts: named boundary parts.
    """

    dim: int

    fills_bounds: bool = False
    """The region is its bounding box: interior points need no rejection."""

    def __init__(self, parts: dict[str, Predicate] | None = None) -> None:
        self.parts = dict(parts or {})
        self._rates: dict[tuple, float] = {}

    # -- what a shape states -------------------------------------------------------------------
    def inside(self, x: Tensor) -> Tensor:
        """Whether each point ``[n, d]`` lies in the open interior, bool ``[n]``."""
        raise NotImplementedError

    def bounds(self) -> tuple[list[float], list[float]]:
        """The bounding box ``(lower, upper)``: what a hash grid normalises to ``[0, 1]^d``."""
        raise NotImplementedError

    def boundary_measure(self) -> float:
        """Length (2-D) or area (3-D) of the boundary."""
        raise NotImplementedError

    def _boundary_candidates(self, n: int, key: int | Tensor, device) -> tuple[Tensor, Tensor]:
        """``n`` points spread uniformly over the whole boundary by measure, with their outward unit
        normals, ``([n, d], [n, d])`` (a shape's own; CSG filters its parts' candidates)."""
        raise NotImplementedError

    # -- what every geometry offers ------------------------------------------------------------
    def on_boundary(self, x: Tensor, tol: float = 1e-6) -> Tensor:
        """Whether each point lies within ``tol`` of the boundary (estimated by probing along the
        axes: a point is on the boundary if some probe is inside and some is outside)."""
        probes = [x]
        for i in range(x.shape[1]):
            step = torch.zeros_like(x[0])
            step[i] = tol
            probes += [x + step, x - step]
        flags = torch.stack([self.inside(p) for p in probes])
        return flags.any(0) & ~flags.all(0)

    def contains(self, x: Tensor, tol: float = 1e-6) -> Tensor:
        """Whether each point lies in the closed region (interior or within ``tol`` of the boundary)."""
        return self.inside(x) | self.on_boundary(x, tol)

    def acceptance_rate(self, what: str = "interior", part: str | None = None) -> float:
        """The share of candidates accepted (interior: of the bounding box; boundary: of the
        candidates of the shapes, or of the whole boundary for a part), estimated once on 2^16
        candidates and kept."""
        slot = (what, part)
        if slot not in self._rates:
            probe = 2**16
            if what == "interior":
                lo, hi = (torch.tensor(b) for b in self.bounds())
                x = lo + PointSampler("sobol").unit_cube(probe, self.dim, 0) * (hi - lo)
                rate = self.inside(x).double().mean().item()
            else:
                x, _, accepted = self._boundary_pool(probe, 0, None)
                if part is not None:
                    accepted = accepted & self._part(part)(x)
                rate = accepted.double().mean().item()
            if rate < 0.05:
                warnings.warn(f"{type(self).__name__}: only {rate:.1%} of {what} candidates are accepted"
                              + (f" (part {part!r})" if part else "") + "; sampling draws ~1/rate as many",
                              stacklevel=3)  # fmt: skip
            if rate == 0:
                raise ValueError(f"{type(self).__name__}: no {what} candidate was accepted" + (f" for part {part!r}" if part else ""))
            self._rates[slot] = rate
        return self._rates[slot]

    @staticmethod
    def _oversample(n: int, rate: float) -> int:
        """Candidates to draw so that ``n`` are accepted with overwhelming probability (mean + 8 sd)."""
        mean = n / rate
        return int(math.ceil(mean + 8 * math.sqrt(mean * (1 - rate) / rate) + 16))

    def sample_interior(self, n: int, key: int | Tensor, device=None, sampler: PointSampler | None = None) -> Tensor:
        """``n`` points of the interior, ``[n, d]``: the bounding box's points (``sampler``: uniform,
        LHS or Sobol) that are inside, the first ``n`` of an oversampled draw."""
        sampler = sampler or PointSampler()
        lo, hi = self.bounds()
        if self.fills_bounds:
            return sampler.interior(n, lo, hi, key, device)
        m = self._oversample(n, self.acceptance_rate("interior"))
        x = sampler.interior(m, lo, hi, key, device)
        return first_accepted(x, self.inside(x), n)

    def _boundary_pool(self, m: int, key: int | Tensor, device) -> tuple[Tensor, Tensor, Tensor]:
        """``m`` boundary candidates, their normals and which are on this geometry's boundary."""
        x, normal = self._boundary_candidates(m, key, device)
        return x, normal, torch.ones(m, dtype=torch.bool, device=x.device)

    def _part(self, part: str) -> Predicate:
        if part not in self.parts:
            raise ValueError(f"{type(self).__name__} has no boundary part {part!r}; its parts: {sorted(self.parts)}")
        return self.parts[part]

    def sample_boundary(self, n: int, key: int | Tensor, device=None, part: str | None = None) -> tuple[Tensor, Tensor]:
        """``n`` boundary points uniform by length/area (on the named ``part`` only, if given) and
        their outward unit normals, ``([n, d], [n, d])``."""
        if part is None and self.acceptance_rate("boundary") == 1.0:  # every candidate is on it: no rejection
            x, normal, _ = self._boundary_pool(n, key, device)
            return x, normal
        m = self._oversample(n, self.acceptance_rate("boundary", part))
        x, normal, accepted = self._boundary_pool(m, key, device)
        if part is not None:
            accepted = accepted & self._part(part)(x)
        both = torch.cat([x, normal], dim=1)
        picked = first_accepted(both, accepted, n)
        return picked[:, : self.dim], picked[:, self.dim :]

    def __sub__(self, other: Geometry) -> Geometry:
        from .csg import Difference

        return Difference(self, other)

    def __or__(self, other: Geometry) -> Geometry:
        from .csg import Union

        return Union(self, other)

    def __and__(self, other: Geometry) -> Geometry:
        from .csg import Intersection

        return Intersection(self, other)


def subkey(key: int | Tensor, index: int) -> int | Tensor:
    """An independent key for the ``index``-th use of ``key``."""
    return draw_key(key, index)


def as_floats(values: Sequence[float], name: str, dim: int | None = None) -> list[float]:
    """``values`` as floats, checked for length ``dim``.

    Raises:
        ValueError: the wrong number of values.
    """
    values = [float(v) for v in values]
    if dim is not None and len(values) != dim:
        raise ValueError(f"{name} needs {dim} values, got {values}")
    return values
